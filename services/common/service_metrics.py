"""Prometheus metrics of a nameko service, served on METRICS_PORT for a ServiceMonitor to scrape
(0, the default outside Kubernetes: not served).

Every entrypoint is timed and counted by what became of it: `ok`, `refused` (a refusal the
caller was told about: a 404, a 403, a 422, see services/common/entrypoints.py) or `failed`
(anything else: a bug, or a dependency away). Services add counters of their own work beside
these (mails sent, rate-limit refusals, events relayed) in their own modules.
"""

import logging
import threading
import time
from types import TracebackType
from typing import Any

from nameko.events import EventHandler
from nameko.containers import WorkerContext
from nameko.extensions import DependencyProvider, Entrypoint
from nameko.rpc import Rpc
from nameko.timer import Timer
from prometheus_client import Counter, Histogram, start_http_server

from .config import load_settings
from .errors import MessageCenterError

log = logging.getLogger(__name__)

WORK = Counter(
    "message_center_entrypoint_calls_total",
    "Entrypoint calls of a service, by outcome",
    ["service", "entrypoint", "kind", "outcome"],
)
WORK_SECONDS = Histogram(
    "message_center_entrypoint_seconds", "Time an entrypoint of a service took", ["service", "entrypoint", "kind"]
)

_serving = threading.Lock()
_served_on: int | None = None

ExcInfo = tuple[type[BaseException], BaseException, TracebackType]


def kind_of(entrypoint: Entrypoint) -> str:
    for kind, cls in (("rpc", Rpc), ("event", EventHandler), ("timer", Timer)):
        if isinstance(entrypoint, cls):
            return kind
    return "other"


def outcome_of(exc_info: ExcInfo | None) -> str:
    if exc_info is None:
        return "ok"
    return "refused" if isinstance(exc_info[1], MessageCenterError) else "failed"


class ServiceMetrics(DependencyProvider):  # type: ignore[misc]  # nameko ships no types: its base is Any
    def setup(self) -> None:
        global _served_on
        port = load_settings(self.container.config).METRICS_PORT
        with _serving:  # one exporter a process, however many services it runs
            if port and _served_on is None:
                start_http_server(port)
                _served_on = port
                log.info("metrics on port %d", port)
        self.started: dict[WorkerContext, float] = {}

    def worker_setup(self, worker_ctx: WorkerContext) -> None:
        self.started[worker_ctx] = time.perf_counter()

    def worker_result(self, worker_ctx: WorkerContext, result: Any = None, exc_info: ExcInfo | None = None) -> None:
        started = self.started.pop(worker_ctx, None)
        labels = (self.container.service_name, worker_ctx.entrypoint.method_name, kind_of(worker_ctx.entrypoint))
        WORK.labels(*labels, outcome_of(exc_info)).inc()
        if started is not None:
            WORK_SECONDS.labels(*labels).observe(time.perf_counter() - started)
