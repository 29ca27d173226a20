"""The embedded development database: SecantusDB, a MongoDB-wire server, in its own virtualenv.

It needs a newer pymongo than the services, so it lives in `.venv-db` (made by `make install`)
and is only ever started as a separate process.
"""

import os
import subprocess
import sys
from pathlib import Path

from .parent import ended_with_this_one
from .ports import free_port, wait_for_port

ROOT = Path(__file__).resolve().parent.parent
SERVER = ROOT / ".venv-db" / "bin" / "secantusd-py"


# Two settings of the server, measured with `make bench` (see the README's performance section):
# - SecantusDB keeps an oplog of 100,000 entries and, once it is full, prunes the oldest on
#   every write, walking the entries deleted before: past 100,000 writes inserts run at half
#   speed, and slower with every one after. The oplog only feeds change streams, which nothing
#   here uses: the cap is raised above what even the bench's million messages write.
# - A retryable write (pymongo's default) is recorded by the server, and each record and lookup
#   walks every record kept (up to 10,000, for 30 minutes) and sorts them once there are
#   10,000: past 10,000 writes, each write pays for that sort. Hence retryWrites=false (our ids
#   are made by us, so a write retried by hand is refused as a duplicate, never doubled).
OPLOG_ENTRIES = 5_000_000
CLIENT_OPTIONS = "?retryWrites=false"


def start(storage_path: Path, port: int | None = None, log_path: Path | None = None, cache_size: str | None = None):
    """Start the server and wait until it accepts connections; returns (process, uri).
    `cache_size`: WiredTiger's cache (the server's default is 1 GB)."""
    if not SERVER.exists():
        sys.exit(f"{SERVER} is missing: run `make install` first")
    port = port or free_port()
    storage_path.mkdir(parents=True, exist_ok=True)
    log = open(log_path or storage_path / "server.log", "ab")
    command = [
        str(SERVER),
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--storage-path",
        str(storage_path),
        "--oplog-max-entries",
        str(OPLOG_ENTRIES),
    ]
    if cache_size:
        command += ["--cache-size", cache_size]
    process = subprocess.Popen(
        command,
        stdout=log,
        stderr=subprocess.STDOUT,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
        preexec_fn=ended_with_this_one(),
    )
    wait_for_port(port, process=process, timeout=60)
    return process, f"mongodb://127.0.0.1:{port}/{CLIENT_OPTIONS}"


def stop(process) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
