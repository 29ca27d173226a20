"""The in-app bell and people's mail preferences, as they ask for them.

A caller's bell is their audience's (a customer's own, their company's, the administration's
shared one), narrowed to the kinds their permissions let them read.

Reading a thread reads its items on the reader's side's bell (the conversations service's
`thread_read`). Each change of a bell is news (`bell_changed`: the audience, the permission
group of the items, the thread, `rung` or `read`) that push hands to the audience's open
pages, whose bell then refetches: the news says nothing a page could not fetch itself.
"""

import logging

from marshmallow import ValidationError

from services.common import cursors
from services.common.access import group_of
from services.common.clock import now
from services.common.errors import Forbidden
from services.common.events import BELL_CHANGED

from . import rules
from .schemas import ThreadReadEventSchema

log = logging.getLogger(__name__)


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
    return {
        "items": items,
        "next_cursor": cursors.encode(last_id) if last_id else None,
        "unread_count": store.unread_count(audience, kinds),
    }


def mark_read(store, caller, ids: list[str] | None, everything: bool) -> dict:
    audience, kinds = _audience(caller), rules.visible_kinds(caller)
    marked = store.mark_read(audience, kinds, None if everything else ids, now())
    return {"marked": marked, "unread_count": store.unread_count(audience, kinds)}


def preferences(store, caller) -> dict:
    return preferences_of(store, caller.user_id)


def preferences_of(store, user_id: str) -> dict:
    """A person's mail preferences, as they read them (and as their data's export holds them)."""
    opted_out = store.email_opt_outs(user_id)
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


# what changes a bell besides its reader's own marks ---------------------------------------


def ring(store, items: list[dict]) -> list[dict]:
    """Put the items in their bells; the news of it, when any was new. An item of a thread
    its audience has read since it was written (the read can be heard first) is written read."""
    if not items:
        return []
    read_up_to = store.read_marks({(item["audience"], item["thread_id"]) for item in items})
    for item in items:
        read_at = read_up_to.get((item["audience"], item["thread_id"]))
        if read_at is not None and item["created_at"] <= read_at:
            item.update(read=True, read_at=read_at)
    if not store.ring(items):
        return []  # told before: a redelivered event
    return _news(
        {
            (item["audience"], rules.GROUP_OF_KIND[item["kind"]], item["thread_id"])
            for item in items
            if not item["read"]
        },
        "rung",
    )


def thread_read(store, payload: dict) -> list[dict]:
    """A side read a thread up to `read_at`: its items of the thread on that side's bell, up
    to then, are read; the news of it. A vendor's staff share their company's bell, the
    administration one bell: one reader reads them for all."""
    try:
        read = ThreadReadEventSchema().load(payload)
    except ValidationError as error:
        log.error("dropped a malformed thread_read event: %s", error.messages)
        return []
    thread = read["thread"]
    audience = rules.audience_of_side(read["side"], thread)
    if audience is None:
        return []
    if not store.thread_read(audience, thread["id"], read["read_at"]):
        return []
    return _news({(audience, group_of(thread["type"], thread["object"]["type"]), thread["id"])}, "read")


def _news(changes: set, change: str) -> list[dict]:
    return [
        {"audience": audience, "group": group, "thread_id": thread_id, "change": change}
        for audience, group, thread_id in sorted(changes)
    ]


def announce(dispatch, news: list[dict]) -> None:
    """Publish the news for push. The bell is written already: a page that misses the news
    shows the change at its bell's next refetch (the next news, a poll, a reload), so a broker
    that does not take it costs a log line, never the event that caused it."""
    for each in news:
        try:
            dispatch(BELL_CHANGED, each)
        except Exception as error:
            log.warning("bell news for %s not published (%s)", each["audience"], error)
