"""Files on messages: uploading one, and fetching a message's file or its thumbnail.

An upload's bytes go straight to GridFS from here (gateway/uploads.py). A file is sent to
whoever may read its thread: asked of the conversations service with a bearer token, or shown
by a link the service signed into a message's answer for 5 minutes (an <img> sends no token;
services/common/attachment_urls.py). Every file leaves as a download the browser will not
run: `nosniff`, a sandboxing CSP, and PDFs as attachments.
"""

from urllib.parse import quote

from flask import Response, current_app, request
from flask.views import MethodView

from services.common import attachment_files, attachment_urls
from services.common.errors import Forbidden, NotFound
from services.common.mongo import our_errors
from services.contracts import conversations as schemas

from .. import uploads
from ..auth import Unauthorized, current_caller, signed
from ..edge import Blueprint
from ..errors import error_response
from ..rpc import rpc

blp = Blueprint("attachments", __name__, url_prefix="/v1", description="Files on messages")

SEND_CHUNK_BYTES = 256 * 1024
ERROR = {
    "description": "The contract's error shape.",
    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
}
UPLOAD_REFUSALS = {
    "413": {
        **ERROR,
        "description": "The file is over ATTACHMENT_MAX_BYTES (`payload_too_large`), or the caller's "
        "uploads no message carries yet would pass UPLOAD_QUOTA_MB (`quota_exceeded`).",
    },
    "415": ERROR,
    "422": {
        **ERROR,
        "description": "An image over ATTACHMENT_MAX_PIXELS (every frame counted) or "
        "ATTACHMENT_MAX_FRAMES (`validation_error`), or one no decoder can read "
        "(`unreadable_file`).",
    },
    "429": {
        **ERROR,
        "description": "The caller uploaded UPLOADS_PER_MINUTE files this minute (`rate_limited`).",
        "headers": {
            "Retry-After": {
                "description": "Seconds until the minute ends.",
                "required": True,
                "schema": {"type": "integer"},
            }
        },
    },
}
FILE_CONTENT = {
    mime: {"schema": {"type": "string", "format": "binary"}}
    for mime in (*attachment_files.ACCEPTED_TYPES, "image/jpeg")
}
UPLOAD_BODY = {
    "required": True,
    "content": {
        "multipart/form-data": {
            "schema": {
                "type": "object",
                "required": ["file"],
                "properties": {"file": {"type": "string", "format": "binary"}},
            }
        }
    },
}
LINK_PARAMETERS = [
    {
        "in": "query",
        "name": "expires",
        "required": False,
        "schema": {"type": "integer"},
        "description": "With `signature`: the signed link a message's answer carries.",
    },
    {"in": "query", "name": "signature", "required": False, "schema": {"type": "string"}},
]
DOWNLOAD_RESPONSES = {
    "200": {"description": "The file.", "content": FILE_CONTENT},
    "206": {"description": "The part a Range asked for.", "content": FILE_CONTENT},
    "401": ERROR,
    "403": ERROR,
    "404": ERROR,
    "416": ERROR,
}


@blp.route("/uploads")
class Uploads(MethodView):
    @blp.response(201, schemas.Upload)
    @blp.doc(requestBody=UPLOAD_BODY, responses=UPLOAD_REFUSALS)
    def post(self):
        """Upload a file to attach to a message: a JPEG, PNG, WebP or GIF image or a PDF, at most
        ATTACHMENT_MAX_BYTES (10 MB). Yours for 24 hours unless a message carries it (list its
        `id` in the message's `attachments`). Each person uploads at most UPLOADS_PER_MINUTE (20)
        files a minute and holds at most UPLOAD_QUOTA_MB (200) of uploads no message carries."""
        caller = current_caller()
        if caller.side is None:
            raise Forbidden("Only customers, vendors and the administration attach files.")
        kept = uploads.receive(
            request,
            {"role": caller.role, "user_id": caller.user_id},
            lambda size: rpc().conversations.admit_upload(signed(), size),
        )
        # Made here, from what the gateway itself kept: no service has this answer to give.
        return schemas.Upload().dump(attachment_files.described(kept))


@blp.route("/uploads/limits")
@blp.doc(security=[])
@blp.response(200, schemas.UploadLimits)
def upload_limits():
    """What an upload may be (no token): a page refuses a file over `max_bytes` before sending it,
    from the gateway's own settings, so the limit is written down once."""
    settings = current_app.config["SETTINGS"]
    return schemas.UploadLimits().dump(
        {
            "max_bytes": settings.ATTACHMENT_MAX_BYTES,
            "files_per_message": settings.ATTACHMENTS_PER_MESSAGE,
            "content_types": list(attachment_files.ACCEPTED_TYPES),
        }
    )


@blp.route("/attachments/<attachment_id>")
@blp.doc(parameters=LINK_PARAMETERS, responses=DOWNLOAD_RESPONSES)
def attachment(attachment_id):
    """A message's file (Range requests answer 206)."""
    return _send(attachment_id, "original")


@blp.route("/attachments/<attachment_id>/thumbnail")
@blp.doc(parameters=LINK_PARAMETERS, responses=DOWNLOAD_RESPONSES)
def thumbnail(attachment_id):
    """An image's thumbnail, at most 320 px wide and high."""
    return _send(attachment_id, "thumbnail")


def _send(attachment_id: str, variant: str) -> Response:
    described = _allowed(attachment_id, variant)
    file_id = described["id"] if variant == "original" else described.get("thumbnail_id")
    if file_id is None:
        raise NotFound("This file has no thumbnail.")
    with our_errors():
        stored = attachment_files.open_stored(uploads.database(), file_id)
    if stored is None:
        raise NotFound("No such file.")
    content_type = stored.metadata.get("content_type") or "application/octet-stream"
    return _ranged(stored, content_type, described["name"] if variant == "original" else f"thumbnail-{file_id}")


def _allowed(attachment_id: str, variant: str) -> dict:
    """The file as its reader may have it: by a signed link, or asked of the service with a token."""
    if "signature" in request.args or "expires" in request.args:
        key = attachment_urls.url_key(current_app.config["SETTINGS"])
        problem = attachment_urls.link_problem(
            key, attachment_id, variant, request.args.get("expires", ""), request.args.get("signature", "")
        )
        if problem:
            raise Forbidden(problem)
        with our_errors():
            found = attachment_files.posted_original(uploads.database(), attachment_id)
        if found is None:
            raise NotFound("No such file.")
        return found
    if not request.headers.get("Authorization"):
        raise Unauthorized("A bearer token or a signed link is required.")
    return rpc().conversations.attachment(signed(), attachment_id)


def _ranged(stored, content_type: str, name: str) -> Response:
    length = stored.length
    start, stop, status = 0, length, 200
    asked = request.range
    if asked is not None and asked.units == "bytes" and len(asked.ranges) == 1:
        part = asked.range_for_length(length)
        if part is None:
            response, status = error_response(416, f"The file has {length} bytes: that range is not in it.")
            response.status_code = status
            response.headers["Content-Range"] = f"bytes */{length}"
            return response
        start, stop, status = part[0], part[1], 206

    def chunks():
        try:
            stored.seek(start)
            left = stop - start
            while left > 0:
                chunk = stored.read(min(left, SEND_CHUNK_BYTES))
                if not chunk:
                    break
                left -= len(chunk)
                yield chunk
        finally:
            stored.close()

    response = Response(chunks(), status=status, mimetype=content_type, direct_passthrough=True)
    response.headers.update(
        {
            "Content-Length": str(stop - start),
            "Accept-Ranges": "bytes",
            "Content-Disposition": _disposition(content_type, name),
            # A file is data, never a page of ours: no sniffing it into HTML, no scripts if opened.
            "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": "sandbox",
            "Cache-Control": "private, max-age=300",
        }
    )
    if status == 206:
        response.headers["Content-Range"] = f"bytes {start}-{stop - 1}/{length}"
    return response


def _disposition(content_type: str, name: str) -> str:
    kind = "inline" if content_type.startswith("image/") else "attachment"
    plain = "".join(ch if 32 <= ord(ch) < 127 and ch not in '"\\' else "_" for ch in name)
    return f"{kind}; filename=\"{plain}\"; filename*=UTF-8''{quote(name, safe='')}"
