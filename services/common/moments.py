"""The one time field: ISO-8601 in, the contract's ISO-8601 UTC with milliseconds out."""
from datetime import timezone

from marshmallow import fields

from services.common.clock import isoformat


class Moment(fields.AwareDateTime):
    """A time on the wire. Loaded as an aware datetime (UTC when the text names no zone);
    written as `2026-11-30T22:40:00.000Z`, as services/common/clock.isoformat writes every time.

    A time already written out stays as it is: the service writes its answer in the wire
    form (presenters, or a dump with the contract's schema), and the gateway dumps that answer
    again with the same schema, which is where the OpenAPI document and the filter of what
    leaves come from."""

    def __init__(self, **kwargs):
        super().__init__(default_timezone=timezone.utc, **kwargs)

    def _serialize(self, value, attr, obj, **kwargs):
        return value if value is None or isinstance(value, str) else isoformat(value)
