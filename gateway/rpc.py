"""One nameko RPC client per gateway thread.

nameko's ClusterRpcProxy is not thread-safe, and gunicorn's gthread workers serve requests on
several threads, so each thread keeps its own, started on first use with the call timeout.
A client whose connection failed is discarded, and the next request on that thread starts a
fresh one.

A request must hear "unavailable" at once when the broker is away, not after nameko's own
patience: its publisher retries a dead connection for about 5 s (the policy is fixed inside
the standalone proxy, hence the small subclasses below, which only swap the publisher), and
a new client tries to connect for 2 s. So a dead connection is retried once, at once, and a
new client is started only once the broker's port answers a plain connect.
"""
import socket
import threading

from kombu.utils.url import parse_url
from nameko.amqp.publish import Publisher
from nameko.constants import DEFAULT_TRANSPORT_OPTIONS
from nameko.rpc import MethodProxy, ServiceProxy
from nameko.standalone.rpc import ClusterProxy, ClusterRpcProxy

from services.common import correlation

BROKER_CONNECT_SECONDS = 1.0
# One reconnection, at once: enough for a connection the broker closed while it stays up.
ONE_QUICK_RETRY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.5, "interval_max": 0.5}

_local = threading.local()
_settings = None


class BrokerAway(ConnectionError):
    """The broker's port does not answer: no RPC can go out now."""


class QuickPublisher(Publisher):
    transport_options = {**DEFAULT_TRANSPORT_OPTIONS, **ONE_QUICK_RETRY}
    retry_policy = dict(ONE_QUICK_RETRY)


class QuickMethodProxy(MethodProxy):
    publisher_cls = QuickPublisher


class QuickServiceProxy(ServiceProxy):
    def __getattr__(self, name):
        return QuickMethodProxy(self.worker_ctx, self.service_name, name, self.reply_listener, **self.options)


class QuickClusterProxy(ClusterProxy):
    def __getattr__(self, name):
        if name not in self._proxies:
            self._proxies[name] = QuickServiceProxy(self._worker_ctx, name, self._reply_listener)
        return self._proxies[name]


class QuickClusterRpcProxy(ClusterRpcProxy):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._proxy = QuickClusterProxy(self._worker_ctx, self._reply_listener)


def configure(settings) -> None:
    global _settings
    _settings = settings


class Call:
    """`rpc().service.method(args)`: the thread's client is reached when the call is made, not
    when it is named, so the arguments (the caller, read from the token) are judged first: a
    bad token is a 401 even while the broker is away."""

    def __init__(self, path: tuple = ()):
        self._path = path

    def __getattr__(self, name: str) -> "Call":
        return Call(self._path + (name,))

    def __call__(self, *args, **kwargs):
        target = _client()
        # nameko sends a client's context data with each call, and passes it on from there.
        _local.client._worker_ctx.data[correlation.CONTEXT_KEY] = correlation.current()
        for name in self._path:
            target = getattr(target, name)
        return target(*args, **kwargs)


def rpc() -> Call:
    return Call()


def _client():
    proxy = getattr(_local, "proxy", None)
    if proxy is None:
        _check_broker_listens()
        client = QuickClusterRpcProxy({"AMQP_URI": _settings.AMQP_URI}, timeout=_settings.RPC_TIMEOUT)
        proxy = client.start()
        _local.client, _local.proxy = client, proxy
    return proxy


def discard() -> None:
    client = getattr(_local, "client", None)
    _local.client = _local.proxy = None
    if client is not None:
        try:
            client.stop()
        except Exception:  # the connection is already gone; nothing more to release
            pass


def _check_broker_listens() -> None:
    address = parse_url(_settings.AMQP_URI)
    try:
        socket.create_connection((address["hostname"] or "127.0.0.1", address["port"] or 5672),
                                 timeout=BROKER_CONNECT_SECONDS).close()
    except OSError as error:
        raise BrokerAway(f"the broker does not answer: {error}") from None
