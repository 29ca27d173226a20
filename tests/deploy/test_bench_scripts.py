"""The benches run as their docstrings say: a script that fails before measuring anything
(bench/notify_latency.py once did, with a NameError) is found here, not by its next user."""

import subprocess
import sys

from dev.procfile import ROOT


def test_the_notification_latency_bench_runs_and_reports_each_figure():
    done = subprocess.run(
        [sys.executable, "-m", "bench.notify_latency", "--messages", "2"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    for figure in ("message posted → mail accepted", "of which: posting", "floor: the same mail"):
        assert figure in done.stdout
