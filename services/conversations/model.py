"""A thread and a message (records.py), made in one place: by the use cases, and by the
bench's dataset (bench/dataset.py), which must write exactly what the service writes."""

from datetime import datetime, timedelta
from typing import Any, cast

from services.common.caller import Caller

from . import rules, text
from .ports import last_message
from .records import Message, Thread

MARKETPLACE_NAME = "Marketplace"
# A message whose event was not published inline is published by the relay after this.
RELAY_GRACE = timedelta(seconds=10)


def new_thread(
    plan: dict[str, Any], key: str | None, resolved: dict[str, Any] | None, at: datetime, thread_id: str
) -> Thread:
    """A thread as planned (rules.plan_thread), before its first message."""
    # The plan's fields are a thread's (type, group, object, parties, subject).
    thread = cast(Thread, {"id": thread_id, **plan})
    thread.update(
        {
            "status": "open",
            "created_at": at,
            "updated_at": at,
            "last_message_at": at,
            "context": resolved["summary"] if resolved else None,
            "context_snapshot": resolved["context"] if resolved else None,
            "unread": {side: 0 for side in rules.sides(plan["type"])},
            "read_at": {},
            "message_count": 0,
            "awaiting_reply_from": None,
            "awaiting_since": None,
        }
    )
    if key:
        thread["open_key"] = key
    return thread


def new_message(
    thread: Thread, caller: Caller, prepared: dict[str, Any], at: datetime, events: list[str], message_id: str
) -> Message:
    """A message of `caller` in `thread`, holding the names of the events still to publish."""
    # The administration speaks as the marketplace, never as one of its staff.
    name = MARKETPLACE_NAME if caller.is_admin else caller.name
    return {
        "id": message_id,
        "thread_id": thread["id"],
        "created_at": at,
        # The thread's owners, so that a search reads only the messages in the caller's reach.
        "company_id": thread.get("company_id"),
        "customer_id": thread.get("customer_id"),
        "author": {"side": caller.side, "user_id": caller.user_id, "name": name, "email": caller.email},
        "body": prepared["body"],
        "text": prepared["text"],
        "preview": text.preview(prepared["text"]),
        "words": prepared["words"],
        "pending_events": events,
        "relay_after": at + RELAY_GRACE,
        "attachments": [],
    }


def with_text(message: Message, prepared: dict[str, Any]) -> None:
    """The message's words as delivered: the moderation may have masked what was written."""
    message.update(
        {
            "body": prepared["body"],
            "text": prepared["text"],
            "preview": text.preview(prepared["text"]),
            "words": prepared["words"],
        }
    )


def with_attachments(message: Message, files: list[dict[str, Any]]) -> None:
    """A message's files (attachment_files.described): search finds their names' words, and a
    message of files alone is previewed by their names."""
    if not files:
        return
    message["attachments"] = files
    names = [file["name"] for file in files]
    message["words"] = list(dict.fromkeys(message["words"] + text.words(" ".join(names))))[: text.MAX_WORDS]
    if not message["text"].strip():
        message["preview"] = text.preview(", ".join(names))


def withheld(message: Message, hidden_from: list[str]) -> None:
    """A message held for the administration's review (moderation.py): hidden from the sides
    it was written to, no events to publish and no search words until it is approved."""
    message.update(
        {"moderation": {"state": "held"}, "hidden_from": list(hidden_from), "pending_events": [], "words": []}
    )
    message.pop("relay_after", None)


def withheld_thread(thread: Thread, message: Message, hidden_from: list[str]) -> None:
    """A new thread whose first message is held: its author's side (and the administration)
    see it with that message as its last, and no later question joins it (no open key) until
    the message is approved."""
    thread.pop("open_key", None)
    thread.update(
        {"hidden_from": list(hidden_from), "review": {"state": "held"}, "last_message": last_message(message)}
    )
