"""The services, as the inbound process asks them: over RPC, from its threads, as the gateway
does (services/common/rpc_client.py: one client per thread, a quick failure while the broker
is away).

It asks the notifications service whom a reply posts as, and then to post it: the reply address
(with the sender's address) is the credential, and the notifications service signs that person
for the conversations service, so this process, which faces the internet, holds no key that
could pass as anyone. The services' own refusals come back as themselves (NotFound, Forbidden,
Conflict, ValidationFailed, RateLimited, QuotaExceeded); a broker, service or database that is away is `Away`.
"""

from nameko.exceptions import RemoteError

from services.common.errors import MessageCenterError
from services.common.rpc_client import BROKER_DOWN, DATABASE_DOWN, ThreadClients


class Away(Exception):
    """The broker, a service or a database cannot answer now: try the mail again later."""


class Services:
    def __init__(self, clients: ThreadClients):
        self.clients = clients

    def reply_author(self, reply_address: str, sender: str) -> dict:
        """{thread_id, side, poster: {role, user_id}}."""
        return self._call("notifications", "reply_author", reply_address, sender)

    def admit_upload(self, reply_address: str, sender: str, size: int) -> None:
        """Before a file of the mail is kept: RateLimited past its author's uploads a minute,
        QuotaExceeded past their quota."""
        self._call("notifications", "admit_reply_upload", reply_address, sender, size)

    def post(self, reply_address: str, sender: str, body: str, attachments: list[str], idempotency_key: str) -> dict:
        """The message, as the conversations service answers a post."""
        message = {"body": body, "attachments": attachments} if attachments else {"body": body}
        return self._call("notifications", "post_reply", reply_address, sender, message, idempotency_key)

    def healthy(self, service: str) -> bool:
        try:
            return self._call(service, "health") is True
        except Exception:
            return False

    def _call(self, service: str, method: str, *args):
        try:
            return getattr(getattr(self.clients.proxy(), service), method)(*args)
        except MessageCenterError:
            raise
        except RemoteError as error:
            if error.exc_type in DATABASE_DOWN:
                raise Away(f"the {service} service cannot reach its database") from None
            raise
        except BROKER_DOWN as error:
            self.clients.discard()  # its connection may be dead: the thread's next call starts afresh
            raise Away(f"{service} cannot be reached ({type(error).__name__})") from None
