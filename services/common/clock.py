"""The one clock and the one id scheme.

Times are UTC and cut to milliseconds, because MongoDB stores milliseconds: a time that goes
in comes back equal, so comparisons and cursors built from stored times stay exact.
"""
import hashlib
from datetime import datetime, timezone

from bson import ObjectId


def now() -> datetime:
    moment = datetime.now(timezone.utc)
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000)


def new_id() -> str:
    # ObjectId strings sort by creation time, which keyset pagination relies on.
    return str(ObjectId())


def derived_id(at: datetime, seed: str, number: int) -> str:
    """The same id for the same (seed, number), in the same scheme and time order as new_id:
    work that is redone after a crash writes the same documents again (refused as
    duplicates) instead of new ones. Up to 16,777,216 numbers a seed."""
    salt = hashlib.sha256(seed.encode()).digest()[:5]
    return str(ObjectId(int(at.timestamp()).to_bytes(4, "big") + salt + number.to_bytes(3, "big")))


def isoformat(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def parse_iso(text: str) -> datetime:
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc)
