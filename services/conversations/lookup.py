"""A thread as the caller may reach it: what it may not see does not exist for it."""

from services.common import access
from services.common.caller import Caller
from services.common.errors import Conflict, Forbidden, NotFound
from .records import Thread


def visible(store, caller: Caller, thread_id: str) -> Thread:
    thread = store.get(thread_id)
    if thread is None or not access.may_view(caller, thread):
        raise NotFound("No such thread.")
    return thread


def writable(store, caller: Caller, thread_id: str) -> Thread:
    thread = visible(store, caller, thread_id)
    if not access.may_write(caller, thread):
        raise Forbidden("You may read this thread but not write in it.")
    under_review(thread)
    return thread


def under_review(thread: Thread) -> None:
    """A conversation whose first message waits for review, or was rejected, takes nothing more:
    the other side would not see it (services/conversations/moderation.py)."""
    review = thread.get("review")
    if review:
        raise Conflict(
            "This conversation waits for the administration's review."
            if review["state"] == "held"
            else "This conversation was not accepted by the administration."
        )
