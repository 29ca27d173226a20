"""Posting a message in a thread, and reading a thread's messages."""

import logging
from collections.abc import Sequence

from services.common import access
from services.common.caller import Caller
from services.common.clock import now
from services.common.errors import NotFound
from services.common.events import MESSAGE_POSTED

from . import attachments, away, idempotency, limits, model, moderation, presenters, rules, text
from .lookup import visible, writable
from .records import Message, Thread

log = logging.getLogger(__name__)


def post_message(
    store,
    outbox,
    caller: Caller,
    thread_id: str,
    body: str,
    idempotency_key: str | None,
    allowed: limits.Limits,
    upload_ids: Sequence[str] = (),
) -> dict:
    upload_ids = list(upload_ids)

    def work(ids):
        thread = writable(store, caller, thread_id)
        limits.message(store, allowed, caller, now())
        prepared = text.prepare(body, required=not upload_ids)
        screening = moderation.Rules.current(store, allowed.marketplace_domains)
        return presenters.message(
            append(store, outbox, caller, thread, prepared, ids, screening, upload_ids, allowed.files)[1]
        )

    # A post of files names them in its fingerprint; one without keeps the fingerprint it had.
    return idempotency.once(
        store,
        caller,
        idempotency_key,
        ["post", thread_id, body] + ([upload_ids] if upload_ids else []),
        work,
        lambda result: presenters.message(store.get_message(result["message_id"])),
        lambda answer: {"message_id": answer["id"]},
    )


def append(
    store,
    outbox,
    caller: Caller,
    thread: Thread,
    prepared: dict,
    ids: idempotency.Ids,
    screening: moderation.Rules,
    upload_ids: Sequence[str] = (),
    files: attachments.Policy = attachments.Policy(),
) -> tuple[Thread, Message]:
    """Store the message with its files, then move its thread on (reopening a closed one), then
    publish: the thread as it is now, and the message. A message held for review is stored
    and goes no further (moderation.py)."""
    side = access.side_of(caller)  # the caller passed writable(): it is one of the thread's sides
    at = now()
    message = model.new_message(thread, caller, prepared, at, [MESSAGE_POSTED], ids.message)
    # Taken first: their names are screened with the text.
    taken = attachments.attach(store, caller, list(upload_ids), message, files)
    screened = moderation.screen(screening, thread, side, prepared, files=taken)
    model.with_text(message, screened.prepared)
    model.with_attachments(message, list(screened.files))
    if screened.finding:
        moderation.keep(store, screened, message, thread)
    if not store.insert_message(message):  # an earlier attempt of this request stored it, and its events
        thread, message = store.get(thread["id"]), store.get_message(message["id"])
        away.follow_up(store, outbox, thread, message, screening)  # that attempt may have stopped before it
        return thread, message
    if screened.held:
        log.info("message %s of the %s held for review in thread %s", message["id"], side, thread["id"])
        return thread, message
    if thread["status"] == "closed":
        store.reopen(thread, rules.open_key(thread))
        thread = {**thread, "status": "open"}
    updated = store.add_message(thread, message, rules.after_message(thread, side, at))
    if updated is None:  # deleted a moment ago
        store.remove_message(message["id"])
        attachments.release(store, message, files)
        raise NotFound("No such thread.")
    outbox.publish(updated, message)
    log.info("message %s posted to thread %s by the %s", message["id"], thread["id"], side)
    away.follow_up(store, outbox, updated, message, screening)
    return updated, message


def list_messages(store, caller: Caller, thread_id: str, before: str | None, limit: int) -> dict:
    visible(store, caller, thread_id)
    messages, next_before = store.messages_page(thread_id, before, limit, caller.side)
    return {"items": [presenters.message(doc) for doc in messages], "next_before": next_before}
