"""apispec plugin: a rule a contract schema checks across its fields (its `validates_schema`:
"a message or a file", "ids or all") is in the OpenAPI document too, so that what a generated
client or a fuzzer may send per the document is what the gateway takes.

A contract schema lists, as `class Meta: valid_when_any = [...]`, the JSON Schemas of which a
body must match at least one. The document says it as `not: {allOf: [{not: ...}, ...]}`, the
same rule as `anyOf`: client generators (openapi-python-client) turn an object's `anyOf` into a
union of partial models, or give up on it, while they leave `not` to the server.
"""

from apispec import BasePlugin
from apispec.ext.marshmallow.common import resolve_schema_cls


class BodyRules(BasePlugin):
    def schema_helper(self, name, definition, **kwargs):
        schema = kwargs.get("schema")
        if schema is None:
            return None
        branches = getattr(getattr(resolve_schema_cls(schema), "Meta", None), "valid_when_any", None)
        if not branches:
            return None
        return {"not": {"allOf": [{"not": branch} for branch in branches]}}
