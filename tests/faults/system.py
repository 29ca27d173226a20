"""The whole system with dependencies of its own that a fault test may stop: a private
RabbitMQ node, an embedded database on a fixed port and folder, and an SMTP server."""

import subprocess
import time
import uuid
from pathlib import Path

import requests

from dev import embedded_mongo
from dev.ports import free_port
from tests.faults.broker import PrivateBroker
from tests.fixtures.mail import MailSink
from tests.fixtures.callers import CALLER_SIGNING_KEY
from tests.fixtures.stack import JWT_SECRET, Stack, inbound_ports

PROCESSES = ("conversations", "notifications", "catalog_context", "gateway", "push", "inbound_mail")


class Database:
    """The embedded development database, stopped and started again on the same port and data."""

    def __init__(self, path: Path):
        self.path = path
        self.port = free_port()
        self.process = None
        self.uri = None

    def start(self) -> None:
        self.process, self.uri = embedded_mongo.start(self.path, self.port)

    def stop(self) -> None:
        if self.process is not None:
            embedded_mongo.stop(self.process)


class FaultySystem(Stack):
    """The Procfile's processes on dependencies the test controls."""

    def __init__(self, base: Path):
        self.broker = PrivateBroker()
        self.database = Database(base / "db")
        self.mail = MailSink(base / "mail")
        (base / "mail").mkdir(parents=True)
        (base / "logs").mkdir()
        self.database_name = f"faults_{uuid.uuid4().hex[:8]}"
        env = {
            "MONGO_DB": self.database_name,
            "SMTP_HOST": "127.0.0.1",
            "SMTP_PORT": str(self.mail.port),
            "JWT_SECRET": JWT_SECRET,
            "CALLER_SIGNING_KEY": CALLER_SIGNING_KEY,
            "GATEWAY_PORT": str(free_port()),
            "PUSH_PORT": str(free_port()),
            **inbound_ports(),
            "AMQP_URI": self.broker.uri,
            # Customers here post several messages a second on purpose: no per-person limit.
            "LIMIT_MESSAGES_PER_MINUTE_CUSTOMER": "0",
            # The embedded database cannot stop an index walk at a page's limit.
            "INBOX_READER": "windowed",
        }
        super().__init__(env, base / "logs")

    def start_all(self) -> None:
        self.broker.start()
        self.database.start()
        self.mail.start()
        self.env["MONGO_URI"] = self.database.uri
        self.start()
        self.wait_ready(timeout=90)

    def stop_all(self) -> None:
        self.stop()
        self.mail.stop()
        self.database.stop()
        self.broker.stop()

    # faults ---------------------------------------------------------------------------------

    def gateway_workers(self) -> list[int]:
        master = self.running["gateway"].pid
        found = subprocess.run(["pgrep", "-P", str(master)], capture_output=True, text=True).stdout
        return [int(pid) for pid in found.split()]

    def exited(self) -> list[str]:
        """The processes that are not running (none, while the system is whole)."""
        gone = [name for name in PROCESSES if name not in self.running or self.running[name].poll() is not None]
        return gone

    def wait_serving(self, timeout: float = 60.0) -> None:
        """Until the gateway, every service and the push process answer again."""
        self.wait_ready(timeout=timeout)

    def db(self):
        from pymongo import MongoClient

        return MongoClient(self.database.uri, tz_aware=True)[self.database_name]

    def set_notifications(self, token: str, values: dict) -> None:
        answer = self.call("PUT", "/v1/settings", token, json={"notifications": values})
        assert answer.status_code == 200, answer.text

    def outage(self, stop, start, seconds: float) -> tuple[float, dict]:
        """`stop` a dependency for `seconds`, then `start` it: when it was back, and what
        /readyz said while it was away."""
        stop()
        stopped = time.monotonic()
        readiness = self.call("GET", "/readyz").json()
        time.sleep(max(0.0, seconds - (time.monotonic() - stopped)))
        start()
        return time.monotonic(), readiness

    def time_to_first_success(self, since: float, probe, timeout: float = 60.0) -> float:
        deadline = since + timeout
        while time.monotonic() < deadline:
            try:
                if probe():
                    return time.monotonic() - since
            except requests.RequestException:
                pass
            time.sleep(0.2)
        raise AssertionError("the system did not recover")
