"""A marketplace moving in: CS-Cart's Message Center history, brought over as if it had been
written here (README "Moving a CS-Cart marketplace in").

Each message goes through the same rules as one posted now (rules.after_message: who owes a
reply since when, unread counts, the first question and first answer of the response figures)
and through the same sanitiser and search words (text.py), but nothing is published: no mail,
bell, webhook or push for history, no moderation, no rate limit, and no reminder (a question
left waiting in 2019 is not the vendor's reminder today).

Safe to run again: a record's id is made from CS-Cart's own (`imported_id`), and a thread
keeps the last CS-Cart message it took (`cscart.last_message_id`), so only later messages move
it on. Messages are written before their thread: a run stopped between the two writes them
again (duplicates are ignored) and then moves the thread on, so a re-run ends with exactly the
source's rows.
"""

import struct
from datetime import datetime


from services.common import access
from services.common.caller import Caller
from services.common.errors import Forbidden, ValidationFailed
from services.contracts.conversations import IMPORTER

from . import model, rules, text
from .reminders import ESCALATION
from .records import Message, Thread

# The byte after an imported id's time: a thread's or a message's, never a native id's
# (whose five bytes there are the process's random value).
THREAD_TAG, MESSAGE_TAG = 0xC7, 0xCC


def imported_id(tag: int, at: datetime, cscart_id: int) -> str:
    """An ObjectId made of the record's time and CS-Cart's id: the same on every run, and in
    time order like every id here (pages of messages are kept in id order)."""
    return (struct.pack(">IB", int(at.timestamp()), tag) + cscart_id.to_bytes(7, "big")).hex()


def check_importer(caller: Caller) -> None:
    if caller.role != "system" or caller.user_id != IMPORTER:
        raise Forbidden("Only the import command brings history in.")


def import_threads(store, catalog, threads: list[dict]) -> dict:
    """Bring one batch over (contract.ImportBatch): each thread as far as its messages go."""
    stored: dict[str, Thread] = {
        thread["id"]: thread
        for thread in store.get_many(
            [imported_id(THREAD_TAG, item["created_at"], item["cscart_thread_id"]) for item in threads]
        )
    }
    # The contexts as of the import, one call a batch: the snapshot a thread keeps.
    objects = [item["object"] for item in threads if item["object"]["type"] != "none"]
    resolved = catalog.resolve_many(objects) if objects else {}
    summary = {"threads_created": 0, "threads_updated": 0, "messages": 0, "messages_cut": 0}
    moved, messages = [], []
    for item in threads:
        thread_id = imported_id(THREAD_TAG, item["created_at"], item["cscart_thread_id"])
        thread = stored.get(thread_id)
        taken = thread.get("cscart", {}).get("last_message_id", 0) if thread else 0
        new = sorted(
            (m for m in item["messages"] if m["cscart_message_id"] > taken), key=lambda m: m["cscart_message_id"]
        )
        if thread is not None and not new:
            continue  # nothing since the last run
        if thread is None:
            thread = _new_thread(item, thread_id, resolved.get(f"{item['object']['type']}:{item['object']['id']}"))
            summary["threads_created"] += 1
        else:
            summary["threads_updated"] += 1
        for row in new:
            message, cut = _message(thread, row)
            summary["messages_cut"] += cut
            rules.after_message(thread, row["side"], message["created_at"]).apply_to(thread, message)
            messages.append(message)
        if new:
            thread["cscart"]["last_message_id"] = new[-1]["cscart_message_id"]
        _as_cscart_shows_it(thread, item)
        moved.append(thread)
    store.import_history(moved, messages)
    summary["messages"] = len(messages)
    return summary


def _new_thread(item: dict, thread_id: str, resolved: dict | None) -> Thread:
    target = {"type": item["object"]["type"], "id": item["object"]["id"]}
    customer = item["customer"] if item["type"] == access.VENDOR_TO_CUSTOMER else None
    plan = {
        "type": item["type"],
        "group": access.group_of(item["type"], target["type"]),
        "object": target,
        "company_id": item["company_id"],
        "customer_id": customer["id"] if customer else None,
        "customer": customer,
        "subject": _subject(item, target, resolved)[: rules.SUBJECT_MAX],
    }
    thread = model.new_thread(plan, None, resolved, item["created_at"], thread_id)
    thread["cscart"] = {
        "thread_id": item["cscart_thread_id"],
        "object_type": item["cscart_object_type"],
        "missing": list(item["missing"]),
        "last_message_id": 0,
    }
    return thread


def _subject(item: dict, target: dict, resolved: dict | None) -> str:
    """CS-Cart's subject, else the one a new thread would be given; an object that no longer
    exists is named by its id, a thread about nothing by its CS-Cart number."""
    if item["subject"].strip():
        return item["subject"].strip()
    if target["type"] == "none":
        return f"Conversation #{item['cscart_thread_id']}"
    return rules.derived_subject(target, resolved)


def _message(thread: Thread, row: dict) -> tuple[Message, bool]:
    """The message as posted now, without events to publish: no relay ever picks it up."""
    body, cut = row["body"], False
    if len(body.strip()) > text.BODY_MAX:  # CS-Cart kept longer ones: cut, counted, not refused
        body, cut = body.strip()[: text.BODY_MAX], True
    try:
        prepared = text.prepare(body, required=False)
    except ValidationFailed:  # markup with no text (an image alone): shown empty, as it would be
        prepared = {"body": "", "text": "", "words": []}
    author = row["author"]
    caller = Caller(
        user_id=author["id"] or "",
        role=row["side"],
        company_id=thread.get("company_id"),
        name=author["name"],
        email=author["email"],
    )
    at = row["created_at"]
    message = model.new_message(
        thread, caller, prepared, at, [], imported_id(MESSAGE_TAG, at, row["cscart_message_id"])
    )
    message.pop("relay_after")
    message["cscart"] = {"message_id": row["cscart_message_id"]}
    return message, cut


def _as_cscart_shows_it(thread: Thread, item: dict) -> None:
    """Read state, deletion and reminders as CS-Cart left them.

    `V`: every side has seen the last message. `N`: the sides that did not write it have it
    unread (the counts the messages made). `D`: deleted, kept for the administration."""
    last = thread.get("last_message")
    if item["status"] == "V" and last is not None:
        for side in rules.sides(thread["type"]):
            thread["unread"][side] = 0
            thread["read_at"][side] = thread["last_message_at"]
    if item["status"] == "D":
        thread["status"] = "deleted"
    if thread.get("awaiting_reply_from") == "vendor":
        thread["reminded_level"] = ESCALATION  # history is never reminded; a new wait is
