"""The in-app bell and people's mail preferences, as they ask for them.

A caller's bell is their audience's (a customer's own, their company's, the administration's
shared one), narrowed to the kinds their permissions let them read.
"""
from services.common import cursors
from services.common.clock import now
from services.common.errors import Forbidden

from . import rules


def _audience(caller) -> str:
    audience = rules.audience_of(caller)
    if audience is None:
        raise Forbidden("Notifications are for customers, vendors and the administration.")
    return audience


def page(store, caller, unread: bool | None, cursor: str | None, limit: int) -> dict:
    audience, kinds = _audience(caller), rules.visible_kinds(caller)
    # The store pages by the last id seen; the client holds it as a cursor of the one scheme.
    after = cursors.decode(cursor, 1)[0] if cursor else None
    items, last_id = store.bell_items(audience, kinds, unread, after, limit)
    return {"items": items, "next_cursor": cursors.encode(last_id) if last_id else None,
            "unread_count": store.unread_count(audience, kinds)}


def mark_read(store, caller, ids: list[str] | None, everything: bool) -> dict:
    audience, kinds = _audience(caller), rules.visible_kinds(caller)
    marked = store.mark_read(audience, kinds, None if everything else ids, now())
    return {"marked": marked, "unread_count": store.unread_count(audience, kinds)}


def preferences(store, caller) -> dict:
    opted_out = store.email_opt_outs(caller.user_id)
    return {"email": {kind: kind not in opted_out for kind in rules.COMMUNICATION_TYPES}}


def set_preferences(store, caller, change: dict) -> dict:
    """Opt-outs are kept with the caller's address too: mail goes to addresses, and the one
    in the token is the one this person reads (a vendor's may be the company's)."""
    if rules.audience_of(caller) is None:
        raise Forbidden("Preferences are for customers, vendors and the administration.")
    wanted = {**preferences(store, caller)["email"], **change["email"]}
    opt_outs = [kind for kind in rules.COMMUNICATION_TYPES if not wanted[kind]]
    address = rules.usable_address(caller.email)
    store.save_email_opt_outs(caller.user_id, address.lower() if address else None, opt_outs)
    return preferences(store, caller)
