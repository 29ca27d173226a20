"""What the catalog's changes do to conversations: a removed vendor's or customer's threads
are deleted (soft: the administration still sees them), a changed object's threads show it."""
from services.common.errors import NotFound


def vendor_deleted(store, company_id: str) -> int:
    return store.delete_vendor_threads(company_id)


def customer_deleted(store, customer_id: str) -> int:
    return store.delete_customer_threads(customer_id)


def context_changed(store, catalog, target: dict) -> int:
    try:
        resolved = catalog.resolve(target["type"], target["id"])
    except NotFound:
        return 0
    return store.refresh_context(target, resolved["summary"])
