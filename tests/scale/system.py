"""The whole system scaled out on one machine: several replicas of each nameko service, of the
gateway and of push, on the fault suite's private broker, database and mail server.

A replica is one more Procfile entry with the same command ("conversations-2"); a gateway or
push replica gets its own port. Clients spread their calls over the running gateways, as a
load balancer would.
"""

import itertools
import subprocess
import threading
import time
from pathlib import Path

import requests

from dev.ports import free_port
from dev.processes import Processes
from dev.procfile import processes
from tests.faults.broker import CTL
from tests.faults.system import FaultySystem

SERVICES = ("conversations", "catalog_context", "notifications")


def replica(name: str, number: int) -> str:
    """The first replica keeps the Procfile's name: the fixtures' logs and checks know it."""
    return name if number == 1 else f"{name}-{number}"


class ScaledSystem(FaultySystem):
    def __init__(self, base: Path, replicas: dict[str, int], settings: dict):
        """replicas: how many of each process at most (services, gateway, push);
        settings: environment every process gets on top of the fault suite's."""
        super().__init__(base)
        self.env.update(settings)
        procfile = processes()
        self.commands = {
            replica(name, number): command
            for name, command in procfile.items()
            for number in range(1, replicas.get(name, 1) + 1)
        }
        self.gateway_urls, self.push_urls = {"gateway": self.url}, {"push": self.push_url}
        for number in range(2, replicas.get("gateway", 1) + 1):
            port = free_port()
            self.own_env[replica("gateway", number)] = {"GATEWAY_PORT": str(port)}
            self.gateway_urls[replica("gateway", number)] = f"http://127.0.0.1:{port}"
        for number in range(2, replicas.get("push", 1) + 1):
            port = free_port()
            self.own_env[replica("push", number)] = {"PUSH_PORT": str(port)}
            self.push_urls[replica("push", number)] = f"http://127.0.0.1:{port}"
        self._turn = itertools.count()
        self._turn_lock = threading.Lock()

    def start_all(self, replicas: int = 1) -> None:
        """Broker, database, mail, then `replicas` of each replicated process and one of the rest."""
        self.broker.start()
        self.database.start()
        self.mail.start()
        self.env["MONGO_URI"] = self.database.uri
        self.start(*[name for name in self.commands if self.number_of(name) <= replicas])
        self.wait_scaled(timeout=120)

    def scale_to(self, replicas: int) -> None:
        """Start or stop (SIGTERM, as a scale-down does) replicas until each runs `replicas`."""
        extra = [name for name in self.running if self.number_of(name) > replicas]
        if extra:
            self.stop(*extra)
        missing = [name for name in self.commands if self.number_of(name) <= replicas and name not in self.running]
        if missing:
            self.start(*missing)
        self.wait_scaled(timeout=120)

    @staticmethod
    def number_of(name: str) -> int:
        """Which replica a process is: "conversations-3" is the third, "conversations" the first."""
        _, _, number = name.rpartition("-")
        return int(number) if number.isdigit() else 1

    def replicas(self, name: str) -> int:
        return sum(1 for running in self.running if running == name or running.startswith(name + "-"))

    def wait_scaled(self, timeout: float) -> None:
        """Until every running gateway and push answers ready, and every service replica
        consumes its RPC queue: a replica still starting would take no share of the work."""
        deadline = time.monotonic() + timeout
        urls = (
            [url + "/readyz?services=all" for name, url in self.gateway_urls.items() if name in self.running]
            + [url + "/readyz" for name, url in self.push_urls.items() if name in self.running]
            + [self.inbound_url + "/readyz"]
        )
        Processes.wait_ready(self, urls, timeout)
        wanted = {f"rpc-{service}": self.replicas(service) for service in SERVICES}
        while True:
            consumers = self.rpc_consumers()
            if all(consumers.get(queue) == count for queue, count in wanted.items()):
                return
            if time.monotonic() > deadline:
                raise TimeoutError(f"RPC consumers {consumers}, wanted {wanted}")
            time.sleep(1)

    def rpc_consumers(self) -> dict[str, int]:
        listed = subprocess.run(
            [CTL, "-n", self.broker.name, "list_queues", "name", "consumers", "--quiet", "--no-table-headers"],
            env=self.broker.env,
            capture_output=True,
            text=True,
            timeout=60,
        ).stdout
        rows = (line.split() for line in listed.splitlines())
        return {row[0]: int(row[1]) for row in rows if len(row) == 2 and row[1].isdigit()}

    def exited(self) -> list[str]:
        return [name for name, process in self.running.items() if process.poll() is not None]

    def running_count(self) -> str:
        return f"{len(self.running) - len(self.exited())}/{len(self.running)}"

    def call(self, method, path, token=None, **kwargs):
        """Each call to the next running gateway in turn, on a connection of its own."""
        gateways = [url for name, url in self.gateway_urls.items() if name in self.running]
        with self._turn_lock:
            url = gateways[next(self._turn) % len(gateways)]
        headers = kwargs.pop("headers", {})
        if token:
            headers["Authorization"] = f"Bearer {token}"
        return requests.request(method, url + path, headers=headers, timeout=30, **kwargs)
