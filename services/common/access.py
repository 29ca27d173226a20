"""Who sees and does what. Pure rules: no framework, no database.

A thread belongs to one permission group, as CS-Cart's privileges do:
- `vendor`: customer ↔ vendor threads about products, stores or nothing;
- `order`:  customer ↔ vendor threads about an order;
- `admin`:  vendor ↔ administration threads.
The token's `permissions` claim narrows a vendor's or an admin's reach per group (`view_*`
to read, `manage_*` to write; managing implies viewing). Customers have no such claim.
Anything a caller may not see is answered as if it did not exist.

The administration's own tools each need a permission of their own (`manage_settings`,
`manage_webhooks`, `manage_catalog`, `view_reports`): a full admin (no `permissions` claim)
has them all, restricted staff only those its token names. The system (the storefront's sync,
and a service asking another) writes the catalog and reads the vendor directory, and nothing
else here.
"""
from services.common.caller import Caller

VENDOR_TO_CUSTOMER = "vendor_to_customer"
VENDOR_TO_ADMIN = "vendor_to_admin"
TYPES = (VENDOR_TO_CUSTOMER, VENDOR_TO_ADMIN)

GROUPS = ("vendor", "order", "admin")
PERMISSION_OF_GROUP = {"vendor": "vendor_communication", "order": "order_communication",
                       "admin": "admin_communication"}


def group_of(thread_type: str, object_type: str) -> str:
    if thread_type == VENDOR_TO_ADMIN:
        return "admin"
    return "order" if object_type == "order" else "vendor"


def may_view_group(caller: Caller, group: str) -> bool:
    if caller.role == "customer":
        return group in ("vendor", "order")
    name = PERMISSION_OF_GROUP[group]
    return caller.may(f"view_{name}") or caller.may(f"manage_{name}")


def may_manage_group(caller: Caller, group: str) -> bool:
    if caller.role == "customer":
        return group in ("vendor", "order")
    return caller.may(f"manage_{PERMISSION_OF_GROUP[group]}")


def is_party(caller: Caller, thread: dict) -> bool:
    """The caller is one of the thread's sides (the admin is a side of every thread)."""
    if caller.role == "admin":
        return True
    if caller.role == "vendor":
        return thread["company_id"] == caller.company_id
    if caller.role == "customer":
        return thread["type"] == VENDOR_TO_CUSTOMER and thread.get("customer_id") == caller.user_id
    return False


def may_view(caller: Caller, thread: dict) -> bool:
    if thread["status"] == "deleted" and not caller.is_admin:
        return False
    return is_party(caller, thread) and may_view_group(caller, thread["group"])


def may_write(caller: Caller, thread: dict) -> bool:
    return thread["status"] != "deleted" and may_view(caller, thread) and may_manage_group(caller, thread["group"])


def visible_groups(caller: Caller) -> list[str]:
    return [group for group in GROUPS if may_view_group(caller, group)]


def scope(caller: Caller) -> dict:
    """The inbox's filter: exactly the threads `may_view` allows, status aside."""
    groups = visible_groups(caller)
    if caller.role == "customer":
        return {"customer_id": caller.user_id, "type": VENDOR_TO_CUSTOMER, "group": {"$in": groups}}
    if caller.role == "vendor":
        return {"company_id": caller.company_id, "group": {"$in": groups}}
    if caller.role == "admin":
        return {} if len(groups) == len(GROUPS) else {"group": {"$in": groups}}
    return {"_id": {"$exists": False}}


def may_administer(caller: Caller, permission: str) -> bool:
    """The administration's tools: a full admin, or restricted staff holding `permission`."""
    return caller.is_admin and caller.may(permission)


def may_see_context(caller: Caller, resolved: dict) -> bool:
    """Products and vendors are public storefront pages; an order names its customer, so only
    its customer, its vendor and the marketplace (admins, the system) see its context."""
    if resolved["object"]["type"] != "order" or caller.role in ("admin", "system"):
        return True
    if caller.role == "vendor":
        return resolved["company_id"] == caller.company_id
    return resolved["customer_id"] == caller.user_id


def may_read_directory(caller: Caller) -> bool:
    """The vendors' records with their addresses, and lookups in bulk: for the services."""
    return caller.role == "system"


def may_write_catalog(caller: Caller) -> bool:
    return caller.role == "system" or may_administer(caller, "manage_catalog")


SERVICES_ONLY = "Only the Message Center's own services read the vendor directory."
CATALOG_WRITERS_ONLY = ("Only the storefront's sync and the administration (permission manage_catalog) "
                        "change the catalog.")
