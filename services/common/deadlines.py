"""One service asking another within a deadline.

nameko's service-to-service RPC waits for ever. A service that is down or slow must instead
become a clear `Unavailable` (a 503 at the gateway; for notifications, an event tried again
later), never a request hanging until the gateway gives up, nor a process that exits.
"""

from collections.abc import Callable
from typing import TypeVar

import eventlet
from nameko.exceptions import UnknownService

from .config import Settings
from .errors import Unavailable

Answer = TypeVar("Answer")


def deadline(settings: Settings) -> float:
    """How long a service waits for another: half the gateway's RPC deadline, so the caller
    hears why (that service) before the gateway gives up on the whole request."""
    return settings.RPC_TIMEOUT / 2


def answered_in_time(service: str, timeout: float, call: Callable[[], Answer]) -> Answer:
    """`call()`'s answer; Unavailable, naming `service`, when it is not running or too slow."""
    failure = Unavailable(f"The {service} service did not answer in time; try again shortly.")
    try:
        with eventlet.Timeout(timeout, failure):
            return call()
    except UnknownService:
        raise Unavailable(f"The {service} service is not running; try again shortly.")
