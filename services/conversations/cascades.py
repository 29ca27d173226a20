"""What the catalog's changes do to conversations: a removed vendor's or customer's threads
are deleted (soft: the administration still sees them; their files go after the retention), a changed object's threads show it."""

from services.common.clock import now
from services.common.errors import NotFound

from . import attachments


def vendor_deleted(store, company_id: str, files: attachments.Policy = attachments.Policy()) -> int:
    deleted = store.delete_vendor_threads(company_id)
    attachments.thread_deleted(store, now(), files, company_id=company_id)
    return deleted


def customer_deleted(store, customer_id: str, files: attachments.Policy = attachments.Policy()) -> int:
    deleted = store.delete_customer_threads(customer_id)
    attachments.thread_deleted(store, now(), files, customer_id=customer_id)
    return deleted


def context_changed(store, catalog, target: dict) -> int:
    try:
        resolved = catalog.resolve(target["type"], target["id"])
    except NotFound:
        return 0
    return store.refresh_context(target, resolved["summary"])
