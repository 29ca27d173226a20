"""One port, one process (issue 21, finding 6): push set SO_REUSEPORT, so a second stack's push
bound the port beside the first and the kernel split the pages between them. Each process
that listens (the gateway, push, the inbound process's two ports) is started twice on one
port: the second refuses to start, loudly, naming the port, and the first serves on alone."""

import shlex
import subprocess

import pytest
import requests

from dev.ports import free_port
from dev.processes import Processes
from dev.procfile import ROOT
from tests.fixtures.callers import CALLER_SIGNING_KEY
from tests.inbound_mail.test_process import DOMAIN, KEY, environment

SECRET = "ports-test-secret-" + "s" * 32


def settings(name: str) -> tuple[dict, str]:
    """The process's settings on free ports (no broker nor database: each listens without), and
    the URL it answers on."""
    if name == "gateway":
        port = free_port()
        env = {"GATEWAY_PORT": str(port), "GATEWAY_WORKERS": "1"}
    elif name == "push":
        port = free_port()
        env = {"PUSH_PORT": str(port)}
    else:
        env = {
            "INBOUND_SMTP_PORT": str(free_port()),
            "INBOUND_HTTP_PORT": str(free_port()),
            "REPLY_DOMAIN": DOMAIN,
            "REPLY_SIGNING_KEY": KEY,
        }
        port = int(env["INBOUND_HTTP_PORT"])
    return environment(
        JWT_SECRET=SECRET, CALLER_SIGNING_KEY=CALLER_SIGNING_KEY, **env
    ), f"http://127.0.0.1:{port}/healthz"


@pytest.mark.parametrize(
    "name, shared",
    [
        ("gateway", "GATEWAY_PORT"),
        ("push", "PUSH_PORT"),
        ("inbound_mail", "INBOUND_SMTP_PORT"),
        ("inbound_mail", "INBOUND_HTTP_PORT"),
    ],
)
def test_a_second_process_on_a_port_in_use_refuses_to_start(tmp_path, name, shared):
    env, healthz = settings(name)
    first = Processes(env, tmp_path)
    first.start(name)
    try:
        first.wait_ready([healthz], timeout=30)
        # The second: the same port, any other port of its own free.
        second_env = {**settings(name)[0], shared: env[shared]}
        second = subprocess.Popen(
            shlex.split(first.commands[name]),
            cwd=ROOT,
            env={**second_env},
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        try:
            output, _ = second.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            second.kill()
            output, _ = second.communicate()
            pytest.fail(f"the second {name} runs on {shared}={env[shared]} beside the first:\n{output[-2000:]}")
        assert second.returncode != 0
        assert env[shared] in output and "in use" in output, output[-2000:]
        assert first.running[name].poll() is None
        assert requests.get(healthz, timeout=10).status_code == 200
    finally:
        first.stop()
