"""One nameko RPC client per thread, for the processes that call the services from plain
threads: the gateway (gunicorn's gthread workers) and the inbound mail process.

nameko's ClusterRpcProxy is not thread-safe, so each thread keeps its own, started on first
use with the call timeout. A client whose connection failed is discarded (`discard`), and the
thread's next call starts a fresh one.

A call must hear "unavailable" at once when the broker is away, not after nameko's own
patience: its publisher retries a dead connection for about 5 s (the policy is fixed inside
the standalone proxy, hence the small subclasses below, which only swap the publisher), and
a new client tries to connect for 2 s. So a dead connection is retried once, at once, and a
new client is started only once the broker's port answers a plain connect.

Each call carries the thread's correlation id (services/common/correlation.py) in nameko's
context data, which nameko passes on from there to the calls and events it causes.
"""

import socket
import threading
from typing import Any

from kombu.exceptions import OperationalError
from kombu.utils.url import parse_url
from nameko.amqp.publish import Publisher
from nameko.constants import DEFAULT_TRANSPORT_OPTIONS
from nameko.exceptions import RpcTimeout, UnknownService
from nameko.rpc import MethodProxy, ServiceProxy
from nameko.standalone.rpc import ClusterProxy, ClusterRpcProxy

from . import correlation
from .mongo import AWAY_ERROR_NAMES

BROKER_CONNECT_SECONDS = 1.0
# A service answered, but its database was not reachable: a dependency that is down.
DATABASE_DOWN = AWAY_ERROR_NAMES
# The broker or a service cannot be reached from here (BrokerAway is a ConnectionError).
BROKER_DOWN = (RpcTimeout, UnknownService, OperationalError, ConnectionError, socket.error)
# One reconnection, at once: enough for a connection the broker closed while it stays up.
ONE_QUICK_RETRY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.5, "interval_max": 0.5}


class BrokerAway(ConnectionError):
    """The broker's port does not answer: no RPC can go out now."""


class QuickPublisher(Publisher):  # type: ignore[misc]  # nameko ships no types: its base is Any
    transport_options = {**DEFAULT_TRANSPORT_OPTIONS, **ONE_QUICK_RETRY}
    retry_policy = dict(ONE_QUICK_RETRY)


class QuickMethodProxy(MethodProxy):  # type: ignore[misc]  # nameko ships no types: its base is Any
    publisher_cls = QuickPublisher


class QuickServiceProxy(ServiceProxy):  # type: ignore[misc]  # nameko ships no types: its base is Any
    def __getattr__(self, name: str) -> QuickMethodProxy:
        return QuickMethodProxy(self.worker_ctx, self.service_name, name, self.reply_listener, **self.options)


class QuickClusterProxy(ClusterProxy):  # type: ignore[misc]  # nameko ships no types: its base is Any
    def __getattr__(self, name: str) -> QuickServiceProxy:
        if name not in self._proxies:
            self._proxies[name] = QuickServiceProxy(self._worker_ctx, name, self._reply_listener)
        proxy: QuickServiceProxy = self._proxies[name]
        return proxy


class QuickClusterRpcProxy(ClusterRpcProxy):  # type: ignore[misc]  # nameko ships no types: its base is Any
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._proxy = QuickClusterProxy(self._worker_ctx, self._reply_listener)


class ThreadClients:
    """`clients.proxy().service.method(...)`: this thread's client, started when first needed."""

    def __init__(self, amqp_uri: str, timeout: float) -> None:
        self.amqp_uri = amqp_uri
        self.timeout = timeout
        self._local = threading.local()

    def proxy(self) -> Any:
        proxy = getattr(self._local, "proxy", None)
        if proxy is None:
            check_broker_listens(self.amqp_uri)
            client = QuickClusterRpcProxy({"AMQP_URI": self.amqp_uri}, timeout=self.timeout)
            proxy = client.start()
            self._local.client, self._local.proxy = client, proxy
        self._local.client._worker_ctx.data[correlation.CONTEXT_KEY] = correlation.current()
        return proxy

    def discard(self) -> None:
        """Drop this thread's client (its connection failed); the next call starts another."""
        client = getattr(self._local, "client", None)
        self._local.client = self._local.proxy = None
        if client is not None:
            try:
                client.stop()
            except Exception:  # the connection is already gone; nothing more to release
                pass


def check_broker_listens(amqp_uri: str) -> None:
    address = parse_url(amqp_uri)
    try:
        socket.create_connection(
            (address["hostname"] or "127.0.0.1", address["port"] or 5672), timeout=BROKER_CONNECT_SECONDS
        ).close()
    except OSError as error:
        raise BrokerAway(f"the broker does not answer: {error}") from None
