"""`make run` leaves nothing behind (issue 21, finding 7): killed with SIGKILL, when it has no
chance to stop anything, every process it started ends all the same and every port is free;
and so when what started it (`make`) is killed so. The whole system, as `make run` starts it
(python -m dev.run), on a RabbitMQ vhost and a database of the test's, on free ports."""

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from dev.ports import free_port
from dev.procfile import ROOT


def tree(root: int) -> set[int]:
    """`root` and every process under it, now."""
    parents = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            parents[int(entry.name)] = int(stat.rpartition(")")[2].split()[1])
    found, frontier = {root}, [root]
    while frontier:
        parent = frontier.pop()
        children = [pid for pid, ppid in parents.items() if ppid == parent and pid not in found]
        found.update(children)
        frontier += children
    return found


def alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0] != "Z"
    except OSError:
        return False


def listening(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


@pytest.fixture
def make_run(rabbit_config, mongo_uri, mongo_db):
    """Starts `python -m dev.run` (under `parent`, a stand-in for make, when asked), waits until
    the system is ready; kills whatever is left of it afterwards."""
    ports = {
        name: free_port()
        for name in ("GATEWAY_PORT", "PUSH_PORT", "INBOUND_SMTP_PORT", "INBOUND_HTTP_PORT", "SMTP_PORT")
    }
    env = {
        **{name: value for name, value in os.environ.items() if name not in ("SMTP_HOST", "METRICS_PORT")},
        **{name: str(port) for name, port in ports.items()},
        "AMQP_URI": rabbit_config["AMQP_URI"],
        "MONGO_URI": mongo_uri,
        "MONGO_DB": mongo_db.name,
        "PYTHONWARNINGS": "ignore",
        "LOG_LEVEL": "WARNING",
    }
    started = []

    def start(under_a_parent: bool = False) -> tuple[subprocess.Popen, set[int], list[int]]:
        run = [sys.executable, "-m", "dev.run"]
        command = [sys.executable, "-c", f"import subprocess; subprocess.run({run!r})"] if under_a_parent else run
        process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
        )
        started.append(process)
        deadline = time.monotonic() + 120
        ready = [
            f"http://127.0.0.1:{ports['GATEWAY_PORT']}/readyz?services=all",
            f"http://127.0.0.1:{ports['PUSH_PORT']}/readyz",
            f"http://127.0.0.1:{ports['INBOUND_HTTP_PORT']}/healthz",
        ]
        while not all(_answers(url) for url in ready):
            assert process.poll() is None and time.monotonic() < deadline, "make run did not become ready"
            time.sleep(0.5)
        everything = tree(process.pid)
        started.append(everything)
        return process, everything, list(ports.values())

    yield start
    for what in started:
        for pid in [what.pid] if isinstance(what, subprocess.Popen) else what:
            if alive(pid):
                os.kill(pid, signal.SIGKILL)


def _answers(url: str) -> bool:
    try:
        return requests.get(url, timeout=3).status_code == 200
    except requests.RequestException:
        return False


def named(pids: set[int]) -> list[str]:
    names = []
    for pid in pids:
        try:
            names.append(Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace"))
        except OSError:
            pass
    return names


def nothing_left(processes: set[int], ports: list[int], timeout: float = 60.0) -> tuple[set[int], list[int]]:
    """What is still alive, and listening, once every process had `timeout` to stop."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        left, held = {pid for pid in processes if alive(pid)}, [port for port in ports if listening(port)]
        if not left and not held:
            break
        time.sleep(0.5)
    return left, held


def test_killed_with_sigkill_it_leaves_no_process_and_no_port(make_run):
    run, everything, ports = make_run()
    assert len(everything) >= 8  # itself, the mail sink, the six Procfile processes (and gunicorn's workers)
    assert all(listening(port) for port in ports)
    run.kill()
    run.wait()
    left, held = nothing_left(everything - {run.pid}, ports)
    assert not left, f"still running: {named(left)}"
    assert not held, f"ports still held: {held}"


def test_when_what_started_it_is_killed_with_sigkill_it_stops_everything(make_run):
    make, everything, ports = make_run(under_a_parent=True)
    make.kill()
    make.wait()
    left, held = nothing_left(everything - {make.pid}, ports)
    assert not left, f"still running: {named(left)}"
    assert not held, f"ports still held: {held}"
