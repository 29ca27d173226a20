"""A mail server that takes connections and never answers (a relay gone dark, not one that
refuses): the mail waits, and the rest of the service goes on."""

import pytest
from nameko.standalone.rpc import ClusterRpcProxy

from services.common.events import MESSAGE_POSTED
from tests.fixtures.callers import signed

from .conftest import eventually
from .conversation import ANN, VENDOR_BOB, message, thread

MESSAGES = 40  # four times the service's workers


@pytest.fixture
def config(config, silent_server):
    return {**config, "SMTP_PORT": silent_server.port, "SMTP_TIMEOUT": 5}


def test_mail_that_cannot_go_out_holds_up_neither_the_bell_nor_its_callers(notifications, publish, config, mongo_db):
    asked = [publish(MESSAGE_POSTED, message(thread(), ANN, f"Question {number}?")) for number in range(MESSAGES)]
    with ClusterRpcProxy(config, timeout=3) as impatient:
        eventually(
            lambda: impatient.notifications.list_notifications(signed(VENDOR_BOB))["unread_count"] == MESSAGES,
            what="every message on the vendor's bell",
        )
    message_ids = {each["message"]["id"] for each in asked}
    kept = {
        mail["message_id"] for mail in mongo_db.notification_mails.find({"status": {"$in": ["pending", "sending"]}})
    }
    assert message_ids <= kept  # none sent, none lost: each waits for the server
