"""One nameko RPC client per gateway thread.

nameko's ClusterRpcProxy is not thread-safe, and gunicorn's gthread workers serve requests on
several threads, so each thread keeps its own, started on first use with the call timeout.

When the broker goes away, a client's connection is dead, and nameko retries a dead
connection for about 5 s before it gives up (its retry policy is fixed inside the proxy). So
the first request that finds the broker away marks every thread's client as stale; each
thread then starts a fresh one, and a fresh one starts only once the broker's port answers a
plain connect (BROKER_CONNECT_SECONDS): during an outage a request gets its 503 at once, and
after it the next request on each thread connects anew.
"""
import socket
import threading

from kombu.utils.url import parse_url
from nameko.standalone.rpc import ClusterRpcProxy

BROKER_CONNECT_SECONDS = 1.0

_local = threading.local()
_settings = None
# Moves on each time a request finds the broker away: clients of an older one are replaced.
_generation = 0


class BrokerAway(ConnectionError):
    """The broker's port does not answer: no RPC can go out now."""


def configure(settings) -> None:
    global _settings
    _settings = settings


def rpc():
    if getattr(_local, "generation", _generation) != _generation:
        discard()
    proxy = getattr(_local, "proxy", None)
    if proxy is None:
        _check_broker_listens()
        client = ClusterRpcProxy({"AMQP_URI": _settings.AMQP_URI}, timeout=_settings.RPC_TIMEOUT)
        proxy = client.start()
        _local.client, _local.proxy, _local.generation = client, proxy, _generation
    return proxy


def broker_lost() -> None:
    """Every thread's client is stale: each starts a fresh one on its next request."""
    global _generation
    _generation += 1
    discard()


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
