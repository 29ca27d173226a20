"""The catalog_context service's entrypoints: load what comes in, call the catalog, dump."""

from nameko.events import EventDispatcher

from services.common.access import (
    ADMINISTRATION_ONLY,
    CATALOG_WRITERS_ONLY,
    SERVICES_ONLY,
    may_read_directory,
    may_search_vendors,
    may_see_context,
    may_see_vendor_address,
    may_write_catalog,
)
from services.common.caller import CONVERSATIONS_SERVICE, Caller
from services.common.entrypoints import rpc
from services.common.errors import Forbidden, NotFound
from services.common.correlation import Correlation
from services.common.liveness import Heartbeat
from services.common.service_metrics import ServiceMetrics
from services.common.mongo import Mongo
from services.common.signing import SignedCallers

from .catalog import Catalog
from .cscart import StorefrontProvider
from services.common.loading import load
from services.contracts.catalog import Resolved, Vendor, VendorPage, VendorQuery, load_id

from .schemas import dump_record, dump_resolved_many, load_objects, load_record
from .store import CatalogStore


class CatalogContextService:
    name = "catalog_context"

    store = Mongo(CatalogStore)
    storefront = StorefrontProvider()
    dispatch = EventDispatcher()
    callers = SignedCallers()
    alive = Heartbeat()
    correlation_id = Correlation()  # the request this work is for, on its log lines
    metrics = ServiceMetrics()

    @property
    def catalog(self) -> Catalog:
        return Catalog(self.store, self.storefront, self.dispatch)

    # Writes come from the storefront's sync, or an admin allowed to manage the catalog.

    @rpc
    def upsert_product(self, caller, record):
        _may_write(self.callers.verified(caller))
        return dump_record("product", self.catalog.push("product", load_record("product", record)))

    @rpc
    def upsert_order(self, caller, record):
        _may_write(self.callers.verified(caller))
        return dump_record("order", self.catalog.push("order", load_record("order", record)))

    @rpc
    def upsert_vendor(self, caller, record):
        _may_write(self.callers.verified(caller))
        return dump_record("company", self.catalog.push("company", load_record("company", record)))

    @rpc
    def delete_product(self, caller, product_id):
        _may_write(self.callers.verified(caller))
        self.catalog.delete("product", load_id(product_id, "product_id"))

    @rpc
    def delete_order(self, caller, order_id):
        _may_write(self.callers.verified(caller))
        self.catalog.delete("order", load_id(order_id, "order_id"))

    @rpc
    def delete_vendor(self, caller, company_id):
        _may_write(self.callers.verified(caller))
        self.catalog.delete_vendor(load_id(company_id, "company_id"))

    @rpc
    def delete_customer(self, caller, user_id):
        _may_write(self.callers.verified(caller))
        self.catalog.delete_customer(load_id(user_id, "user_id"))

    @rpc
    def erase_customer(self, caller, customer_id):
        """A customer's erasure (the conversations service runs it): their orders forget them."""
        if self.callers.verified(caller).user_id != CONVERSATIONS_SERVICE.user_id:
            raise Forbidden("Only the conversations service's erasure forgets a customer.")
        return self.catalog.erase_customer(load_id(customer_id, "customer_id"))

    # Reads: the context of one object for anyone (an order only for its parties), the rest
    # for the services.

    @rpc
    def resolve(self, caller, object_type, object_id):
        who = self.callers.verified(caller)
        resolved = Resolved().dump(self.catalog.resolve(object_type, load_id(object_id, "object_id")))
        if not may_see_context(who, resolved):
            raise NotFound(f"No {object_type} {object_id} is known")  # as an unknown one is answered
        if object_type == "company" and not may_see_vendor_address(who, resolved):
            resolved["context"] = {**resolved["context"], "email": ""}
        return resolved

    @rpc
    def resolve_many(self, caller, objects):
        _may_read_directory(self.callers.verified(caller))
        return dump_resolved_many(self.catalog.resolve_many(load_objects(objects)))

    @rpc
    def get_vendor(self, caller, company_id):
        _may_read_directory(self.callers.verified(caller))
        return Vendor().dump(self.catalog.record("company", load_id(company_id, "company_id")))

    @rpc
    def list_vendors(self, caller, status="A"):
        _may_read_directory(self.callers.verified(caller))
        return Vendor(many=True).dump(self.catalog.vendors(status))

    @rpc
    def search_vendors(self, caller, query):
        if not may_search_vendors(self.callers.verified(caller)):
            raise Forbidden(ADMINISTRATION_ONLY)
        return VendorPage().dump(self.catalog.search_vendors(load(VendorQuery(), query, "The search is not valid")))

    @rpc
    def health(self):
        """Ready: the broker brought the call and the database answers."""
        self.store.ping()
        return True


def _may_write(caller: Caller) -> None:
    if not may_write_catalog(caller):
        raise Forbidden(CATALOG_WRITERS_ONLY)


def _may_read_directory(caller: Caller) -> None:
    if not may_read_directory(caller):
        raise Forbidden(SERVICES_ONLY)
