"""Which request a line of log belongs to: one id from the customer's click to the vendor's mail.

The gateway takes the client's `X-Request-ID` (or makes one), answers with it, and sends it
with each RPC in nameko's context data, which nameko passes on to the calls and events a worker
makes: the conversations service's events carry it to the notifications service, which writes
it into each mail's and webhook call's headers (`X-Correlation-ID`). Every process notes the id of the work it is
doing for its log lines (services/common/logs.py).
"""

import re
import threading
import uuid

from nameko.containers import WorkerContext
from nameko.extensions import DependencyProvider

CONTEXT_KEY = "correlation_id"
HEADER = "X-Request-ID"
# What a mail and a webhook call carry it in, for whoever receives them.
CARRIED_HEADER = "X-Correlation-ID"
# What a client may send as its own id: short, and nothing a log line could be forged with.
ACCEPTED = re.compile(r"[A-Za-z0-9._:-]{1,64}")

# A green thread's own under nameko's eventlet, a gunicorn thread's own in the gateway.
_current = threading.local()


def current() -> str | None:
    return getattr(_current, "id", None)


def set_current(value: str | None) -> None:
    _current.id = value


def from_client(sent: str | None) -> str:
    """The client's id when it is a plain one, else a new one."""
    return sent if sent and ACCEPTED.fullmatch(sent) else uuid.uuid4().hex


class Correlation(DependencyProvider):  # type: ignore[misc]  # nameko ships no types: its base is Any
    """A worker's correlation id (as it came in nameko's context data): noted for its log lines
    while it works, and given to the service (the mails' headers)."""

    def worker_setup(self, worker_ctx: WorkerContext) -> None:
        set_current(worker_ctx.data.get(CONTEXT_KEY))

    def worker_teardown(self, worker_ctx: WorkerContext) -> None:
        set_current(None)

    def get_dependency(self, worker_ctx: WorkerContext) -> str | None:
        found: str | None = worker_ctx.data.get(CONTEXT_KEY)
        return found
