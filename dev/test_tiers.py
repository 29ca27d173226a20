"""`make test`: the suite's tiers side by side, each a process of its own, then their logs and times.

Most of the suite waits (for a broker round trip, a process to start, a mail to arrive), so
tiers run side by side finish in far less than the sum of their times, even on two cores:
- the nameko suite (everything but tests/ui) in `TEST_SHARDS` shards, each under `nameko test`
  (eventlet's monkey patching comes before anything is imported, which pytest-xdist's workers
  cannot give), split by pytest-split from the times in tests/durations.json into consecutive
  runs of about equal time;
- the browser tests (tests/ui) in a plain pytest: Playwright's sync API cannot run under
  eventlet.
Every shard has its own real parts, as a run of the whole suite has: its embedded database,
mail servers and stacks, and a RabbitMQ virtual host per test.

`TEST_TIERS_AT_ONCE` (2) tiers run at a time, the next starting as one ends: the suite's whole
systems and its fuzzer are busy processes, and four tiers at once on two cores starved them
into timeouts (a browser test's 5 s wait, the scale-out test's RPCs) without ending sooner.

`python -m dev.test_tiers [pytest arguments]` (the Makefile passes PYTEST_ARGS). Each tier's
output goes to var/test-tiers/<tier>.log while it runs and is printed whole once all are done,
the failed ones last; then a line per tier with its time. Exit status 1 when any tier failed.
`python -m dev.test_tiers --store-durations` measures the nameko suite's times afresh, in one
process, into tests/durations.json (after adding or slowing tests: a shard plan from old times
is still correct, only less even).
"""

import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DURATIONS = ROOT / "tests" / "durations.json"
LOGS = ROOT / "var" / "test-tiers"
BIN = Path(sys.executable).parent
COMMON = ["-p", "no:cacheprovider"]


def nameko_suite(extra: list[str], shard: int | None = None, shards: int = 1) -> list[str]:
    command = [str(BIN / "nameko"), "test", "tests", "--ignore=tests/ui", *COMMON]
    if shard is not None:
        command += [
            f"--splits={shards}",
            f"--group={shard}",
            # Consecutive runs of tests, of about equal time: a file stays whole (but at a shard's
            # edge), so a module's fixtures (a stack, a broker of its own) start once.
            "--splitting-algorithm=duration_based_chunks",
            f"--durations-path={DURATIONS}",
        ]
    return command + extra


def browser_tests(extra: list[str]) -> list[str]:
    return [str(BIN / "python"), "-m", "pytest", "tests/ui", *COMMON, *extra]


def tiers(extra: list[str]) -> dict[str, list[str]]:
    """In the order they start: the shards first (the first holds the contract fuzz, the
    longest), the browser tests, the shortest, last."""
    shards = int(os.environ.get("TEST_SHARDS", "3"))
    planned = {f"nameko-{shard}": nameko_suite(extra, shard, shards) for shard in range(1, shards + 1)}
    planned["browser"] = browser_tests(extra)
    return planned


def run(planned: dict[str, list[str]], at_once: int) -> int:
    LOGS.mkdir(parents=True, exist_ok=True)
    began = time.monotonic()
    waiting, running = list(planned), {}
    started, took, status = {}, {}, {}
    while waiting or running:
        while waiting and len(running) < at_once:
            name = waiting.pop(0)
            started[name] = time.monotonic()
            log = open(LOGS / f"{name}.log", "w")
            running[name] = (subprocess.Popen(planned[name], cwd=ROOT, stdout=log, stderr=subprocess.STDOUT), log)
            print(f"make test: {name} started: {' '.join(planned[name][1:])}", flush=True)
        for name, (process, log) in list(running.items()):
            if process.poll() is not None:
                log.close()
                # 5: pytest collected nothing (PYTEST_ARGS chose no test of this tier): not a failure.
                took[name], status[name] = (
                    time.monotonic() - started[name],
                    (0 if process.returncode == 5 else process.returncode),
                )
                del running[name]
                print(
                    f"make test: {name} done in {took[name]:.0f} s ({time.monotonic() - began:.0f} s in), "
                    f"exit {process.returncode}",
                    flush=True,
                )
        time.sleep(0.5)
    # The passed tiers' logs first, the failed ones last: a failure is what a reader scrolls to.
    for name in sorted(planned, key=lambda name: (status[name] != 0, name)):
        print(f"\n======== {name} ({'passed' if status[name] == 0 else 'FAILED'}) ========", flush=True)
        sys.stdout.write((LOGS / f"{name}.log").read_text(errors="replace"))
    print(f"\nmake test: {time.monotonic() - began:.0f} s in all, {at_once} tiers at a time:")
    for name in planned:
        print(f"  {name:<10} {took[name]:>5.0f} s  {'passed' if status[name] == 0 else 'FAILED'}")
    return 1 if any(status.values()) else 0


def main(argv: list[str]) -> int:
    if argv[:1] == ["--store-durations"]:
        command = nameko_suite(argv[1:]) + ["--store-durations", f"--durations-path={DURATIONS}"]
        return subprocess.run(command, cwd=ROOT).returncode
    return run(tiers(argv), int(os.environ.get("TEST_TIERS_AT_ONCE", "2")))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
