"""nameko's RPC and event entrypoints, made to survive an answer that cannot be sent, on quorum
queues.

nameko 2.14 publishes a worker's answer from the worker's own green thread; when the broker is
away at that moment the publish raises, and an error there kills the whole container (nameko
issue #346): a broker restart during a call took the service down with every call in flight.
Here a lost answer is logged and dropped instead. The work itself is done and stored; the
caller times out, answers 503, and a retry with its Idempotency-Key gets the stored result.
The request is not acknowledged, so if the broker kept it, it is delivered again; the use
cases that write are idempotent under a key for that reason too.

The queues that outlive a process (the RPC queue of each service, the events a service pool
handles) are quorum queues: replicated over the broker's nodes by Raft, so losing a node of
a RabbitmqCluster loses no request and no event. Quorum queues work on a single node too
(`make run`, the tests). What is tied to one process stays classic: RPC reply queues,
broadcast handlers' queues, the push process's. A queue keeps the type it was declared
with: an existing classic queue of the same name makes the service fail to start with
PRECONDITION_FAILED (README "Reliability": drain, delete, start).
"""

import logging
from typing import Any

from nameko.events import EventHandler as NamekoEventHandler
from nameko.rpc import Rpc as NamekoRpc, RpcConsumer

from .errors import MessageCenterError

log = logging.getLogger(__name__)

QUORUM = {"x-queue-type": "quorum"}


def replicated(queue: Any) -> None:
    """Make a queue that outlives its consumer a quorum queue (before it is declared)."""
    if queue.durable and not queue.auto_delete and not queue.exclusive:
        queue.queue_arguments = {**(queue.queue_arguments or {}), **QUORUM}


class AnswerDroppingRpcConsumer(RpcConsumer):  # type: ignore[misc]  # nameko ships no types: its base is Any
    def handle_result(self, message: Any, result: Any, exc_info: Any) -> Any:
        try:
            return super().handle_result(message, result, exc_info)
        except Exception as error:  # any failure to answer must not stop the service
            log.warning(
                "the answer to %s could not be sent (%s: %s); the caller will retry",
                message.delivery_info.get("routing_key"),
                type(error).__name__,
                error,
            )
            return result, exc_info

    def setup(self) -> None:
        super().setup()
        replicated(self.queue)


class Rpc(NamekoRpc):  # type: ignore[misc]  # nameko ships no types: its base is Any
    """A refusal the caller is told about (a MessageCenterError: 404, 403, 422, ...) is expected:
    logged as one line (services/common/logs.py), not as a worker's failure."""

    rpc_consumer = AnswerDroppingRpcConsumer()

    def __init__(
        self, expected_exceptions: type[Exception] | tuple[type[Exception], ...] = MessageCenterError, **kwargs: Any
    ) -> None:
        super().__init__(expected_exceptions=expected_exceptions, **kwargs)


class EventHandler(NamekoEventHandler):  # type: ignore[misc]  # nameko ships no types: its base is Any
    def setup(self) -> None:
        super().setup()
        replicated(self.queue)

    def handle_message_processed(self, message: Any, result: Any = None, exc_info: Any = None) -> None:
        """An event handled while the broker went away cannot be acknowledged: nameko 2.14
        would let that failure kill the whole service (as with an RPC answer, above). It is
        logged instead; the broker hands the unacknowledged event out again once it is back,
        and the handlers are idempotent (unique keys), so it is worked through once."""
        try:
            super().handle_message_processed(message, result, exc_info)
        except Exception as error:
            log.warning(
                "the event %s could not be acknowledged (%s: %s); the broker will deliver it again",
                message.delivery_info.get("routing_key"),
                type(error).__name__,
                error,
            )


rpc = Rpc.decorator
event_handler = EventHandler.decorator
