"""Who sees and does what. Pure rules: no framework, no database.

A thread belongs to one permission group, as CS-Cart's privileges do:
- `vendor`: customer ↔ vendor threads about products, stores or nothing;
- `order`:  customer ↔ vendor threads about an order;
- `admin`:  vendor ↔ administration threads.
The token's `permissions` claim narrows a vendor's or an admin's reach per group (`view_*`
to read, `manage_*` to write; managing implies viewing). Customers have no such claim.
Anything a caller may not see is answered as if it did not exist.

The administration's own tools each need a permission of their own (`manage_settings`,
`manage_webhooks`, `manage_catalog`, `view_reports`, `moderate_messages`, `manage_privacy`): a full admin (no `permissions` claim)
has them all, restricted staff only those its token names. The system (the storefront's sync,
and a service asking another) writes the catalog and reads the vendor directory, and nothing
else here.
"""

from dataclasses import dataclass
from typing import Any, Mapping

from services.common.caller import Caller
from services.common.errors import Forbidden

VENDOR_TO_CUSTOMER = "vendor_to_customer"
VENDOR_TO_ADMIN = "vendor_to_admin"
TYPES = (VENDOR_TO_CUSTOMER, VENDOR_TO_ADMIN)

GROUPS = ("vendor", "order", "admin")
PERMISSION_OF_GROUP = {"vendor": "vendor_communication", "order": "order_communication", "admin": "admin_communication"}


def group_of(thread_type: str, object_type: str) -> str:
    if thread_type == VENDOR_TO_ADMIN:
        return "admin"
    return "order" if object_type == "order" else "vendor"


def audience_of(caller: Caller) -> str | None:
    """Whose bell a caller reads: a customer's own, the vendor company's (all its staff
    share it), or the administration's shared one; None for anyone else."""
    if caller.role == "customer":
        return f"customer:{caller.user_id}"
    if caller.role == "vendor" and caller.company_id:
        return f"vendor:{caller.company_id}"
    if caller.role == "admin":
        return "admin"
    return None


def may_view_group(caller: Caller, group: str) -> bool:
    if caller.role == "customer":
        return group in ("vendor", "order")
    name = PERMISSION_OF_GROUP[group]
    return caller.may(f"view_{name}") or caller.may(f"manage_{name}")


def may_manage_group(caller: Caller, group: str) -> bool:
    if caller.role == "customer":
        return group in ("vendor", "order")
    return caller.may(f"manage_{PERMISSION_OF_GROUP[group]}")


def is_party(caller: Caller, thread: Mapping[str, Any]) -> bool:
    """The caller is one of the thread's sides (the admin is a side of every thread)."""
    if caller.role == "admin":
        return True
    if caller.role == "vendor":
        return bool(thread["company_id"] == caller.company_id)
    if caller.role == "customer":
        return thread["type"] == VENDOR_TO_CUSTOMER and thread.get("customer_id") == caller.user_id
    return False


def may_view(caller: Caller, thread: Mapping[str, Any]) -> bool:
    if thread["status"] == "deleted" and not caller.is_admin:
        return False
    # A conversation whose first message waits for review (or was rejected) is its author's
    # side's and the administration's alone (services/conversations/moderation.py).
    if caller.side in (thread.get("hidden_from") or ()):
        return False
    return is_party(caller, thread) and may_view_group(caller, thread["group"])


def may_write(caller: Caller, thread: Mapping[str, Any]) -> bool:
    return thread["status"] != "deleted" and may_view(caller, thread) and may_manage_group(caller, thread["group"])


def visible_groups(caller: Caller) -> list[str]:
    return [group for group in GROUPS if may_view_group(caller, group)]


@dataclass(frozen=True)
class Reach:
    """The threads a caller's inbox may hold: exactly those `may_view` allows, status aside.
    None leaves a field open; `nothing` is the reach of a caller with no inbox."""

    company_id: str | None = None
    customer_id: str | None = None
    types: tuple[str, ...] | None = None
    groups: tuple[str, ...] | None = None
    nothing: bool = False


def scope(caller: Caller) -> Reach:
    groups = tuple(visible_groups(caller))
    if caller.role == "customer":
        return Reach(customer_id=caller.user_id, types=(VENDOR_TO_CUSTOMER,), groups=groups)
    if caller.role == "vendor":
        return Reach(company_id=caller.company_id, groups=groups)
    if caller.role == "admin":
        return Reach(groups=None if len(groups) == len(GROUPS) else groups)
    return Reach(nothing=True)


def inbox_types(caller: Caller) -> tuple[str, ...]:
    """The kinds of thread a caller's inbox counts: a customer talks to vendors only."""
    return (VENDOR_TO_CUSTOMER,) if caller.role == "customer" else TYPES


def has_inbox(caller: Caller) -> bool:
    """Customers, vendors and the administration take part in conversations; the system does not."""
    return caller.side is not None


def side_of(caller: Caller) -> str:
    """The side a caller speaks for, asked once a check has let it in (`may_view`, `has_inbox`,
    a plan from rules.plan_thread): those pass only customers, vendors and the administration,
    which each have one. The system has none, and is refused here too rather than go on with
    no side."""
    side = caller.side
    if side is None:
        raise Forbidden("Only customers, vendors and the administration take part in conversations.")
    return side


def may_see_deleted(caller: Caller) -> bool:
    return caller.is_admin


def may_start(caller: Caller, plan: dict[str, Any]) -> bool:
    """A planned thread (rules.plan_thread) in a group the caller may write in."""
    return may_manage_group(caller, plan["group"])


def may_change_status(caller: Caller, thread: Mapping[str, Any]) -> bool:
    """Vendors and the administration close and reopen the threads they may write in."""
    return caller.role != "customer" and may_write(caller, thread)


def may_delete(caller: Caller, thread: Mapping[str, Any]) -> bool:
    return caller.is_admin and may_manage_group(caller, thread["group"])


def may_announce(caller: Caller) -> bool:
    return caller.is_admin and may_manage_group(caller, "admin")


def may_see_announcements(caller: Caller) -> bool:
    return caller.is_admin and may_view_group(caller, "admin")


def saved_replies_owner(caller: Caller) -> str | None:
    """Whose saved replies a caller keeps and uses: a vendor's staff share their company's, the
    administration has its own; None for anyone else (customers, the system)."""
    if caller.role == "vendor" and caller.company_id and _writes_some_group(caller):
        return f"vendor:{caller.company_id}"
    if caller.is_admin and _writes_some_group(caller):
        return "admin"
    return None


def may_keep_saved_replies(caller: Caller) -> bool:
    return saved_replies_owner(caller) is not None


def may_set_away_message(caller: Caller) -> bool:
    """A vendor's staff who answer customers set their company's automatic reply."""
    return (
        caller.role == "vendor"
        and bool(caller.company_id)
        and (may_manage_group(caller, "vendor") or may_manage_group(caller, "order"))
    )


def may_read_away_message(caller: Caller, company_id: str) -> bool:
    """Its vendor's staff, and the administration (which answers for the marketplace)."""
    if caller.role == "vendor":
        return caller.company_id == company_id
    return caller.is_admin and (may_view_group(caller, "vendor") or may_view_group(caller, "order"))


def _writes_some_group(caller: Caller) -> bool:
    return any(may_manage_group(caller, group) for group in GROUPS)


def may_see_reports(caller: Caller) -> bool:
    return may_administer(caller, "view_reports")


def may_change_settings(caller: Caller) -> bool:
    return may_administer(caller, "manage_settings")


def may_manage_webhooks(caller: Caller) -> bool:
    # Every message goes to a webhook, with its authors' addresses.
    return may_administer(caller, "manage_webhooks")


def may_moderate(caller: Caller) -> bool:
    """The moderation queue holds messages their recipients have not seen, and originals with
    the contact details their authors were kept from sending."""
    return may_administer(caller, "moderate_messages")


def may_manage_privacy(caller: Caller) -> bool:
    """A customer's whole record (export) and its erasure: the administration's staff who
    answer data requests."""
    return may_administer(caller, "manage_privacy")


def may_export_customer(caller: Caller, customer_id: str) -> bool:
    """The customer themself, or the administration's staff holding manage_privacy."""
    return (caller.role == "customer" and caller.user_id == customer_id) or may_manage_privacy(caller)


def may_administer(caller: Caller, permission: str) -> bool:
    """The administration's tools: a full admin, or restricted staff holding `permission`."""
    return caller.is_admin and caller.may(permission)


def may_see_context(caller: Caller, resolved: dict[str, Any]) -> bool:
    """Products and vendors are public storefront pages; an order names its customer, so only
    its customer, its vendor and the marketplace (admins, the system) see its context."""
    if resolved["object"]["type"] != "order" or caller.role in ("admin", "system"):
        return True
    if caller.role == "vendor":
        return bool(resolved["company_id"] == caller.company_id)
    return bool(resolved["customer_id"] == caller.user_id)


def may_see_vendor_address(caller: Caller, resolved: dict[str, Any]) -> bool:
    """A store's page is public, its e-mail address is not: the marketplace, the services and
    the vendor itself. A customer sees it beside a conversation only where the settings let
    contact details pass (services/conversations/rules.shows_addresses)."""
    if caller.role in ("admin", "system"):
        return True
    return caller.role == "vendor" and bool(resolved["company_id"] == caller.company_id)


def may_read_directory(caller: Caller) -> bool:
    """The vendors' records with their addresses, and lookups in bulk: for the services."""
    return caller.role == "system"


def may_search_vendors(caller: Caller) -> bool:
    """The administration finds a vendor by name to write to it or announce to it."""
    return caller.is_admin and may_view_group(caller, "admin")


def may_write_catalog(caller: Caller) -> bool:
    return caller.role == "system" or may_administer(caller, "manage_catalog")


ADMINISTRATION_ONLY = "Only the administration (permission view_admin_communication) searches the vendors."
SERVICES_ONLY = "Only the Message Center's own services read the vendor directory."
CATALOG_WRITERS_ONLY = (
    "Only the storefront's sync and the administration (permission manage_catalog) change the catalog."
)
