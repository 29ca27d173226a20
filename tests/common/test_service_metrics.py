"""A nameko service's own Prometheus metrics (services/common/service_metrics.py): each
entrypoint timed and counted by outcome, served on METRICS_PORT, as a ServiceMonitor scrapes them."""

import pytest
import requests
from nameko.standalone.rpc import ClusterRpcProxy
from nameko.exceptions import RemoteError

from dev.ports import free_port
from services.common import service_metrics
from services.common.entrypoints import rpc
from services.common.errors import NotFound
from services.common.service_metrics import ServiceMetrics


class Counted:
    name = "counted"
    metrics = ServiceMetrics()

    @rpc
    def answer(self, how):
        if how == "refuse":
            raise NotFound("No such thread.")
        if how == "fail":
            raise RuntimeError("a bug")
        return how


def sample(text, entrypoint, outcome):
    line = (
        f'message_center_entrypoint_calls_total{{entrypoint="{entrypoint}",kind="rpc",'
        f'outcome="{outcome}",service="counted"}}'
    )
    found = [row for row in text.splitlines() if row.startswith(line)]
    return float(found[0].split()[-1]) if found else 0.0


def test_each_call_is_counted_by_outcome_and_timed(container_factory, rabbit_config):
    port = free_port()
    container = container_factory(Counted, {**rabbit_config, "METRICS_PORT": port})
    container.start()
    served = f"http://127.0.0.1:{service_metrics._served_on}/metrics"  # one exporter a process
    before = requests.get(served, timeout=5).text
    with ClusterRpcProxy(rabbit_config) as cluster:
        assert cluster.counted.answer("fine") == "fine"
        assert cluster.counted.answer("fine") == "fine"
        with pytest.raises(NotFound):
            cluster.counted.answer("refuse")
        with pytest.raises(RemoteError):
            cluster.counted.answer("fail")
    after = requests.get(served, timeout=5).text
    assert sample(after, "answer", "ok") - sample(before, "answer", "ok") == 2
    assert sample(after, "answer", "refused") - sample(before, "answer", "refused") == 1
    assert sample(after, "answer", "failed") - sample(before, "answer", "failed") == 1
    assert 'message_center_entrypoint_seconds_count{entrypoint="answer",kind="rpc",service="counted"}' in after
