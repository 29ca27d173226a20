"""A thread as the caller may reach it: what it may not see does not exist for it."""
from services.common import access
from services.common.caller import Caller
from services.common.errors import Forbidden, NotFound


def visible(store, caller: Caller, thread_id: str) -> dict:
    thread = store.get(thread_id)
    if thread is None or not access.may_view(caller, thread):
        raise NotFound("No such thread.")
    return thread


def writable(store, caller: Caller, thread_id: str) -> dict:
    thread = visible(store, caller, thread_id)
    if not access.may_write(caller, thread):
        raise Forbidden("You may read this thread but not write in it.")
    return thread
