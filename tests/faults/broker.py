"""A RabbitMQ node of the fault suite's own, so a test can stop and start a broker without
touching the machine's shared one (other tests and processes keep using that).

The node runs as the `rabbitmq` user (the packaged wrapper switches to it), from a directory
that user owns, with its own name, ports, data and logs.
"""

import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

from dev.ports import free_port

# Debian installs them in /usr/sbin, which a non-login shell's PATH may lack.
SERVER = shutil.which("rabbitmq-server") or "/usr/sbin/rabbitmq-server"
CTL = shutil.which("rabbitmqctl") or "/usr/sbin/rabbitmqctl"


def _port_open(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


class PrivateBroker:
    def __init__(self):
        # Not under pytest's temporary folder: the `rabbitmq` user cannot reach into root's.
        base = Path(tempfile.mkdtemp(prefix="message-center-faults-broker-"))
        self.base = base
        self.port = free_port()
        self.name = f"faults{self.port}@localhost"
        self.uri = f"pyamqp://guest:guest@127.0.0.1:{self.port}/"
        self.env = {
            **os.environ,
            "RABBITMQ_CONFIG_FILE": str(base / "rabbit"),
            "RABBITMQ_NODENAME": self.name,
            "RABBITMQ_NODE_PORT": str(self.port),
            "RABBITMQ_DIST_PORT": str(free_port()),
            "RABBITMQ_MNESIA_BASE": str(base / "mnesia"),
            "RABBITMQ_LOG_BASE": str(base / "log"),
            "RABBITMQ_ENABLED_PLUGINS_FILE": str(base / "enabled_plugins"),
            "RABBITMQ_PID_FILE": str(base / "rabbit.pid"),
        }

    def start(self, timeout: float = 60.0) -> None:
        (self.base / "rabbit.conf").write_text(
            f"listeners.tcp.default = 127.0.0.1:{self.port}\nloopback_users = none\n"
        )
        (self.base / "enabled_plugins").write_text("[].\n")
        for folder in ("mnesia", "log"):
            (self.base / folder).mkdir(exist_ok=True)
        shutil.chown(self.base, "rabbitmq", "rabbitmq")
        for path in self.base.rglob("*"):
            shutil.chown(path, "rabbitmq", "rabbitmq")
        subprocess.run(
            [SERVER, "-detached"], env=self.env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        self.wait_open(timeout)

    def wait_open(self, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while not _port_open(self.port):
            if time.monotonic() > deadline:
                raise TimeoutError(f"private RabbitMQ node {self.name} did not open port {self.port}")
            time.sleep(0.3)

    def ctl(self, *arguments: str, timeout: float = 60.0) -> None:
        subprocess.run(
            [CTL, "-n", self.name, *arguments],
            env=self.env,
            check=True,
            timeout=timeout,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    def pause(self) -> None:
        """The broker goes away as in an upgrade: every connection is closed, none is accepted."""
        self.ctl("stop_app")

    def resume(self) -> None:
        self.ctl("start_app")
        self.wait_open()

    def stop(self) -> None:
        try:
            self.ctl("stop", timeout=60)
        except (subprocess.SubprocessError, OSError):
            pid_file = self.base / "rabbit.pid"
            if pid_file.exists():
                try:
                    os.kill(int(pid_file.read_text().strip()), 9)
                except (ValueError, ProcessLookupError):
                    pass
        shutil.rmtree(self.base, ignore_errors=True)
