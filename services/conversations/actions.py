"""What callers do with conversations: each function is one use case.

They take their collaborators explicitly — the store, the catalog client, the event
publisher — so the service's entrypoints stay one line each.
"""
import hashlib
import json
import logging
import statistics
from datetime import timedelta

from services.common.context_changes import changes as context_changes
from services.common import access
from services.common.caller import Caller
from services.common.clock import derived_id, isoformat, new_id, now
from services.common.errors import Conflict, Forbidden, NotFound, Unavailable, ValidationFailed
from services.common.events import MESSAGE_POSTED, THREAD_STARTED

from . import limits, presenters, rules, text
from .store import substring

log = logging.getLogger(__name__)

MARKETPLACE_NAME = "Marketplace"
# A message whose event was not published inline is published by the relay after this.
RELAY_GRACE = timedelta(seconds=10)
# An announcement is written this many threads at a time; a delivery that has not moved on
# for the lease is taken over by the next process that looks (resume_broadcasts).
ANNOUNCEMENT_CHUNK = 1000
ANNOUNCEMENT_LEASE = timedelta(seconds=60)
# A request under an Idempotency-Key that has not finished after the gateway's RPC timeout was
# given up by its caller (or its process died): a retry may then do the work again. That is
# safe at any time, since the work writes the same ids again (Ids); waiting this long only
# keeps two live attempts of one request from racing each other.
PENDING_KEY_GRACE = timedelta(seconds=10)
DEFAULT_SETTINGS = {"customer_to_vendor_enabled": True, "vendor_to_admin_enabled": True,
                    "show_on_product": True, "show_on_vendor": True, "show_on_order": True}


class Outbox:
    """Events go out after the write they describe is committed. A message keeps the names of
    its unpublished events until they are out; the relay (service timer) retries the rest.

    A request does not wait for them: `publish` hands the events to a green thread of the
    service's (`spawn`) and the answer goes back at once, without waiting for the broker's
    confirm. A process that stops first leaves them to the relay.

    Messages whose events went out are marked so in one write per relay tick rather than one
    per message: a process that dies first leaves at most a second of marks unwritten, and
    those events go out again, which consumers tolerate (they key what they do by message).
    """

    def __init__(self, store, dispatch, published: list, spawn):
        self.store = store
        self.dispatch = dispatch
        self.published = published
        self.spawn = spawn

    def publish(self, thread: dict, message: dict) -> None:
        self.spawn(lambda: self.publish_now(thread, message))

    def publish_now(self, thread: dict, message: dict) -> bool:
        """False when the broker did not take the events: the message keeps them for the relay."""
        payload = presenters.event(thread, message)
        try:
            for name in message["pending_events"]:
                self.dispatch(name, payload)
        except Exception as error:
            log.warning("event for message %s not published (%s); the relay will retry", message["_id"], error)
            return False
        self.published.append(message["_id"])
        return True

    def flush(self) -> None:
        marked = self.published[:]
        if marked:
            self.store.mark_published(marked)
            del self.published[:len(marked)]

    def relay(self, limit: int = 500) -> int:
        self.flush()
        published = 0
        for message in self.store.unpublished_messages(now(), limit):
            thread = self.store.get(message["thread_id"])
            if thread is None:  # the thread write never happened; nothing to announce
                self.store.mark_published([message["_id"]])
                continue
            if not self.publish_now(thread, message):
                break  # the broker is away: each further try would wait for it in turn
            published += 1
        return published


# starting and writing -------------------------------------------------------------------

class Ids:
    """The ids of what a request writes, made when the request is first taken. Under an
    Idempotency-Key they are kept with the key, so a request done again after a failure part
    way (a database or a process that went away) writes the same documents, which are refused
    as duplicates, never doubled; and, made when the request came, they sort where it came."""

    def __init__(self, thread: str, message: str, parts: dict[str, str]):
        self.thread, self.message, self.parts = thread, message, parts

    @classmethod
    def fresh(cls, parts=()) -> "Ids":
        return cls(new_id(), new_id(), {name: new_id() for name in parts})

    def part(self, name: str) -> "Ids":
        """The ids of one part of a request that writes several (a bulk reply's threads)."""
        return Ids(new_id(), self.parts.get(name) or new_id(), {})

    def stored(self) -> dict:
        # Parts as pairs: their names (thread ids a caller sent) need not be valid field names.
        return {"thread": self.thread, "message": self.message,
                "parts": [[name, value] for name, value in self.parts.items()]}

    @classmethod
    def from_stored(cls, stored: dict) -> "Ids":
        return cls(stored["thread"], stored["message"], dict(stored.get("parts", [])))


def start_thread(store, catalog, outbox, caller: Caller, request: dict, idempotency_key: str | None,
                 allowed: limits.Limits) -> dict:
    def work(ids):
        return _start_thread(store, catalog, outbox, caller, request, ids, allowed)

    def replay(result):
        thread, message = store.get(result["thread_id"]), store.get_message(result["message_id"])
        return {"created": result["created"], "thread": presenters.summary(thread, caller.side),
                "message": presenters.message(message)}

    return _once(store, caller, idempotency_key, ["start", request], work, replay,
                 lambda answer: {"thread_id": answer["thread"]["id"], "message_id": answer["message"]["id"],
                                 "created": answer["created"]})


def _start_thread(store, catalog, outbox, caller, request, ids, allowed):
    rules.check_type_enabled(request["type"], settings(store))
    target = request["object"]
    resolved = _resolve(store, catalog, caller, target, allowed) if target["type"] != "none" else None
    if resolved is None and request.get("company_id") is None and target["type"] == "none" and caller.is_admin:
        raise ValidationFailed("Name the vendor (company_id) to write to.", {"company_id": ["Required."]})
    company = None
    if caller.is_admin and request.get("company_id"):
        company = catalog.get_vendor(request["company_id"])
    plan = rules.plan_thread(caller, request, resolved, company)
    if not access.may_manage_group(caller, plan["group"]):
        raise Forbidden("Your permissions do not let you start this kind of conversation.")
    prepared = text.prepare(request["message"])
    key = rules.open_key(plan)
    existing = store.find_open(key)
    limits.message(store, allowed, caller, now())
    if existing is None or existing["_id"] == ids.thread:
        at = now()
        if existing is None:
            limits.new_thread(store, allowed, caller, at)
        thread = _new_thread(plan, key, resolved, at, ids.thread)
        message = _message(thread, caller, prepared, at, [THREAD_STARTED, MESSAGE_POSTED], ids.message)
        _apply(thread, rules.after_message(thread, caller.side, at))
        thread["last_message"] = {"id": message["_id"], "author": message["author"], "preview": message["preview"]}
        if existing is not None or store.insert_thread(thread):
            # existing: this request's own earlier attempt wrote the thread, which counts the message
            thread = existing or thread
            if store.insert_message(message):
                outbox.publish(thread, message)
            else:
                message = store.get_message(message["_id"])
            return {"created": True, "thread": presenters.summary(thread, caller.side),
                    "message": presenters.message(message)}
        existing = store.find_open(key)  # another request opened it a moment ago
    thread, message = _append(store, outbox, caller, existing, prepared, ids)
    return {"created": False, "thread": presenters.summary(thread, caller.side),
            "message": presenters.message(message)}


def post_message(store, outbox, caller: Caller, thread_id: str, body: str, idempotency_key: str | None,
                 allowed: limits.Limits) -> dict:
    def work(ids):
        thread = _writable(store, caller, thread_id)
        limits.message(store, allowed, caller, now())
        return presenters.message(_append(store, outbox, caller, thread, text.prepare(body), ids)[1])

    return _once(store, caller, idempotency_key, ["post", thread_id, body], work,
                 lambda result: presenters.message(store.get_message(result["message_id"])),
                 lambda answer: {"message_id": answer["id"]})


def _resolve(store, catalog, caller, target: dict, allowed) -> dict:
    limits.before_lookup(store, allowed, caller, now())
    try:
        return catalog.resolve(target["type"], target["id"])
    except NotFound:
        limits.unknown_looked_up(store, allowed, caller, now())
        raise


def _append(store, outbox, caller, thread, prepared, ids):
    at = now()
    message = _message(thread, caller, prepared, at, [MESSAGE_POSTED], ids.message)
    if not store.insert_message(message):  # an earlier attempt of this request stored it, and its events
        return store.get(thread["_id"]), store.get_message(message["_id"])
    if thread["status"] == "closed":
        store.reopen(thread, rules.open_key(thread))
    updated = store.add_message(thread, message, rules.after_message(thread, caller.side, at))
    if updated is None:  # deleted a moment ago
        store.remove_message(message["_id"])
        raise NotFound("No such thread.")
    outbox.publish(updated, message)
    return updated, message


def _new_thread(plan: dict, key: str | None, resolved: dict | None, at, thread_id: str) -> dict:
    sides = rules.sides(plan["type"])
    thread = {
        "_id": thread_id, **plan, "status": "open", "created_at": at, "updated_at": at, "last_message_at": at,
        "context": resolved["summary"] if resolved else None,
        "context_snapshot": resolved["context"] if resolved else None,
        "unread": {side: 0 for side in sides}, "read_at": {}, "message_count": 0,
        "awaiting_reply_from": None, "awaiting_since": None,
    }
    if key:
        thread["open_key"] = key
    return thread


def _message(thread: dict, caller: Caller, prepared: dict, at, events: list[str], message_id: str) -> dict:
    name = MARKETPLACE_NAME if caller.is_admin else caller.name
    return {
        "_id": message_id, "thread_id": thread["_id"], "created_at": at,
        # The thread's owners, so that a search reads only the messages in the caller's reach.
        "company_id": thread.get("company_id"), "customer_id": thread.get("customer_id"),
        "author": {"side": caller.side, "user_id": caller.user_id, "name": name, "email": caller.email},
        "body": prepared["body"], "text": prepared["text"], "preview": text.preview(prepared["text"]),
        "words": prepared["words"], "pending_events": events, "relay_after": at + RELAY_GRACE,
    }


def _apply(document: dict, changes: dict) -> None:
    """Apply a `$set`/`$inc` pair to a document that is not stored yet."""
    for operator, values in changes.items():
        for path, value in values.items():
            *parents, leaf = path.split(".")
            target = document
            for part in parents:
                target = target.setdefault(part, {})
            target[leaf] = target.get(leaf, 0) + value if operator == "$inc" else value


def _once(store, caller, key, request, work, replay, remember, parts=()):
    """Idempotency-Key: a retry with the same key and caller returns the first answer, or, when
    the first attempt never finished (its caller got a 503), finishes the work with the same ids."""
    ids = Ids.fresh(parts)
    if not key:
        return work(ids)
    stored_key = "|".join([caller.role, caller.company_id or "", caller.user_id, key])
    fingerprint = hashlib.sha256(json.dumps(request, sort_keys=True, default=str).encode()).hexdigest()
    at = now()
    earlier = store.claim_key(stored_key, fingerprint, at, ids.stored())
    if earlier is not None:
        if earlier["fingerprint"] != fingerprint:
            raise Conflict("This Idempotency-Key was already used for a different request.")
        if earlier["state"] == "done":
            return replay(earlier["result"])
        claimed_at = earlier.get("claimed_at", earlier["created_at"])
        if at - claimed_at < PENDING_KEY_GRACE or not store.retake_key(stored_key, claimed_at, at):
            raise Conflict("A request with this Idempotency-Key is still being processed; retry shortly.")
        if "ids" in earlier:  # a claim from before ids were kept has none: fresh ones, then
            ids = Ids.from_stored(earlier["ids"])
    try:
        answer = work(ids)
    except Exception:
        store.release_key(stored_key)
        raise
    store.complete_key(stored_key, remember(answer))
    return answer


# reading ---------------------------------------------------------------------------------

def _visible(store, caller: Caller, thread_id: str) -> dict:
    thread = store.get(thread_id)
    if thread is None or not access.may_view(caller, thread):
        raise NotFound("No such thread.")
    return thread


def _writable(store, caller: Caller, thread_id: str) -> dict:
    thread = _visible(store, caller, thread_id)
    if not access.may_write(caller, thread):
        raise Forbidden("You may read this thread but not write in it.")
    return thread


def get_thread(store, catalog, caller: Caller, thread_id: str, limit: int = 50) -> dict:
    thread = _visible(store, caller, thread_id)
    live = None
    if thread["object"]["type"] != "none":
        try:
            live = catalog.resolve(thread["object"]["type"], thread["object"]["id"])
        except (NotFound, Unavailable):
            live = None  # the snapshot stands in for a context the catalog cannot give now
    changes = context_changes(thread["context_snapshot"], live["context"]) if live and thread.get("context_snapshot") else []
    messages, next_before = store.messages_page(thread_id, None, limit)
    return presenters.detail(thread, caller.side, live, changes, messages, next_before)


def list_messages(store, caller: Caller, thread_id: str, before: str | None, limit: int) -> dict:
    _visible(store, caller, thread_id)
    messages, next_before = store.messages_page(thread_id, before, limit)
    return {"items": [presenters.message(doc) for doc in messages], "next_before": next_before}


def inbox(store, caller: Caller, query: dict) -> dict:
    criteria = inbox_criteria(caller, query)
    threads, next_cursor = store.inbox(criteria, query["sort"], query["order"], query["limit"], query.get("cursor"))
    return {"items": [presenters.summary(thread, caller.side) for thread in threads], "next_cursor": next_cursor}


def inbox_criteria(caller: Caller, query: dict) -> dict:
    if caller.side is None:
        raise Forbidden("Only customers, vendors and the administration have an inbox.")
    criteria = dict(access.scope(caller))
    status = query.get("status")
    if status == "deleted" and not caller.is_admin:
        raise Forbidden("Only the administration sees deleted threads.")
    criteria["status"] = status if status else {"$in": ["open", "closed"]}
    for name in ("type", "company_id", "customer_id"):
        if query.get(name):
            if criteria.get(name, query[name]) != query[name]:
                criteria["_id"] = {"$in": []}  # outside the caller's reach: nothing matches
            else:
                criteria[name] = query[name]
    if query.get("object_type"):
        criteria["object.type"] = query["object_type"]
    if query.get("object_id"):
        criteria["object.id"] = query["object_id"]
    if query.get("customer"):
        pattern = substring(query["customer"])
        criteria["$or"] = [{"customer.name": pattern}, {"customer.email": pattern}]
    for name, field, operator in (("created_from", "created_at", "$gte"), ("created_to", "created_at", "$lt"),
                                  ("updated_from", "last_message_at", "$gte"), ("updated_to", "last_message_at", "$lt")):
        if query.get(name):
            criteria.setdefault(field, {})[operator] = query[name]
    if query.get("unread") is True:
        criteria[f"unread.{caller.side}"] = {"$gt": 0}
    elif query.get("unread") is False:
        criteria[f"unread.{caller.side}"] = {"$in": [0, None]}
    if query.get("awaiting_reply") is True:
        criteria["awaiting_reply_from"] = caller.side
    if query.get("q"):
        words = text.query_words(query["q"])
        if words:
            criteria["words"] = {"$all": words}
    return criteria


def unread_counts(store, caller: Caller) -> dict:
    criteria = inbox_criteria(caller, {})
    by_type = {kind: 0 for kind in access.TYPES if caller.role != "customer" or kind == access.VENDOR_TO_CUSTOMER}
    by_type.update(store.count_unread(criteria, caller.side))
    return {"total": sum(by_type.values()), "by_type": by_type}


def mark_read(store, caller: Caller, thread_id: str) -> dict:
    _visible(store, caller, thread_id)
    at = now()
    store.mark_read(thread_id, caller.side, at)
    return {"thread_id": thread_id, "side": caller.side, "read_at": isoformat(at), "unread_count": 0}


# status -----------------------------------------------------------------------------------

def set_status(store, caller: Caller, thread_id: str, status: str) -> dict:
    thread = _writable(store, caller, thread_id)
    if caller.role == "customer":
        raise Forbidden("Vendors and the administration close and reopen conversations.")
    updated = store.set_status(thread_id, status, rules.open_key(thread))
    if updated is None:  # deleted a moment ago
        raise NotFound("No such thread.")
    return presenters.summary(updated, caller.side)


def delete_thread(store, caller: Caller, thread_id: str) -> None:
    thread = _visible(store, caller, thread_id)
    if not caller.is_admin or not access.may_manage_group(caller, thread["group"]):
        raise Forbidden("Only the administration deletes threads.")
    store.set_status(thread_id, "deleted", None)


def bulk(store, outbox, caller: Caller, action: str, thread_ids: list[str], body: str | None,
         idempotency_key: str | None, allowed: limits.Limits) -> dict:
    prepared = text.prepare(body) if action == "reply" else None

    def work(ids):
        results = []
        for thread_id in dict.fromkeys(thread_ids):
            try:
                if action == "delete":
                    delete_thread(store, caller, thread_id)
                    results.append({"thread_id": thread_id, "status": 200, "outcome": "deleted", "message_id": None})
                else:
                    thread = _writable(store, caller, thread_id)
                    limits.message(store, allowed, caller, now())
                    _, message = _append(store, outbox, caller, thread, prepared, ids.part(thread_id))
                    results.append({"thread_id": thread_id, "status": 201, "outcome": "replied",
                                    "message_id": message["_id"]})
            except (NotFound, Forbidden) as error:
                results.append({"thread_id": thread_id, "status": error.status, "outcome": error.code,
                                "message_id": None})
        return {"results": results}

    return _once(store, caller, idempotency_key, ["bulk", action, thread_ids, body], work,
                 lambda result: result, lambda answer: answer, parts=dict.fromkeys(thread_ids))


# announcements ------------------------------------------------------------------------

def broadcast(store, catalog, caller: Caller, request: dict) -> dict:
    """Record the announcement and answer at once; deliver_broadcast writes its threads.

    Thousands of vendors take longer to write than a request may wait: an admin who got a
    timeout while the threads were still being written would retry and announce twice.
    """
    if not caller.is_admin or not access.may_manage_group(caller, "admin"):
        raise Forbidden("Only the administration sends announcements.")
    if request["company_ids"] == "all":
        vendors = catalog.list_vendors("A")
    else:
        wanted = {str(company_id) for company_id in request["company_ids"]}
        known = {vendor["company_id"]: vendor for vendor in catalog.list_vendors(None)}
        missing = sorted(wanted - set(known))
        if missing:
            raise ValidationFailed("Some vendors do not exist.", {"company_ids": [f"Unknown: {', '.join(missing)}"]})
        vendors = [known[company_id] for company_id in sorted(wanted)]
    at = now()
    announcement = {
        "_id": new_id(), "subject": request["subject"].strip()[:rules.SUBJECT_MAX], "created_at": at,
        "author": caller.to_dict(), "message": text.prepare(request["message"]),
        # In a fixed order: the n-th vendor's thread and message ids derive from n.
        "vendors": [{"company_id": vendor["company_id"], "name": vendor["name"]} for vendor in vendors],
        "thread_count": len(vendors), "status": "sending", "lease_until": at + ANNOUNCEMENT_LEASE,
    }
    store.insert_broadcast(announcement)
    return announcement


def deliver_broadcast(store, outbox, announcement: dict) -> None:
    """Write an announcement's threads and messages, a chunk at a time, mark it sent, then
    publish the messages' events.

    Ids derive from the announcement and the vendor's place in it, so a delivery that died
    half way is simply run again (resume_broadcasts): what was written is refused as a
    duplicate, the rest is written, and every event goes out (again: consumers key what they
    do by message). The events wait until every thread is written: thousands of them worked
    through by the notifications service while the threads are still being written made the
    writing take 6 times longer (bench/). The relay takes them up if this process stops.
    """
    author = Caller.from_dict(announcement["author"])
    at, prepared, broadcast_id = announcement["created_at"], announcement["message"], announcement["_id"]
    vendors = announcement["vendors"]
    written = []
    for first in range(0, len(vendors), ANNOUNCEMENT_CHUNK):
        for number, vendor in enumerate(vendors[first:first + ANNOUNCEMENT_CHUNK], first):
            plan = {"type": access.VENDOR_TO_ADMIN, "group": "admin", "object": {"type": "none", "id": None},
                    "company_id": vendor["company_id"], "customer_id": None, "customer": None,
                    "subject": announcement["subject"]}
            thread = _new_thread(plan, None, None, at, derived_id(at, broadcast_id + "/thread", number))
            thread["broadcast_id"] = broadcast_id
            thread["context"] = {"title": vendor["name"], "image_url": None, "url": None}
            message = _message(thread, author, prepared, at, [THREAD_STARTED, MESSAGE_POSTED],
                               derived_id(at, broadcast_id + "/message", number))
            message["relay_after"] = now() + ANNOUNCEMENT_LEASE  # not the relay's while the lease holds
            _apply(thread, rules.after_message(thread, author.side, at, announcement=True))
            thread["last_message"] = {"id": message["_id"], "author": message["author"],
                                      "preview": message["preview"]}
            written.append((thread, message))
        store.insert_threads([thread for thread, _ in written[first:]], [message for _, message in written[first:]])
        store.hold_broadcast(broadcast_id, now() + ANNOUNCEMENT_LEASE)
    store.broadcast_sent(broadcast_id, now())
    for number, (thread, message) in enumerate(written):
        if not outbox.publish_now(thread, message):
            # The broker is away: the relay publishes the rest as soon as it is back, not
            # once their lease runs out.
            store.relay_soon([message["_id"] for _, message in written[number:]], now())
            break


def resume_broadcasts(store, outbox) -> int:
    """Deliver the announcements whose delivery stopped (its process died): each is taken by
    one process at a time, for as long as its lease runs."""
    resumed = 0
    for announcement in store.stalled_broadcasts(now(), ANNOUNCEMENT_LEASE):
        log.warning("announcement %s was not delivered to every vendor; resuming", announcement["_id"])
        deliver_broadcast(store, outbox, announcement)
        resumed += 1
    return resumed


def broadcast_status(store, caller: Caller, broadcast_id: str) -> dict:
    found = store.get_broadcast(broadcast_id)
    if found is None or not caller.is_admin or not access.may_view_group(caller, "admin"):
        raise NotFound("No such announcement.")
    vendors = [{"company_id": thread["company_id"], "thread_id": thread["_id"],
                "read": bool((thread.get("read_at") or {}).get("vendor")),
                "read_at": isoformat((thread.get("read_at") or {}).get("vendor"))}
               for thread in store.broadcast_threads(broadcast_id)]
    return {"id": broadcast_id, "subject": found["subject"], "created_at": isoformat(found["created_at"]),
            "status": found["status"], "sent_at": isoformat(found.get("sent_at")),
            "thread_count": found["thread_count"], "read_count": sum(v["read"] for v in vendors),
            "vendors": sorted(vendors, key=lambda v: v["company_id"])}


# figures --------------------------------------------------------------------------------

def response_times(store, caller: Caller, query: dict) -> dict:
    if not access.may_administer(caller, "view_reports"):
        raise Forbidden("Response figures are for the administration (permission view_reports).")
    per_vendor: dict[str, list] = {}
    for thread in store.first_replies(query["date_from"], query["date_to"], query.get("company_id")):
        per_vendor.setdefault(thread["company_id"], []).append(thread)
    day = timedelta(hours=24).total_seconds()
    vendors = []
    for company_id, threads in sorted(per_vendor.items()):
        waits = [(t["first_reply_at"] - t["first_customer_message_at"]).total_seconds()
                 for t in threads if t.get("first_reply_at")]
        vendors.append({
            "company_id": company_id, "threads": len(threads), "answered": len(waits),
            "median_first_reply_seconds": statistics.median(waits) if waits else None,
            "answered_within_24h_share": sum(wait <= day for wait in waits) / len(threads),
        })
    return {"date_from": isoformat(query["date_from"]), "date_to": isoformat(query["date_to"]), "vendors": vendors}


# settings and cascades ------------------------------------------------------------------

def settings(store) -> dict:
    stored = store.get_settings()
    return {name: stored.get(name, default) for name, default in DEFAULT_SETTINGS.items()}


def update_settings(store, caller: Caller, values: dict) -> dict:
    if not access.may_administer(caller, "manage_settings"):
        raise Forbidden("Only the administration changes settings (permission manage_settings).")
    store.put_settings(values)
    return settings(store)


def vendor_deleted(store, company_id: str) -> int:
    return store.soft_delete_where({"company_id": company_id})


def customer_deleted(store, customer_id: str) -> int:
    return store.soft_delete_where({"customer_id": customer_id})


def context_changed(store, catalog, target: dict) -> int:
    try:
        resolved = catalog.resolve(target["type"], target["id"])
    except NotFound:
        return 0
    return store.refresh_context(target, resolved["summary"])
