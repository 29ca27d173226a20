"""The conversation rules: who starts what with whom, subjects, read state, awaiting reply.

Pure functions over plain dicts; the service gathers what they need (the caller, the request,
the catalog's answer) and stores what they decide.
"""

from datetime import datetime
from typing import Any, Mapping

from services.common.caller import Caller
from services.common.errors import Forbidden, NotFound, ValidationFailed

from services.common.access import TYPES, VENDOR_TO_ADMIN, VENDOR_TO_CUSTOMER, group_of
from services.contracts.conversations import SUBJECT_MAX as SUBJECT_MAX  # the length subjects are cut to

from .ports import MessageEffect
from .records import Thread

SIDES_OF_TYPE = {VENDOR_TO_CUSTOMER: ("customer", "vendor", "admin"), VENDOR_TO_ADMIN: ("vendor", "admin")}


def _invalid(field: str, message: str) -> ValidationFailed:
    return ValidationFailed(message, {field: [message]})


def plan_thread(
    caller: Caller, request: dict[str, Any], resolved: dict[str, Any] | None, company: dict[str, Any] | None
) -> dict[str, Any]:
    """What a new conversation is: its type, parties, object and subject.

    `resolved` is the catalog's answer for the object (None for `none`); `company` the vendor
    the thread is with when the request names one by `company_id` (admin → vendor threads).
    Raises Forbidden / NotFound / ValidationFailed as the caller may not start it.
    """
    kind, target = request["type"], request["object"]
    if caller.role == "customer":
        if kind != VENDOR_TO_CUSTOMER:
            raise Forbidden("Customers talk to vendors: the type must be vendor_to_customer.")
        if target["type"] == "none":
            raise _invalid("object", "Choose a product, an order or a vendor to ask about.")
        about = _about(target, resolved)
        if target["type"] == "order" and about["customer_id"] != caller.user_id:
            raise NotFound("No such order.")
        company_id = about["company_id"]
        customer = {"id": caller.user_id, "name": caller.name, "email": caller.email}
    elif caller.role == "vendor":
        if resolved is not None and resolved["company_id"] != caller.company_id:
            raise NotFound(f"No such {target['type']}.")
        company_id = caller.company_id
        customer = None
        if kind == VENDOR_TO_CUSTOMER:
            if target["type"] != "order":
                raise _invalid("object", "A vendor contacts a customer about one of its orders.")
            customer = order_customer(_about(target, resolved))
    elif caller.role == "admin":
        customer = None
        if kind == VENDOR_TO_CUSTOMER:
            if target["type"] != "order":
                raise _invalid("object", "The administration contacts a customer about an order.")
            about = _about(target, resolved)
            company_id = about["company_id"]
            customer = order_customer(about)
        else:
            company_id = company["company_id"] if company else (resolved or {}).get("company_id")
            if company_id is None:
                raise _invalid("company_id", "Name the vendor (company_id) to write to.")
            if resolved is not None and company and resolved["company_id"] != company["company_id"]:
                raise _invalid("object", "The object does not belong to that vendor.")
    else:
        raise Forbidden("Only customers, vendors and the administration take part in conversations.")

    subject = (request.get("subject") or "").strip() or derived_subject(target, resolved)
    return {
        "type": kind,
        "group": group_of(kind, target["type"]),
        "object": {"type": target["type"], "id": target.get("id")},
        "company_id": company_id,
        "customer_id": customer["id"] if customer else None,
        "customer": customer,
        "subject": subject[:SUBJECT_MAX],
    }


def _about(target: dict[str, Any], resolved: dict[str, Any] | None) -> dict[str, Any]:
    """The catalog's answer for an object that is one (not `none`): the service resolves it
    before it plans the thread, so it is never missing here."""
    if resolved is None:
        raise ValueError(f"a thread about a {target['type']} is planned without the catalog's answer for it")
    return resolved


def order_customer(resolved: dict[str, Any]) -> dict[str, Any]:
    person = resolved["context"].get("customer") or {}
    return {"id": resolved.get("customer_id"), "name": person.get("name", ""), "email": person.get("email", "")}


def derived_subject(target: dict[str, Any], resolved: dict[str, Any] | None) -> str:
    """The subject a thread about an object is given: the object's name, or its id when the
    catalog no longer knows it (imported history about a product since deleted)."""
    if target["type"] == "order":
        return f"Order #{target['id']}"
    if target["type"] in ("product", "company"):
        word = "Product" if target["type"] == "product" else "Vendor"
        return f"{word}: {resolved['context']['name']}" if resolved is not None else f"{word} #{target['id']}"
    raise _invalid("subject", "A conversation about nothing in particular needs a subject.")


STORE_QUESTION = "Store question"


def subject_for(thread: Thread, side: str) -> str:
    """The subject as its reader reads it: a question about a vendor's store is titled by the
    store ("Vendor: Lumen Lamps") for the customer and the administration, and is a "Store
    question" in that vendor's own inbox. A subject someone wrote is everyone's."""
    subject: str = thread["subject"]
    if side == "vendor" and thread["object"]["type"] == "company":
        name = (thread.get("context_snapshot") or {}).get("name")
        if name is not None and subject == derived_subject(thread["object"], {"context": {"name": name}}):
            return STORE_QUESTION
    return subject


def shows_addresses(thread: Thread, side: str, settings: dict[str, Any]) -> bool:
    """Whether a customer and a vendor see each other's e-mail address beside their
    conversation: only while contact details pass both ways as written. A marketplace that
    masks or holds the customer's address must not hand over the vendor's, nor the reverse.
    The administration sees both; vendor-to-administration threads have no customer."""
    if side == "admin" or thread["type"] != VENDOR_TO_CUSTOMER:
        return True
    return bool(
        settings.get("moderation_customer_to_vendor", "allow") == "allow"
        and settings.get("moderation_vendor_to_customer", "allow") == "allow"
    )


def open_key(thread: Mapping[str, Any]) -> str | None:
    """Same parties, same object, still open: a second start appends to this thread (a thread,
    or the plan of one: rules.plan_thread).

    An order has one open thread per communication type and vendor; its customer is fixed by
    the order. Announcements are never merged: each is its own thread.
    """
    if thread.get("broadcast_id"):
        return None
    target = thread["object"]
    return "|".join(
        [
            thread["type"],
            thread["company_id"] or "",
            thread.get("customer_id") or "",
            target["type"],
            target.get("id") or "",
        ]
    )


def sides(thread_type: str) -> tuple[str, ...]:
    return SIDES_OF_TYPE[thread_type]


def awaiting_after(thread_type: str, author_side: str, announcement: bool = False) -> str | None:
    """Which side owes a reply after `author_side` writes.

    A customer's message makes the vendor owe one; the vendor's (or the marketplace's) answer
    settles it: customers owe nobody. Between vendor and administration each owes the other.
    An announcement asks for no reply.
    """
    if announcement:
        return None
    if thread_type == VENDOR_TO_CUSTOMER:
        return "vendor" if author_side == "customer" else None
    return "admin" if author_side == "vendor" else "vendor"


def after_message(thread: Thread, author_side: str, at: datetime, announcement: bool = False) -> MessageEffect:
    """What a new message does to its thread: who owes a reply since when, who has it unread,
    and the first question and first answer the response figures are made of."""
    owed_by = awaiting_after(thread["type"], author_side, announcement)
    keeps_waiting = owed_by is not None and owed_by == thread.get("awaiting_reply_from")
    asked_first = author_side == "customer" and not thread.get("first_customer_message_at")
    answered_first = (
        author_side == "vendor" and bool(thread.get("first_customer_message_at")) and not thread.get("first_reply_at")
    )
    return MessageEffect(
        at=at,
        author_side=author_side,
        notified_sides=tuple(side for side in sides(thread["type"]) if side != author_side),
        awaiting_reply_from=owed_by,
        awaiting_since=thread.get("awaiting_since") if keeps_waiting else (at if owed_by else None),
        first_customer_message_at=at if asked_first else None,
        first_reply_at=at if answered_first else None,
        restarts_wait=not keeps_waiting,
    )


def check_type_enabled(kind: str, settings: dict[str, Any]) -> None:
    if kind not in TYPES:
        raise _invalid("type", f"Must be one of {', '.join(TYPES)}.")
    flag = {VENDOR_TO_CUSTOMER: "customer_to_vendor_enabled", VENDOR_TO_ADMIN: "vendor_to_admin_enabled"}[kind]
    if not settings.get(flag, True):
        raise Forbidden(f"Conversations of type {kind} are turned off in the marketplace's settings.")
