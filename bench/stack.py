"""The system under measurement, started as `make run` starts it, with parts of its own.

Every Procfile process runs as a subprocess (dev/processes.py, as the test stack starts them), on a
RabbitMQ virtual host made for the run through the management API, against a fresh embedded
database under a temporary directory (or MONGO_URI's server, in a database of the run's own),
with the development mail sink as the SMTP server. Beside them, the bench's echo service
(bench/echo.py), the floor of one RPC, and the single-process alternative (bench/alternative.py)
on the same database and mail sink.
"""

import os
import subprocess
import sys
import uuid
from pathlib import Path
from urllib.parse import urlsplit

import requests
from nameko.testing.rabbit import Client
from prometheus_client.parser import text_string_to_metric_families

from dev import embedded_mongo
from dev.ports import free_port, wait_for_port
from dev.processes import Processes
from dev.procfile import ROOT, processes
from dev.tokens import mint
from services.common.config import load_settings

JWT_SECRET = "bench-secret-" + "x" * 32
CALLER_SIGNING_KEY = "bench-caller-signing-key-" + "x" * 32
ECHO = "nameko run --config config.yml bench.echo"
# What a team would write instead, under the gateway's gunicorn settings (bench/alternative.py).
ALTERNATIVE = 'gunicorn --config bench/alternative_conf.py "bench.alternative:create_app()"'
BROKER = "broker (beam.smp)"


# The embedded database's WiredTiger cache is 1 GB by default, less than a million messages and
# their indexes take: past it, writers stall evicting pages. The machine has the memory.
CACHE_SIZE = "8G"

# The processes whose database commands a posted message causes (the gateway and push send none
# for a post).
COUNTED = ("conversations", "catalog_context", "notifications")


class VirtualHost:
    """A RabbitMQ virtual host of the run's own, removed (with its queues) at the end."""

    def __init__(self, amqp_uri: str):
        parts = urlsplit(amqp_uri)
        user, password = parts.username or "guest", parts.password or "guest"
        self.api = Client(f"http://{user}:{password}@{parts.hostname}:15672")
        self.name = f"bench_{uuid.uuid4().hex[:8]}"
        self.user = user
        self.uri = f"{parts.scheme}://{user}:{password}@{parts.hostname}:{parts.port or 5672}/{self.name}"

    def create(self) -> None:
        self.api.create_vhost(self.name)
        self.api.set_vhost_permissions(self.name, self.user, ".*", ".*", ".*")

    def delete(self) -> None:
        self.api.delete_vhost(self.name)


class Stack:
    def __init__(self, work: Path):
        self.work = work
        self.logs = work / "logs"
        self.mail_dir = work / "mail"
        self.logs.mkdir(parents=True, exist_ok=True)
        self.database = None  # the embedded server's process, when we started one
        self.processes: Processes | None = None  # the Procfile's, and the echo service
        self.helpers: dict[str, subprocess.Popen] = {}
        self.vhost = None
        self.mongo_uri = None
        self.db_name = f"bench_{uuid.uuid4().hex[:8]}"
        self.url = None

    # starting and stopping -------------------------------------------------------------

    def start(self) -> None:
        if os.environ.get("MONGO_URI"):
            self.mongo_uri = os.environ["MONGO_URI"]
        else:
            self.database, self.mongo_uri = embedded_mongo.start(
                self.work / "db", log_path=self.logs / "db.log", cache_size=CACHE_SIZE
            )
            self.helpers["database (SecantusDB)"] = self.database
        self.vhost = VirtualHost(load_settings().AMQP_URI)
        self.vhost.create()
        smtp_port = free_port()
        sink = subprocess.Popen(
            [sys.executable, "-m", "dev.mail_sink", "--port", str(smtp_port), "--dir", str(self.mail_dir)],
            cwd=ROOT,
            stdout=open(self.logs / "mail_sink.log", "ab"),
            stderr=subprocess.STDOUT,
        )
        self.helpers["mail sink"] = sink
        wait_for_port(smtp_port, process=sink)
        gateway_port = free_port()
        self.url = f"http://127.0.0.1:{gateway_port}"
        self.env = {
            "AMQP_URI": self.vhost.uri,
            "MONGO_URI": self.mongo_uri,
            "MONGO_DB": self.db_name,
            "SMTP_HOST": "127.0.0.1",
            "SMTP_PORT": str(smtp_port),
            "JWT_SECRET": JWT_SECRET,
            "CALLER_SIGNING_KEY": CALLER_SIGNING_KEY,
            "GATEWAY_PORT": str(gateway_port),
            "LOG_LEVEL": "WARNING",
            "PUSH_PORT": str(free_port()),
            "INBOUND_SMTP_PORT": str(free_port()),
            "INBOUND_HTTP_PORT": str(free_port()),
            # The bench's few people post as fast as they can: per-person limits off.
            "LIMIT_THREADS_PER_HOUR": "0",
            "LIMIT_MESSAGES_PER_MINUTE_CUSTOMER": "0",
            "LIMIT_MESSAGES_PER_MINUTE_STAFF": "0",
            "LIMIT_UNKNOWN_LOOKUPS_PER_MINUTE": "0",
            "UPLOADS_PER_MINUTE": "0",
            "UPLOAD_QUOTA_MB": "0",
            # The embedded database cannot stop an index walk at a page's limit; MongoDB can.
            "INBOX_READER": "plain" if os.environ.get("MONGO_URI") else "windowed",
        }
        # Each process touching the database serves its metrics, for the commands it sent.
        self.metrics_ports = {name: free_port() for name in COUNTED}
        alternative_port = free_port()
        self.alternative_url = f"http://127.0.0.1:{alternative_port}"
        self.processes = Processes(
            self.env,
            self.logs,
            {**processes(), "bench_echo": ECHO, "alternative": ALTERNATIVE},
            own_env={
                **{name: {"METRICS_PORT": str(port)} for name, port in self.metrics_ports.items()},
                "alternative": {"ALTERNATIVE_PORT": str(alternative_port)},
            },
        )
        self.processes.start()
        self.processes.wait_ready([self.url + "/readyz?services=all", self.alternative_url + "/healthz"], timeout=120.0)

    @property
    def running(self) -> dict:
        return self.processes.running if self.processes else {}

    def stop(self) -> None:
        if self.processes:
            self.processes.stop()
        if self.vhost is not None:
            try:
                self.vhost.delete()
            except Exception as error:  # the broker went away: nothing of ours is left on it
                print(f"could not delete the virtual host {self.vhost.name}: {error}", file=sys.stderr)
        sink = self.helpers.get("mail sink")
        if sink is not None and sink.poll() is None:
            sink.terminate()
            sink.wait(timeout=10)
        if self.database is not None:
            embedded_mongo.stop(self.database)
        elif self.mongo_uri:
            from pymongo import MongoClient

            with MongoClient(self.mongo_uri) as client:
                client.drop_database(self.db_name)

    # asking it things -------------------------------------------------------------------

    def token(self, sub: str, role: str, **claims) -> str:
        return mint(JWT_SECRET, sub, role, **claims)

    def database_commands(self) -> dict[str, dict[str, float]]:
        """The database commands each counted process has sent so far, by command name
        (services/common/mongo.py counts them)."""
        counted = {}
        for name, port in self.metrics_ports.items():
            text = requests.get(f"http://127.0.0.1:{port}/metrics", timeout=10).text
            counted[name] = {
                sample.labels["command"]: sample.value
                for family in text_string_to_metric_families(text)
                for sample in family.samples
                if sample.name == "message_center_database_commands_total"
            }
        return counted

    def peak_memory(self) -> dict[str, float]:
        """Each process's peak resident memory so far (VmHWM), in MiB; gunicorn's workers
        are listed one by one under the gateway."""
        peaks = {}
        for name, process in {**self.helpers, **self.running}.items():
            peaks[name] = _peak_mib(process.pid)
            for number, child in enumerate(_children(process.pid), 1):
                peaks[f"{name} {'worker' if name == 'gateway' else 'child'} {number}"] = _peak_mib(child)
        peaks["bench (this process)"] = _peak_mib(os.getpid())
        return {name: value for name, value in peaks.items() if value is not None}

    def profiled_processes(self) -> dict[str, int]:
        """The processes a profile samples: the services, each gateway worker, the database."""
        chosen = {
            name: self.running[name].pid
            for name in ("conversations", "catalog_context", "notifications")
            if name in self.running
        }
        if "gateway" in self.running:
            for number, child in enumerate(_children(self.running["gateway"].pid), 1):
                chosen[f"gateway worker {number}"] = child
        if self.database is not None:
            chosen["database"] = self.database.pid
        return chosen

    def cpu_seconds(self) -> dict[str, float]:
        """CPU time (user + system) each part has used so far; gunicorn's workers count
        towards the gateway, the broker's Erlang VM (the machine's RabbitMQ, which the run's
        virtual host lives in: measure on a quiet machine) is one part."""
        used = {}
        for name, process in {**self.helpers, **self.running}.items():
            used[name] = sum(_cpu_seconds(pid) for pid in [process.pid, *_children(process.pid)])
        used[BROKER] = sum(_cpu_seconds(pid) for pid in _named("beam.smp"))
        used["bench (this process)"] = _cpu_seconds(os.getpid())
        return used


def _cpu_seconds(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    # utime and stime, the 14th and 15th fields (counted from the pid), in clock ticks.
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _named(command: str) -> list[int]:
    """The processes whose command name is `command`."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if (entry / "comm").read_text().strip() == command:
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


def _peak_mib(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found += [int(child) for child in (task / "children").read_text().split()]
        except OSError:
            continue
    return sorted(found)
