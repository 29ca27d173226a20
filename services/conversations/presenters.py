"""Stored documents → the contract's shapes (plain, JSON-ready dicts for RPC)."""
from services.common.clock import isoformat


def message(doc: dict) -> dict:
    return {
        "id": doc["_id"],
        "thread_id": doc["thread_id"],
        "author": {key: doc["author"].get(key) for key in ("side", "user_id", "name")},
        "body": doc["body"],
        "text": doc["text"],
        "created_at": isoformat(doc["created_at"]),
    }


def summary(thread: dict, side: str) -> dict:
    last = thread.get("last_message")
    return {
        "id": thread["_id"],
        "type": thread["type"],
        "status": thread["status"],
        "object": thread["object"],
        "company_id": thread.get("company_id"),
        "customer_id": thread.get("customer_id"),
        "subject": thread["subject"],
        "created_at": isoformat(thread["created_at"]),
        "last_message_at": isoformat(thread["last_message_at"]),
        "last_message": {
            "id": last["id"],
            "author": {key: last["author"].get(key) for key in ("side", "user_id", "name")},
            "preview": last["preview"],
        } if last else None,
        "unread_count": thread.get("unread", {}).get(side, 0),
        "awaiting_reply_from": thread.get("awaiting_reply_from"),
        "awaiting_since": isoformat(thread.get("awaiting_since")),
        "context": thread.get("context"),
        "broadcast_id": thread.get("broadcast_id"),
    }


def detail(thread: dict, side: str, live: dict | None, changes: list, messages: list, next_before) -> dict:
    shown = summary(thread, side)
    shown.update({
        "customer": thread.get("customer"),
        "context": live["context"] if live else (thread.get("context_snapshot") or {}),
        "context_snapshot": thread.get("context_snapshot"),
        "context_changes": changes,
        "context_as_of": live.get("as_of") if live else None,
        "read_at": {name: isoformat(at) for name, at in (thread.get("read_at") or {}).items()},
        "messages": {"items": [message(doc) for doc in messages], "next_before": next_before},
    })
    return shown


def event(thread: dict, message_doc: dict) -> dict:
    """The payload of `thread_started` and `message_posted`: what a notifier needs to know."""
    return {
        "thread": {
            "id": thread["_id"], "type": thread["type"], "status": thread["status"],
            "subject": thread["subject"], "object": thread["object"],
            "company_id": thread.get("company_id"), "customer": thread.get("customer"),
            "context": thread.get("context"),
        },
        "message": {
            "id": message_doc["_id"], "thread_id": message_doc["thread_id"],
            "author": message_doc["author"], "text": message_doc["text"], "body": message_doc["body"],
            "created_at": isoformat(message_doc["created_at"]),
        },
        "broadcast_id": thread.get("broadcast_id"),
    }
