"""Webhooks call public addresses only, and the very address that was checked; only admins
trusted with `manage_webhooks` manage them.

Nothing here leaves this machine: a private or public address is only ever checked and
refused (or accepted) before any connection, and the endpoints called are on 127.0.0.1.
"""

import json
import shutil
import socket
import ssl
import subprocess
import uuid

import pytest
from nameko.standalone.events import event_dispatcher
from nameko.standalone.rpc import ClusterRpcProxy

from services.common.errors import Forbidden, NotFound, ValidationFailed
from services.common.events import CONVERSATIONS, MESSAGE_POSTED
from services.notifications.service import NotificationsService
from services.notifications.webhooks import (
    ADDRESS_NOT_ALLOWED,
    CERTIFICATE_NOT_TRUSTED,
    AddressRefused,
    EndpointAddresses,
    HostNotListed,
    WebhookPoster,
    check_address,
    sign,
    webhook_session,
)
from tests.notifications.conftest import eventually
from tests.fixtures.callers import signed
from tests.notifications.conversation import ANN, message, thread
from tests.notifications.receiver import Receiver

ADMIN = {"user_id": "a1", "role": "admin"}
HOOK_KEEPER = {"user_id": "a2", "role": "admin", "permissions": ["manage_webhooks"]}
RESTRICTED_ADMIN = {"user_id": "a3", "role": "admin", "permissions": ["view_vendor_communication"]}
VENDOR = {"user_id": "v1", "role": "vendor", "company_id": "10"}

PRIVATE_URLS = [
    "https://10.0.0.5/",
    "https://169.254.169.254/latest",
    "https://[::1]/",
    "https://127.0.0.1/",
    "http://localhost:9/",
    "https://0.0.0.0/",
    "https://[::ffff:10.0.0.1]/",
    "https://localhost/",  # a host name that resolves to 127.0.0.1
]


def resolving(*addresses):
    """A resolver that answers `addresses` for any host, and keeps the hosts it was asked."""

    def resolve(host, port, **options):
        resolve.asked.append(host)
        return [
            (socket.AF_INET6 if ":" in address else socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port))
            for address in addresses
        ]

    resolve.asked = []
    return resolve


@pytest.fixture
def listener():
    """A port on 127.0.0.1 that only counts connections (it never accepts one by itself)."""
    listening = socket.create_server(("127.0.0.1", 0))
    yield listening
    listening.close()


def connections_to(listening) -> int:
    listening.setblocking(False)
    count = 0
    while True:
        try:
            listening.accept()[0].close()
        except BlockingIOError:
            return count
        count += 1


@pytest.fixture
def receiver():
    started = Receiver()
    started.start()
    yield started
    started.stop()


# the rule, with a resolver of the test's own ---------------------------------------------------


@pytest.mark.parametrize(
    "address",
    [
        "10.0.0.5",
        "172.16.0.1",
        "192.168.1.1",
        "169.254.169.254",
        "127.0.0.1",
        "::1",
        "0.0.0.0",
        "::",
        "::ffff:10.0.0.1",
        "::ffff:127.0.0.1",
        "fe80::1",
        "fc00::1",
        "224.0.0.1",
        "ff02::1",
        "240.0.0.1",
    ],
)
def test_loopback_private_link_local_multicast_reserved_and_unspecified_addresses_are_refused(address):
    with pytest.raises(AddressRefused):
        EndpointAddresses(allow_private=False, resolve=resolving(address)).checked("https", "hooks.example.test", None)


def test_a_public_address_is_allowed_and_one_private_answer_among_public_ones_is_refused():
    assert (
        str(EndpointAddresses(False, resolving("93.184.215.14")).checked("https", "hooks.example.test", 443))
        == "93.184.215.14"
    )
    assert (
        str(EndpointAddresses(False, resolving("2606:4700::1111")).checked("https", "hooks.example.test", 443))
        == "2606:4700::1111"
    )
    with pytest.raises(AddressRefused):
        EndpointAddresses(False, resolving("93.184.215.14", "10.0.0.5")).checked("https", "hooks.example.test", 443)


def test_allowing_private_addresses_allows_them_but_plain_http_only_to_loopback():
    allowing = EndpointAddresses(allow_private=True, resolve=resolving("10.0.0.5"))
    assert str(allowing.checked("https", "hooks.internal", None)) == "10.0.0.5"
    with pytest.raises(AddressRefused):
        allowing.checked("http", "hooks.internal", None)
    assert str(EndpointAddresses(True, resolving("127.0.0.1")).checked("http", "localhost", 9)) == "127.0.0.1"
    with pytest.raises(AddressRefused):
        EndpointAddresses(False, resolving("127.0.0.1")).checked("http", "localhost", 9)
    for never in ("224.0.0.1", "0.0.0.0"):
        with pytest.raises(AddressRefused):
            EndpointAddresses(True, resolving(never)).checked("https", "hooks.internal", None)


def test_listed_hosts_are_the_only_ones_named_and_no_other_is_even_looked_up():
    """WEBHOOK_HOSTS, the operators' egress allow-list: a host off it is refused before any
    DNS question about it leaves the machine, and at the call as at registration."""
    resolve = resolving("93.184.215.14")
    listed = EndpointAddresses(True, resolve, hosts=["Hooks.Partner.test", "127.0.0.1"])
    assert str(listed.checked("https", "hooks.partner.test", None)) == "93.184.215.14"
    for elsewhere in ("hooks.example.test", "93.184.215.14", "partner.test"):
        with pytest.raises(HostNotListed):
            listed.checked("https", elsewhere, None)
    assert resolve.asked == ["hooks.partner.test"]
    with pytest.raises(ValidationFailed) as refused:
        check_address(listed, "https://hooks.example.test/in")
    assert refused.value.details == {"url": ["The host is not one this marketplace sends webhooks to."]}
    poster = WebhookPoster(webhook_session(listed), listed)
    assert poster.post("https://hooks.example.test/in", b"{}", {}).error == ADDRESS_NOT_ALLOWED
    assert resolve.asked == ["hooks.partner.test"]


# the call: to the checked address, never to a refused one --------------------------------------


def test_the_call_connects_to_the_checked_address_and_names_the_urls_host(receiver):
    # No DNS knows hooks.example.test: the call can only arrive through the checked answer.
    resolve = resolving("127.0.0.1")
    poster = WebhookPoster(webhook_session(EndpointAddresses(True, resolve)), None)
    port = receiver.server.server_address[1]
    for _ in range(2):
        assert poster.post(f"http://hooks.example.test:{port}/in", b"{}", {}).delivered
    assert [call["headers"]["Host"] for call in receiver.calls] == [f"hooks.example.test:{port}"] * 2
    assert resolve.asked == ["hooks.example.test"] * 2  # checked again at every call, looked up once each


@pytest.fixture
def certificate(tmp_path):
    if shutil.which("openssl") is None:
        pytest.skip("needs the openssl command to make a certificate")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-nodes",
            "-keyout",
            str(key),
            "-out",
            str(cert),
            "-days",
            "1",
            "-subj",
            "/CN=hooks.example.test",
            "-addext",
            "subjectAltName=DNS:hooks.example.test",
        ],
        check=True,
        capture_output=True,
    )
    return cert, key


def test_https_to_the_checked_address_still_names_the_host_for_sni_and_the_certificate(certificate):
    cert, key = certificate
    names = []
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    context.sni_callback = lambda connection, name, _: names.append(name)
    endpoint = Receiver()
    endpoint.server.socket = context.wrap_socket(endpoint.server.socket, server_side=True)
    endpoint.start()
    try:
        session = webhook_session(EndpointAddresses(True, resolving("127.0.0.1")))
        session.verify = str(cert)  # the test's own certificate, trusted for this session only
        poster = WebhookPoster(session, None)
        port = endpoint.server.server_address[1]
        assert poster.post(f"https://hooks.example.test:{port}/in", b"{}", {}).delivered
        assert endpoint.calls[0]["headers"]["Host"] == f"hooks.example.test:{port}"
        # The same address under another name: that name is checked against the certificate.
        assert poster.post(f"https://other.example.test:{port}/in", b"{}", {}).error == CERTIFICATE_NOT_TRUSTED
        assert names == ["hooks.example.test", "other.example.test"] and len(endpoint.calls) == 1
    finally:
        endpoint.stop()


def test_a_refused_address_is_never_connected_to(listener):
    poster = WebhookPoster(webhook_session(EndpointAddresses(False, resolving("127.0.0.1"))), None)
    port = listener.getsockname()[1]
    for url in (f"http://127.0.0.1:{port}/in", f"https://hooks.example.test:{port}/in"):
        outcome = poster.post(url, b"{}", {})
        assert (outcome.status_code, outcome.error) == (None, ADDRESS_NOT_ALLOWED)
    assert connections_to(listener) == 0


# the service in a real container, on a real broker ----------------------------------------------


@pytest.fixture
def start_notifications(container_factory, service_config):
    """The notifications service with private addresses allowed or not, and an RPC client."""
    proxies = []

    def start(allow_private: bool):
        container = container_factory(
            NotificationsService, {**service_config, "WEBHOOK_ALLOW_PRIVATE": "true" if allow_private else "false"}
        )
        container.start()
        proxy = ClusterRpcProxy(service_config, timeout=20)
        proxies.append(proxy)
        return container, proxy.start().notifications

    yield start
    for proxy in proxies:
        proxy.stop()


def test_a_private_or_local_address_is_refused_at_registration(start_notifications):
    _, notifications = start_notifications(allow_private=False)
    for url in PRIVATE_URLS:
        with pytest.raises(ValidationFailed) as refused:
            notifications.register_webhook(signed(ADMIN), url, [MESSAGE_POSTED])
        assert refused.value.status == 422
        assert list(refused.value.details) == ["url"], url
        assert "public addresses only" in refused.value.details["url"][0], url
    assert notifications.list_webhooks(signed(ADMIN))["items"] == []


def test_only_an_admin_with_manage_webhooks_manages_them(start_notifications, receiver, service_config):
    _, notifications = start_notifications(allow_private=True)
    hook = notifications.register_webhook(signed(HOOK_KEEPER), receiver.url, [MESSAGE_POSTED])
    for caller in (RESTRICTED_ADMIN, VENDOR):
        for attempt in (
            lambda: notifications.register_webhook(signed(caller), receiver.url, [MESSAGE_POSTED]),
            lambda: notifications.register_webhook(signed(caller), "not a url", []),  # 403 before 422
            lambda: notifications.list_webhooks(signed(caller)),
            lambda: notifications.test_webhook(signed(caller), hook["id"]),
            lambda: notifications.delete_webhook(signed(caller), hook["id"]),
        ):
            with pytest.raises(Forbidden) as refused:
                attempt()
            assert refused.value.status == 403
    assert [listed["id"] for listed in notifications.list_webhooks(signed(HOOK_KEEPER))["items"]] == [hook["id"]]

    posted = message(thread(company_id=None), ANN, "Hello?")
    event_dispatcher(service_config)(CONVERSATIONS, MESSAGE_POSTED, posted)
    eventually(lambda: receiver.calls, what="the webhook call")
    notifications.delete_webhook(signed(HOOK_KEEPER), hook["id"])
    assert notifications.list_webhooks(signed(HOOK_KEEPER))["items"] == []


def test_a_test_call_is_one_signed_ping_answered_at_once_and_kept_nowhere(start_notifications, receiver, listener):
    allowing, notifications = start_notifications(allow_private=True)
    secret = "a-secret-of-the-admins-" + uuid.uuid4().hex
    hook = notifications.register_webhook(signed(HOOK_KEEPER), receiver.url, [MESSAGE_POSTED], secret)
    answered = notifications.test_webhook(signed(HOOK_KEEPER), hook["id"])
    assert answered | {"at": None} == {
        "at": None,
        "event": "ping",
        "status": "delivered",
        "attempts": 1,
        "status_code": 200,
        "error": None,
    }
    [call] = receiver.calls
    assert json.loads(call["body"]) | {"id": None, "occurred_at": None} == {
        "id": None,
        "event": "ping",
        "occurred_at": None,
        "data": {},
    }
    assert call["headers"]["X-MessageCenter-Signature"] == sign(secret, call["body"])
    assert call["headers"]["X-MessageCenter-Event"] == "ping"

    receiver.answers.append(500)
    failed = notifications.test_webhook(signed(HOOK_KEEPER), hook["id"])
    assert (failed["status"], failed["status_code"], failed["error"]) == ("failed", 500, "HTTP 500")
    # Nothing kept, nothing retried: the endpoint's record knows of no delivery.
    [listed] = notifications.list_webhooks(signed(HOOK_KEEPER))["items"]
    assert listed["last_result"] is None and listed["recent_deliveries"] == []
    with pytest.raises(NotFound):
        notifications.test_webhook(signed(HOOK_KEEPER), "no-such-webhook")

    # The call is checked as a delivery is: an address now refused is never connected to.
    private = notifications.register_webhook(
        signed(HOOK_KEEPER), f"http://127.0.0.1:{listener.getsockname()[1]}/in", [MESSAGE_POSTED]
    )
    allowing.stop()
    _, notifications = start_notifications(allow_private=False)
    refused = notifications.test_webhook(signed(HOOK_KEEPER), private["id"])
    assert (refused["status"], refused["status_code"], refused["error"]) == ("failed", None, ADDRESS_NOT_ALLOWED)
    assert connections_to(listener) == 0
    assert len(receiver.calls) == 2


def test_an_address_that_turned_private_after_registration_is_refused_at_the_call(
    start_notifications, listener, service_config, mongo_db
):
    # Registered where private addresses were allowed; called by a process where they are not,
    # as a host that resolved publicly at registration and privately at the call would be.
    allowing, notifications = start_notifications(allow_private=True)
    url = f"http://127.0.0.1:{listener.getsockname()[1]}/in"
    hook = notifications.register_webhook(signed(ADMIN), url, [MESSAGE_POSTED])
    allowing.stop()
    _, notifications = start_notifications(allow_private=False)

    event_dispatcher(service_config)(CONVERSATIONS, MESSAGE_POSTED, message(thread(company_id=None), ANN, "Hi"))
    [listed] = eventually(
        lambda: [item for item in notifications.list_webhooks(signed(ADMIN))["items"] if item["last_result"]],
        what="the attempt",
    )
    assert listed["id"] == hook["id"]
    assert listed["last_result"] | {"at": None} == {
        "at": None,
        "event": MESSAGE_POSTED,
        "status": "retrying",
        "attempts": 1,
        "status_code": None,
        "error": ADDRESS_NOT_ALLOWED,
    }
    [delivery] = mongo_db.webhook_deliveries.find({"webhook_id": hook["id"]})
    assert delivery["last_result"]["error"] == ADDRESS_NOT_ALLOWED
    assert connections_to(listener) == 0


# through the gateway ----------------------------------------------------------------------------


def test_the_gateway_refuses_a_caller_without_manage_webhooks_before_reading_the_body(stack):
    tag = uuid.uuid4().hex[:6]
    restricted = stack.token("admin", sub=f"r{tag}", permissions=["view_vendor_communication"])
    vendor = stack.token("vendor", sub=f"v{tag}", company_id=f"c{tag}")
    for token in (restricted, vendor):
        assert stack.call("POST", "/v1/webhooks", token, json={"url": "not a url"}).status_code == 403
        assert stack.call("GET", "/v1/webhooks", token).status_code == 403
        assert stack.call("DELETE", f"/v1/webhooks/{uuid.uuid4().hex[:24]}", token).status_code == 403
    keeper = stack.token("admin", sub=f"k{tag}", permissions=["manage_webhooks"])
    assert stack.call("POST", "/v1/webhooks", keeper, json={"url": "not a url"}).status_code == 422
