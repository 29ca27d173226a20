"""Starting a thread, reading one, its read state and its status."""

from services.common.context_changes import changes as context_changes
from services.common import access
from services.common.caller import Caller
from services.common.clock import now
from services.common.errors import Forbidden, NotFound, Unavailable, ValidationFailed
from services.common.events import MESSAGE_POSTED, THREAD_STARTED

from . import attachments, away, idempotency, limits, model, moderation, presenters, rules, settings, text
from .lookup import under_review, visible
from .messages import append


def start_thread(
    store, catalog, outbox, caller: Caller, request: dict, idempotency_key: str | None, allowed: limits.Limits
) -> dict:
    def work(ids):
        return _start_thread(store, catalog, outbox, caller, request, ids, allowed)

    def replay(result):
        thread, message = store.get(result["thread_id"]), store.get_message(result["message_id"])
        return {
            "created": result["created"],
            # A replay follows this caller's own start, which plan_thread let in: it has a side.
            "thread": presenters.summary(thread, access.side_of(caller)),
            "message": presenters.message(message),
        }

    return idempotency.once(
        store,
        caller,
        idempotency_key,
        ["start", request],
        work,
        replay,
        lambda answer: {
            "thread_id": answer["thread"]["id"],
            "message_id": answer["message"]["id"],
            "created": answer["created"],
        },
    )


def _start_thread(store, catalog, outbox, caller, request, ids, allowed):
    current = settings.current(store)
    rules.check_type_enabled(request["type"], current)
    screening = moderation.Rules.of(current, allowed.marketplace_domains)
    target = request["object"]
    resolved = _resolve(store, catalog, caller, target, allowed) if target["type"] != "none" else None
    if resolved is None and request.get("company_id") is None and target["type"] == "none" and caller.is_admin:
        raise ValidationFailed("Name the vendor (company_id) to write to.", {"company_id": ["Required."]})
    company = None
    if caller.is_admin and request.get("company_id"):
        company = catalog.get_vendor(request["company_id"])
    plan = rules.plan_thread(caller, request, resolved, company)
    if not access.may_start(caller, plan):
        raise Forbidden("Your permissions do not let you start this kind of conversation.")
    upload_ids = list(request.get("attachments") or [])
    prepared = text.prepare(request["message"], required=not upload_ids)
    key = rules.open_key(plan)
    existing = store.find_open(key)
    limits.message(store, allowed, caller, now())
    if existing is None or existing["id"] == ids.thread:
        at = now()
        if existing is None:
            limits.new_thread(store, allowed, caller, at)
        thread = model.new_thread(plan, key, resolved, at, ids.thread)
        message = model.new_message(thread, caller, prepared, at, [THREAD_STARTED, MESSAGE_POSTED], ids.message)
        # Taken first: their names are screened with the text, and with the subject its author wrote.
        taken = attachments.attach(store, caller, upload_ids, message, allowed.files)
        written_subject = thread["subject"] if (request.get("subject") or "").strip() else None
        screened = moderation.screen(screening, thread, caller.side, prepared, subject=written_subject, files=taken)
        model.with_text(message, screened.prepared)
        model.with_attachments(message, list(screened.files))
        if screened.subject is not None:
            thread["subject"] = screened.subject
        if screened.finding:
            moderation.keep(store, screened, message, thread, starts_thread=True)
        if screened.held:
            model.withheld_thread(thread, message, moderation.hidden_from(thread, caller.side))
        else:
            rules.after_message(thread, caller.side, at).apply_to(thread, message)
        # A held thread has no open key: its own earlier attempt is found by its id.
        existing = existing or (store.get(ids.thread) if screened.held else None)
        if existing is not None or store.insert_thread(thread):
            # existing: this request's own earlier attempt wrote the thread, which counts the message
            thread = existing or thread
            if store.insert_message(message):
                if not screened.held:
                    outbox.publish(thread, message)
                    away.follow_up(store, outbox, thread, message, screening)
            else:
                message = store.get_message(message["id"])
                away.follow_up(store, outbox, thread, message, screening)  # that attempt may have stopped before it
            return {
                "created": True,
                "thread": presenters.summary(thread, caller.side),
                "message": presenters.message(message),
            }
        attachments.release(store, message, allowed.files)
        existing = store.find_open(key)  # another request opened it a moment ago
    thread, message = append(store, outbox, caller, existing, prepared, ids, screening, upload_ids, allowed.files)
    return {"created": False, "thread": presenters.summary(thread, caller.side), "message": presenters.message(message)}


def _resolve(store, catalog, caller, target: dict, allowed) -> dict:
    limits.before_lookup(store, allowed, caller, now())
    try:
        return catalog.resolve(target["type"], target["id"])
    except NotFound:
        limits.unknown_looked_up(store, allowed, caller, now())
        raise


def get_thread(store, catalog, caller: Caller, thread_id: str, limit: int = 50) -> dict:
    thread = visible(store, caller, thread_id)
    live = None
    if thread["object"]["type"] != "none":
        try:
            live = catalog.resolve(thread["object"]["type"], thread["object"]["id"])
        except (NotFound, Unavailable):
            live = None  # the snapshot stands in for a context the catalog cannot give now
    changes = (
        context_changes(thread["context_snapshot"], live["context"]) if live and thread.get("context_snapshot") else []
    )
    side = access.side_of(caller)
    messages, next_before = store.messages_page(thread_id, None, limit, side)
    addresses = rules.shows_addresses(thread, side, settings.current(store))
    return presenters.detail(thread, side, live, changes, messages, next_before, addresses)


def mark_read(store, caller: Caller, thread_id: str, outbox) -> dict:
    thread = visible(store, caller, thread_id)
    at = now()
    store.mark_read(thread_id, caller.side, at)
    outbox.read(thread, caller.side, at)  # the side's bell items of the thread are read too
    return {"thread_id": thread_id, "side": caller.side, "read_at": at, "unread_count": 0}


def set_status(store, caller: Caller, thread_id: str, status: str) -> dict:
    thread = visible(store, caller, thread_id)
    under_review(thread)
    if not access.may_change_status(caller, thread):
        raise Forbidden(
            "Vendors and the administration close and reopen conversations."
            if caller.role == "customer"
            else "You may read this thread but not write in it."
        )
    updated = store.set_status(thread_id, status, rules.open_key(thread))
    if updated is None:  # deleted a moment ago
        raise NotFound("No such thread.")
    return presenters.summary(updated, access.side_of(caller))


def delete_thread(store, caller: Caller, thread_id: str, files: attachments.Policy = attachments.Policy()) -> None:
    thread = visible(store, caller, thread_id)
    if not access.may_delete(caller, thread):
        raise Forbidden("Only the administration deletes threads.")
    store.set_status(thread_id, "deleted", None)
    attachments.thread_deleted(store, now(), files, thread_id=thread_id)
