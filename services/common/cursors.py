"""The one cursor scheme: a few strings, as JSON, in URL-safe base64 without padding.

A cursor is opaque to clients (they pass back `next_cursor`); what its strings mean belongs
to the page that made it (services/conversations/pagination.py: a sort value, an id and the
moment of the first page; the notifications bell: the last id seen).
"""

import base64
import json

from services.common.errors import ValidationFailed


def encode(*parts: str) -> str:
    raw = json.dumps(list(parts), separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode(cursor: str, size: int) -> list[str]:
    """The `size` strings of a cursor `encode` made; anything else, however crafted, is a 422."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        parts = json.loads(raw)
    except (ValueError, TypeError, RecursionError):
        raise invalid() from None
    if not isinstance(parts, list) or len(parts) != size or not all(isinstance(part, str) for part in parts):
        raise invalid()
    return parts


def invalid() -> ValidationFailed:
    return ValidationFailed("The cursor is not valid.", {"cursor": ["Use next_cursor from a previous page."]})
