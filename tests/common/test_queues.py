"""The queues that outlive a process are quorum queues (services/common/entrypoints.py): a
RabbitmqCluster that loses a node loses no request and no event. What belongs to one process
(a broadcast handler's queue, an RPC client's replies) stays classic, as quorum queues cannot
be exclusive or deleted with their consumer. Seen in the broker's management API, and used:
a call is answered and an event handled through them."""

import eventlet
from nameko.events import BROADCAST
from nameko.standalone.events import event_dispatcher
from nameko.standalone.rpc import ClusterRpcProxy

from services.common.entrypoints import event_handler, rpc

HEARD = []


class Probe:
    name = "probe"

    @rpc
    def ping(self):
        return "pong"

    @event_handler("shop", "opened")
    def opened(self, payload):
        HEARD.append(payload)

    @event_handler("shop", "closed", handler_type=BROADCAST, reliable_delivery=False)
    def closed(self, payload):
        HEARD.append(payload)


def test_queues_that_outlive_a_process_are_quorum_queues_and_carry_calls_and_events(
    container_factory, rabbit_config, rabbit_manager
):
    container = container_factory(Probe, rabbit_config)
    container.start()
    vhost = rabbit_config["vhost"]
    types = {queue["name"]: queue["type"] for queue in rabbit_manager.get_queues(vhost)}
    assert types["rpc-probe"] == "quorum"
    assert types["evt-shop-opened--probe.opened"] == "quorum"
    [broadcast] = [name for name in types if name.startswith("evt-shop-closed--probe.closed")]
    assert types[broadcast] == "classic"

    with ClusterRpcProxy(rabbit_config) as cluster:
        assert cluster.probe.ping() == "pong"
        replies = [queue for queue in rabbit_manager.get_queues(vhost) if queue["name"].startswith("rpc.reply")]
        assert replies and all(queue["type"] == "classic" for queue in replies)
    event_dispatcher(rabbit_config)("shop", "opened", {"shop": 1})
    for _ in range(100):
        if HEARD:
            break
        eventlet.sleep(0.05)
    assert HEARD == [{"shop": 1}]
