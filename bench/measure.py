"""Timing: one operation against its floor, side by side, so both see the same machine.

`paired` alternates one round of the system with one round of its floor; `throughput` runs
clients in windows that alternate the same way; `steady` starts operations at a fixed rate,
whether or not the earlier ones have finished (an open loop, as real traffic arrives).
"""

import contextlib
import math
import statistics
import threading
import time
from concurrent.futures import ThreadPoolExecutor


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile: the smallest value at least `share` of the values reach."""
    ordered = sorted(values)
    rank = max(math.ceil(share * len(ordered)), 1)
    return ordered[rank - 1]


def describe(times_ms: list[float]) -> dict:
    return {
        "rounds": len(times_ms),
        "median_ms": round(statistics.median(times_ms), 3),
        "p95_ms": round(percentile(times_ms, 0.95), 3),
        "max_ms": round(max(times_ms), 3),
    }


def _timed(work) -> float:
    started = time.perf_counter()
    work()
    return (time.perf_counter() - started) * 1000


def paired(system, floor, rounds: int, budget_s: float, warm_up: int = 3, min_rounds: int = 10) -> tuple[dict, dict]:
    """Median and p95 of `system` and of `floor`, one round of each in turn."""
    found = rotation({"system": system}, floor, rounds, budget_s, warm_up, min_rounds)
    return found["system"], found["floor"]


def rotation(systems: dict, floor, rounds: int, budget_s: float, warm_up: int = 3, min_rounds: int = 10) -> dict:
    """Median and p95 of each of `systems` and of `floor` (under the name "floor"): each
    round runs every one of them once, in turn, so all see the same moments of the machine.

    Stops after `rounds` rounds, or after `budget_s` seconds once `min_rounds` are in: a slow
    system still gets its rounds without holding the whole bench up.
    """
    everything = {**systems, "floor": floor}
    for _ in range(warm_up):  # connections, first-use imports and caches
        for work in everything.values():
            work()
    times = {name: [] for name in everything}
    deadline = time.monotonic() + budget_s
    for number in range(rounds):
        for name, work in everything.items():
            times[name].append(_timed(work))
        if number + 1 >= min_rounds and time.monotonic() > deadline:
            break
    return {name: describe(values) for name, values in times.items()}


def throughput(
    make_system, make_floor, clients: int, window_s: float, windows: int = 2, around=contextlib.nullcontext
) -> tuple[dict, dict]:
    """Operations a second with `clients` threads, the system's windows alternating with
    the floor's. `make_*` is called once in each client thread and returns its operation
    (so each thread has its own connections). Each window runs inside `around(name)`."""
    results = {"system": [], "floor": []}
    for _ in range(windows):
        for name, make in (("system", make_system), ("floor", make_floor)):
            results[name].append(_window(make, clients, window_s, lambda: around(name)))
    return _rate(results["system"]), _rate(results["floor"])


def _window(make, clients: int, window_s: float, around) -> tuple[int, float, list[float]]:
    ready = threading.Barrier(clients + 1)
    start = threading.Event()
    times, errors = [], []
    lock = threading.Lock()
    stop_at = [0.0]

    def client():
        try:
            operation = make()
            operation()  # warm
        except Exception as error:
            errors.append(error)
            ready.wait()
            return
        ready.wait()
        start.wait()
        mine = []
        while time.monotonic() < stop_at[0]:
            try:
                mine.append(_timed(operation))
            except Exception as error:
                errors.append(error)
                break
        with lock:
            times.extend(mine)

    workers = [threading.Thread(target=client, daemon=True) for _ in range(clients)]
    for worker in workers:
        worker.start()
    ready.wait()
    if errors:
        raise RuntimeError(f"a client could not start: {errors[0]!r}")
    with around():
        began = time.monotonic()
        stop_at[0] = began + window_s
        start.set()
        for worker in workers:
            worker.join()
        elapsed = time.monotonic() - began  # until the last operation begun in the window ended
    if errors:
        raise RuntimeError(f"{len(errors)} operations failed, the first: {errors[0]!r}")
    return len(times), elapsed, times


def _rate(windows: list[tuple[int, float, list[float]]]) -> dict:
    done = sum(count for count, _, _ in windows)
    seconds = sum(elapsed for _, elapsed, _ in windows)
    times = [value for _, _, window_times in windows for value in window_times]
    return {
        "per_second": round(done / seconds, 2),
        "operations": done,
        "seconds": round(seconds, 2),
        "median_ms": round(statistics.median(times), 3),
        "p95_ms": round(percentile(times, 0.95), 3),
    }


def steady(operation, rate: float, count: int, workers: int = 16) -> list:
    """Start `operation(number)` `rate` times a second, `count` times; their answers in order."""
    with ThreadPoolExecutor(max_workers=workers) as pool:
        started = time.monotonic()
        futures = []
        for number in range(count):
            delay = started + number / rate - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            futures.append(pool.submit(operation, number))
        return [future.result() for future in futures]
