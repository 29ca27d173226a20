"""apispec plugin: a nested object that may be null is documented as "that object, or null".

apispec writes it, for OpenAPI 3.0, as `anyOf: [{type: object, nullable: true}, {$ref: ...}]`:
its first branch is any object at all, so a generated client parses a message's author or a
thread's last message as a bag of keys. Here the null branch takes null alone (`enum: [null]`,
the 3.0 way to say "null"), and the object's own schema comes first.
"""

from apispec import BasePlugin

APISPEC_NULLABLE = {"type": "object", "nullable": True}
NULL = {"type": "object", "nullable": True, "enum": [None]}


class NullableObjects(BasePlugin):
    def schema_helper(self, name, definition, **kwargs):
        properties = definition.get("properties")
        if not properties:
            return None
        return {"properties": {field: object_or_null(schema) for field, schema in properties.items()}}


def object_or_null(schema: dict) -> dict:
    branches = schema.get("anyOf")
    if not isinstance(branches, list) or APISPEC_NULLABLE not in branches:
        return schema
    return {**schema, "anyOf": [branch for branch in branches if branch != APISPEC_NULLABLE] + [NULL]}
