"""Where the time goes: py-spy attached to the stack's processes during one phase.

`--profile` runs (bench/run.py) sample every service process, the gateway's workers and the
database server while a phase runs, keep py-spy's raw stacks under the run's log folder, and
put a summary in results.json: per process, the share of busy samples under each of our own
functions (services/, gateway/) and under each database command, and the busiest leaves.
py-spy slows what it samples, so a profiled run's figures are not the ones to report.
"""

import collections
import shutil
import signal
import subprocess
import sys
from pathlib import Path

# Leaves where a thread waits rather than works: polling, blocking reads, idle pools.
WAITING = (
    "do_poll",
    "select (selectors.py",
    "_recv_exactly",
    "accept (socket.py",
    "wait (threading.py",
    "_readable",
    "TCPTransport._read",
    "_worker (concurrent/futures",
    "sleep",
    "poll (selectors.py",
    "epoll",
    "read_message",
    "readinto (socket.py",
    "recv_into",
)
SAMPLES_PER_SECOND = 100


def py_spy() -> str | None:
    found = Path(sys.executable).parent / "py-spy"
    return str(found) if found.exists() else shutil.which("py-spy")


class Profiler:
    def __init__(self, folder: Path, processes: dict[str, int]):
        self.folder = folder
        self.processes = processes  # name → pid
        self.running = []
        folder.mkdir(parents=True, exist_ok=True)

    def start(self, phase: str) -> None:
        binary = py_spy()
        if binary is None:
            raise RuntimeError("py-spy is not installed: `make install` (requirements-dev.txt) brings it")
        self.phase = phase
        for name, pid in self.processes.items():
            output = self.folder / f"{phase}--{name.replace(' ', '_')}.txt"
            self.running.append(
                (
                    name,
                    output,
                    subprocess.Popen(
                        [
                            binary,
                            "record",
                            "--pid",
                            str(pid),
                            "--rate",
                            str(SAMPLES_PER_SECOND),
                            "--format",
                            "raw",
                            "--output",
                            str(output),
                            "--nonblocking",
                        ],
                        stdout=subprocess.DEVNULL,
                        stderr=subprocess.DEVNULL,
                    ),
                )
            )

    def stop(self) -> dict:
        for _, _, process in self.running:
            process.send_signal(signal.SIGINT)
        summary = {}
        for name, output, process in self.running:
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
            if output.exists():
                summary[name] = summarise(output)
        self.running = []
        return summary


def summarise(path: Path, top: int = 12) -> dict:
    busy, ours, commands, leaves = 0, collections.Counter(), collections.Counter(), collections.Counter()
    for line in path.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not count.isdigit():
            continue
        frames = stack.split(";")
        if any(marker in frames[-1] for marker in WAITING):
            continue
        count = int(count)
        busy += count
        leaves[_short(frames[-1])] += count
        for frame in dict.fromkeys(_short(f) for f in frames if _is_ours(f)):
            ours[frame] += count
        for index, frame in enumerate(frames[:-1]):
            if frame.startswith("dispatch (secantus/commands.py"):
                commands[_short(frames[index + 1])] += count
                break
    share = (lambda n: round(100 * n / busy, 1)) if busy else (lambda n: 0.0)
    return {
        "busy_seconds": round(busy / SAMPLES_PER_SECOND, 2),
        "our_functions_pct": {name: share(n) for name, n in ours.most_common(top)},
        "database_commands_pct": {name: share(n) for name, n in commands.most_common(top)},
        "busiest_leaves_pct": {name: share(n) for name, n in leaves.most_common(top)},
    }


def _is_ours(frame: str) -> bool:
    return ("(services/" in frame or "(gateway/" in frame) and "site-packages" not in frame


def _short(frame: str) -> str:
    # "function (path/to/file.py:123)" → "function (file.py)": lines would split one function.
    name, _, where = frame.partition(" (")
    return f"{name} ({where.rsplit('/', 1)[-1].split(':')[0]})" if where else name
