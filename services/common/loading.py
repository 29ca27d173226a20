"""The one way input is loaded: a marshmallow schema, and its errors as the contract's 422.

Every service loads its RPC input with this (and the gateway's 422 has the same shape, from
flask-smorest at the edge): `details` maps each field to its messages, a whole-body problem
to `_schema`.
"""

from typing import Any

from marshmallow import Schema, ValidationError

from services.common.errors import ValidationFailed

INVALID = "The request has invalid fields."


def load(schema: Schema, data: Any, message: str = INVALID, **options: Any) -> dict[str, Any]:
    try:
        loaded: dict[str, Any] = schema.load({} if data is None else data, **options)
        return loaded
    except ValidationError as error:
        # marshmallow leaves normalized_messages unannotated; it returns the field -> messages dict.
        raise ValidationFailed(message, error.normalized_messages())  # type: ignore[no-untyped-call]
