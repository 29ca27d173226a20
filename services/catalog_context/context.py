"""What a thread page shows beside a dialogue, built from the records we keep.

Plain rules: no nameko, no pymongo, no HTTP. Records arrive in our shape (see schemas.py)
and leave as the context, the short summary an inbox line shows, and how fresh they are.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from services.common.clock import isoformat
from services.common.errors import ValidationFailed

# The objects a thread can be about that have a record behind them; "none" has none.
from services.contracts.catalog import OBJECT_TYPES as OBJECT_TYPES

# CS-Cart's order status letters, said the way buyers and sellers on a marketplace say them.
# "T" is the parent of an order split between vendors; "N" one the customer never finished.
ORDER_STATUS_WORDS = {
    "O": "open",
    "P": "processed",
    "C": "complete",
    "F": "failed",
    "D": "declined",
    "B": "backordered",
    "I": "cancelled",
    "Y": "awaiting call",
    "N": "incomplete",
    "T": "split between vendors",
}


def order_status_words(code: str) -> str:
    # A storefront may define its own statuses: show what it sent rather than guess.
    return ORDER_STATUS_WORDS.get(code, code)


def check_object_type(object_type: str) -> str:
    if object_type not in OBJECT_TYPES:
        raise ValidationFailed(
            f"A thread about {object_type!r} has no context to show",
            {"object_type": [f"Must be one of: {', '.join(OBJECT_TYPES)}."]},
        )
    return object_type


@dataclass(frozen=True)
class Links:
    """Where a reader goes from the context panel: the storefront's pages, the portal's orders."""

    storefront_url: str
    portal_url: str

    def product(self, product_id: str) -> str:
        return self._page(self.storefront_url, "products.view", product_id=product_id)

    def company(self, company_id: str) -> str:
        return self._page(self.storefront_url, "companies.view", company_id=company_id)

    def order(self, order_id: str) -> str:
        return self._page(self.portal_url, "orders.details", order_id=order_id)

    @staticmethod
    def _page(base: str, dispatch: str, **ids: str) -> str:
        # CS-Cart's own dispatch URLs, so the same links work against a real storefront.
        return f"{base.rstrip('/')}/index.php?{urlencode({'dispatch': dispatch, **ids})}"


def product_context(product: dict[str, Any], links: Links) -> dict[str, Any]:
    return {
        "type": "product",
        "id": product["id"],
        "name": product["name"],
        "code": product["code"],
        "price": product["price"],
        "image_url": product["image_url"],
        "url": links.product(product["id"]),
        "status": product["status"],
    }


def order_context(order: dict[str, Any], links: Links) -> dict[str, Any]:
    return {
        "type": "order",
        "id": order["id"],
        "number": order["id"],
        "total": order["total"],
        "date": isoformat(order["placed_at"]),
        "status": order_status_words(order["status"]),
        "status_code": order["status"],
        "customer": {
            "id": order["customer_id"],
            "name": order["customer_name"],
            "email": order["customer_email"],
            "phone": order["customer_phone"],
        },
        "items": [
            {"product_id": item["product_id"], "name": item["name"], "amount": item["amount"], "price": item["price"]}
            for item in order["items"]
        ],
        "url": links.order(order["id"]),
    }


def company_context(vendor: dict[str, Any], links: Links) -> dict[str, Any]:
    return {
        "type": "company",
        "id": vendor["id"],
        "name": vendor["name"],
        "email": vendor["email"],
        "status": vendor["status"],
        # Its logo, when the storefront sent one (records kept before logos were read have none).
        "image_url": vendor.get("logo_url"),
        "url": links.company(vendor["id"]),
    }


CONTEXT_OF = {"product": product_context, "order": order_context, "company": company_context}


def summary(context: dict[str, Any]) -> dict[str, Any]:
    """The short context an inbox line shows."""
    titles: dict[str, Callable[[], str]] = {
        "product": lambda: context["name"],
        "order": lambda: f"Order #{context['number']}",
        "company": lambda: context["name"],
    }
    return {
        "title": titles[context["type"]](),
        "image_url": context.get("image_url"),
        "url": context["url"],
    }


def is_stale(fetched_at: datetime, now: datetime, fresh_for: timedelta) -> bool:
    return now - fetched_at > fresh_for


PRICED = ("product", "order")


def resolved(
    object_type: str, record: dict[str, Any], links: Links, stale: bool, currency: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Everything a caller needs about one object: whose it is, what it shows, how old it is.
    A product's or an order's prices are in `currency` (money.Currency.as_context)."""
    context = CONTEXT_OF[object_type](record, links)
    if currency is not None and object_type in PRICED:
        context["currency"] = currency
    return {
        "object": {"type": object_type, "id": record["id"]},
        # A company's thread is with that company itself.
        "company_id": record["id"] if object_type == "company" else record["company_id"],
        "customer_id": record["customer_id"] if object_type == "order" else None,
        "context": context,
        "summary": summary(context),
        "as_of": record["fetched_at"],
        "stale": stale,
    }
