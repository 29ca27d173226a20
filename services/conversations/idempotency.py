"""Idempotency-Key: a retry with the same key and caller returns the first answer, or, when the
first attempt never finished (its caller got a 503), finishes the work with the same ids."""

import hashlib
import json
from datetime import timedelta

from services.common.clock import new_id, now
from services.common.errors import Conflict

# A request under an Idempotency-Key that has not finished after the gateway's RPC timeout was
# given up by its caller (or its process died): a retry may then do the work again. That is
# safe at any time, since the work writes the same ids again (Ids); waiting this long only
# keeps two live attempts of one request from racing each other.
PENDING_KEY_GRACE = timedelta(seconds=10)


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
        return {
            "thread": self.thread,
            "message": self.message,
            "parts": [[name, value] for name, value in self.parts.items()],
        }

    @classmethod
    def from_stored(cls, stored: dict) -> "Ids":
        return cls(stored["thread"], stored["message"], dict(stored.get("parts", [])))


def once(store, caller, key, request, work, replay, remember, parts=()):
    """`work(ids)` once per Idempotency-Key: `replay` turns what `remember` kept of the first
    answer back into an answer for a retry."""
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
