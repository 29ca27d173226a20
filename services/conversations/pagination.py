"""Keyset pagination's cursors (in the one scheme of services/common/cursors.py).

A cursor holds the last item's sort value and id, and `as_of`: the moment the first page was
read. Threads whose last message came after `as_of` have moved in a last-activity ordering;
the store places them where they stood at `as_of`, so paging never repeats or skips one.
"""

from datetime import datetime
from typing import Any

from services.common import cursors
from services.common.clock import isoformat, parse_iso


# A sort value is a time (last activity, creation) or what the thread holds in another field.
def encode(sort_value: Any, last_id: str, as_of: datetime) -> str:
    value = isoformat(sort_value) if hasattr(sort_value, "isoformat") else sort_value
    return cursors.encode(value, last_id, isoformat(as_of))


def decode(cursor: str, sort_is_time: bool) -> tuple[Any, str, datetime]:
    """Anything but a cursor this module encoded is refused (422), however it was crafted."""
    value, last_id, as_of = cursors.decode(cursor, 3)
    try:
        return (parse_iso(value) if sort_is_time else value), last_id, parse_iso(as_of)
    except ValueError:
        raise cursors.invalid() from None
