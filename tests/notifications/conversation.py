"""Events as the conversations service publishes them (services/conversations/presenters.py)."""

import itertools

from services.common.clock import isoformat, new_id, now

ANN = {"side": "customer", "user_id": "c1", "name": "Ann Lee", "email": "ann@buyers.test"}
BOB = {"side": "vendor", "user_id": "v1", "name": "Bob", "email": "bob@shop.test"}
ADMIN = {"side": "admin", "user_id": "a1", "name": "Marketplace", "email": "ops@marketplace.test"}

SHOP_ID, SHOP_EMAIL = "10", "shop@vendors.test"
ADMIN_EMAILS = ("ops@marketplace.test", "boss@marketplace.test")
# Bob as the caller of the bell's RPCs.
VENDOR_BOB = {"user_id": BOB["user_id"], "role": "vendor", "company_id": SHOP_ID, "name": "Bob", "email": BOB["email"]}

_numbers = itertools.count(1)


def thread(
    type="vendor_to_customer", object_type="product", title="Brass Desk Lamp", customer=ANN, company_id=SHOP_ID
) -> dict:
    number = next(_numbers)
    subject = {"product": f"Product: {title}", "order": f"Order #{number}"}.get(object_type, title)
    return {
        "id": new_id(),
        "type": type,
        "status": "open",
        "subject": subject,
        "object": {"type": object_type, "id": str(number) if object_type != "none" else None},
        "company_id": company_id,
        "customer": (
            {"id": customer["user_id"], "name": customer["name"], "email": customer["email"]}
            if customer and type == "vendor_to_customer"
            else None
        ),
        "context": {"title": title, "image_url": None, "url": None},
    }


def message(in_thread: dict, author: dict, text: str, broadcast_id: str | None = None) -> dict:
    """The payload of one new message in `in_thread`."""
    message_id = new_id()
    return {
        "thread": in_thread,
        "message": {
            "id": message_id,
            "thread_id": in_thread["id"],
            "author": dict(author),
            "text": text,
            "body": text,
            "created_at": isoformat(now()),
        },
        "broadcast_id": broadcast_id,
    }
