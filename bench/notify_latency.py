"""Time from a message being posted to its mail being accepted by the SMTP server.

The three services run as `make run` runs them (`nameko run`, one process each, from the
Procfile) on a RabbitMQ virtual host of their own, with the development mail sink as the SMTP
server. One customer after another asks the vendor about a product, as the gateway asks the
conversations service to (its `start_thread` RPC); the clock starts just before that call and
stops when the sink accepted the vendor's mail (the time in the mail's file name). Each
question waits for its mail: this is the latency of one message, not the throughput of many.

The floor beside it: the same mail handed straight to the same SMTP server from this process.

    .venv/bin/python -m bench.notify_latency [--messages 200]

AMQP_URI picks the broker (its management API on port 15672 makes the virtual host);
MONGO_URI the database server (unset: an embedded SecantusDB is started for the run).
"""

import argparse
import email
import email.policy
import logging
import os
import shlex
import signal
import smtplib
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from nameko.standalone.rpc import ClusterRpcProxy
from pymongo import MongoClient

from dev import embedded_mongo
from dev.ports import free_port, wait_for_port
from dev.procfile import ROOT, processes
from services.common.caller import STOREFRONT_SYNC, Caller
from services.common.config import load_settings
from services.common.signing import sign

from bench import measure
from bench.stack import CALLER_SIGNING_KEY, VirtualHost

SYNC = STOREFRONT_SYNC

SERVICES = ("catalog_context", "conversations", "notifications")
WARM_UP = 5
VENDOR = {"company_id": "1", "company": "Bench Lamps", "email": "sales@bench.test", "status": "A"}
PRODUCT = {
    "product_id": "1",
    "product": "Brass Desk Lamp",
    "product_code": "LAMP-1",
    "price": "49.90",
    "company_id": "1",
    "status": "A",
}


class MailSink:
    def __init__(self, directory: Path):
        self.directory = directory
        self.port = free_port()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "dev.mail_sink", "--port", str(self.port), "--dir", str(directory)],
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for_port(self.port, process=self.process)
        self.seen = set()

    def accepted_at(self, thread_id: str, timeout: float = 60.0) -> float:
        """When the mail about `thread_id` was accepted (seconds since the epoch)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for path in self.directory.glob("*.eml"):
                if path.name in self.seen:
                    continue
                self.seen.add(path.name)
                headers = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
                if headers["X-MessageCenter-Thread"] == thread_id:
                    return int(path.stem.split("-")[0]) / 1e9
            time.sleep(0.002)
        raise TimeoutError(f"no mail about thread {thread_id} within {timeout} s")

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=10)


def start_services(env: dict, log_dir: Path) -> list:
    commands = processes()
    bin_dir = str(Path(sys.executable).parent)
    env = {**os.environ, **env, "PATH": bin_dir + os.pathsep + os.environ["PATH"]}
    started = []
    for name in SERVICES:
        log = open(log_dir / f"{name}.log", "ab")
        started.append(
            subprocess.Popen(
                shlex.split(commands[name]),
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        )
    return started


def _stop(services: list) -> None:
    """Before the virtual host goes: a service whose broker vanished under it reconnects."""
    for process in services:
        os.killpg(process.pid, signal.SIGTERM)
    for process in services:
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)


def wait_ready(cluster, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    for name in SERVICES:
        while True:
            try:
                if getattr(cluster, name).health() is True:
                    break
            except Exception:
                if time.monotonic() > deadline:
                    raise
            time.sleep(0.2)


def signed(caller) -> dict:
    """A caller as the gateway would hand it over: signed with the services' key, issued now."""
    return sign(caller if isinstance(caller, Caller) else Caller.from_dict(caller), CALLER_SIGNING_KEY)


def ask(cluster, number: int) -> tuple[float, str]:
    customer = {
        "user_id": f"bench-{number}",
        "role": "customer",
        "name": f"Customer {number}",
        "email": f"customer{number}@bench.test",
    }
    posted = time.time()
    started = cluster.conversations.start_thread(
        signed(customer),
        {
            "type": "vendor_to_customer",
            "object": {"type": "product", "id": PRODUCT["product_id"]},
            "message": f"Question {number}: does the lamp take LED bulbs?",
        },
    )
    return posted, time.time(), started["thread"]["id"]


def smtp_floor(port: int, sample: Path, rounds: int) -> list[float]:
    """The same mail, straight to the same SMTP server: what any notifier pays at least."""
    mail = email.message_from_bytes(sample.read_bytes(), policy=email.policy.default)
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        with smtplib.SMTP("127.0.0.1", port, timeout=10) as smtp:
            smtp.send_message(mail)
        times.append((time.perf_counter() - started) * 1000)
    return times


def describe(name: str, times: list[float]) -> str:
    return (
        f"{name:<34} median {statistics.median(times):8.1f} ms   p95 {measure.percentile(times, 0.95):8.1f} ms   "
        f"max {max(times):8.1f} ms   ({len(times)} messages)"
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=200)
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)  # amqp warns of acks on a closing channel: no result

    work = Path(tempfile.mkdtemp(prefix="bench-notify-"))
    database = None
    uri = os.environ.get("MONGO_URI")
    if not uri:
        database, uri = embedded_mongo.start(work / "mongo")
    sink = MailSink(work / "mail")
    services = []
    database_name = f"bench_{uuid.uuid4().hex[:8]}"
    try:
        vhost = VirtualHost(load_settings().AMQP_URI)
        vhost.create()
        try:
            env = {
                "AMQP_URI": vhost.uri,
                "MONGO_URI": uri,
                "MONGO_DB": database_name,
                "CALLER_SIGNING_KEY": CALLER_SIGNING_KEY,
                "SMTP_HOST": "127.0.0.1",
                "SMTP_PORT": str(sink.port),
                "LOG_LEVEL": "WARNING",
            }
            services = start_services(env, work)
            with ClusterRpcProxy({"AMQP_URI": vhost.uri}, timeout=30) as cluster:
                wait_ready(cluster)
                cluster.catalog_context.upsert_vendor(signed(SYNC), VENDOR)
                cluster.catalog_context.upsert_product(signed(SYNC), PRODUCT)
                latencies, answers = [], []
                for number in range(WARM_UP + args.messages):
                    posted, answered, thread_id = ask(cluster, number)
                    accepted = sink.accepted_at(thread_id)
                    if number >= WARM_UP:
                        latencies.append((accepted - posted) * 1000)
                        answers.append((answered - posted) * 1000)
            floor = smtp_floor(sink.port, next(iter((work / "mail").glob("*.eml"))), args.messages)
        finally:
            _stop(services)
            vhost.delete()
        print(f"posted (conversations.start_thread) → mail accepted by SMTP, logs in {work}")
        print(describe("message posted → mail accepted", latencies))
        print(describe("  of which: posting (RPC answered)", answers))
        print(describe("floor: the same mail, straight SMTP", floor))
    finally:
        sink.stop()
        with MongoClient(uri) as client:
            client.drop_database(database_name)
        if database is not None:
            embedded_mongo.stop(database)


if __name__ == "__main__":
    main()
