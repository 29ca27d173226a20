"""Field types that take what JSON says and nothing it might be read as: `true` or `false`,
not 1 or "yes" (marshmallow's Boolean reads those too, while the document says boolean)."""

from marshmallow import fields


class Flag(fields.Boolean):
    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, bool):
            raise self.make_error("invalid", input=value)
        return value
