"""What a signed caller costs per call: a bare RPC round trip with the caller as a plain dict
(bench/echo.py, the floor) beside the same round trip with the caller signed by the client and
verified by the service (services/common/signing.py), in one run, one round of each in turn
(bench/measure.py), plus sign + verify alone, in process, in microseconds.

    .venv/bin/python -m bench.caller_signing [--rounds 2000]

Both services run in one `nameko run` process on a RabbitMQ virtual host of the run's own.
"""

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

from nameko.rpc import rpc
from nameko.standalone.rpc import ClusterRpcProxy

from bench.dataset import VENDOR
from bench.measure import rotation
from bench.stack import CALLER_SIGNING_KEY, VirtualHost
from dev.processes import Processes
from services.common.config import load_settings
from services.common.signing import SignedCallers, sign, verified

THREAD = "bench-thread"
BODY = {"body": "Yes, any E27 LED bulb."}
SERVICES = "nameko run --config config.yml bench.echo bench.caller_signing"


class SignedEchoService:
    """bench/echo.py, checking its caller as every service of ours does."""

    name = "bench_signed_echo"

    callers = SignedCallers()

    @rpc
    def echo(self, caller, *args):
        self.callers.verified(caller)
        return (caller, *args)


def in_process_microseconds(rounds: int) -> dict:
    """sign() on the gateway's side and verified() on the service's, without the broker."""

    def timed(work) -> list[float]:
        times = []
        for _ in range(rounds):
            started = time.perf_counter()
            work()
            times.append((time.perf_counter() - started) * 1e6)
        return times

    envelope = sign(VENDOR, CALLER_SIGNING_KEY)
    signing = timed(lambda: sign(VENDOR, CALLER_SIGNING_KEY))
    checking = timed(lambda: verified(envelope, CALLER_SIGNING_KEY))
    both = timed(lambda: verified(sign(VENDOR, CALLER_SIGNING_KEY), CALLER_SIGNING_KEY))
    return {
        name: round(statistics.median(values), 1)
        for name, values in (("sign_us", signing), ("verify_us", checking), ("sign_and_verify_us", both))
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=2000)
    args = parser.parse_args()
    alone = in_process_microseconds(args.rounds * 10)
    vhost = VirtualHost(load_settings().AMQP_URI)
    vhost.create()
    work = Path(tempfile.mkdtemp(prefix="caller-signing-"))
    services = Processes(
        {"AMQP_URI": vhost.uri, "CALLER_SIGNING_KEY": CALLER_SIGNING_KEY, "LOG_LEVEL": "WARNING"},
        work,
        {"echo": SERVICES},
    )
    try:
        services.start()
        with ClusterRpcProxy({"AMQP_URI": vhost.uri}, timeout=30) as proxy:
            _wait_for(
                lambda: proxy.bench_echo.echo() == []
                and proxy.bench_signed_echo.echo(sign(VENDOR, CALLER_SIGNING_KEY)) is not None
            )
            found = rotation(
                {"signed": lambda: proxy.bench_signed_echo.echo(sign(VENDOR, CALLER_SIGNING_KEY), THREAD, BODY)},
                lambda: proxy.bench_echo.echo(VENDOR.to_dict(), THREAD, BODY),
                rounds=args.rounds,
                budget_s=120,
                warm_up=20,
            )
    finally:
        services.stop()
        vhost.delete()
    bare, signed = found["floor"], found["signed"]
    print(
        f"bare RPC round trip, unsigned caller:  median {bare['median_ms'] * 1000:.0f} µs, "
        f"p95 {bare['p95_ms'] * 1000:.0f} µs ({bare['rounds']} rounds)"
    )
    print(
        f"signed caller, verified by the service: median {signed['median_ms'] * 1000:.0f} µs, "
        f"p95 {signed['p95_ms'] * 1000:.0f} µs"
    )
    print(
        f"ratio (median signed / median bare): {signed['median_ms'] / bare['median_ms']:.3f}; "
        f"difference of medians {(signed['median_ms'] - bare['median_ms']) * 1000:+.0f} µs"
    )
    print(
        f"in process: sign {alone['sign_us']} µs, verify {alone['verify_us']} µs, "
        f"sign + verify {alone['sign_and_verify_us']} µs (medians of {args.rounds * 10})"
    )


def _wait_for(ready, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            if ready():
                return
        except Exception as error:  # the services are still starting
            if time.monotonic() > deadline:
                sys.exit(f"the echo services did not start: {error!r}")
        time.sleep(0.5)


if __name__ == "__main__":
    main()
