"""The conversations service as the notifications service asks it: to admit a reply's files and
post the reply by mail as the person it was written by (replies.py says who), within a deadline,
as that person signed, and, for a reply address mailed long ago, when its thread's last message
was written.

Only this service signs that person: the inbound process, which faces the internet, asks it to
post and never holds a caller it could use for anything else.
"""

from datetime import datetime

from services.common.caller import Caller
from services.common.moments import Moment
from services.common.signed_proxy import SignedCalls, SignedRpcProxy


class ConversationsClient:
    def __init__(self, calls: SignedCalls):
        self.calls = calls

    def post_message(self, author: Caller, thread_id: str, request: dict, idempotency_key: str) -> dict:
        return self.calls(author, "post_message", thread_id, request, idempotency_key)

    def last_message_at(self, reader: Caller, thread_id: str) -> datetime:
        """When the thread's last message was written, as `reader` (who must see the thread) reads it."""
        return Moment().deserialize(self.calls(reader, "get_thread", thread_id)["last_message_at"])

    def admit_upload(self, author: Caller, size: int) -> None:
        self.calls(author, "admit_upload", size)


class Conversations(SignedRpcProxy):
    service_named = "conversations"

    def __init__(self, **options):
        super().__init__("conversations", **options)

    def client(self, calls: SignedCalls) -> ConversationsClient:
        return ConversationsClient(calls)
