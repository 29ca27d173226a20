"""The one clock and the one id scheme.

Times are UTC and cut to milliseconds, because MongoDB stores milliseconds: a time that goes
in comes back equal, so comparisons and cursors built from stored times stay exact.

Ids are 24 hex digits in MongoDB's ObjectId layout (any server and any reader take them as
text): 4 bytes of seconds, 5 random bytes drawn once per process, a 3-byte counter. So they
sort by creation time, which keyset pagination relies on, and two processes never collide.
"""

import hashlib
import itertools
import os
import time
from datetime import datetime, timezone
from typing import overload

# (pid, random bytes): drawn again in a forked process (gunicorn's workers), as bson does.
_process: tuple[int, bytes] = (0, b"")
# itertools.count's next() is one C call: atomic between threads and green threads alike.
_counter = itertools.count(int.from_bytes(os.urandom(3), "big"))


def now() -> datetime:
    moment = datetime.now(timezone.utc)
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000)


def new_id() -> str:
    global _process
    if _process[0] != os.getpid():
        _process = (os.getpid(), os.urandom(5))
    number = next(_counter) & 0xFFFFFF
    return (int(time.time()).to_bytes(4, "big") + _process[1] + number.to_bytes(3, "big")).hex()


def derived_id(at: datetime, seed: str, number: int) -> str:
    """The same id for the same (seed, number), in the same scheme and time order as new_id:
    work that is redone after a crash writes the same documents again (refused as
    duplicates) instead of new ones. Up to 16,777,216 numbers a seed."""
    salt = hashlib.sha256(seed.encode()).digest()[:5]
    return (int(at.timestamp()).to_bytes(4, "big") + salt + number.to_bytes(3, "big")).hex()


# A time gives its text, always; only None gives None.
@overload
def isoformat(moment: datetime) -> str: ...
@overload
def isoformat(moment: None) -> None: ...
@overload
def isoformat(moment: datetime | None) -> str | None: ...
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
