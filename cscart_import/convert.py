"""CS-Cart's rows → what the conversations service's import and the catalog's upserts take.

Plain functions over the rows as the source reads them (dicts of CS-Cart's column names): no
database, no broker, so each rule is tested with a dict. A row that cannot be read is a
`Skipped` with its reason, never an exception that stops the run.
"""

from dataclasses import dataclass
from datetime import datetime, timezone

SIDES = {"C": "customer", "V": "vendor", "A": "admin"}
OBJECTS = {"P": "product", "C": "company", "O": "order"}
VENDOR_TO_CUSTOMER, VENDOR_TO_ADMIN = "vendor_to_customer", "vendor_to_admin"


@dataclass(frozen=True)
class Skipped:
    table: str
    row_id: int
    reason: str
    error: bool = True  # False: what CS-Cart itself shows as missing, not a fault of the data


def moment(unix_seconds) -> datetime | None:
    return datetime.fromtimestamp(int(unix_seconds), timezone.utc) if unix_seconds else None


def person_name(user: dict | None) -> str:
    if not user:
        return ""
    return " ".join(part for part in (user.get("firstname"), user.get("lastname")) if part)


def target(thread: dict) -> tuple[dict, str]:
    """What the thread is about, and the CS-Cart letter it had: a product, the vendor's store or
    an order; any other letter (another add-on's object) a thread about nothing."""
    letter = (thread.get("object_type") or "").strip()
    kind = OBJECTS.get(letter)
    object_id = int(thread.get("object_id") or 0)
    if kind == "company" and not object_id:
        object_id = int(thread["company_id"] or 0)
    if kind is None or not object_id:
        return {"type": "none", "id": None}, letter
    return {"type": kind, "id": str(object_id)}, letter


def thread_type(thread: dict) -> str | None:
    # No communication_type before 4.11: every thread then was a customer's with a vendor.
    kind = (thread.get("communication_type") or "").strip() or VENDOR_TO_CUSTOMER
    return kind if kind in (VENDOR_TO_CUSTOMER, VENDOR_TO_ADMIN) else None


def import_thread(
    thread: dict, messages: list[dict], users: dict, companies: dict, known_objects: set
) -> tuple[dict | None, list[Skipped]]:
    """One thread for contract.ImportBatch with the messages of this batch, and what was skipped."""
    thread_id = int(thread["thread_id"])
    kind = thread_type(thread)
    if kind is None:
        return None, [
            Skipped(
                "vendor_communications", thread_id, f"unknown communication_type {thread.get('communication_type')!r}"
            )
        ]
    if not int(thread.get("company_id") or 0):
        return None, [Skipped("vendor_communications", thread_id, "names no vendor (company_id 0)")]
    created_at = moment(thread.get("created_at")) or moment(thread.get("last_updated"))
    if created_at is None:
        return None, [Skipped("vendor_communications", thread_id, "has no time (created_at 0)")]
    about, letter = target(thread)
    missing = []
    customer = None
    if kind == VENDOR_TO_CUSTOMER:
        user = users.get(int(thread.get("user_id") or 0))
        customer = {"id": str(thread["user_id"]), "name": person_name(user), "email": (user or {}).get("email") or ""}
        if user is None:
            missing.append("customer")
    if int(thread["company_id"]) not in companies:
        missing.append("vendor")
    if about["type"] != "none" and (about["type"], about["id"]) not in known_objects:
        missing.append("object")
    taken, skipped = [], []
    for row in messages:
        message, problem = import_message(row, kind, users)
        if problem:
            skipped.append(problem)
        else:
            taken.append(message)
    return {
        "cscart_thread_id": thread_id,
        "type": kind,
        "company_id": str(thread["company_id"]),
        "customer": customer,
        "object": about,
        "cscart_object_type": letter,
        "subject": thread.get("subject") or "",
        "status": (thread.get("status") or "N").strip() or "N",
        "created_at": created_at.isoformat(),
        "missing": missing,
        "messages": taken,
    }, skipped


def import_message(row: dict, kind: str, users: dict) -> tuple[dict | None, Skipped | None]:
    message_id = int(row["message_id"])
    side = SIDES.get((row.get("user_type") or "").strip())
    if side is None:
        return None, Skipped(
            "vendor_communication_messages", message_id, f"unknown author type {row.get('user_type')!r}"
        )
    if kind == VENDOR_TO_ADMIN and side == "customer":
        return None, Skipped(
            "vendor_communication_messages", message_id, "a customer's message in a vendor-to-administration thread"
        )
    at = moment(row.get("timestamp"))
    if at is None:
        return None, Skipped("vendor_communication_messages", message_id, "has no time (timestamp 0)")
    user = users.get(int(row.get("user_id") or 0))
    return {
        "cscart_message_id": message_id,
        "side": side,
        "created_at": at.isoformat(),
        "body": row.get("message") or "",
        "author": {
            "id": str(row.get("user_id") or ""),
            "name": person_name(user),
            "email": (user or {}).get("email") or "",
        },
    }, None


# The catalog's upserts take CS-Cart's own field names (services/contracts/catalog.py).


def vendor_record(company: dict) -> dict:
    return {
        "company_id": str(company["company_id"]),
        "company": company.get("company") or "",
        "email": company.get("email") or "",
        "status": company.get("status") or "A",
    }


def product_record(product: dict) -> dict:
    price = product.get("price")
    return {
        "product_id": str(product["product_id"]),
        "product": product.get("product") or "",
        "product_code": product.get("product_code") or "",
        "company_id": str(product.get("company_id") or 0),
        "status": product.get("status") or "A",
        "price": None if price is None else str(price),
    }


def order_record(order: dict) -> dict:
    total = order.get("total")
    return {
        "order_id": str(order["order_id"]),
        "company_id": str(order.get("company_id") or 0),
        "user_id": str(order.get("user_id") or 0),
        "total": None if total is None else str(total),
        "timestamp": int(order.get("timestamp") or 0) or None,
        "status": (order.get("status") or None),
        "firstname": order.get("firstname") or "",
        "lastname": order.get("lastname") or "",
        "email": order.get("email") or "",
    }
