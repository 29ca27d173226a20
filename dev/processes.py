"""The system's processes as subprocesses, as `make run` starts them from the Procfile.

Each runs in a session of its own (so a stop reaches its children too) with its own log file,
on the PATH of this virtualenv, and ends with the process that started it, however that ends
(dev/parent.py). The test stack and the bench both start the system this way;
`make run` through the supervisor (dev/supervisor.py), which relays the output instead.
"""

import os
import shlex
import signal
import subprocess
import sys
import time
from pathlib import Path

import requests

from .parent import ended_with_this_one
from .procfile import ROOT, processes

GATEWAY_FACTORY = "gateway.app:create_app()"
DEMO_FACTORY = "dev.app:create_app()"


class Processes:
    def __init__(self, env: dict, log_dir: Path, commands: dict | None = None, own_env: dict | None = None):
        self.env = env
        self.own_env = own_env or {}  # a process's own settings, by name (the bench's metrics ports)
        self.log_dir = log_dir
        self.commands = commands or processes()
        if env.get("DEMO") == "1":
            # The demo pages are dev/'s: the gateway is started from dev/app.py's factory, which
            # wraps the Procfile's and adds them (the production gateway never imports dev/).
            self.commands = {
                name: command.replace(GATEWAY_FACTORY, DEMO_FACTORY) for name, command in self.commands.items()
            }
        self.running = {}

    def start(self, *names):
        for name in names or self.commands:
            with open(self.log_dir / f"{name}.log", "ab") as log:
                self.running[name] = self.launch(name, log)

    def launch(self, name: str, output) -> subprocess.Popen:
        """The named command in a session of its own, stdout and stderr both to `output`."""
        bin_dir = str(Path(sys.executable).parent)
        env = {
            **os.environ,
            **self.env,
            **self.own_env.get(name, {}),
            "PATH": bin_dir + os.pathsep + os.environ["PATH"],
        }
        return subprocess.Popen(
            shlex.split(self.commands[name]),
            cwd=ROOT,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            preexec_fn=ended_with_this_one(),
        )

    def stop(self, *names):
        """SIGTERM to all of them first, then wait: they shut down side by side, 20 s at most."""
        stopping = {name: self.running.pop(name) for name in names or list(self.running)}
        for process in stopping.values():
            try:
                os.killpg(process.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass  # it had already exited
        deadline = time.monotonic() + 20
        for process in stopping.values():
            try:
                process.wait(timeout=max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()

    def kill(self, name: str) -> None:
        """kill -9, as a node that dies takes a process: no shutdown of any kind."""
        process = self.running.pop(name)
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()

    def wait_ready(self, ready_urls: list[str], timeout: float):
        """Until every URL answers 200; fails at once if a process exits."""
        deadline = time.monotonic() + timeout
        last = None
        while time.monotonic() < deadline:
            for name, process in self.running.items():
                if process.poll() is not None:
                    raise RuntimeError(f"{name} exited: see {self.log_dir / (name + '.log')}")
            try:
                for url in ready_urls:
                    answer = requests.get(url, timeout=5)
                    if answer.status_code != 200:
                        last = answer.text
                        break
                else:
                    return
            except requests.RequestException as error:
                last = error
            time.sleep(0.3)
        raise TimeoutError(f"the system did not become ready: {last}")
