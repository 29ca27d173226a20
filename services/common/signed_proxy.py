"""One service asking another through nameko's RPC proxy: as a signed caller, within a deadline.

Each call carries its caller signed with CALLER_SIGNING_KEY (signing.py), so the service asked
can tell who asks, and ends within `deadlines.deadline`, so a service that is away is an
`Unavailable` rather than a wait for ever. The catalog client (catalog_client.py) and the
notifications' conversations client are both this, with their own verbs.
"""

from typing import Any

from nameko.containers import WorkerContext
from nameko.rpc import RpcProxy

from .caller import Caller
from .config import load_settings
from .deadlines import answered_in_time, deadline
from .signing import Signature


class SignedCalls:
    """A worker's calls to one service: `calls(caller, "method", *args)`."""

    def __init__(self, service: str, proxy: Any, signature: Signature, timeout: float) -> None:
        self.service = service
        self.proxy = proxy
        self.signature = signature
        self.timeout = timeout

    def __call__(self, caller: Caller, method: str, *args: Any) -> Any:
        return answered_in_time(
            self.service, self.timeout, lambda: getattr(self.proxy, method)(self.signature.signed(caller), *args)
        )


class SignedRpcProxy(RpcProxy):  # type: ignore[misc]  # nameko ships no types: its base is Any
    """A dependency that gives each worker `client(calls)`: a subclass says which client, and
    how the errors name the service asked (`service_named`: "The catalog service did not
    answer in time")."""

    service_named = ""

    def setup(self) -> None:
        super().setup()
        settings = load_settings(self.container.config)
        self.timeout = deadline(settings)
        self.signature = Signature(settings.CALLER_SIGNING_KEY)

    def get_dependency(self, worker_ctx: WorkerContext) -> Any:
        return self.client(
            SignedCalls(self.service_named, super().get_dependency(worker_ctx), self.signature, self.timeout)
        )

    def client(self, calls: SignedCalls) -> Any:
        raise NotImplementedError
