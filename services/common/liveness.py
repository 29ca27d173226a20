"""Liveness for a nameko service: a heartbeat file that a green thread of its own keeps touching.

Kubernetes restarts a pod whose liveness probe fails. A restart cures a stuck process, never a
broker or a database that is away, so liveness must not ask either of them (readiness does).
A fresh heartbeat shows that the process's event loop still turns, which is what liveness
means; `python -m services.common.probe --alive` reads its age.
"""

import logging
from pathlib import Path

from eventlet.event import Event
from nameko.extensions import DependencyProvider

from .config import load_settings

log = logging.getLogger(__name__)

# Well inside the probe's default max age (services/common/probe.py): a few late beats pass.
DEFAULT_INTERVAL = 5.0


class Heartbeat(DependencyProvider):  # type: ignore[misc]  # nameko ships no types: its base is Any
    def __init__(self, interval: float = DEFAULT_INTERVAL) -> None:
        self.interval = interval
        self.heartbeat_file: Path | None = None
        self.stopping = Event()

    def setup(self) -> None:
        self.heartbeat_file = Path(load_settings(self.container.config).LIVENESS_FILE)

    def start(self) -> None:
        self.container.spawn_managed_thread(self.beat, identifier="heartbeat")

    def beat(self) -> None:
        heartbeat_file = self.heartbeat_file
        assert heartbeat_file is not None  # nameko runs setup() before start() spawns this
        # An exception here would kill the container: a file that cannot be touched is logged,
        # and the probe, seeing the heartbeat stale, has the pod restarted.
        while not self.stopping.ready():
            try:
                heartbeat_file.touch()
            except OSError as error:
                log.warning("cannot touch the heartbeat file: %s", error)
            self.stopping.wait(self.interval)

    def stop(self) -> None:
        # Asks rather than kills the green thread: nameko runs kill() inside a managed thread
        # that raised, and a thread killing itself there leaves the container never dead.
        if not self.stopping.ready():
            self.stopping.send()

    def kill(self) -> None:
        self.stop()
