"""Opaque cursors for keyset pagination.

A cursor holds the last item's sort value and id, and `as_of`: the moment the first page was
read. Threads whose last message came after `as_of` have moved in a last-activity ordering;
the store places them where they stood at `as_of`, so paging never repeats or skips one.
"""
import base64
import json

from services.common.clock import isoformat, parse_iso
from services.common.errors import ValidationFailed


def encode(sort_value, last_id: str, as_of) -> str:
    value = isoformat(sort_value) if hasattr(sort_value, "isoformat") else sort_value
    raw = json.dumps([value, last_id, isoformat(as_of)], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode(cursor: str, sort_is_time: bool) -> tuple:
    """Anything but a cursor this module encoded is refused (422), however it was crafted."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        value, last_id, as_of = json.loads(raw)
        if not all(isinstance(part, str) for part in (value, last_id, as_of)):
            raise ValueError("a cursor holds three strings")
        return (parse_iso(value) if sort_is_time else value), last_id, parse_iso(as_of)
    except (ValueError, TypeError, RecursionError):
        raise ValidationFailed("The cursor is not valid.", {"cursor": ["Use next_cursor from a previous page."]})
