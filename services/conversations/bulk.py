"""One answer, or one deletion, for many threads at once (the Message Center's bulk actions)."""

from services.common.caller import Caller
from services.common.clock import now
from services.common.errors import Conflict, Forbidden, NotFound

from . import idempotency, limits, moderation, text
from .lookup import writable
from .messages import append
from .threads import delete_thread


def bulk(
    store,
    outbox,
    caller: Caller,
    action: str,
    thread_ids: list[str],
    body: str | None,
    idempotency_key: str | None,
    allowed: limits.Limits,
) -> dict:
    prepared = text.prepare(body) if action == "reply" else None
    screening = moderation.Rules.current(store, allowed.marketplace_domains) if action == "reply" else None

    def work(ids):
        results = []
        for thread_id in dict.fromkeys(thread_ids):
            try:
                if action == "delete":
                    delete_thread(store, caller, thread_id, allowed.files)
                    results.append({"thread_id": thread_id, "status": 200, "outcome": "deleted", "message_id": None})
                else:
                    # The contract lets only "delete" and "reply" through: a reply was prepared above.
                    assert prepared is not None and screening is not None
                    thread = writable(store, caller, thread_id)
                    limits.message(store, allowed, caller, now())
                    _, message = append(store, outbox, caller, thread, prepared, ids.part(thread_id), screening)
                    # A reply held for review (moderation.py) is stored, not yet delivered.
                    results.append(
                        {
                            "thread_id": thread_id,
                            "status": 201,
                            "outcome": "held" if moderation.withheld(message) else "replied",
                            "message_id": message["id"],
                        }
                    )
            except (NotFound, Forbidden, Conflict) as error:
                results.append(
                    {"thread_id": thread_id, "status": error.status, "outcome": error.code, "message_id": None}
                )
        return {"results": results}

    return idempotency.once(
        store,
        caller,
        idempotency_key,
        ["bulk", action, thread_ids, body],
        work,
        lambda result: result,
        lambda answer: answer,
        parts=dict.fromkeys(thread_ids),
    )
