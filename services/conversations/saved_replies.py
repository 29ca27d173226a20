"""Saved replies: answers a vendor's staff (or the administration) write once and send many
times, with placeholders filled from the thread they are used in.

A vendor company's replies are shared by all its staff; the administration keeps its own.
Whose they are is access.saved_replies_owner's to say; a reply of another owner does not exist
for the caller (404), as a thread it may not see does not.

Using one: the reply box inserts the filled text (`fill`, counts nothing: a person may still
edit it or not send it), and the message that is sent names the reply (`saved_reply_id`), which
counts the use once per message sent (`compose` + `count_use`)."""

from dataclasses import dataclass

from services.common import access
from services.common.caller import Caller
from services.common.clock import new_id, now
from services.common.errors import Forbidden, NotFound, Unavailable, ValidationFailed

from . import placeholders
from .lookup import writable
from .records import Thread


@dataclass(frozen=True)
class Bounds:
    per_owner: int
    body_max: int

    @classmethod
    def from_settings(cls, settings) -> "Bounds":
        return cls(settings.SAVED_REPLIES_PER_OWNER, settings.SAVED_REPLY_BODY_MAX)


def _owner(caller: Caller) -> str:
    owner = access.saved_replies_owner(caller)
    if owner is None:
        raise Forbidden("Saved replies are kept by vendors' staff and the administration.")
    return owner


def listed(store, caller: Caller, bounds: Bounds) -> dict:
    return {"items": [shown(reply) for reply in store.saved_replies(_owner(caller))], "most": bounds.per_owner}


def create(store, caller: Caller, bounds: Bounds, request: dict) -> dict:
    owner = _owner(caller)
    body = _checked_body(request["body"], bounds)
    at = now()
    reply = {
        "_id": new_id(),
        "owner": owner,
        "title": _checked_title(request["title"]),
        "body": body,
        "placeholders": placeholders.check(body),
        "use_count": 0,
        "last_used_at": None,
        "created_at": at,
        "updated_at": at,
        "created_by": caller.user_id,
    }
    if not store.insert_saved_reply(reply, bounds.per_owner):
        raise ValidationFailed(
            f"At most {bounds.per_owner} saved replies are kept; delete one first.",
            {"_schema": [f"At most {bounds.per_owner} saved replies."]},
        )
    return shown(reply)


def update(store, caller: Caller, bounds: Bounds, reply_id: str, request: dict) -> dict:
    owner = _owner(caller)
    changes: dict[str, object] = {"updated_at": now()}
    if "title" in request:
        changes["title"] = _checked_title(request["title"])
    if "body" in request:
        changes["body"] = _checked_body(request["body"], bounds)
        changes["placeholders"] = placeholders.check(str(changes["body"]))
    updated = store.update_saved_reply(reply_id, owner, changes)
    if updated is None:
        raise NotFound("No such saved reply.")
    return shown(updated)


def delete(store, caller: Caller, reply_id: str) -> None:
    if not store.delete_saved_reply(reply_id, _owner(caller)):
        raise NotFound("No such saved reply.")


def fill(store, catalog, caller: Caller, reply_id: str, thread_id: str) -> dict:
    """The reply's text for one thread, for the reply box: what is unfilled is left as written."""
    reply, thread = _reply_for(store, caller, reply_id, thread_id)
    text, unfilled = placeholders.fill(reply["body"], _values(catalog, thread))
    return {"saved_reply_id": reply["_id"], "thread_id": thread["id"], "text": text, "unfilled": unfilled}


def compose(store, catalog, caller: Caller, thread_id: str, request: dict) -> str:
    """The body of a message that names a saved reply. Given a body too (the person edited what
    the reply box inserted), that body is sent; otherwise the reply filled from the thread,
    refused (422) when the thread has no value for one of its placeholders: a customer must
    never read `{order_status}`."""
    reply, thread = _reply_for(store, caller, request["saved_reply_id"], thread_id)
    if request.get("body"):
        return request["body"]
    text, unfilled = placeholders.fill(reply["body"], _values(catalog, thread))
    if unfilled:
        listed_names = ", ".join("{" + name + "}" for name in unfilled)
        message = f"This conversation has no value for {listed_names}; edit the reply before sending it."
        raise ValidationFailed(message, {"saved_reply_id": [message], "placeholders": unfilled})
    return text


def count_use(store, reply_id: str, message: dict) -> None:
    """Once per message sent: a request done again (an Idempotency-Key retried) counts nothing."""
    store.count_reply_use(reply_id, message["id"], now())


def _reply_for(store, caller: Caller, reply_id: str, thread_id: str) -> tuple[dict, Thread]:
    owner = _owner(caller)
    thread = writable(store, caller, thread_id)
    reply = store.get_saved_reply(reply_id, owner)
    if reply is None:
        raise NotFound("No such saved reply.")
    return reply, thread


def _values(catalog, thread: Thread) -> dict:
    """The thread's placeholder values, from the catalog as it is now; what the catalog cannot
    give now, the context kept with the thread stands in for (placeholders.values)."""
    live = vendor = None
    if thread["object"]["type"] != "none":
        try:
            live = catalog.resolve(thread["object"]["type"], thread["object"]["id"])
        except (NotFound, Unavailable):
            live = None
    if thread.get("company_id"):
        try:
            vendor = catalog.get_vendor(thread["company_id"])
        except (NotFound, Unavailable):
            vendor = None
    return placeholders.values(thread, live, vendor)


def _checked_title(title: str) -> str:
    if not title.strip():
        raise ValidationFailed("A saved reply needs a title.", {"title": ["Must not be blank."]})
    return title.strip()


def _checked_body(body: str, bounds: Bounds) -> str:
    trimmed = body.strip()
    if not trimmed:
        raise ValidationFailed("A saved reply needs a body.", {"body": ["Must not be blank."]})
    if len(trimmed) > bounds.body_max:
        message = f"At most {bounds.body_max} characters."
        raise ValidationFailed("The saved reply is too long.", {"body": [message]})
    return trimmed


def shown(reply: dict) -> dict:
    return {
        "id": reply["_id"],
        **{
            name: reply.get(name)
            for name in ("title", "body", "placeholders", "use_count", "last_used_at", "created_at", "updated_at")
        },
    }
