"""Posting a message in a thread, and reading a thread's messages."""
from services.common.caller import Caller
from services.common.clock import now
from services.common.errors import NotFound
from services.common.events import MESSAGE_POSTED

from . import away, idempotency, limits, model, presenters, rules, text
from .lookup import visible, writable


def post_message(store, outbox, caller: Caller, thread_id: str, body: str, idempotency_key: str | None,
                 allowed: limits.Limits) -> dict:
    def work(ids):
        thread = writable(store, caller, thread_id)
        limits.message(store, allowed, caller, now())
        return presenters.message(append(store, outbox, caller, thread, text.prepare(body), ids)[1])

    return idempotency.once(store, caller, idempotency_key, ["post", thread_id, body], work,
                            lambda result: presenters.message(store.get_message(result["message_id"])),
                            lambda answer: {"message_id": answer["id"]})


def append(store, outbox, caller: Caller, thread: dict, prepared: dict, ids: idempotency.Ids) -> tuple[dict, dict]:
    """Store the message, then move its thread on (reopening a closed one), then publish: the
    thread as it is now, and the message."""
    at = now()
    message = model.new_message(thread, caller, prepared, at, [MESSAGE_POSTED], ids.message)
    if not store.insert_message(message):  # an earlier attempt of this request stored it, and its events
        thread, message = store.get(thread["_id"]), store.get_message(message["_id"])
        away.follow_up(store, outbox, thread, message)  # that attempt may have stopped before it
        return thread, message
    if thread["status"] == "closed":
        store.reopen(thread, rules.open_key(thread))
    updated = store.add_message(thread, message, rules.after_message(thread, caller.side, at))
    if updated is None:  # deleted a moment ago
        store.remove_message(message["_id"])
        raise NotFound("No such thread.")
    outbox.publish(updated, message)
    away.follow_up(store, outbox, updated, message)
    return updated, message


def list_messages(store, caller: Caller, thread_id: str, before: str | None, limit: int) -> dict:
    visible(store, caller, thread_id)
    messages, next_before = store.messages_page(thread_id, before, limit)
    return {"items": [presenters.message(doc) for doc in messages], "next_before": next_before}
