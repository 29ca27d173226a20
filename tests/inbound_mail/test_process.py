"""The inbound process as the Procfile starts it: it refuses to start on a weak key, and with
no broker nor database it still runs, answers its probes (alive, not ready) and defers mail
(451) rather than losing it or exiting."""

import os
import shlex
import smtplib
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from dev.ports import free_port
from dev.procfile import ROOT, processes
from dev.processes import Processes
from services.common.clock import new_id
from services.common.reply_addresses import reply_address

# The inbound process itself, started for each test: `make test`'s, not `make check`'s.
pytestmark = pytest.mark.real_parts

KEY = "inbound-process-test-key-" + "p" * 32
DOMAIN = "reply.market.test"


def nothing_listens() -> str:
    return f"127.0.0.1:{free_port()}"


def environment(**settings) -> dict:
    inherited = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("REPLY_", "INBOUND_")) and name != "DEVELOPMENT_MODE"
    }
    return {
        **inherited,
        "PATH": str(Path(sys.executable).parent) + os.pathsep + os.environ["PATH"],
        "PYTHONWARNINGS": "ignore",
        "INBOUND_SMTP_PORT": str(free_port()),
        "INBOUND_HTTP_PORT": str(free_port()),
        "AMQP_URI": f"pyamqp://guest:guest@{nothing_listens()}/",
        "MONGO_URI": f"mongodb://{nothing_listens()}/",
        **settings,
    }


@pytest.mark.parametrize(
    "settings, reason",
    [
        ({"REPLY_DOMAIN": DOMAIN}, "REPLY_SIGNING_KEY is not set"),
        ({"REPLY_DOMAIN": DOMAIN, "REPLY_SIGNING_KEY": "short"}, "REPLY_SIGNING_KEY is 5 bytes long"),
        (
            {"REPLY_DOMAIN": DOMAIN, "REPLY_SIGNING_KEY": KEY, "INBOUND_HTTP_SIGNING_KEY": "REPLACE-ME-" + "x" * 32},
            "INBOUND_HTTP_SIGNING_KEY is a placeholder",
        ),
    ],
    ids=["unset", "short", "http_key_placeholder"],
)
def test_a_weak_key_stops_the_process_at_once(settings, reason):
    result = subprocess.run(
        shlex.split(processes()["inbound_mail"]),
        cwd=ROOT,
        env=environment(**settings),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert reason in result.stdout + result.stderr and "DEVELOPMENT_MODE=true" in result.stdout + result.stderr


def test_without_broker_nor_database_it_lives_is_not_ready_and_defers_mail(tmp_path):
    env = environment(REPLY_DOMAIN=DOMAIN, REPLY_SIGNING_KEY=KEY)
    system = Processes(env, tmp_path)
    system.start("inbound_mail")
    try:
        http = f"http://127.0.0.1:{env['INBOUND_HTTP_PORT']}"
        system.wait_ready([http + "/healthz"], timeout=30)
        ready = requests.get(http + "/readyz", timeout=10)
        assert ready.status_code == 503
        assert ready.json()["checks"] == {"smtp": True, "broker": False, "database": False}
        address = reply_address(new_id(), DOMAIN, KEY)
        mail = f"From: ann@buyers.test\r\nTo: {address}\r\nSubject: Re: hi\r\nMessage-ID: <x@y>\r\n\r\nYes.\r\n"
        with smtplib.SMTP("127.0.0.1", int(env["INBOUND_SMTP_PORT"]), timeout=30) as smtp:
            started = time.monotonic()
            with pytest.raises(smtplib.SMTPDataError) as deferred:
                smtp.sendmail("ann@buyers.test", [address], mail.encode())
        assert deferred.value.smtp_code == 451
        assert time.monotonic() - started < 10  # at once, not after the RPC timeout
        assert system.running["inbound_mail"].poll() is None
    finally:
        system.stop()
