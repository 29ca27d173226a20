"""Webhooks against a real HTTP receiver on 127.0.0.1: signed, retried, their results shown."""

import hashlib
import hmac
import json

import pytest
from nameko.standalone.rpc import ClusterRpcProxy

from services.common.errors import NotFound, ValidationFailed
from services.common.events import MESSAGE_POSTED, THREAD_STARTED
from tests.fixtures.callers import signed

from .conftest import eventually
from .conversation import ANN, SHOP_EMAIL, message, thread
from .receiver import Receiver

SECRET = "s3cret-for-the-receiver-0123456789"
ADMIN = {"user_id": "a1", "role": "admin"}


@pytest.fixture
def receiver():
    def start(answers=()):
        started = Receiver(answers)
        started.start()
        receivers.append(started)
        return started

    receivers = []
    yield start
    for started in receivers:
        started.stop()


def test_a_message_is_delivered_signed_and_retried_until_the_endpoint_takes_it(notifications, publish, receiver):
    notifications.set_rules(signed(ADMIN), {"retry": {"attempts": 5, "first_delay_seconds": 1, "max_delay_seconds": 1}})
    endpoint = receiver(answers=[500, 503])
    hook = notifications.register_webhook(signed(ADMIN), endpoint.url, [MESSAGE_POSTED], SECRET)
    assert hook["secret"] == SECRET and hook["events"] == [MESSAGE_POSTED]

    asked = message(thread(), ANN, "Is it brass?")
    publish(THREAD_STARTED, asked)
    publish(MESSAGE_POSTED, asked)
    publish(MESSAGE_POSTED, asked)  # redelivered: still one delivery
    calls = eventually(lambda: len(endpoint.calls) >= 3 and endpoint.calls, what="three calls")

    bodies = {call["body"] for call in calls}
    assert len(bodies) == 1  # every retry sends the very same bytes
    body = bodies.pop()
    expected = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
    for call in calls:
        assert call["headers"]["X-MessageCenter-Signature"] == expected
        assert call["headers"]["X-MessageCenter-Event"] == MESSAGE_POSTED
        assert call["headers"]["Content-Type"] == "application/json"
        assert call["path"] == "/hooks/message-center"
    delivered = json.loads(body)
    assert delivered["event"] == MESSAGE_POSTED and delivered["data"] == asked
    assert len({call["headers"]["X-MessageCenter-Delivery"] for call in calls}) == 1
    assert delivered["id"] == calls[0]["headers"]["X-MessageCenter-Delivery"]

    [listed] = eventually(
        lambda: [
            h
            for h in notifications.list_webhooks(signed(ADMIN))["items"]
            if (h["last_result"] or {}).get("status") == "delivered"
        ],
        what="the delivered result",
    )
    assert listed["last_result"]["status_code"] == 200 and listed["last_result"]["attempts"] == 3
    assert "secret" not in listed
    assert [(d["status"], d["status_code"]) for d in listed["recent_deliveries"]] == [("delivered", 200)]
    notifications_after = len(endpoint.calls)
    assert notifications_after == 3  # nothing for thread_started, which it did not ask for


def test_an_endpoint_that_keeps_failing_is_given_up_on_and_says_so(notifications, publish, receiver):
    notifications.set_rules(signed(ADMIN), {"retry": {"attempts": 2, "first_delay_seconds": 1, "max_delay_seconds": 1}})
    endpoint = receiver(answers=[500] * 10)
    notifications.register_webhook(signed(ADMIN), endpoint.url, [MESSAGE_POSTED, THREAD_STARTED], SECRET)
    publish(THREAD_STARTED, message(thread(), ANN, "Hello?"))
    [listed] = eventually(
        lambda: [
            h
            for h in notifications.list_webhooks(signed(ADMIN))["items"]
            if (h["last_result"] or {}).get("status") == "failed"
        ],
        what="the failed result",
    )
    assert listed["last_result"] | {"at": None} == {
        "at": None,
        "event": THREAD_STARTED,
        "status": "failed",
        "attempts": 2,
        "status_code": 500,
        "error": "HTTP 500",
    }
    assert len(endpoint.calls) == 2


def test_an_unreachable_endpoint_is_recorded_with_a_plain_reason(notifications, publish, receiver):
    notifications.set_rules(signed(ADMIN), {"retry": {"attempts": 1, "first_delay_seconds": 1, "max_delay_seconds": 1}})
    endpoint = receiver()
    endpoint.stop()
    notifications.register_webhook(signed(ADMIN), endpoint.url, [MESSAGE_POSTED], SECRET)
    publish(MESSAGE_POSTED, message(thread(), ANN, "Hello?"))
    [listed] = eventually(
        lambda: [h for h in notifications.list_webhooks(signed(ADMIN))["items"] if h["last_result"]], what="a result"
    )
    assert listed["last_result"]["status"] == "failed" and listed["last_result"]["status_code"] is None
    assert listed["last_result"]["error"] == "could not connect"


def test_registration_is_checked_and_a_secret_made_when_none_is_given(notifications):
    with pytest.raises(ValidationFailed) as refused:
        notifications.register_webhook(signed(ADMIN), "http://hooks.example.test/in", [MESSAGE_POSTED], SECRET)
    assert set(refused.value.details) == {"url"}
    with pytest.raises(ValidationFailed) as refused:
        notifications.register_webhook(signed(ADMIN), "https://hooks.example.test/in", ["message_deleted"], "short")
    assert set(refused.value.details) == {"events", "secret"}
    with pytest.raises(ValidationFailed):
        notifications.register_webhook(signed(ADMIN), "https://hooks.example.test/in", [], SECRET)

    made = notifications.register_webhook(signed(ADMIN), "https://localhost/in", [THREAD_STARTED])
    assert len(made["secret"]) >= 32 and made["last_result"] is None and made["recent_deliveries"] == []
    assert [h["id"] for h in notifications.list_webhooks(signed(ADMIN))["items"]] == [made["id"]]
    notifications.delete_webhook(signed(ADMIN), made["id"])
    assert notifications.list_webhooks(signed(ADMIN))["items"] == []
    with pytest.raises(NotFound):
        notifications.delete_webhook(signed(ADMIN), made["id"])


def test_an_endpoint_that_never_answers_holds_up_no_one_else(
    notifications, publish, receiver, silent_server, config, mail_sink
):
    """More messages than the service has workers, and an endpoint that keeps each call open
    until it times out: the other endpoint still hears of every message, every mail goes, and
    the service still answers its callers."""
    notifications.register_webhook(signed(ADMIN), silent_server.url, [MESSAGE_POSTED], SECRET)
    answering = receiver()
    notifications.register_webhook(signed(ADMIN), answering.url, [MESSAGE_POSTED], SECRET)
    asked = [publish(MESSAGE_POSTED, message(thread(), ANN, f"Question {number}?")) for number in range(12)]

    eventually(lambda: len(answering.calls) == len(asked), timeout=8, what="every call to the answering endpoint")
    mail_sink.wait_for_to(SHOP_EMAIL, len(asked), timeout=8)
    with ClusterRpcProxy(config, timeout=3) as impatient:
        listed = impatient.notifications.list_webhooks(signed(ADMIN))["items"]
    assert {hook["url"] for hook in listed} == {silent_server.url, answering.url}
    assert silent_server.held  # it was called, and is still being waited for
