"""One nameko RPC client per gateway thread (services/common/rpc_client.py says how, why a call
fails at once while the broker is away, and how the request's correlation id goes along)."""

from services.common.rpc_client import ThreadClients

_clients: ThreadClients | None = None


def configure(settings) -> None:
    global _clients
    _clients = ThreadClients(settings.AMQP_URI, settings.RPC_TIMEOUT)


class Call:
    """`rpc().service.method(args)`: the thread's client is reached when the call is made, not
    when it is named, so the arguments (the caller, read from the token) are judged first: a
    bad token is a 401 even while the broker is away."""

    def __init__(self, path: tuple = ()):
        self._path = path

    def __getattr__(self, name: str) -> "Call":
        return Call(self._path + (name,))

    def __call__(self, *args, **kwargs):
        if _clients is None:  # the app factory configures it before any request is served
            raise RuntimeError("gateway.rpc.configure() has not been called")
        target = _clients.proxy()
        for name in self._path:
            target = getattr(target, name)
        return target(*args, **kwargs)


def rpc() -> Call:
    return Call()


def discard() -> None:
    if _clients is not None:
        _clients.discard()
