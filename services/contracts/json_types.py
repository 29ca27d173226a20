"""Field types that take what JSON says and nothing it might be read as: `true` or `false`,
not 1 or "yes" (marshmallow's Boolean reads those too, while the document says boolean)."""

from collections.abc import Mapping
from typing import Any

from marshmallow import fields


class Flag(fields.Boolean):
    def _deserialize(self, value: object, attr: str | None, data: Mapping[str, Any] | None, **kwargs: Any) -> bool:
        if not isinstance(value, bool):
            raise self.make_error("invalid", input=value)
        return value
