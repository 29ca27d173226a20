"""The container `nameko run` hosts each service in (config.yml's SERVICE_CONTAINER_CLS).

nameko 2.14 starts a graceful stop on every SIGTERM. A second one while the first stop is under
way starts a second stop beside it: both ask the queue consumer to cancel the same RPC consumer,
one of the two waits for an answer that never comes, and the process never exits (seen when
`make run` was killed with SIGKILL: Linux sends the parent-death signal again as each of the
killed parent's threads ends, dev/parent.py). A second SIGTERM from an operator or a supervisor
does the same. Here a later stop waits for the one under way.
"""

from typing import Any

from eventlet.event import Event
from nameko.containers import ServiceContainer


class StoppedOnce(ServiceContainer):  # type: ignore[misc]  # nameko ships no types: its base is Any
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._stopped: Event | None = None

    def stop(self) -> None:
        if self._stopped is not None:
            self._stopped.wait()
            return
        self._stopped = Event()
        try:
            super().stop()
        finally:
            self._stopped.send()
