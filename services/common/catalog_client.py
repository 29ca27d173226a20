"""The catalog as another service sees it: one RPC client, one deadline, a signed caller.

Conversations resolve what a thread is about and look vendors up; notifications look up a
vendor's address. Both ask as a named system caller (services/common/caller.py), signed with
CALLER_SIGNING_KEY like any caller, so the catalog can tell which service asked; each call
within a deadline (deadlines.py).
"""

from typing import Any

from .caller import Caller
from .events import CATALOG
from .remembered import Remembered
from .signed_proxy import SignedCalls, SignedRpcProxy


class CatalogClient:
    """What a worker gets: the catalog's reads, each asked as `caller`."""

    def __init__(self, calls: SignedCalls, caller: Caller, vendors: Remembered | None = None):
        self.calls = calls
        self.caller = caller
        self.vendors = vendors

    # The answers are the catalog's dumped schemas (services/contracts/catalog.py), read over RPC.

    def resolve(self, object_type: str, object_id: str) -> dict[str, Any]:
        resolved: dict[str, Any] = self.calls(self.caller, "resolve", object_type, object_id)
        return resolved

    def resolve_many(self, objects: list[dict[str, Any]]) -> dict[str, dict[str, Any] | None]:
        """Each {type, id} resolved by "type:id", None for one the catalog does not know."""
        resolved: dict[str, dict[str, Any] | None] = self.calls(self.caller, "resolve_many", objects)
        return resolved

    def get_vendor(self, company_id: str) -> dict[str, Any]:
        """The vendor's record; NotFound (from the catalog) for one it does not know."""
        if self.vendors is None:
            return self._vendor(company_id)
        return self.vendors.get(company_id, lambda: self._vendor(company_id))

    def _vendor(self, company_id: str) -> dict[str, Any]:
        vendor: dict[str, Any] = self.calls(self.caller, "get_vendor", company_id)
        return vendor

    def forget_vendor(self, company_id: str) -> None:
        """The catalog said the vendor changed (or is gone): ask it again next time."""
        if self.vendors is not None:
            self.vendors.forget(company_id)

    def erase_customer(self, customer_id: str) -> dict[str, int]:
        """A customer's erasure: the catalog's orders forget their name, address and phone."""
        erased: dict[str, int] = self.calls(self.caller, "erase_customer", customer_id)
        return erased

    def list_vendors(self, status: str | None) -> list[dict[str, Any]]:
        vendors: list[dict[str, Any]] = self.calls(self.caller, "list_vendors", status)
        return vendors


class Catalog(SignedRpcProxy):
    """`catalog = Catalog(CONVERSATIONS_SERVICE)`: the catalog, asked as that service.

    `remember_vendors=seconds` keeps vendor records that long in the process (the notifications
    service reads a vendor's address for every message); the service then forgets one when the
    catalog announces its change (CONTEXT_CHANGED, VENDOR_DELETED), so the lifetime only bounds
    an announcement that was missed."""

    service_named = "catalog"

    def __init__(self, caller: Caller, remember_vendors: float = 0, **options: Any) -> None:
        super().__init__(CATALOG, **options)
        self.caller = caller
        self.remember_vendors = remember_vendors
        self.vendors = Remembered(remember_vendors, size=10_000) if remember_vendors else None

    def client(self, calls: SignedCalls) -> CatalogClient:
        return CatalogClient(calls, self.caller, self.vendors)
