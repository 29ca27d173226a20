"""Every error leaves the gateway here, in the contract's one shape:
{"error": {"code": "<machine code>", "message": "<human sentence>", "details": {...}}}.
"""

import logging

from flask import jsonify, request
from marshmallow import Schema, fields
from nameko.exceptions import RemoteError, RpcTimeout, UnknownService
from werkzeug.exceptions import HTTPException

from services.common.errors import DatabaseAway, DatabaseFailed, MessageCenterError
from services.common.rpc_client import BROKER_DOWN, DATABASE_DOWN

from . import rpc

log = logging.getLogger(__name__)

CODE_OF_STATUS = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    416: "range_not_satisfiable",
    422: "validation_error",
    429: "rate_limited",
    503: "unavailable",
}

# A dependency that is away is back within seconds in most outages (a restart, a blip): a
# client retries after this, with the same Idempotency-Key.
RETRY_AFTER_SECONDS = 2


class ErrorBody(Schema):
    code = fields.String(required=True, metadata={"description": "Machine code, e.g. validation_error"})
    message = fields.String(required=True, metadata={"description": "A sentence for people"})
    details = fields.Dict(required=True, metadata={"description": "Per field, its messages (may be empty)"})


class ErrorSchema(Schema):
    """The one error shape, as the OpenAPI document shows it for every 4xx and 5xx."""

    error = fields.Nested(ErrorBody, required=True)


def error_response(status: int, message: str, details: dict | None = None, code: str | None = None):
    body = {
        "error": {"code": code or CODE_OF_STATUS.get(status, "error"), "message": message, "details": details or {}}
    }
    response = jsonify(body)
    if status == 503:
        response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    elif status == 429:  # the service says when the caller's window ends
        response.headers["Retry-After"] = str((details or {}).get("retry_after", 60))
    return response, status


def field_messages(messages: dict) -> dict:
    """webargs nests errors by location ({"json": {...}, "query": {...}}); the contract maps
    field → messages, so the locations are folded away."""
    details = {}
    for location_errors in messages.values():
        if isinstance(location_errors, dict):
            details.update(location_errors)
        else:
            details.setdefault("_schema", []).extend(location_errors)
    return details


def register(app):
    @app.errorhandler(MessageCenterError)
    def known_error(error):
        response, status = error_response(error.status, error.message, error.details, error.code)
        if status == 413:  # an upload refused part way: the rest of its body is still on the wire
            response.headers["Connection"] = "close"
        return response, status

    @app.errorhandler(HTTPException)
    def http_error(error):
        data = getattr(error, "data", None) or {}
        if error.code == 422 and "messages" in data:
            return error_response(422, "The request has invalid fields.", field_messages(data["messages"]))
        if error.code == 413:
            # The unread body is still on the wire: the connection cannot carry another request.
            limit = request.max_content_length or 0
            response, status = error_response(413, f"The request body is larger than {limit // 1024} KiB.")
            response.headers["Connection"] = "close"
            return response, status
        message = data.get("message") or error.description or error.name
        response, status = error_response(error.code or 500, message)
        # A 405 must say which methods the resource has (RFC 9110 §15.5.6).
        allow = dict(error.get_headers()).get("Allow")
        if allow:
            response.headers["Allow"] = allow
        return response, status

    @app.errorhandler(RemoteError)
    def service_error(error):
        if error.exc_type in DATABASE_DOWN:
            return error_response(503, "The database is not reachable; try again shortly.")
        log.error("service error %s: %s", error.exc_type, error.value)
        return error_response(500, "Something went wrong on our side.", code="internal_error")

    # The gateway's own database work (an upload's bytes, a file sent: services/common/mongo.py
    # our_errors) and a service's store that speaks our errors. Their messages name the server
    # and the driver's words: the log keeps them, the caller is told what it can act on.
    @app.errorhandler(DatabaseAway)
    def database_down(error):
        log.warning("%s", error)
        return error_response(503, "The database is not reachable; try again shortly.")

    @app.errorhandler(DatabaseFailed)
    def database_failed(error):
        log.error("%s", error)
        return error_response(500, "Something went wrong on our side.", code="internal_error")

    def broker_down(error):
        # The thread's RPC client may hold a dead connection; the next request starts afresh.
        rpc.discard()
        if isinstance(error, UnknownService):
            return error_response(503, f"The {error} service is not running; try again shortly.")
        if isinstance(error, RpcTimeout):
            return error_response(503, "A backend service did not answer in time; try again shortly.")
        return error_response(503, "The message broker is not reachable; try again shortly.")

    for failure in BROKER_DOWN:
        app.register_error_handler(failure, broker_down)

    @app.errorhandler(Exception)
    def unexpected(error):
        log.exception("unhandled error")
        return error_response(500, "Something went wrong on our side.", code="internal_error")
