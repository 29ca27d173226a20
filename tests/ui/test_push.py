"""The push process (gateway/push.py): who hears of which thread, and how the stream behaves.

The rules are plain function calls; the rest runs against the real process of the stack, with
real conversations going through the gateway and their events through RabbitMQ.
"""

import http.client
import json
import queue
import socket
import threading
import time
import uuid
from urllib.parse import urlencode

import pytest
import requests

from dev.tokens import mint
from tests.fixtures.stack import METRICS_TOKEN
from gateway.push import RESYNC, Audience, EventFeed, may_see, stream
from services.common.caller import Caller
from services.common.events import CONVERSATIONS, MESSAGE_POSTED
from tests.ui.asking import ask

# --- who may hear of a thread (pure rules) ---------------------------------------------


def event_thread(**changes):
    thread = {
        "id": "t1",
        "type": "vendor_to_customer",
        "status": "open",
        "subject": "Lamp",
        "object": {"type": "product", "id": "p1"},
        "company_id": "7",
        "customer": {"id": "c1", "name": "Ann", "email": "ann@example.test"},
    }
    return {**thread, **changes}


ADMIN_ONLY = ("view_admin_communication",)
ORDERS_ONLY = ("view_order_communication",)
CASES = [
    ("the customer who asked", Caller("c1", "customer"), event_thread(), True),
    ("another customer", Caller("c2", "customer"), event_thread(), False),
    (
        "a customer, of a vendor-admin thread",
        Caller("c1", "customer"),
        event_thread(type="vendor_to_admin", customer=None, object={"type": "none", "id": None}),
        False,
    ),
    ("the vendor", Caller("v1", "vendor", company_id="7"), event_thread(), True),
    ("another vendor", Caller("v2", "vendor", company_id="8"), event_thread(), False),
    (
        "the vendor's staff for orders only, of a product thread",
        Caller("v1", "vendor", company_id="7", permissions=ORDERS_ONLY),
        event_thread(),
        False,
    ),
    (
        "the vendor's staff for orders only, of an order thread",
        Caller("v1", "vendor", company_id="7", permissions=ORDERS_ONLY),
        event_thread(object={"type": "order", "id": "o1"}),
        True,
    ),
    ("the vendor, of a deleted thread", Caller("v1", "vendor", company_id="7"), event_thread(status="deleted"), False),
    ("an admin", Caller("a1", "admin"), event_thread(), True),
    ("an admin of vendor-admin threads only", Caller("a1", "admin", permissions=ADMIN_ONLY), event_thread(), False),
    (
        "an admin of vendor-admin threads only, of one",
        Caller("a1", "admin", permissions=ADMIN_ONLY),
        event_thread(type="vendor_to_admin", customer=None, object={"type": "none", "id": None}),
        True,
    ),
    ("an integration", Caller("sync", "system"), event_thread(), False),
]


@pytest.mark.parametrize("who, caller, thread, expected", CASES, ids=[case[0] for case in CASES])
def test_who_hears_of_a_thread(who, caller, thread, expected):
    assert may_see(caller, thread) is expected


def test_an_event_reaches_only_the_pages_allowed_to_see_it_and_says_only_which_message():
    audience = Audience()
    asker = audience.join(Caller("c1", "customer"))
    stranger = audience.join(Caller("c2", "customer"))
    told = audience.announce("message_posted", {"thread": event_thread(), "message": {"id": "m1", "text": "secret"}})
    assert told == 1
    assert asker.waiting.get_nowait() == {"thread_id": "t1", "message_id": "m1", "type": "message_posted"}
    assert stranger.waiting.empty()


def test_a_message_published_again_by_the_relay_is_told_once_and_a_reminders_levels_each():
    audience = Audience()
    page = audience.join(Caller("c1", "customer"))
    posted = {"thread": event_thread(), "message": {"id": "m1"}}
    assert audience.announce("message_posted", posted) == 1
    assert audience.announce("message_posted", posted) == 0  # the relay's second publication
    assert audience.announce("message_posted", {"thread": event_thread(), "message": {"id": "m2"}}) == 1
    for level in (1, 2):  # the same message, overdue at two levels: both are news
        assert audience.announce("reply_overdue", {"thread": event_thread(), "message": {"id": "m1"}, "level": level})
    told = [page.waiting.get_nowait()["type"] for _ in range(page.waiting.qsize())]
    assert told == ["message_posted", "message_posted", "reply_overdue", "reply_overdue"]


def test_a_bells_news_reaches_only_the_pages_of_its_owners():
    audience = Audience()
    eve = audience.join(Caller("v1", "vendor", company_id="7"))
    bob = audience.join(Caller("v2", "vendor", company_id="7"))
    orders_only = audience.join(Caller("v3", "vendor", company_id="7", permissions=ORDERS_ONLY))
    rival = audience.join(Caller("v9", "vendor", company_id="8"))
    customer = audience.join(Caller("c1", "customer"))
    admin = audience.join(Caller("a1", "admin"))
    told = audience.ring({"audience": "vendor:7", "group": "vendor", "thread_id": "t1", "change": "rung"})
    assert told == 2
    for page in (eve, bob):
        assert page.waiting.get_nowait() == {"thread_id": "t1", "message_id": None, "type": "bell_changed"}
    assert all(page.waiting.empty() for page in (orders_only, rival, customer, admin))
    assert audience.ring({"audience": "admin", "group": "admin", "thread_id": "t2", "change": "read"}) == 1
    assert audience.ring({"audience": "customer:c1", "group": "order", "thread_id": "t3", "change": "rung"}) == 1


def test_an_idle_stream_sends_heartbeats_and_a_closed_one_leaves_the_audience():
    audience = Audience()
    body = stream(audience, Caller("c1", "customer"), heartbeat=0.01)
    assert next(body).startswith(b"retry: ")
    [page] = audience.pages
    assert next(body) == b": heartbeat\n\n"
    page.tell({"thread_id": "t1", "message_id": "m1", "type": "message_posted"})
    assert json.loads(next(body).decode().removeprefix("data: ")) == {
        "thread_id": "t1",
        "message_id": "m1",
        "type": "message_posted",
    }
    body.close()
    assert page not in audience.pages


def test_the_feed_keeps_its_broker_while_events_keep_coming(rabbit_config):
    """Events taken without acks send nothing back: a feed that sent its heartbeats only when no
    event came for 5 s was closed by the broker after two silent heartbeat intervals of a busy
    marketplace, and every page had to refetch. Here a 2 s heartbeat, and an event every half
    second for 12 s: every event reaches the page, and no resync."""
    from nameko.standalone.events import event_dispatcher

    audience = Audience()
    page = audience.join(Caller("c1", "customer"))
    feed = EventFeed(rabbit_config["AMQP_URI"], audience, broker_heartbeat=2)
    listening = threading.Thread(target=feed.run, daemon=True)
    listening.start()
    deadline = time.monotonic() + 20
    while not feed.ready:
        assert time.monotonic() < deadline, "the feed never reached the broker"
        time.sleep(0.1)
    dispatch = event_dispatcher(rabbit_config)
    sent = [f"m{number}" for number in range(24)]
    for message_id in sent:
        dispatch(CONVERSATIONS, MESSAGE_POSTED, {"thread": event_thread(), "message": {"id": message_id}})
        time.sleep(0.5)
    heard, deadline = [], time.monotonic() + 10
    while len(heard) < len(sent) and time.monotonic() < deadline:
        try:
            heard.append(page.waiting.get_nowait())
        except queue.Empty:
            time.sleep(0.1)
    feed.stop()
    listening.join(timeout=15)
    assert RESYNC not in [event["type"] for event in heard], heard
    assert [event["message_id"] for event in heard] == sent


def test_a_stream_ends_when_its_token_expires():
    audience = Audience()
    body = stream(audience, Caller("c1", "customer"), expires_at=time.time() + 0.05, heartbeat=10)
    assert next(body).startswith(b"retry: ")
    assert len(audience.pages) == 1
    with pytest.raises(StopIteration):
        next(body)
    assert not audience.pages


# --- the process --------------------------------------------------------------------------


class EventStream:
    """An open /v1/events stream, as a page holds it, read in a thread of its own."""

    def __init__(self, stack, token, origin=None):
        host, port = stack.push_url.removeprefix("http://").rsplit(":", 1)
        self.connection = http.client.HTTPConnection(host, int(port), timeout=60)
        self.connection.request(
            "GET", "/v1/events?" + urlencode({"token": token}), headers={"Origin": origin} if origin else {}
        )
        self.response = self.connection.getresponse()
        self.status, self.headers = self.response.status, self.response.headers
        self.events = queue.Queue()
        if self.status == 200:
            threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        try:
            while line := self.response.readline():
                if line.startswith(b"data: "):
                    self.events.put(json.loads(line[len(b"data: ") :]))
        except Exception:  # noqa: BLE001 - closed under it by the test, in whichever state
            pass

    def until(self, message_id, timeout=20.0):
        """Every event up to and including the first about `message_id`, in order."""
        seen, deadline = [], time.monotonic() + timeout
        while not seen or seen[-1]["message_id"] != message_id:
            remaining = deadline - time.monotonic()
            assert remaining > 0, f"no event about message {message_id}; got {seen}"
            try:
                seen.append(self.events.get(timeout=remaining))
            except queue.Empty:
                continue
        return seen

    def close(self):
        # Shut the socket down first: the reading thread returns at once instead of at the
        # next heartbeat.
        if self.connection.sock is not None:
            self.connection.sock.shutdown(socket.SHUT_RDWR)
        self.connection.close()
        self.response.close()


@pytest.fixture
def streams(stack):
    opened = []

    def open_(token, origin=None):
        opened.append(EventStream(stack, token, origin))
        return opened[-1]

    yield open_
    for opened_stream in opened:
        opened_stream.close()


@pytest.fixture
def market(stack):
    """Two vendors of their own with a product each, and the people of this test."""
    tag = uuid.uuid4().hex[:6]
    system = stack.token("system", sub="storefront-sync")
    ids = {}
    for key in ("x", "y"):
        company_id, product_id = f"push-{key}-{tag}", f"push-p{key}-{tag}"
        for kind, record_id, record in (
            (
                "vendors",
                company_id,
                {
                    "company_id": company_id,
                    "company": f"Vendor {key}",
                    "email": f"{company_id}@vendors.test",
                    "status": "A",
                },
            ),
            (
                "products",
                product_id,
                {
                    "product_id": product_id,
                    "product": f"Lamp {key}",
                    "product_code": key,
                    "price": "10.00",
                    "company_id": company_id,
                    "status": "A",
                },
            ),
        ):
            answer = stack.call("PUT", f"/v1/catalog/{kind}/{record_id}", system, json=record)
            assert answer.status_code == 200, answer.text
        ids[key] = {
            "company": company_id,
            "product": product_id,
            "vendor": stack.token("vendor", company_id=company_id, name=f"Staff {key}"),
        }
    ids["c"] = stack.token("customer", sub=f"c-{tag}", name="Customer C")
    ids["d"] = stack.token("customer", sub=f"d-{tag}", name="Customer D")
    return ids


def ask_new(stack, token, product_id, text):
    """A new conversation's thread and message ids."""
    answer = ask(stack, token, "product", product_id, text, statuses=(201,))
    return answer["thread"]["id"], answer["message"]["id"]


def test_each_page_hears_of_the_threads_its_person_may_see_and_no_others(stack, market, streams):
    m = market
    vendor_x, vendor_y = streams(m["x"]["vendor"]), streams(m["y"]["vendor"])
    customer_c, customer_d = streams(m["c"]), streams(m["d"])
    admin = streams(stack.token("admin"))
    announcements_admin = streams(stack.token("admin", permissions=list(ADMIN_ONLY)))

    thread_1, first_1 = ask_new(stack, m["c"], m["x"]["product"], "Is lamp x dimmable?")
    thread_2, first_2 = ask_new(stack, m["d"], m["y"]["product"], "Is lamp y dimmable?")
    reply = stack.call("POST", f"/v1/threads/{thread_1}/messages", m["x"]["vendor"], json={"body": "It is."})
    assert reply.status_code == 201, reply.text
    reply_id = reply.json()["id"]

    # Each stream delivers in order: had a page been told of a thread it may not see, that
    # event would stand before the ones it waits for here.
    for page in (vendor_x, customer_c):
        heard = page.until(reply_id)
        assert {event["thread_id"] for event in heard} == {thread_1}
        # the vendor's bell rang too (its own news, bell_changed, among these)
        events = [event for event in heard if event["type"] != "bell_changed"]
        assert [event["type"] for event in events] == ["thread_started", "message_posted", "message_posted"]
        assert [event["message_id"] for event in events] == [first_1, first_1, reply_id]
        assert all(set(event) == {"thread_id", "message_id", "type"} for event in events)
    for page in (vendor_y, customer_d):
        assert {event["thread_id"] for event in page.until(first_2)} == {thread_2}
    heard_by_admin = {event["thread_id"] for event in admin.until(reply_id)}
    assert {thread_1, thread_2} <= heard_by_admin

    announced = stack.call(
        "POST",
        "/v1/broadcasts",
        stack.token("admin"),
        json={"company_ids": [m["x"]["company"]], "subject": "Holiday hours", "message": "We close at noon."},
    )
    assert announced.status_code == 202, announced.text
    first_heard = announcements_admin.events.get(timeout=20)  # written, then announced
    status = stack.call("GET", f"/v1/broadcasts/{announced.json()['id']}", stack.token("admin")).json()
    [announcement] = [vendor["thread_id"] for vendor in status["vendors"]]
    assert first_heard["thread_id"] == announcement, "customer threads reached an admin without their permission"
    assert announcement in {event["thread_id"] for event in vendor_x.until(first_heard["message_id"])}


def test_the_stream_is_refused_without_a_token_this_marketplace_signed(stack):
    origin = "http://shop.example.test"
    for params in (
        {},
        {"token": "not-a-jwt"},
        {"token": mint("another-secret-" + "y" * 32, "c1", "customer")},
        {"token": mint("test-secret-" + "x" * 32, "c1", "customer", ttl=-60)},
    ):
        answer = requests.get(stack.push_url + "/v1/events", params=params, headers={"Origin": origin}, timeout=10)
        assert answer.status_code == 401
        assert answer.json()["error"]["code"] == "unauthorized"
        assert answer.headers["Access-Control-Allow-Origin"] == origin  # so the page can read why


def test_a_page_of_another_origin_may_read_the_stream(stack, streams):
    origin = "http://shop.example.test"
    page = streams(stack.token("customer"), origin=origin)
    assert page.status == 200
    assert page.headers["Content-Type"].startswith("text/event-stream")
    assert page.headers["Access-Control-Allow-Origin"] == origin
    assert "no-cache" in page.headers["Cache-Control"]


def test_many_idle_pages_stay_cheap_and_the_next_event_still_arrives(stack, market, streams):
    pages = 400
    token = stack.token("customer", sub="idle-reader")
    request = (
        f"GET /v1/events?token={token} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n"
    ).encode()
    port = int(stack.push_url.rsplit(":", 1)[1])
    idle = []
    try:
        for _ in range(pages):
            connection = socket.create_connection(("127.0.0.1", port), timeout=10)
            connection.sendall(request)
            idle.append(connection)
        for connection in idle:
            assert connection.recv(64).startswith(b"HTTP/1.1 200")
        ready = requests.get(stack.push_url + "/readyz", timeout=10).json()
        assert ready["pages"] >= pages

        rss_kib = int(
            next(
                line.split()[1]
                for line in open(f"/proc/{stack.running['push'].pid}/status")
                if line.startswith("VmRSS:")
            )
        )
        assert rss_kib < 200 * 1024, f"{pages} idle pages took {rss_kib // 1024} MiB"

        customer = streams(market["c"])
        _, message_id = ask_new(stack, market["c"], market["x"]["product"], "Still there?")
        assert [event["type"] for event in customer.until(message_id)] == ["thread_started"]
    finally:
        for connection in idle:
            connection.close()


def push_metrics(stack, token=METRICS_TOKEN):
    return requests.get(stack.push_url + "/metrics", headers={"Authorization": f"Bearer {token}"}, timeout=10)


def sample(text, series):
    """The value of one series (name and labels, as exposed) in a Prometheus exposition."""
    return sum(float(line.split()[-1]) for line in text.splitlines() if line.split(" ")[0] == series)


def test_push_counts_its_open_pages_and_the_events_it_hands_on_for_the_scraper(stack, market, streams):
    assert push_metrics(stack, "not-the-token").status_code == 401
    before = push_metrics(stack).text
    vendor, customer = streams(market["x"]["vendor"]), streams(market["c"])
    _, message_id = ask_new(stack, market["c"], market["x"]["product"], "Counted?")
    vendor.until(message_id), customer.until(message_id)
    after = push_metrics(stack)
    assert after.status_code == 200 and after.headers["Content-Type"].startswith("text/plain")
    told = sample(after.text, 'message_center_push_events_total{what="told"}') - sample(
        before, 'message_center_push_events_total{what="told"}'
    )
    # Both pages heard of the question. Pages of earlier tests may still be leaving (a closed
    # one is noticed at its next write), so the open pages are at least these two.
    assert sample(after.text, "message_center_push_pages_open") >= 2 and told >= 2
