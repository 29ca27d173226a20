"""The one time field: ISO-8601 in, the contract's ISO-8601 UTC with milliseconds out."""

from datetime import datetime, timezone
from typing import Any

from marshmallow import fields

from services.common.clock import isoformat


class Moment(fields.AwareDateTime):
    """A time on the wire. Loaded as an aware datetime (UTC when the text names no zone);
    written as `2026-11-30T22:40:00.000Z`, as services/common/clock.isoformat writes every time.

    Only a datetime is written: an answer is dumped once, in the service that gives it, with
    the contract's schema, and a time that is text already is a second dump (or a time nobody
    loaded), which fails here rather than leaving unchecked."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(default_timezone=timezone.utc, **kwargs)

    def _serialize(self, value: object, attr: str | None, obj: object, **kwargs: Any) -> str | None:
        if value is None:
            return None
        if not isinstance(value, datetime):
            raise TypeError(
                f"{attr or 'A Moment'} is {type(value).__name__}, not a datetime: "
                "an answer dumped twice, or a time nobody loaded"
            )
        return isoformat(value)
