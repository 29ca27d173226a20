"""Stored documents → what an answer says, in the contract's field names, times as datetimes.

These are not the wire form: the service dumps them once, with the contract's answer schema
(services/conversations/service.py), which writes the times and leaves out whatever the
contract does not name. The events' payloads (`event`) are the one wire form made here.
"""

import functools

from services.common import attachment_urls
from services.common.clock import isoformat
from services.common.config import load_settings
from services.common.moments import Moment

from . import rules
from .records import Message, Thread


def message(message: Message) -> dict:
    return {
        "id": message["id"],
        "thread_id": message["thread_id"],
        "author": {key: message["author"].get(key) for key in ("side", "user_id", "name")},
        "automatic": bool(message.get("automatic")),
        "body": message["body"],
        "text": message["text"],
        "created_at": message["created_at"],
        "attachments": [attachment(file) for file in message.get("attachments") or []],
        "moderation": note(message.get("moderation")),
    }


def note(moderation: dict | None) -> dict | None:
    """What a message's or a thread's moderation shows its readers: its state, and a
    rejection's reason (never the original, which is the administration's: `review`)."""
    if not moderation:
        return None
    return {"state": moderation["state"], "reason": moderation.get("reason")}


def attachment(file: dict) -> dict:
    """A message's file with its links, signed for 5 minutes: a message is shown only to whom
    may read its thread, and an <img> cannot send a token."""
    key = _url_key()
    return {
        "id": file["id"],
        "name": file["name"],
        "size": file["size"],
        "content_type": file["content_type"],
        "url": attachment_urls.signed_path(key, file["id"]),
        "thumbnail_url": attachment_urls.signed_path(key, file["id"], "thumbnail") if file.get("thumbnail") else None,
    }


@functools.cache
def _url_key() -> str:
    # The process's settings, read once; the service checked the key's strength as it started
    # (dependencies.AttachmentKey).
    return attachment_urls.url_key(load_settings())


def summary(thread: Thread, side: str) -> dict:
    last = thread.get("last_message")
    return {
        "id": thread["id"],
        "type": thread["type"],
        "status": thread["status"],
        "object": thread["object"],
        "company_id": thread.get("company_id"),
        "customer_id": thread.get("customer_id"),
        # Kept in the staff's list whoever wrote last (the last author's name is not theirs).
        "customer_name": (thread.get("customer") or {}).get("name") if side != "customer" else None,
        "subject": rules.subject_for(thread, side),
        "created_at": thread["created_at"],
        "last_message_at": thread["last_message_at"],
        "last_message": {
            "id": last["id"],
            "author": {key: last["author"].get(key) for key in ("side", "user_id", "name")},
            "preview": last["preview"],
        }
        if last
        else None,
        "unread_count": thread.get("unread", {}).get(side, 0),
        "awaiting_reply_from": thread.get("awaiting_reply_from"),
        "awaiting_since": thread.get("awaiting_since"),
        "overdue": bool(thread.get("overdue")),
        "context": thread.get("context"),
        "broadcast_id": thread.get("broadcast_id"),
        "moderation": note(thread.get("review")),
    }


def detail(
    thread: Thread, side: str, live: dict | None, changes: list, messages: list, next_before, addresses: bool = True
) -> dict:
    """`addresses`: whether the other party's e-mail address is shown (rules.shows_addresses)."""
    shown = summary(thread, side)
    shown.update(
        {
            "customer": _without_address(thread.get("customer"), addresses),
            "context": _context_shown(live["context"] if live else (thread.get("context_snapshot") or {}), addresses),
            "context_snapshot": _context_shown(thread.get("context_snapshot"), addresses),
            "context_changes": [change for change in changes if addresses or not _is_address(change["field"])],
            "context_as_of": _as_of(live),
            "read_at": dict(thread.get("read_at") or {}),
            "messages": {"items": [message(doc) for doc in messages], "next_before": next_before},
        }
    )
    return shown


def _without_address(person: dict | None, addresses: bool) -> dict | None:
    if person is None or addresses:
        return person
    return {**person, "email": ""}


def _context_shown(context: dict | None, addresses: bool) -> dict | None:
    """The context without the parties' addresses: the vendor's (a store) and the customer's
    (an order)."""
    if not context or addresses:
        return context
    shown = {**context}
    if "email" in shown:
        shown["email"] = ""
    if isinstance(shown.get("customer"), dict):
        shown["customer"] = _without_address(shown["customer"], False)
    return shown


def _is_address(field: str) -> bool:
    return field == "email" or field.endswith(".email")


def _as_of(live: dict | None):
    """The catalog answers in its wire form: its time is loaded, to be written once more."""
    written = live.get("as_of") if live else None
    return None if written is None else Moment().deserialize(written)


def event_thread(thread: Thread) -> dict:
    """The thread as every event about it shows it to notifiers."""
    return {
        "id": thread["id"],
        "type": thread["type"],
        "status": thread["status"],
        "subject": thread["subject"],
        "object": thread["object"],
        "company_id": thread.get("company_id"),
        "customer": thread.get("customer"),
        "context": thread.get("context"),
    }


def event(thread: Thread, message_doc: Message) -> dict:
    """The payload of `thread_started` and `message_posted`: what a notifier needs to know."""
    return {
        "thread": event_thread(thread),
        "message": {
            "id": message_doc["id"],
            "thread_id": message_doc["thread_id"],
            "author": message_doc["author"],
            "text": message_doc["text"],
            "body": message_doc["body"],
            "created_at": isoformat(message_doc["created_at"]),
            # What the files are, never links: a mail or a webhook outlives a 5-minute link.
            "attachments": [
                {key: file[key] for key in ("id", "name", "size", "content_type")}
                for file in message_doc.get("attachments") or []
            ],
        },
        "broadcast_id": thread.get("broadcast_id"),
    }


def read_event(thread: Thread, side: str, at) -> dict:
    """The payload of `thread_read`: which side read the thread, up to when."""
    return {"thread": event_thread(thread), "side": side, "read_at": isoformat(at)}


def review(doc: dict, thread: Thread | None) -> dict:
    """A moderated message as the administration reviews it: as written, and where its details are."""
    return {
        "message_id": doc["_id"],
        "thread_id": doc["thread_id"],
        "state": doc["state"],
        "direction": doc["direction"],
        "author": doc["author"],
        "text": doc["text"],
        "found": doc["found"],
        "created_at": doc["created_at"],
        "decision": doc.get("decision"),
        "thread": _reviewed_thread(thread) if thread else None,
    }


def _reviewed_thread(thread: Thread) -> dict:
    return {
        "id": thread["id"],
        **{key: thread.get(key) for key in ("type", "status", "subject", "object", "company_id", "customer_id")},
    }
