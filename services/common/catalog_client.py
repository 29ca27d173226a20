"""The catalog as another service sees it: one RPC client, one deadline, a signed caller.

Conversations resolve what a thread is about and look vendors up; notifications look up a
vendor's address. Both ask as a named system caller (services/common/caller.py), signed with
CALLER_SIGNING_KEY like any caller, so the catalog can tell which service asked; each call
within a deadline (deadlines.py).
"""
from nameko.rpc import RpcProxy

from .caller import Caller
from .config import load_settings
from .deadlines import answered_in_time, deadline
from .events import CATALOG
from .remembered import Remembered
from .signing import Signature


class CatalogClient:
    """What a worker gets: the catalog's reads, each within the deadline."""

    def __init__(self, proxy, caller: Caller, signature: Signature, timeout: float,
                 vendors: Remembered | None = None):
        self.proxy = proxy
        self.caller = caller
        self.signature = signature
        self.timeout = timeout
        self.vendors = vendors

    def resolve(self, object_type: str, object_id: str) -> dict:
        return self._call("resolve", object_type, object_id)

    def resolve_many(self, objects: list[dict]) -> dict:
        """Each {type, id} resolved by "type:id", None for one the catalog does not know."""
        return self._call("resolve_many", objects)

    def get_vendor(self, company_id: str) -> dict:
        """The vendor's record; NotFound (from the catalog) for one it does not know."""
        if self.vendors is None:
            return self._call("get_vendor", company_id)
        return self.vendors.get(company_id, lambda: self._call("get_vendor", company_id))

    def forget_vendor(self, company_id: str) -> None:
        """The catalog said the vendor changed (or is gone): ask it again next time."""
        if self.vendors is not None:
            self.vendors.forget(company_id)

    def list_vendors(self, status: str | None) -> list[dict]:
        return self._call("list_vendors", status)

    def _call(self, method: str, *args):
        return answered_in_time("catalog", self.timeout,
                                lambda: getattr(self.proxy, method)(self.signature.signed(self.caller), *args))


class Catalog(RpcProxy):
    """`catalog = Catalog(CONVERSATIONS_SERVICE)`: the catalog, asked as that service.

    `remember_vendors=seconds` keeps vendor records that long in the process (the notifications
    service reads a vendor's address for every message); the service then forgets one when the
    catalog announces its change (CONTEXT_CHANGED, VENDOR_DELETED), so the lifetime only bounds
    an announcement that was missed."""

    def __init__(self, caller: Caller, remember_vendors: float = 0, **options):
        super().__init__(CATALOG, **options)
        self.caller = caller
        self.remember_vendors = remember_vendors
        self.vendors = Remembered(remember_vendors, size=10_000) if remember_vendors else None

    def setup(self):
        super().setup()
        settings = load_settings(self.container.config)
        self.timeout = deadline(settings)
        self.signature = Signature(settings.CALLER_SIGNING_KEY)

    def get_dependency(self, worker_ctx):
        return CatalogClient(super().get_dependency(worker_ctx), self.caller, self.signature, self.timeout,
                             self.vendors)
