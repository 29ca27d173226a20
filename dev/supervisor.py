"""Keeps the Procfile's processes running for `make run`: one that exits is started again.

Each process's output reaches this one's stdout, every line after the process's name. When one
exits, a loud line says so and it starts again after a delay that doubles from `first_delay` up
to `longest_delay`, and falls back to `first_delay` once the process has stayed up
`steady_after` seconds; the others keep running. SIGINT or SIGTERM stops them all: SIGTERM to
each one's session, SIGKILL after 20 s (dev/processes.py).

    python -m dev.supervisor [Procfile]
"""

import itertools
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import TextIO

from .processes import Processes
from .procfile import ROOT, processes

SELF = "supervisor"
COLOURS = ["36", "33", "32", "35", "34", "31"]


class Supervisor(Processes):
    def __init__(
        self,
        env: dict,
        commands: dict | None = None,
        output: TextIO = sys.stdout,
        first_delay: float = 1.0,
        longest_delay: float = 30.0,
        steady_after: float = 60.0,
    ):
        # A Python child writes a pipe in blocks unless unbuffered: its lines would arrive late.
        super().__init__({**env, "PYTHONUNBUFFERED": "1"}, log_dir=None, commands=commands)
        self.output = output
        self.first_delay, self.longest_delay, self.steady_after = first_delay, longest_delay, steady_after
        self.stopping = threading.Event()
        self.started_at = {}
        self.quick_exits = dict.fromkeys(self.commands, 0)
        self.restarts = dict.fromkeys(self.commands, 0)
        self.restart_at = {}
        self.printing = threading.Lock()
        names = [SELF, *self.commands]
        width = max(map(len, names))
        colours = itertools.cycle(COLOURS) if output.isatty() else itertools.repeat(None)
        self.labels = {name: label(name.ljust(width), colour) for name, colour in zip(names, colours)}
        self.alarm = "\033[1;31m{}\033[0m" if output.isatty() else "{}"

    def start(self, *names):
        for name in names or self.commands:
            process = self.launch(name, subprocess.PIPE)
            self.running[name], self.started_at[name] = process, time.monotonic()
            self.say(SELF, f"{name} started (pid {process.pid})")
            threading.Thread(target=self.relay, args=(name, process.stdout), daemon=True).start()

    def run(self):
        """`supervise` until SIGINT or SIGTERM; from the main thread, where signals arrive."""
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, lambda *_: self.stopping.set())
        self.supervise()

    def supervise(self):
        """Starts them all and restarts each that exits until `stopping` is set, then stops them."""
        self.start()
        try:
            while not self.stopping.wait(0.1):
                self.restart_exited()
        finally:
            self.stop()

    def restart_exited(self):
        now = time.monotonic()
        for name, process in list(self.running.items()):
            if process.poll() is not None:
                del self.running[name]
                self.schedule_restart(name, process, now)
        for name, due in list(self.restart_at.items()):
            if due <= now:
                del self.restart_at[name]
                self.start(name)

    def schedule_restart(self, name: str, process: subprocess.Popen, now: float):
        try:
            # What it left in its session (gunicorn's workers) would hold the port it restarts on.
            os.killpg(process.pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
        if now - self.started_at[name] >= self.steady_after:
            self.quick_exits[name] = 0
        delay = min(self.first_delay * 2 ** self.quick_exits[name], self.longest_delay)
        self.quick_exits[name] += 1
        self.restarts[name] += 1
        self.restart_at[name] = now + delay
        self.say(
            SELF,
            self.alarm.format(
                f"*** {name} {ending(process.returncode)}; restarting in {delay:g} s (restart {self.restarts[name]})"
            ),
        )

    def relay(self, name: str, stream):
        with stream:
            for line in stream:
                self.say(name, line.decode(errors="replace").rstrip("\n"))

    def say(self, name: str, text: str):
        with self.printing:
            self.output.write(self.labels[name] + text + "\n")
            self.output.flush()


def label(name: str, colour: str | None) -> str:
    return f"\033[{colour}m{name} |\033[0m " if colour else f"{name} | "


def ending(returncode: int) -> str:
    if returncode >= 0:
        return f"exited with code {returncode}"
    try:
        return f"was killed by {signal.Signals(-returncode).name}"
    except ValueError:  # a real-time signal has no name
        return f"was killed by signal {-returncode}"


if __name__ == "__main__":
    Supervisor({}, processes(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "Procfile")).run()
