"""The development runner's supervisor on real processes: a process that exits is started again
after a growing delay while the others run on, and SIGTERM or SIGINT to the runner stops all."""

import io
import os
import re
import shlex
import signal
import subprocess
import sys
import threading
import time

import pytest

from dev.procfile import ROOT
from dev.supervisor import Supervisor

# Each says when it started, then fails after the seconds it is given, or runs on.
CHILDREN = {
    "flapping": "import os, sys, time\n"
    "print('up', os.getpid(), time.time())\n"
    "time.sleep(float(sys.argv[1]))\n"
    "sys.exit(1)\n",
    "steady": "import os, time\nprint('up', os.getpid(), time.time())\nwhile True:\n    time.sleep(1)\n",
}


@pytest.fixture
def command(tmp_path):
    for child, source in CHILDREN.items():
        (tmp_path / f"{child}.py").write_text(source)

    def command(child: str, *args: str) -> str:
        return shlex.join([sys.executable, str(tmp_path / f"{child}.py"), *args])

    return command


@pytest.fixture
def supervise():
    """Runs a supervisor in a thread of the test, stops it (and its children) afterwards."""
    running = []

    def supervise(commands: dict, **backoff) -> io.StringIO:
        output = io.StringIO()
        supervisor = Supervisor({}, commands, output=output, **backoff)
        thread = threading.Thread(target=supervisor.supervise)
        thread.start()
        running.append((supervisor, thread))
        return output

    yield supervise
    for supervisor, thread in running:
        supervisor.stopping.set()
        thread.join(timeout=25)


def wait_for(condition, timeout: float = 10.0):
    deadline = time.monotonic() + timeout
    while not (found := condition()):
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)
    return found


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def starts(output: str, name: str) -> list[tuple[int, float]]:
    """(pid, time) of each start, as the process printed them through the supervisor."""
    return [(int(pid), float(at)) for pid, at in re.findall(rf"^{name} +\| up (\d+) ([\d.]+)$", output, re.M)]


def pids_started(output: str) -> list[int]:
    return [int(pid) for pid in re.findall(r"started \(pid (\d+)\)", output)]


def loud_lines(output: str) -> list[str]:
    return re.findall(r"^supervisor +\| (\*\*\* .*)$", output, re.M)


def test_a_process_that_exits_is_restarted_after_a_growing_delay_while_the_others_run_on(command, supervise):
    output = supervise(
        {"flapping": command("flapping", "0.2"), "steady": command("steady")}, first_delay=0.3, longest_delay=1.2
    )
    ((steady_pid, _),) = wait_for(lambda: starts(output.getvalue(), "steady"))

    wait_for(lambda: len(starts(output.getvalue(), "flapping")) >= 5)

    flapping = starts(output.getvalue(), "flapping")
    assert len({pid for pid, _ in flapping}) == len(flapping)
    first, second, third = [later - earlier for (_, earlier), (_, later) in zip(flapping, flapping[1:4])]
    assert first < second < third
    assert loud_lines(output.getvalue())[:4] == [
        "*** flapping exited with code 1; restarting in 0.3 s (restart 1)",
        "*** flapping exited with code 1; restarting in 0.6 s (restart 2)",
        "*** flapping exited with code 1; restarting in 1.2 s (restart 3)",
        "*** flapping exited with code 1; restarting in 1.2 s (restart 4)",
    ]
    assert [pid for pid, _ in starts(output.getvalue(), "steady")] == [steady_pid]
    assert output.getvalue().count("steady started") == 1
    assert alive(steady_pid)


def test_the_delay_falls_back_once_a_process_has_stayed_up(command, supervise):
    output = supervise({"slow_to_fail": command("flapping", "0.5")}, first_delay=0.1, steady_after=0.4)

    wait_for(lambda: len(loud_lines(output.getvalue())) >= 3)

    assert loud_lines(output.getvalue())[:3] == [
        f"*** slow_to_fail exited with code 1; restarting in 0.1 s (restart {restart})" for restart in (1, 2, 3)
    ]


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_to_the_runner_stops_every_process(command, tmp_path, signum):
    procfile = tmp_path / "Procfile"
    procfile.write_text(f"steady: {command('steady')}\nflapping: {command('flapping', '0.2')}\n")
    log = tmp_path / "runner.log"
    with open(log, "wb") as output:
        runner = subprocess.Popen(
            [sys.executable, "-m", "dev.supervisor", str(procfile)], cwd=ROOT, stdout=output, stderr=subprocess.STDOUT
        )
    try:
        ((steady_pid, _),) = wait_for(
            lambda: "flapping exited" in log.read_text() and starts(log.read_text(), "steady")
        )
        assert alive(steady_pid)

        runner.send_signal(signum)

        assert runner.wait(timeout=25) == 0
    finally:
        if runner.poll() is None:
            runner.kill()
    assert not [pid for pid in pids_started(log.read_text()) if alive(pid)], log.read_text()
