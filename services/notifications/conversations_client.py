"""The conversations service as the notifications service asks it: to admit a reply's files and
post the reply by mail as the person it was written by (replies.py says who), within a deadline,
as that person signed, and, for a reply address mailed long ago, when its thread's last message
was written.

Only this service signs that person: the inbound process, which faces the internet, asks it to
post and never holds a caller it could use for anything else.
"""
from datetime import datetime

from nameko.rpc import RpcProxy

from services.common.caller import Caller
from services.common.config import load_settings
from services.common.deadlines import answered_in_time, deadline
from services.common.moments import Moment
from services.common.signing import Signature


class ConversationsClient:
    def __init__(self, proxy, signature: Signature, timeout: float):
        self.proxy = proxy
        self.signature = signature
        self.timeout = timeout

    def post_message(self, author: Caller, thread_id: str, request: dict, idempotency_key: str) -> dict:
        return answered_in_time("conversations", self.timeout, lambda: self.proxy.post_message(
            self.signature.signed(author), thread_id, request, idempotency_key))

    def last_message_at(self, reader: Caller, thread_id: str) -> datetime:
        """When the thread's last message was written, as `reader` (who must see the thread) reads it."""
        thread = answered_in_time("conversations", self.timeout, lambda: self.proxy.get_thread(
            self.signature.signed(reader), thread_id))
        return Moment().deserialize(thread["last_message_at"])

    def admit_upload(self, author: Caller, size: int) -> None:
        answered_in_time("conversations", self.timeout, lambda: self.proxy.admit_upload(
            self.signature.signed(author), size))


class Conversations(RpcProxy):
    def __init__(self, **options):
        super().__init__("conversations", **options)

    def setup(self):
        super().setup()
        settings = load_settings(self.container.config)
        self.timeout = deadline(settings)
        self.signature = Signature(settings.CALLER_SIGNING_KEY)

    def get_dependency(self, worker_ctx):
        return ConversationsClient(super().get_dependency(worker_ctx), self.signature, self.timeout)
