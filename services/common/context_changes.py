"""What changed in a thread's context since the question was asked: the panel's "then and
now". A shape shared by the catalog (which builds contexts, services/catalog_context/context.py)
and the conversations (which keep a snapshot and compare), so it lives here, not in either.
"""

from typing import Any


def changes(snapshot_context: dict[str, Any] | None, live_context: dict[str, Any] | None) -> list[dict[str, Any]]:
    """What differs between the context kept when a question was asked and the one now.

    Nested parts (an order's customer) are compared field by field, named with dots; lists
    (an order's items) as a whole. Identity fields and the currency prices are written in are
    not changes.
    """
    then = _flatten(snapshot_context or {})
    now = _flatten(live_context or {})
    found = []
    for field in [*now, *(name for name in then if name not in now)]:
        # Identity, and how prices are written (a setting, not what the storefront changed).
        if field in ("type", "id") or field.startswith("currency."):
            continue
        if then.get(field) != now.get(field):
            found.append({"field": field, "then": then.get(field), "now": now.get(field)})
    return found


def _flatten(context: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for name, value in context.items():
        if isinstance(value, dict):
            flat.update(_flatten(value, f"{prefix}{name}."))
        else:
            flat[f"{prefix}{name}"] = value
    return flat
