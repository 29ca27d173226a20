"""The administration's review of the messages moderation held (moderation.py): the queue,
the decisions, and a decision itself.

Each message the moderation acts on has a review, keyed by the message's id and written
before the message, so a held message is never outside the queue. A decision is kept on the
review, who, when, which and why, in one conditional write: two admins deciding at once get
one decision, the other a 409, and the same decision sent again finishes what an attempt
stopped part way left (the message's own conditional release makes the delivery once).
Approving a message delivers it as if it had just been posted, the vendor's away message
included (away.py).
"""

from dataclasses import replace

from services.common import access, cursors
from services.common.caller import Caller
from services.common.clock import isoformat, now, parse_iso
from services.common.errors import Conflict, Forbidden, NotFound
from services.common.events import MESSAGE_POSTED, THREAD_STARTED

from . import away, model, presenters, rules
from .moderation import APPROVED, HELD, MASKED, REJECTED, Rules


def queue(store, caller: Caller, query: dict) -> dict:
    """The messages in one state: `held`, the queue, oldest first; the others newest first."""
    _check(caller)
    state, limit = query["state"], query["limit"]
    after = cursors.decode(query["cursor"], 1)[0] if query.get("cursor") else None
    found = store.reviews(state, state != HELD, after, limit + 1)
    page = found[:limit]
    return {
        "items": _shown(store, page),
        "next_cursor": cursors.encode(page[-1]["_id"]) if len(found) > limit and page else None,
        "held_count": store.count_reviews(HELD),
    }


def decisions(store, caller: Caller, query: dict) -> dict:
    """Every decision, the newest first: who took it, when, which, and why."""
    _check(caller)
    before = None
    if query.get("cursor"):
        at, last_id = cursors.decode(query["cursor"], 2)
        try:
            before = (parse_iso(at), last_id)
        except ValueError:
            raise cursors.invalid() from None
    found = store.decisions(before, query["limit"] + 1)
    page = found[: query["limit"]]
    more = len(found) > query["limit"] and page
    return {
        "items": _shown(store, page),
        "next_cursor": cursors.encode(isoformat(page[-1]["decided_at"]), page[-1]["_id"]) if more else None,
    }


def decide(
    store, outbox, caller: Caller, message_id: str, request: dict, marketplace_domains: tuple[str, ...] = ()
) -> dict:
    _check(caller)
    review = store.get_review(message_id)
    if review is None or review["state"] == MASKED or store.get_message(message_id) is None:
        raise NotFound("No message with this id waits for review.")
    state = APPROVED if request["decision"] == "approve" else REJECTED
    reason = (request.get("reason") or "").strip() or None
    decision = {
        "decision": request["decision"],
        "reason": reason,
        "by": {"user_id": caller.user_id, "name": caller.name},
        "at": now(),
    }
    decided = store.decide_review(message_id, state, decision)
    if decided is None:
        decided = store.get_review(message_id)
        if decided["state"] != state:
            raise Conflict(f"This message was {decided['state']} already.")
        # The same decision again: finish what an attempt that stopped part way left.
    if state == APPROVED:
        _deliver(store, outbox, decided, Rules.current(store, marketplace_domains))
    else:
        _refuse(store, decided)
    return _shown(store, [decided])[0]


def _deliver(store, outbox, review: dict, current: Rules) -> None:
    """The approved message as if it had just been posted: its thread moves on, its events go out."""
    thread = store.get(review["thread_id"])
    if thread is None:
        return
    at = now()
    events = [THREAD_STARTED, MESSAGE_POSTED] if review.get("starts_thread") else [MESSAGE_POSTED]
    message = store.release_message(review["_id"], review.get("words") or [], events, at + model.RELAY_GRACE)
    if message is None:
        return  # released by an earlier attempt of this decision, which did the rest
    if review.get("starts_thread"):
        thread = store.reveal_thread(thread["id"], rules.open_key(thread)) or thread
    elif thread["status"] == "closed":
        store.reopen(thread, rules.open_key(thread))
    # Its author wrote it a while ago: what the author's side has read since stays as it is.
    effect = replace(rules.after_message(thread, message["author"]["side"], at), author_reads=False)
    updated = store.add_message(thread, message, effect)
    if updated is None:  # deleted meanwhile: nobody is to be told
        store.mark_published([message["id"]])
        return
    outbox.publish(updated, message)
    away.follow_up(store, outbox, updated, message, current)


def _refuse(store, review: dict) -> None:
    reason = review["decision"]["reason"]
    store.reject_message(review["_id"], reason)
    if review.get("starts_thread"):
        store.reject_thread(review["thread_id"], reason)


def _shown(store, reviews: list[dict]) -> list[dict]:
    threads = {thread["id"]: thread for thread in store.get_many(list({r["thread_id"] for r in reviews}))}
    return [presenters.review(review, threads.get(review["thread_id"])) for review in reviews]


def _check(caller: Caller) -> None:
    if not access.may_moderate(caller):
        raise Forbidden("Reviewing messages needs the permission moderate_messages.")
