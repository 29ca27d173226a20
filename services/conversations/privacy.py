"""A customer's data on request: exported page by page, erased everywhere, and conversations
kept no longer than the marketplace says (docs/privacy.md).

The export is paged so that a customer with 50,000 messages holds no worker for minutes: each
page reads a bounded slice of threads and messages, and its cursor says where the next begins.

An erasure is a record (`privacy_erasures`) worked through in steps, each of which can be done
again: a process killed half-way leaves the record running with a lease that runs out, and
another process (or this one, back) takes it up where the steps say (`resume`). Until it is
done the record holds whom it erases; done, only a keyed hash of the id, who asked, when, and
the counts.
"""

import logging
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Callable

from services.common import access, cursors
from services.common.caller import Caller
from services.common.clock import new_id, now
from services.common.errors import Forbidden, NotFound

from . import forgetting, presenters
from .forgetting import Forgotten
from .records import Thread

log = logging.getLogger(__name__)

# How long an erasure is its process's before another takes it up; renewed at every slice.
LEASE = timedelta(seconds=20)
THREADS_AT_ONCE = 20
MESSAGES_AT_ONCE = 100
MOST_PAUSE_SECONDS = 1.0
# Thread ids in one call to the notifications service, and one pass of forgetting keys.
IDS_AT_ONCE = 500
# Threads removed by retention in one round, and rounds in one turn of its timer.
RETIRED_AT_ONCE = 200
RETIRING_ROUNDS = 10
RETENTION_TURN = timedelta(seconds=50)


@dataclass(frozen=True)
class Policy:
    key: str  # the erasure record's hash of the customer's id is keyed with it
    keeps_text: bool = False  # ERASURE_KEEPS_TEXT
    retention_days: int = 0  # RETENTION_DAYS; 0 keeps everything
    on_customer_deleted: bool = False  # ERASE_ON_CUSTOMER_DELETED

    @classmethod
    def from_settings(cls, settings: Any) -> "Policy":
        return cls(
            settings.CALLER_SIGNING_KEY,
            settings.ERASURE_KEEPS_TEXT,
            settings.RETENTION_DAYS,
            settings.ERASE_ON_CUSTOMER_DELETED,
        )


# the export -------------------------------------------------------------------------------


def export_page(store, caller: Caller, customer_id: str, cursor: str | None, limit: int) -> dict:
    """One page of the customer's conversations, each with (a slice of) its messages as the
    customer reads them; the first page also says the names and addresses they are known by."""
    if not access.may_export_customer(caller, customer_id):
        raise Forbidden("Only the customer themself, or the administration (manage_privacy), exports their data.")
    thread_after, thread_id, message_after = (
        [part or None for part in cursors.decode(cursor, 3)] if cursor else (None, None, None)
    )
    conversations: list[dict] = []
    left = limit
    while left > 0:
        if thread_id is None:
            following = store.customer_threads(customer_id, thread_after, 1)
            if not following:
                return _page(store, customer_id, cursor, conversations, None)
            thread_id, message_after = following[0]["id"], None
            conversations.append({**_conversation(following[0]), "messages": []})
            left -= 1
        elif not conversations or conversations[-1]["id"] != thread_id:
            thread = store.get(thread_id)
            if thread is None:  # removed meanwhile (retention): go on after it
                thread_after, thread_id = thread_id, None
                continue
            conversations.append({**_conversation(thread), "messages": [], "continued": True})
        asked = max(left, 1)
        messages = store.thread_messages(thread_id, message_after, asked)
        conversations[-1]["messages"] += [
            presenters.message(message) for message in messages if "customer" not in (message.get("hidden_from") or ())
        ]
        left -= len(messages)
        if len(messages) < asked:
            thread_after, thread_id, message_after = thread_id, None, None
        else:
            message_after = messages[-1]["id"]
    following_cursor = cursors.encode(thread_after or "", thread_id or "", message_after or "")
    return _page(store, customer_id, cursor, conversations, following_cursor)


def _page(store, customer_id: str, cursor: str | None, conversations: list[dict], following: str | None) -> dict:
    return {
        "customer": _known_as(store, customer_id) if cursor is None else None,
        "conversations": conversations,
        "next_cursor": following,
    }


def _known_as(store, customer_id: str) -> dict:
    known = _identities(store, customer_id, with_messages=False)
    return {"id": customer_id, "names": list(known.names), "emails": list(known.emails)}


def _conversation(thread: dict) -> dict:
    return {
        "id": thread["id"],
        "type": thread.get("type"),
        "subject": thread.get("subject"),
        "object": thread.get("object"),
        "company_id": thread.get("company_id"),
        "status": thread.get("status"),
        "created_at": thread.get("created_at"),
        "customer": {key: (thread.get("customer") or {}).get(key) for key in ("name", "email")},
    }


# the erasure ------------------------------------------------------------------------------


def request_erasure(store, caller: Caller, customer_id: str, policy: Policy) -> dict:
    """The customer's erasure, running: a new one, or the one already running for them. Its
    lease has run out as it is written: the next round of `resume`, in any replica, takes it."""
    if not (access.may_manage_privacy(caller) or caller.role == "system"):
        raise Forbidden("Erasing a customer's data needs the permission manage_privacy.")
    at = now()
    subject = forgetting.subject_of(policy.key, customer_id)
    return store.start_erasure(
        {
            "id": new_id(),
            "subject": subject,
            "running_subject": subject,
            "customer_id": customer_id,
            "status": "running",
            "step": "identify",
            "asked_by": {"role": caller.role, "user_id": caller.user_id},
            "asked_at": at,
            "counts": {},
            "lease_until": at,
        }
    )


def erasure_status(store, caller: Caller, erasure_id: str) -> dict:
    if not access.may_manage_privacy(caller):
        raise Forbidden("Erasures are the administration's (permission manage_privacy).")
    found = store.get_erasure(erasure_id)
    if found is None:
        raise NotFound("No such erasure.")
    return found


def resume(store, others: "Others", policy: Policy) -> int:
    """Take up the erasures a stopped process left running (a timer, every replica: the lease
    gives each to one)."""
    done = 0
    for erasure in store.stalled_erasures(now(), LEASE):
        erase(store, others, erasure, policy)
        done += 1
    return done


@dataclass(frozen=True)
class Others:
    """What the other services hold of a customer, erased by them: the notifications' mails,
    bell items and webhook deliveries (a dict of counts back), the catalog's orders."""

    notifications: Callable[[dict], dict[str, int]]
    catalog: Callable[[str], dict[str, int]]


def erase(store, others: Others, erasure: dict, policy: Policy) -> None:
    """Do the erasure's steps from the one it stands at; each may be done again."""
    customer_id = erasure["customer_id"]
    counts: dict[str, int] = dict(erasure.get("counts") or {})

    def progress(**changes: Any) -> None:
        erasure.update(changes)
        store.erasure_progress(erasure["id"], {**changes, "counts": counts}, now() + LEASE)

    slice_began = time.monotonic()

    def hold() -> None:
        """After each slice of a long thread's messages: the lease kept, and the database left
        alone as long again as the slice took it (up to a second). An erasure is background
        work; the people posting and reading meanwhile come first (on the embedded development
        server a slice at full speed held it from the other services for seconds)."""
        nonlocal slice_began
        progress()
        time.sleep(min(time.monotonic() - slice_began, MOST_PAUSE_SECONDS))
        slice_began = time.monotonic()

    if erasure["step"] == "identify":
        known = _identities(store, customer_id, with_messages=True)
        progress(step="threads", forgotten={"names": list(known.names), "emails": list(known.emails)})
    forgotten = Forgotten.of(erasure["forgotten"]["names"], erasure["forgotten"]["emails"])
    if erasure["step"] == "threads":
        while threads := store.customer_threads(customer_id, erasure.get("thread_after"), THREADS_AT_ONCE):
            for thread in threads:
                _erase_thread(store, thread, customer_id, forgotten, policy.keeps_text, counts, hold)
            progress(thread_after=threads[-1]["id"])
        progress(step="files")
    if erasure["step"] == "files":
        _add(counts, "files", store.expire_person_files("customer", customer_id, now()))
        while store.delete_expired_attachments(now(), 200):
            pass
        progress(step="elsewhere", ids_after=None)
    if erasure["step"] == "elsewhere":
        person = f"customer||{customer_id}"
        while True:
            threads = store.customer_threads(customer_id, erasure.get("ids_after"), IDS_AT_ONCE)
            ids = [thread["id"] for thread in threads]
            _add(counts, "request_records", store.forget_person_keys(person, ids))
            told = others.notifications(
                {
                    "erasure_id": erasure["id"],
                    "customer_id": customer_id,
                    "names": list(forgotten.names),
                    "emails": list(forgotten.emails),
                    "thread_ids": ids,
                }
            )
            for name, count in told.items():
                _add(counts, name, count)
            if not ids:
                break
            progress(ids_after=ids[-1])
        for name, count in others.catalog(customer_id).items():
            _add(counts, name, count)
    store.finish_erasure(erasure["id"], counts, now())
    log.info("erasure %s done: %s", erasure["id"], counts)


def _erase_thread(
    store, thread: Thread, customer_id: str, forgotten: Forgotten, keeps_text: bool, counts: dict, hold: Callable
) -> None:
    after = None
    while messages := store.thread_messages(thread["id"], after, MESSAGES_AT_ONCE):
        # Those already erased (by a process stopped half-way) come out the same: not written again.
        erased = [forgetting.erased_message(message, customer_id, forgotten, keeps_text) for message in messages]
        changed = [new for old, new in zip(messages, erased) if new != old]
        store.rewrite_messages(changed)
        _add(counts, "messages", len(changed))
        for review in store.reviews_of([message["id"] for message in messages]):
            erased_review = forgetting.erased_review(review, customer_id, forgotten, keeps_text)
            if erased_review != review:
                store.rewrite_review(erased_review)
                _add(counts, "reviews", 1)
        after = messages[-1]["id"]
        hold()
    if "erased_at" not in thread:
        store.rewrite_thread(forgetting.erased_thread(thread, customer_id, forgotten, keeps_text, now()))
        _add(counts, "threads", 1)


def _identities(store, customer_id: str, with_messages: bool) -> Forgotten:
    """The names and addresses the customer's threads (and, `with_messages`, their own
    messages) know them by."""
    names: list[str] = []
    emails: list[str] = []
    after = None
    while threads := store.customer_threads(customer_id, after, THREADS_AT_ONCE * 10):
        for thread in threads:
            if "erased_at" in thread:
                continue
            found_names, found_emails = forgetting.names_in(thread)
            names += found_names
            emails += found_emails
            message_after = None
            while with_messages and (messages := store.thread_messages(thread["id"], message_after, 1000)):
                for message in messages:
                    if forgetting.is_customers(message, customer_id):
                        names.append(message["author"].get("name") or "")
                        emails.append(message["author"].get("email") or "")
                message_after = messages[-1]["id"]
        after = threads[-1]["id"]
    return Forgotten.of(names, emails)


def _add(counts: dict[str, int], name: str, count: int) -> None:
    counts[name] = counts.get(name, 0) + int(count)


# retention --------------------------------------------------------------------------------


def retire(store, forget_elsewhere: Callable[[list[str]], Any], policy: Policy, at: datetime) -> int:
    """Remove whole the conversations closed or deleted longer ago than the retention, once
    across replicas (a turn), a bounded number a round. The other services forget them first:
    if they cannot, the threads stay for the next round, rather than leave their mails behind."""
    if policy.retention_days <= 0 or not store.take_turn("retention", at, at + RETENTION_TURN):
        return 0
    removed = 0
    for _ in range(RETIRING_ROUNDS):
        threads = store.retired_threads(at - timedelta(days=policy.retention_days), RETIRED_AT_ONCE)
        if not threads:
            break
        ids = [thread["id"] for thread in threads]
        forget_elsewhere(ids)
        removed += store.remove_threads(ids)["threads"]
    if removed:
        log.info("retention removed %d conversations", removed)
    return removed
