"""One nameko RPC client per gateway thread.

nameko's ClusterRpcProxy is not thread-safe, and gunicorn's gthread workers serve requests on
several threads, so each thread keeps its own, started on first use with the call timeout.
A client whose connection failed is discarded, and the next request on that thread starts a
fresh one: a broker restart costs some 503s, then recovers by itself.
"""
import threading

from nameko.standalone.rpc import ClusterRpcProxy

_local = threading.local()
_settings = None


def configure(settings) -> None:
    global _settings
    _settings = settings


def rpc():
    proxy = getattr(_local, "proxy", None)
    if proxy is None:
        client = ClusterRpcProxy({"AMQP_URI": _settings.AMQP_URI}, timeout=_settings.RPC_TIMEOUT)
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
