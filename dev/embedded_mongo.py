"""The embedded development database: SecantusDB, a MongoDB-wire server, in its own virtualenv.

It needs a newer pymongo than the services, so it lives in `.venv-db` (made by `make install`)
and is only ever started as a separate process.
"""
import os
import subprocess
import sys
from pathlib import Path

from .ports import free_port, wait_for_port

ROOT = Path(__file__).resolve().parent.parent
SERVER = ROOT / ".venv-db" / "bin" / "secantusd-py"


def start(storage_path: Path, port: int | None = None, log_path: Path | None = None):
    """Start the server and wait until it accepts connections; returns (process, uri)."""
    if not SERVER.exists():
        sys.exit(f"{SERVER} is missing: run `make install` first")
    port = port or free_port()
    storage_path.mkdir(parents=True, exist_ok=True)
    log = open(log_path or storage_path / "server.log", "ab")
    process = subprocess.Popen(
        [str(SERVER), "--host", "127.0.0.1", "--port", str(port), "--storage-path", str(storage_path)],
        stdout=log, stderr=subprocess.STDOUT, env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    wait_for_port(port, process=process, timeout=60)
    return process, f"mongodb://127.0.0.1:{port}/"


def stop(process) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
