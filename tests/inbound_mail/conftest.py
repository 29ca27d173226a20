"""The inbound process alone, for the tests of what it decides before it asks any service."""

import pytest

from dev.processes import Processes
from tests.inbound_mail.test_process import DOMAIN, KEY, environment


@pytest.fixture
def lone_inbound(tmp_path):
    """The inbound process alone, with the settings given (no broker, no database: a whole mail
    is answered 451); its SMTP address."""
    started = []

    def start(**settings) -> tuple:
        env = environment(REPLY_DOMAIN=DOMAIN, REPLY_SIGNING_KEY=KEY, **settings)
        system = Processes(env, tmp_path)
        started.append(system)
        system.start("inbound_mail")
        system.wait_ready([f"http://127.0.0.1:{env['INBOUND_HTTP_PORT']}/healthz"], timeout=30)
        return "127.0.0.1", int(env["INBOUND_SMTP_PORT"])

    yield start
    for system in started:
        system.stop()
