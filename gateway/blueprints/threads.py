"""Threads, messages, read state, bulk actions and the unread badge."""

from flask import request
from flask.views import MethodView

from services.contracts import conversations as schemas

from ..auth import signed
from ..edge import Blueprint
from ..rpc import rpc

blp = Blueprint("threads", __name__, url_prefix="/v1", description="Conversations and their messages")

IDEMPOTENCY = {
    "Idempotency-Key": {
        "description": "A retry with the same key returns the first answer and creates nothing new.",
        "schema": {"type": "string"},
    }
}


def idempotency_key():
    key = request.headers.get("Idempotency-Key", "").strip()
    return key[:200] or None


@blp.route("/threads")
class Threads(MethodView):
    @blp.arguments(schemas.InboxQuery, location="query")
    @blp.response(200, schemas.InboxPage)
    def get(self, query):
        """The caller's inbox, newest activity first, with filters and cursor pagination."""
        return rpc().conversations.list_threads(signed(), query)

    @blp.arguments(schemas.NewThread)
    @blp.response(201, schemas.StartedThread)
    @blp.alt_response(
        200,
        schema=schemas.StartedThread,
        description="An open thread of the same parties and object existed: the message was appended.",
    )
    @blp.doc(parameters=[{"in": "header", "name": "Idempotency-Key", "required": False, "schema": {"type": "string"}}])
    def post(self, body):
        """Start a conversation, or continue the open one on the same object."""
        answer = rpc().conversations.start_thread(signed(), body, idempotency_key())
        return answer, 201 if answer["created"] else 200


@blp.route("/threads/<not(bulk):thread_id>")
class Thread(MethodView):
    @blp.response(200, schemas.ThreadDetail)
    def get(self, thread_id):
        """The thread, its live context (and what changed since it started), the latest messages."""
        return rpc().conversations.get_thread(signed(), thread_id)

    @blp.arguments(schemas.StatusChange)
    @blp.response(200, schemas.ThreadSummary)
    def patch(self, body, thread_id):
        """Close or reopen the thread."""
        return rpc().conversations.set_status(signed(), thread_id, body)

    @blp.response(204)
    def delete(self, thread_id):
        """Soft-delete the thread (administration only)."""
        rpc().conversations.delete_thread(signed(), thread_id)


@blp.route("/threads/<not(bulk):thread_id>/messages")
class Messages(MethodView):
    @blp.arguments(schemas.MessagesQuery, location="query")
    @blp.response(200, schemas.MessagePage)
    def get(self, query, thread_id):
        """Older messages, page by page (oldest first within a page)."""
        return rpc().conversations.list_messages(signed(), thread_id, query)

    @blp.arguments(schemas.NewMessage)
    @blp.response(201, schemas.Message)
    @blp.doc(parameters=[{"in": "header", "name": "Idempotency-Key", "required": False, "schema": {"type": "string"}}])
    def post(self, body, thread_id):
        """Post a message; a closed thread opens again."""
        return rpc().conversations.post_message(signed(), thread_id, body, idempotency_key())


@blp.route("/threads/<not(bulk):thread_id>/read", methods=["POST"])
@blp.response(200, schemas.ReadState)
def mark_read(thread_id):
    """The caller's side has read everything up to now."""
    return rpc().conversations.mark_read(signed(), thread_id)


@blp.route("/threads/bulk", methods=["POST"])
@blp.arguments(schemas.Bulk)
@blp.response(200, schemas.BulkResult)
@blp.doc(parameters=[{"in": "header", "name": "Idempotency-Key", "required": False, "schema": {"type": "string"}}])
def bulk(body):
    """Delete (administration) or reply to many threads; the answer says what happened to each.
    A retry with the same Idempotency-Key replies to no thread twice."""
    return rpc().conversations.bulk(signed(), body, idempotency_key())


@blp.route("/unread")
@blp.response(200, schemas.UnreadCounts)
def unread():
    """Unread thread counts for the caller's side, per communication type."""
    return rpc().conversations.unread_counts(signed())
