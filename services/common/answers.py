"""The one style of answer schema: a service dumps its answer with it, once, into the wire form
the gateway forwards unchanged."""

from typing import Any

from marshmallow import Schema, pre_dump


class Answer(Schema):
    """Every answer schema of the contracts derives from this. A stored document's `_id` is
    the answer's `id`, so a service may dump what it read; times are
    services.common.moments.Moment; ids are strings."""

    @pre_dump
    def id_from_store(self, document: Any, **kwargs: Any) -> Any:
        if isinstance(document, dict) and "_id" in document:
            return {**document, "id": document["_id"]}
        return document
