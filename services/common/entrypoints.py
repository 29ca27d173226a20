"""nameko's RPC entrypoint, made to survive an answer that cannot be sent.

nameko 2.14 publishes a worker's answer from the worker's own green thread; when the broker is
away at that moment the publish raises, and an error there kills the whole container (nameko
issue #346): a broker restart during a call took the service down with every call in flight.
Here a lost answer is logged and dropped instead. The work itself is done and stored; the
caller times out, answers 503, and a retry with its Idempotency-Key gets the stored result.
The request is not acknowledged, so if the broker kept it, it is delivered again; the use
cases that write are idempotent under a key for that reason too.
"""
import logging

from nameko.rpc import Rpc as NamekoRpc, RpcConsumer

log = logging.getLogger(__name__)


class AnswerDroppingRpcConsumer(RpcConsumer):
    def handle_result(self, message, result, exc_info):
        try:
            return super().handle_result(message, result, exc_info)
        except Exception as error:  # any failure to answer must not stop the service
            log.warning("the answer to %s could not be sent (%s: %s); the caller will retry",
                        message.delivery_info.get("routing_key"), type(error).__name__, error)
            return result, exc_info


class Rpc(NamekoRpc):
    rpc_consumer = AnswerDroppingRpcConsumer()


rpc = Rpc.decorator
