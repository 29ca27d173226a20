"""The inbox: a caller's threads, filtered, searched and paged, and its unread counts."""

from services.common import access
from services.common.caller import Caller
from services.common.errors import Forbidden

from . import presenters, text
from .ports import InboxFilter


def inbox(store, caller: Caller, query: dict) -> dict:
    wanted = inbox_filter(caller, query)
    side = access.side_of(caller)
    threads, next_cursor = store.inbox(wanted, query["sort"], query["order"], query["limit"], query.get("cursor"))
    return {"items": [presenters.summary(thread, side) for thread in threads], "next_cursor": next_cursor}


def inbox_filter(caller: Caller, query: dict) -> InboxFilter:
    """The caller's reach (access.scope) narrowed by what the query asks for."""
    if not access.has_inbox(caller):
        raise Forbidden("Only customers, vendors and the administration have an inbox.")
    status = query.get("status")
    if status == "deleted" and not access.may_see_deleted(caller):
        raise Forbidden("Only the administration sees deleted threads.")
    reach = access.scope(caller)
    wanted = InboxFilter(
        company_id=reach.company_id,
        customer_id=reach.customer_id,
        types=reach.types,
        groups=reach.groups,
        nothing=reach.nothing,
        statuses=(status,) if status else ("open", "closed"),
    )
    asked = {"company_id": query.get("company_id"), "customer_id": query.get("customer_id")}
    for name, value in asked.items():
        if value:
            # Another owner's threads than the caller's are outside its reach: nothing matches.
            mine = getattr(wanted, name)
            wanted = wanted.narrowed(**{name: value, "nothing": wanted.nothing or (mine not in (None, value))})
    if query.get("type"):
        outside = wanted.types is not None and query["type"] not in wanted.types
        wanted = wanted.narrowed(types=(query["type"],), nothing=wanted.nothing or outside)
    words = tuple(text.query_words(query["q"])) if query.get("q") else ()
    return wanted.narrowed(
        object_type=query.get("object_type") or None,
        object_id=query.get("object_id") or None,
        customer_text=query.get("customer") or None,
        created_from=query.get("created_from"),
        created_to=query.get("created_to"),
        active_from=query.get("updated_from"),
        active_to=query.get("updated_to"),
        reader_side=caller.side,
        unread=query.get("unread"),
        awaiting_reply_from=caller.side if query.get("awaiting_reply") is True else None,
        overdue=query.get("overdue"),
        words=words,
    )


def unread_counts(store, caller: Caller) -> dict:
    by_type = {kind: 0 for kind in access.inbox_types(caller)}
    by_type.update(store.count_unread(inbox_filter(caller, {}), caller.side))
    return {"total": sum(by_type.values()), "by_type": by_type}
