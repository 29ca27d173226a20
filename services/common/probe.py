"""Container probe for a nameko service: `python -m services.common.probe <service_name>`.

The nameko services serve no HTTP, so docker-compose health checks and Kubernetes exec probes
run this instead: a round trip of `<service_name>.health()` over the broker proves that the
process is up, connected, and has a worker free to answer. Exit status 0 when it answers,
1 otherwise, with the reason on stderr (Kubernetes shows it in the pod's events).

`python -m services.common.probe --alive` is the liveness probe: it only reads the age of the
heartbeat file (services/common/liveness.py), so a broker or database outage, which a restart
would not cure, never fails it.
"""

import argparse
import os
import sys
import time
import warnings

# Probe output ends up in Kubernetes events, which keep a few lines: only the reason, please.
warnings.filterwarnings("ignore", message=r"\s*Eventlet is deprecated")

from nameko.standalone.rpc import ClusterRpcProxy  # noqa: E402 (after the filter above)

from .config import load_settings  # noqa: E402

# Shorter than any probe's timeoutSeconds in k8s/, so the probe reports its own failure.
DEFAULT_TIMEOUT = 5.0
# Six heartbeats (services/common/liveness.py): a busy moment is not a stuck process.
DEFAULT_MAX_AGE = 30.0


def service_answers(service_name: str, amqp_uri: str, timeout: float = DEFAULT_TIMEOUT) -> bool:
    try:
        with ClusterRpcProxy({"AMQP_URI": amqp_uri}, timeout=timeout) as cluster:
            healthy = cluster[service_name].health()
    except Exception as error:  # any failure at all means "not healthy", never a traceback
        print(f"{service_name} did not answer health(): {type(error).__name__}: {error}", file=sys.stderr)
        return False
    if healthy is not True:
        print(f"{service_name} answered health() with {healthy!r}", file=sys.stderr)
    return healthy is True


def heartbeat_is_fresh(heartbeat_file: str, max_age: float) -> bool:
    try:
        age = time.time() - os.stat(heartbeat_file).st_mtime
    except OSError as error:
        print(f"no heartbeat: {error}", file=sys.stderr)
        return False
    if age > max_age:
        print(
            f"the heartbeat in {heartbeat_file} is {age:.1f} s old (more than {max_age:g} s): "
            f"the service's event loop is stuck or has stopped",
            file=sys.stderr,
        )
        return False
    return True


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m services.common.probe",
        description="Exit 0 when the service answers health() (readiness), or with --alive, "
        "when its heartbeat is fresh (liveness).",
    )
    parser.add_argument("service_name", nargs="?")
    parser.add_argument(
        "--timeout", type=float, default=DEFAULT_TIMEOUT, help="seconds to wait for the answer (default %(default)s)"
    )
    parser.add_argument(
        "--alive", action="store_true", help="read the heartbeat file (LIVENESS_FILE) only, never the broker"
    )
    parser.add_argument(
        "--max-age", type=float, default=DEFAULT_MAX_AGE, help="seconds a heartbeat stays fresh (default %(default)s)"
    )
    arguments = parser.parse_args(argv)
    if arguments.alive == (arguments.service_name is not None):
        parser.error("name a service, or give --alive")
    settings = load_settings()
    if arguments.alive:
        return 0 if heartbeat_is_fresh(settings.LIVENESS_FILE, arguments.max_age) else 1
    return 0 if service_answers(arguments.service_name, settings.AMQP_URI, arguments.timeout) else 1


if __name__ == "__main__":
    sys.exit(main())
