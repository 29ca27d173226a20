"""How much one person may send: conversations started, messages posted, files uploaded,
unknown objects asked about. A hostile or broken client is stopped with 429 and a time to come back, before it costs
the others anything.

Counted per fixed window in the database (the store's count_toward), so the limits hold across
every replica of the service. The storefront's sync (`system`) is never limited; 0 turns a
limit off.
"""

import math
from dataclasses import dataclass
from datetime import datetime, timezone

from prometheus_client import Counter

from services.common.caller import Caller
from services.common.errors import RateLimited

from .attachments import Policy, within_quota
from .moderation import own_domains

HOUR, MINUTE = 3600, 60
REFUSED = Counter("message_center_rate_limited_total", "Requests refused with 429, by limit", ["limit"])


@dataclass(frozen=True)
class Limits:
    threads_per_hour: int
    messages_per_minute_customer: int
    messages_per_minute_staff: int
    unknown_lookups_per_minute: int
    uploads_per_minute: int = 0
    files: Policy = Policy()  # files a message carries, and how long unused and deleted ones stay
    # What a message may link to without it being a contact detail (moderation.py).
    marketplace_domains: tuple[str, ...] = ()

    @classmethod
    def from_settings(cls, settings) -> "Limits":
        return cls(
            settings.LIMIT_THREADS_PER_HOUR,
            settings.LIMIT_MESSAGES_PER_MINUTE_CUSTOMER,
            settings.LIMIT_MESSAGES_PER_MINUTE_STAFF,
            settings.LIMIT_UNKNOWN_LOOKUPS_PER_MINUTE,
            settings.UPLOADS_PER_MINUTE,
            Policy.from_settings(settings),
            own_domains(settings),
        )


def new_thread(store, limits: Limits, caller: Caller, at: datetime) -> None:
    """A customer starting a conversation (staff answer more than they start)."""
    if caller.role == "customer":
        _count(
            store,
            "threads",
            caller,
            limits.threads_per_hour,
            HOUR,
            at,
            "You have started many conversations in the last hour.",
        )


def message(store, limits: Limits, caller: Caller, at: datetime) -> None:
    allowed = limits.messages_per_minute_customer if caller.role == "customer" else limits.messages_per_minute_staff
    _count(store, "messages", caller, allowed, MINUTE, at, "You are sending messages too fast.")


def admit_upload(store, limits: Limits, caller: Caller, size: int, at: datetime) -> None:
    """A file about to be judged and kept, by the API or from a mail: counted toward the uploads
    a minute (each is decoded and written, whatever becomes of it), then held to the quota of
    uploads no message carries yet (attachments.within_quota)."""
    _count(store, "uploads", caller, limits.uploads_per_minute, MINUTE, at, "You are uploading files too fast.")
    within_quota(store, caller, size, limits.files, at)


def before_lookup(store, limits: Limits, caller: Caller, at: datetime) -> None:
    """Asking about objects the catalog does not know (each may be pulled from the storefront)
    stops once a person has asked about too many in the window."""
    if _exempt(caller, limits.unknown_lookups_per_minute):
        return
    key, end = _key("unknown", caller, MINUTE, at)
    if store.limit_reached(key, limits.unknown_lookups_per_minute):
        REFUSED.labels("unknown").inc()
        raise _refusal("You have asked about too many unknown products or orders.", end, at)


def unknown_looked_up(store, limits: Limits, caller: Caller, at: datetime) -> None:
    if not _exempt(caller, limits.unknown_lookups_per_minute):
        key, end = _key("unknown", caller, MINUTE, at)
        store.count_toward(key, math.inf, end)


def _count(store, name: str, caller: Caller, allowed: int, seconds: int, at: datetime, why: str) -> None:
    if _exempt(caller, allowed):
        return
    key, end = _key(name, caller, seconds, at)
    if not store.count_toward(key, allowed, end):
        REFUSED.labels(name).inc()
        raise _refusal(why, end, at)


def _exempt(caller: Caller, allowed: int) -> bool:
    return allowed <= 0 or caller.role == "system"


def _key(name: str, caller: Caller, seconds: int, at: datetime) -> tuple[str, datetime]:
    start = math.floor(at.timestamp() / seconds) * seconds
    person = "|".join([caller.role, caller.company_id or "", caller.user_id])
    return f"{name}|{person}|{start}", datetime.fromtimestamp(start + seconds, timezone.utc)


def _refusal(why: str, end: datetime, at: datetime) -> RateLimited:
    retry_after = max(1, math.ceil((end - at).total_seconds()))
    return RateLimited(f"{why} Try again in {retry_after} s.", {"retry_after": retry_after})
