"""The edge: a request is validated here once, with the contract's schema, and the service is
handed the wire form of what was loaded; the service's answer, already in the wire form, is
forwarded as it came (README "One boundary").

In: flask-smorest loads the input (a 422 in the contract's shape otherwise, and the schema in
the OpenAPI document); the view receives `schema.dump` of it: JSON, times as ISO-8601 strings,
defaults filled in. The service loads it once more with the same schema, as it loads any
broker client's call.

Out: each service dumps its answer once, with the contract's answer schema. `response` here
still documents the operation's status and schema (flask-smorest's), but the view's answer is
not dumped again: it is written out as JSON, with the status the operation documents (or the
one the view returns beside it), and flask-smorest passes a flask Response through untouched.
"""

import functools

import flask_smorest
from flask import jsonify, request
from flask_smorest.utils import set_status_and_headers_in_response, unpack_tuple_response
from werkzeug import Response
from werkzeug.exceptions import UnsupportedMediaType

from services.common.errors import ValidationFailed


class Blueprint(flask_smorest.Blueprint):
    def arguments(self, schema, **options):
        schema = schema() if isinstance(schema, type) else schema
        documented = super().arguments(schema, **options)

        def decorator(view):
            @functools.wraps(view)
            def with_wire_form(*args, **kwargs):
                *before, loaded = args  # flask-smorest appends the loaded input
                return view(*before, schema.dump(loaded), **kwargs)

            parsed = documented(with_wire_form)
            return parsed if options.get("location", "json") != "json" else json_object_first(parsed)

        return decorator

    def response(self, status_code, schema=None, **options):
        documented = super().response(status_code, schema, **options)
        if schema is None:
            return documented  # nothing to dump (a 204): flask-smorest's own way

        def decorator(view):
            @functools.wraps(view)
            def forwarded(*args, **kwargs):
                return forward(view(*args, **kwargs), status_code)

            return documented(forwarded)

        return decorator


def json_object_first(view):
    """Before the body is parsed: a body of another type is a 415; no body, or JSON that is no
    object, a 422. Malformed JSON stays webargs' to refuse (a 400)."""

    @functools.wraps(view)
    def checked(*args, **kwargs):
        if not request.is_json:
            raise UnsupportedMediaType("The body is JSON: send it as application/json.")
        body = request.get_json(silent=True)
        malformed = body is None and request.get_data(cache=True).strip() not in (b"", b"null")
        if not malformed and not isinstance(body, dict):
            raise ValidationFailed("The body must be a JSON object.", {"_schema": ["Not a JSON object."]})
        return view(*args, **kwargs)

    return checked


def forward(returned, documented_status) -> Response:
    """A service's answer as it came, as JSON, with the status its operation documents (or the
    one the view returns beside it: `answer, 200`)."""
    answer, status, headers = unpack_tuple_response(returned)
    if isinstance(answer, Response):
        response = answer
    else:
        response = jsonify(answer)
        response.status_code = int(documented_status)
    set_status_and_headers_in_response(response, status, headers)
    return response
