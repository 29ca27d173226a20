"""The placeholders of a saved reply, and their values in one thread.

Pure: a reply's body names placeholders in braces (`{customer_name}`); which ones exist is
decided here once, so an unknown one is refused when the reply is saved (a typo found while
the person is still writing it), never when a colleague uses it in front of a customer.
"""

import re
from typing import Any

from services.common.errors import ValidationFailed
from .records import Thread

PLACEHOLDERS = ("customer_name", "vendor_name", "product_name", "order_id", "order_status")
# A placeholder is one word in braces; braces around anything else are plain text.
NAMED = re.compile(r"\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}")


def named(body: str) -> list[str]:
    """The placeholders a body names, each once, in the order they first appear."""
    return list(dict.fromkeys(match.strip() for match in NAMED.findall(body)))


def check(body: str, field: str = "body") -> list[str]:
    """The body's placeholders; a 422 naming every unknown one."""
    unknown = [name for name in named(body) if name not in PLACEHOLDERS]
    if unknown:
        listed = ", ".join("{" + name + "}" for name in unknown)
        known = ", ".join("{" + name + "}" for name in PLACEHOLDERS)
        message = f"Unknown placeholder{'s' if len(unknown) > 1 else ''} {listed}; the known ones are {known}."
        raise ValidationFailed(message, {field: [message], "placeholders": unknown})
    return named(body)


def values(thread: Thread, live: dict[str, Any] | None, vendor: dict[str, Any] | None) -> dict[str, str]:
    """What each placeholder says in this thread; one the thread has no value for is absent.

    `live` is the catalog's answer for the thread's object (None when it has none or the catalog
    cannot answer now: the context kept when the thread started stands in), `vendor` the
    vendor's record. An order's status is read live, since it is the one thing a customer asks
    about that changes."""
    context = (live or {}).get("context") or thread.get("context_snapshot") or {}
    target = thread["object"]
    found = {}
    customer = thread.get("customer") or context.get("customer") or {}
    if customer.get("name"):
        found["customer_name"] = customer["name"]
    if vendor and vendor.get("name"):
        found["vendor_name"] = vendor["name"]
    elif target["type"] == "company" and context.get("name"):
        found["vendor_name"] = context["name"]
    if target["type"] == "product" and context.get("name"):
        found["product_name"] = context["name"]
    if target["type"] == "order":
        found["order_id"] = str(target["id"])
        if context.get("status"):
            found["order_status"] = context["status"]
    return found


def fill(body: str, known: dict[str, str]) -> tuple[str, list[str]]:
    """The body with every placeholder it has a value for filled, and the names left unfilled
    (left as written, so a person editing the text sees what is missing)."""
    unfilled = []

    def replace(match: re.Match[str]) -> str:
        name = match.group(1).strip()
        if name in known:
            return known[name]
        if name not in unfilled:
            unfilled.append(name)
        return match.group(0)

    return NAMED.sub(replace, body), unfilled
