"""A mail server slower than the messages come: more mail is due than there are senders. The
mail that no sender was free for waits for the timer, then goes, each one once."""

import pytest
from nameko.standalone.rpc import ClusterRpcProxy

from services.common.events import MESSAGE_POSTED
from tests.fixtures.callers import signed
from tests.fixtures.mail import MailSink

from .conftest import eventually
from .conversation import ANN, SHOP_EMAIL, VENDOR_BOB, message, thread

SENDERS = 2
MESSAGES = 12  # six times the senders, each in a thread of its own (nothing coalesces)


@pytest.fixture
def slow_sink(tmp_path):
    sink = MailSink(tmp_path / "slow-mail", answer_after=0.5)
    sink.start()
    yield sink
    sink.stop()


@pytest.fixture
def config(config, slow_sink):
    return {**config, "SMTP_PORT": slow_sink.port, "MAILS_AT_ONCE": SENDERS}


def test_mail_no_sender_was_free_for_goes_with_the_timer_once_and_the_bell_answers_meanwhile(
    notifications, publish, config, slow_sink
):
    asked = [publish(MESSAGE_POSTED, message(thread(), ANN, f"Question {number}?")) for number in range(MESSAGES)]
    with ClusterRpcProxy(config, timeout=3) as impatient:
        eventually(
            lambda: impatient.notifications.list_notifications(signed(VENDOR_BOB))["unread_count"] == MESSAGES,
            what="every message on the vendor's bell",
        )
    slow_sink.wait_for_to(SHOP_EMAIL, MESSAGES, timeout=60)
    slow_sink.settle(quiet=2.0)
    mailed = [mail["X-MessageCenter-Thread"] for mail in slow_sink.to(SHOP_EMAIL)]
    assert sorted(mailed) == sorted(each["thread"]["id"] for each in asked)  # each once
