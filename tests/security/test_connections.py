"""A careless or hostile client cannot hold the connections of the push process or the gateway.

The push process gives a connection PUSH_HEAD_TIMEOUT seconds for its request head and caps
the open pages of a person and of an address. The gateway sits behind a buffering proxy
(deploy/nginx.conf): gunicorn's gthread worker gives a half-sent request a thread for as long
as its client stays connected, so nginx reads every request whole before passing it on.

The push process and the gateway run as the Procfile starts them, nginx with the repository's
configuration, its upstreams pointed at them and its timeouts as short as push's here.
"""

import getpass
import http.client
import json
import os
import shutil
import socket
import subprocess
import time
import uuid
from urllib.parse import urlencode

import jwt
import pytest
import requests

from dev.ports import free_port
from dev.processes import Processes
from dev.tokens import mint
from gateway.push import Audience, client_address
from services.common.caller import Caller
from tests.deploy.layout import PROXY_CONFIG
from tests.fixtures.callers import CALLER_SIGNING_KEY

SECRET = "connections-test-secret-" + "c" * 32
# PUSH_HEAD_TIMEOUT, and nginx's client_header_timeout and client_body_timeout, in these tests.
HEAD_TIMEOUT = 2.0
PAGES_PER_USER, PAGES_PER_ADDRESS = 3, 5
# Debian installs it in /usr/sbin, which is not on every user's PATH.
NGINX = shutil.which("nginx", path=os.environ["PATH"] + os.pathsep + "/usr/sbin")


def nothing_listens() -> str:
    return f"127.0.0.1:{free_port()}"


@pytest.fixture(scope="module")
def push(tmp_path_factory):
    """The push process's port."""
    port = free_port()
    processes = Processes(
        {
            "JWT_SECRET": SECRET,
            "PUSH_PORT": str(port),
            # Streams open without the broker: the feed retrying in the background changes nothing.
            "AMQP_URI": f"pyamqp://guest:guest@{nothing_listens()}/",
            "PUSH_HEAD_TIMEOUT": str(HEAD_TIMEOUT),
            "PUSH_MAX_PAGES_PER_USER": str(PAGES_PER_USER),
            "PUSH_MAX_PAGES_PER_ADDRESS": str(PAGES_PER_ADDRESS),
            # As behind the proxy: each test names its pages' address in X-Forwarded-For, as nginx does.
            "PUSH_PROXY_HOPS": "1",
        },
        tmp_path_factory.mktemp("push"),
    )
    processes.start("push")
    try:
        processes.wait_ready([f"http://127.0.0.1:{port}/healthz"], timeout=30)
        yield port
    finally:
        processes.stop()


@pytest.fixture(scope="module")
def gateway(tmp_path_factory):
    """The gateway's port: one worker with one thread, which one slow client could take."""
    port = free_port()
    processes = Processes(
        {
            "JWT_SECRET": SECRET,
            "CALLER_SIGNING_KEY": CALLER_SIGNING_KEY,
            "GATEWAY_PORT": str(port),
            "GATEWAY_WORKERS": "1",
            "GATEWAY_THREADS": "1",
            "AMQP_URI": f"pyamqp://guest:guest@{nothing_listens()}/",
            "MONGO_URI": f"mongodb://{nothing_listens()}/",
        },
        tmp_path_factory.mktemp("gateway"),
    )
    processes.start("gateway")
    try:
        processes.wait_ready([f"http://127.0.0.1:{port}/healthz"], timeout=30)
        yield port
    finally:
        processes.stop()


def proxy_config(port: int, gateway_address: str, push_address: str) -> str:
    """deploy/nginx.conf on loopback ports, its client timeouts at HEAD_TIMEOUT."""
    text = PROXY_CONFIG.read_text()
    for old, new in (
        ("listen 8080;", f"listen 127.0.0.1:{port};"),
        ("server gateway:8080;", f"server {gateway_address};"),
        ("server push:8081;", f"server {push_address};"),
        # the inbound process's route is not what these tests look at
        ("server inbound_mail:8082;", f"server {nothing_listens()};"),
        ("client_header_timeout 10s;", f"client_header_timeout {HEAD_TIMEOUT:g}s;"),
        ("client_body_timeout 10s;", f"client_body_timeout {HEAD_TIMEOUT:g}s;"),
    ):
        assert text.count(old) == 1, f"deploy/nginx.conf no longer has {old!r}"
        text = text.replace(old, new)
    return text


@pytest.fixture(scope="module")
def start_proxy(tmp_path_factory):
    """Start nginx with the repository's configuration in front of the given addresses; its port."""
    if NGINX is None:
        pytest.skip("nginx is not installed (apt-get install nginx; make test installs it)")
    started = []

    def start(gateway_address: str, push_address: str) -> int:
        directory, port = tmp_path_factory.mktemp("proxy"), free_port()
        (directory / "server.conf").write_text(proxy_config(port, gateway_address, push_address))
        temporary = "\n".join(
            f"    {kind}_temp_path {directory / kind};" for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
        )
        # As the image's nginx.conf: the server file included in http, and nothing else served.
        (directory / "nginx.conf").write_text(
            f"user {getpass.getuser()};\ndaemon off;\nworker_processes 1;\npid {directory / 'nginx.pid'};\n"
            f"events {{ worker_connections 256; }}\n"
            f"http {{\n    access_log {directory / 'access.log'};\n{temporary}\n"
            f"    include {directory / 'server.conf'};\n}}\n"
        )
        log = directory / "error.log"
        process = subprocess.Popen(
            [NGINX, "-p", str(directory), "-e", str(log), "-c", str(directory / "nginx.conf")],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        started.append(process)
        deadline = time.monotonic() + 10
        while True:
            assert process.poll() is None, log.read_text()
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                return port
            except OSError:
                assert time.monotonic() < deadline, "nginx never listened"
                time.sleep(0.05)

    yield start
    for process in started:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture(scope="module")
def proxy(start_proxy, gateway, push):
    return start_proxy(f"127.0.0.1:{gateway}", f"127.0.0.1:{push}")


class Page:
    """An open page's request for its event stream."""

    def __init__(self, port: int, token: str, forwarded_for: str | None = None):
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        self.connection.request(
            "GET",
            "/v1/events?" + urlencode({"token": token}),
            headers={"X-Forwarded-For": forwarded_for} if forwarded_for else {},
        )
        self.response = self.connection.getresponse()
        self.status = self.response.status

    def error(self) -> dict:
        return json.loads(self.response.read())["error"]

    def is_open(self) -> bool:
        # A peek: a heartbeat would be data on an open stream, a closed one reads as b"".
        sock = self.connection.sock
        sock.settimeout(0.2)
        try:
            return sock.recv(1, socket.MSG_PEEK) != b""
        except socket.timeout:
            return True
        except ConnectionError:
            return False

    def close(self):
        self.connection.close()


@pytest.fixture
def pages():
    opened = []

    def open_(port, token, forwarded_for=None):
        opened.append(Page(port, token, forwarded_for))
        return opened[-1]

    yield open_
    for page in opened:
        page.close()


def token_of(sub: str | None = None) -> str:
    return mint(SECRET, sub or f"customer-{uuid.uuid4().hex[:8]}", "customer")


def an_address() -> str:
    """A documentation address (RFC 5737) of the test's own: pages of other tests never count."""
    return f"198.51.100.{uuid.uuid4().int % 254 + 1}"


def seconds_until_closed(connection: socket.socket, since: float) -> float:
    """Seconds from `since` until the server closes the connection (what it sends is read and dropped)."""
    connection.settimeout(HEAD_TIMEOUT + 5)
    try:
        while connection.recv(4096):
            pass
    except ConnectionResetError:
        pass
    except socket.timeout:
        pytest.fail(f"still open {time.monotonic() - since:.1f} s after")
    return time.monotonic() - since


def connect(port: int, head: bytes = b"") -> socket.socket:
    connection = socket.create_connection(("127.0.0.1", port), timeout=5)
    if head:
        connection.sendall(head)
    return connection


def closed_in_time(seconds: float) -> bool:
    return HEAD_TIMEOUT - 0.5 <= seconds <= HEAD_TIMEOUT + 3


# --- the push process ---------------------------------------------------------------------


def test_a_connection_without_its_request_head_is_closed_and_an_open_stream_is_not(push, pages):
    stream = pages(push, token_of(), an_address())
    assert stream.status == 200
    started = time.monotonic()
    silent = connect(push)
    half_head = connect(push, f"GET /v1/events?token={token_of()} HTTP/1.1\r\nHost: 127.0.0.1\r\n".encode())
    kept_alive = connect(push, b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
    assert kept_alive.recv(4096).startswith(b"HTTP/1.1 200")
    kept_alive_since = time.monotonic()

    for connection, since in ((silent, started), (half_head, started), (kept_alive, kept_alive_since)):
        seconds = seconds_until_closed(connection, since)
        assert closed_in_time(seconds), f"closed after {seconds:.1f} s"
        connection.close()
    # Open longer than a head may take: a stream is past its head, and lasts.
    assert time.monotonic() - started > HEAD_TIMEOUT
    assert stream.is_open()


def test_a_user_opens_so_many_streams_and_the_next_is_refused_with_429(push, pages):
    token = token_of()
    first = [pages(push, token, an_address()) for _ in range(PAGES_PER_USER)]
    assert [page.status for page in first] == [200] * PAGES_PER_USER

    refused = pages(push, token, an_address())
    assert refused.status == 429
    assert refused.response.getheader("Retry-After") == "60"
    error = refused.error()
    assert error["code"] == "rate_limited" and "user" in error["message"]
    assert all(page.is_open() for page in first)
    # The cap is the person's: someone else still opens a stream.
    assert pages(push, token_of(), an_address()).status == 200


def test_an_address_opens_so_many_streams_and_the_next_is_refused_with_429(push, pages):
    address = an_address()
    first = [pages(push, token_of(), address) for _ in range(PAGES_PER_ADDRESS)]
    assert [page.status for page in first] == [200] * PAGES_PER_ADDRESS

    refused = pages(push, token_of(), address)
    assert refused.status == 429
    assert refused.response.getheader("Retry-After") == "60"
    error = refused.error()
    assert error["code"] == "rate_limited" and "address" in error["message"]
    assert all(page.is_open() for page in first)
    assert pages(push, token_of(), an_address()).status == 200


def test_a_token_without_an_expiry_opens_no_stream(push):
    forever = jwt.encode({"sub": "ann", "role": "customer"}, SECRET, algorithm="HS256")
    answer = requests.get(f"http://127.0.0.1:{push}/v1/events", params={"token": forever}, timeout=5)
    assert answer.status_code == 401
    assert answer.json()["error"]["code"] == "unauthorized"
    assert '"exp"' in answer.json()["error"]["message"]


@pytest.mark.parametrize(
    "proxy_hops, forwarded_for, address",
    [
        (0, None, "10.0.0.5"),
        (0, "203.0.113.9", "10.0.0.5"),  # anyone can write the header: not believed unless set
        (1, None, "10.0.0.5"),  # the proxy's own request (a probe)
        (1, "203.0.113.9", "203.0.113.9"),
        (1, "192.0.2.1, 203.0.113.9", "203.0.113.9"),  # what the client wrote before the proxy's
        (2, "192.0.2.1, 203.0.113.9, 10.0.0.4", "203.0.113.9"),
    ],
    ids=["direct", "direct_forged", "proxy_probe", "behind_one", "behind_one_forged", "behind_two"],
)
def test_a_page_counts_against_the_address_the_outermost_trusted_proxy_saw(proxy_hops, forwarded_for, address):
    environ = {"REMOTE_ADDR": "10.0.0.5", **({"HTTP_X_FORWARDED_FOR": forwarded_for} if forwarded_for else {})}
    assert client_address(environ, proxy_hops) == address


def test_a_page_that_leaves_frees_its_place_under_both_caps():
    audience = Audience()
    first = audience.join(Caller("ann", "customer"), address="192.0.2.1")
    audience.join(Caller("ann", "customer"), address="192.0.2.2")
    audience.leave(first)
    assert (audience.pages_of, audience.pages_from) == ({"ann": 1}, {"192.0.2.2": 1})


# --- the gateway, behind its proxy ----------------------------------------------------------


def test_behind_the_proxy_slow_clients_hold_none_of_the_gateways_threads(proxy):
    # Straight to gunicorn, the first of these would hold the gateway's one thread until it left.
    started = time.monotonic()
    half_head = connect(proxy, b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n")
    half_body = connect(
        proxy,
        b"POST /v1/threads HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        b'Content-Length: 100\r\n\r\n{"type": ',
    )
    silent = connect(proxy)

    answer = requests.get(f"http://127.0.0.1:{proxy}/healthz", timeout=HEAD_TIMEOUT)
    assert answer.status_code == 200
    assert time.monotonic() - started < HEAD_TIMEOUT / 2

    for connection in (half_head, half_body, silent):
        seconds = seconds_until_closed(connection, started)
        assert closed_in_time(seconds), f"closed after {seconds:.1f} s"
        connection.close()
    assert requests.get(f"http://127.0.0.1:{proxy}/healthz", timeout=5).status_code == 200


def test_the_proxy_refuses_a_body_over_64_kib_in_the_contracts_shape(proxy):
    answer = requests.post(
        f"http://127.0.0.1:{proxy}/v1/threads",
        data=b"x" * (65 * 1024),
        headers={"Content-Type": "application/json"},
        timeout=5,
    )
    assert answer.status_code == 413
    assert answer.json()["error"]["code"] == "payload_too_large"


def test_with_the_gateway_away_the_proxy_answers_503_in_the_contracts_shape(start_proxy):
    port = start_proxy(nothing_listens(), nothing_listens())
    answer = requests.get(f"http://127.0.0.1:{port}/v1/threads", timeout=5)
    assert answer.status_code == 503
    assert answer.json()["error"]["code"] == "unavailable"
    assert answer.headers["Retry-After"] == "2"


def test_the_event_stream_passes_the_proxy_and_a_forged_forwarded_for_escapes_no_cap(proxy, pages):
    # Each page claims another address; the proxy appends the one it saw, and push counts that.
    first = [pages(proxy, token_of(), an_address()) for _ in range(PAGES_PER_ADDRESS)]
    assert [page.status for page in first] == [200] * PAGES_PER_ADDRESS
    assert first[0].response.getheader("Content-Type").startswith("text/event-stream")
    assert first[0].response.readline() == b"retry: 5000\n"  # as push wrote it, unbuffered

    refused = pages(proxy, token_of(), an_address())
    assert refused.status == 429
    assert refused.error()["code"] == "rate_limited"
    assert all(page.is_open() for page in first)
