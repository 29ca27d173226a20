"""Live updates for open pages: server-sent events from a small process of its own.

The gateway runs gunicorn gthread, a thread per connection, and an open Messages tab holds its
connection for hours; here each open page is one green thread and one queue (eventlet), so
thousands of idle pages cost a little memory and a heartbeat every 15 s.

    GET /v1/events?token=<JWT>    text/event-stream

EventSource cannot send headers, so the token comes in the query string (and is never logged).
Each event's data is {"thread_id", "message_id", "type"}: the page then refetches what it shows
through the gateway, which applies every rule again, so nothing here can leak a message.
One kombu consumer per process listens on an exclusive, auto-delete queue bound to nameko's
`conversations.events` exchange and hands each event to the pages allowed to see its thread.
Several push processes each get every event, so the process scales out behind a load balancer.
The same queue hears the notifications service's `bell_changed` (an item written or read on a
bell): it goes to the pages of that bell's owners only (services/common/access.audience_of,
narrowed by the permission group of its items), as {"type": "bell_changed", "thread_id"}.

    GET /metrics                  Prometheus, for the bearer of METRICS_TOKEN (404 while unset)

A connection has PUSH_HEAD_TIMEOUT seconds to send its request head. A person may hold
PUSH_MAX_PAGES_PER_USER streams and an address PUSH_MAX_PAGES_PER_ADDRESS; past either, the
stream is refused (429) and the page polls. Behind proxies, the address is the proxy's unless
PUSH_PROXY_HOPS says how many of them append the client's to X-Forwarded-For.
"""

if __name__ == "__main__":
    # Before kombu and amqp import socket: every page is a green thread.
    import eventlet

    eventlet.monkey_patch()

import functools
import hmac
import json
import logging
import math
import os
import socket
import time
import uuid
from collections import Counter
from urllib.parse import parse_qs

import eventlet
import eventlet.wsgi
import jwt
from cachetools import FIFOCache
from eventlet.queue import Empty, Full, Queue as PageQueue
from kombu import Connection, Consumer, Queue, binding
from nameko.standalone.events import get_event_exchange
import prometheus_client
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Gauge, generate_latest

from services.common.caller import Caller
from services.common.config import Settings, load_settings
from services.common.listening import port_of_our_own
from services.common.events import BELL_CHANGED, CONVERSATIONS, MESSAGE_POSTED, NOTIFICATIONS, THREAD_STARTED
from services.common import access, logs

from gateway.auth import LEEWAY_SECONDS, Unauthorized, caller_from_token
from services.common.secrets_policy import WeakSecret, check_signing_secret

log = logging.getLogger("gateway.push")

EVENTS = (THREAD_STARTED, MESSAGE_POSTED)
BELL_EVENTS = (BELL_CHANGED,)
# Sent when the broker connection came back: events may have been missed, so pages refetch.
RESYNC = "resync"
HEARTBEAT_SECONDS = 15.0
# What the feed asks of the broker: it closes a connection it has heard nothing from for this long.
BROKER_HEARTBEAT_SECONDS = 30
# A page that stops reading loses events past this many; it refetches everything on the next.
PAGE_BACKLOG = 50
# A page refused a stream polls, and asks for the stream again a minute later (gateway/static/live.js).
REFUSED_PAGE_RETRY_SECONDS = 60

# What an operator watches of a push process: its open pages (what limits it, README
# "Operating it"), the events it hears and hands on, the pages it refuses.
METRICS = CollectorRegistry()
PAGES_OPEN = Gauge(
    "message_center_push_pages_open", "Live pages (event streams) open on this push process", registry=METRICS
)
EVENTS_HEARD = prometheus_client.Counter(
    "message_center_push_events_total", "Conversation events heard, and pages told of them", ["what"], registry=METRICS
)
PAGES_REFUSED = prometheus_client.Counter(
    "message_center_push_pages_refused_total", "Pages refused a stream (they poll), by cap", ["cap"], registry=METRICS
)


def thread_for_access(thread: dict) -> dict:
    """An event's thread in the shape services/common/access.py judges."""
    return {
        "type": thread["type"],
        "group": access.group_of(thread["type"], (thread.get("object") or {}).get("type") or "none"),
        "company_id": thread.get("company_id"),
        "customer_id": (thread.get("customer") or {}).get("id"),
        "status": thread.get("status", "open"),
    }


def may_see(caller: Caller, thread: dict) -> bool:
    return access.may_view(caller, thread_for_access(thread))


def owns(caller: Caller, news: dict) -> bool:
    """Whether the page's bell is the one the news is about, and its items ones it may see."""
    return access.audience_of(caller) == news["audience"] and access.may_view_group(caller, news["group"])


class Page:
    """One open page: who is looking, from where, until when their token is good, and the
    events waiting to be written to it."""

    def __init__(self, caller: Caller, expires_at: float | None = None, address: str | None = None):
        self.caller = caller
        self.expires_at = expires_at
        self.address = address
        self.waiting = PageQueue(PAGE_BACKLOG)

    def seconds_left(self) -> float:
        return math.inf if self.expires_at is None else self.expires_at - time.time()

    def tell(self, data: dict) -> None:
        try:
            self.waiting.put_nowait(data)
        except Full:
            pass  # it already has events to refetch on; one more adds nothing


# Events go out at least once: a message's events published by its request are published again
# by the outbox's relay when the marks that they went out were not written in time (a slow
# database, a busy machine). A page is told each (event, message) once: the process remembers
# this many it told, far more than a relay's grace brings back.
REMEMBERED_EVENTS = 10_000
ONCE_A_MESSAGE = (THREAD_STARTED, MESSAGE_POSTED)  # a reminder's levels share a message: told each


class Audience:
    """The pages connected to this process, counted by person and by address for the caps."""

    def __init__(self):
        self.told: FIFOCache[tuple[str, str], None] = FIFOCache(maxsize=REMEMBERED_EVENTS)  # recent (event, message)
        self.pages: set[Page] = set()
        self.pages_of: Counter = Counter()  # user id -> open pages
        self.pages_from: Counter = Counter()  # address -> open pages

    def join(self, caller: Caller, expires_at: float | None = None, address: str | None = None) -> Page:
        page = Page(caller, expires_at, address)
        self.pages.add(page)
        PAGES_OPEN.inc()
        self.pages_of[caller.user_id] += 1
        self.pages_from[address] += 1
        return page

    def leave(self, page: Page) -> None:
        if page not in self.pages:
            return
        self.pages.remove(page)
        PAGES_OPEN.dec()
        for counts, key in ((self.pages_of, page.caller.user_id), (self.pages_from, page.address)):
            counts[key] -= 1
            if not counts[key]:
                del counts[key]

    def announce(self, event_type: str, payload: dict) -> int:
        """Hand the event to every page allowed to see its thread; returns how many."""
        thread = payload["thread"]
        data = {"thread_id": thread["id"], "message_id": (payload.get("message") or {}).get("id"), "type": event_type}
        if event_type in ONCE_A_MESSAGE and data["message_id"] and self.told_before((event_type, data["message_id"])):
            EVENTS_HEARD.labels("again").inc()
            return 0
        told = 0
        for page in list(self.pages):
            if may_see(page.caller, thread):
                page.tell(data)
                told += 1
        EVENTS_HEARD.labels("heard").inc()
        EVENTS_HEARD.labels("told").inc(told)
        return told

    def told_before(self, key: tuple[str, str]) -> bool:
        if key in self.told:
            return True
        self.told[key] = None  # the oldest goes once there are REMEMBERED_EVENTS
        return False

    def ring(self, news: dict) -> int:
        """Hand a bell's news to the pages of its owners; returns how many."""
        data = {"thread_id": news["thread_id"], "message_id": None, "type": BELL_CHANGED}
        told = 0
        for page in list(self.pages):
            if owns(page.caller, news):
                page.tell(data)
                told += 1
        EVENTS_HEARD.labels("heard").inc()
        EVENTS_HEARD.labels("told").inc(told)
        return told

    def resync(self) -> None:
        for page in list(self.pages):
            page.tell({"thread_id": None, "message_id": None, "type": RESYNC})


def stream(
    audience: Audience,
    caller: Caller,
    expires_at: float | None = None,
    heartbeat: float = HEARTBEAT_SECONDS,
    address: str | None = None,
):
    """The body of one event stream: events as they come, a comment line when idle (so proxies
    keep the connection and a dead client is noticed), until the client goes away or its
    token expires (the browser then reconnects, and is refused unless it has a new one).
    The page joins the audience only once the body is being written: a client gone before
    that leaves nothing behind."""
    page = audience.join(caller, expires_at, address)
    try:
        yield b"retry: 5000\n: connected\n\n"
        while (left := page.seconds_left()) > 0:
            try:
                data = page.waiting.get(timeout=min(heartbeat, left))
            except Empty:
                if page.seconds_left() > 0:
                    yield b": heartbeat\n\n"
                continue
            yield f"data: {json.dumps(data)}\n\n".encode()
    finally:
        audience.leave(page)


class EventFeed:
    """The process's one consumer of the conversations service's events, reconnecting forever."""

    def __init__(self, amqp_uri: str, audience: Audience, broker_heartbeat: float = BROKER_HEARTBEAT_SECONDS):
        self.amqp_uri = amqp_uri
        self.audience = audience
        self.broker_heartbeat = broker_heartbeat
        self.ready = False
        self.stopped = False
        self.queue_name = f"message_center.push.{uuid.uuid4().hex}"

    def stop(self) -> None:
        """Let go of the broker, within a few seconds (the feed looks between its waits)."""
        self.stopped = True

    def run(self) -> None:
        delay, connected_before = 1.0, False
        while not self.stopped:
            try:
                with Connection(self.amqp_uri, heartbeat=self.broker_heartbeat, connect_timeout=5) as connection:
                    with self._consumer(connection):
                        self.ready = True
                        log.info("listening for %s on %s", ", ".join(EVENTS + BELL_EVENTS), self.queue_name)
                        if connected_before:
                            self.audience.resync()
                        connected_before, delay = True, 1.0
                        self._drain(connection)
            except Exception as error:  # the broker went away: pages keep their streams
                log.warning("event feed lost the broker (%s); retrying in %.0f s", error, delay)
            self.ready = False
            eventlet.sleep(delay)
            delay = min(delay * 2, 15.0)

    def _consumer(self, connection) -> Consumer:
        # Declared exactly as nameko's dispatcher declares it, or RabbitMQ refuses the binding.
        conversations, notifications = get_event_exchange(CONVERSATIONS, {}), get_event_exchange(NOTIFICATIONS, {})
        queue = Queue(
            self.queue_name,
            bindings=[binding(conversations, routing_key=name) for name in EVENTS]
            + [binding(notifications, routing_key=name) for name in BELL_EVENTS],
            exclusive=True,
            auto_delete=True,
        )
        # No acks: a lost event costs a page one refetch (the next event or its 20 s poll).
        return Consumer(connection, queues=[queue], callbacks=[self._on_event], accept=["json"], no_ack=True)

    def _drain(self, connection) -> None:
        # Nothing goes back to the broker for events taken without acks: the heartbeats are all
        # it hears of this process, due also while events keep coming (once only when none
        # came for 5 s, a busy marketplace's broker closed the feed every 30 s or so, and every
        # page had to refetch).
        wait = min(5.0, self.broker_heartbeat / 4) if self.broker_heartbeat else 5.0
        while not self.stopped:
            try:
                connection.drain_events(timeout=wait)
            except socket.timeout:
                pass
            connection.heartbeat_check()

    def _on_event(self, payload: dict, message) -> None:
        event_type = message.delivery_info.get("routing_key")
        try:
            if event_type == BELL_CHANGED:
                told = self.audience.ring(payload)
            else:
                told = self.audience.announce(event_type, payload)
            log.debug("%s told %d pages", event_type, told)
        except (KeyError, TypeError):
            log.warning("an %s event without its thread or bell was ignored", event_type)


class PushApp:
    """The WSGI application: the event stream, and health for the orchestrator."""

    def __init__(self, settings: Settings, audience: Audience, feed: EventFeed, heartbeat: float = HEARTBEAT_SECONDS):
        self.settings = settings
        self.audience = audience
        self.feed = feed
        self.heartbeat = heartbeat

    def __call__(self, environ, start_response):
        path, method = environ.get("PATH_INFO", ""), environ.get("REQUEST_METHOD", "GET")
        # Any page may open the stream: the token in the query is the credential, and no
        # cookie is sent, so answering the page's own origin lets nothing more through.
        origin = environ.get("HTTP_ORIGIN")
        cors = [("Access-Control-Allow-Origin", origin), ("Vary", "Origin")] if origin else []
        if path == "/healthz":
            return answer(start_response, 200, {"status": "ok"})
        if path == "/readyz":
            ready = self.feed.ready
            return answer(
                start_response,
                200 if ready else 503,
                {
                    "status": "ready" if ready else "unavailable",
                    "checks": {"broker": ready},
                    "pages": len(self.audience.pages),
                },
            )
        if path == "/metrics":
            return self.metrics(environ, start_response)
        if path != "/v1/events":
            return error(start_response, 404, "not_found", "Only /v1/events is served here.", cors)
        if method == "OPTIONS":
            start_response(
                "204 No Content", cors + [("Access-Control-Allow-Methods", "GET"), ("Access-Control-Max-Age", "86400")]
            )
            return [b""]
        if method != "GET":
            return error(start_response, 405, "method_not_allowed", "The event stream is read with GET.", cors)
        token = parse_qs(environ.get("QUERY_STRING", "")).get("token", [""])[0]
        if not token.strip():
            return error(start_response, 401, "unauthorized", "A token is required (?token=<JWT>).", cors)
        try:
            caller = caller_from_token(token, self.settings)
        except Unauthorized as problem:
            return error(start_response, 401, problem.code, problem.message, cors)
        address = client_address(environ, self.settings.PUSH_PROXY_HOPS)
        refusal = self.crowded(caller, address)
        if refusal:
            return error(
                start_response, 429, "rate_limited", refusal, cors + [("Retry-After", str(REFUSED_PAGE_RETRY_SECONDS))]
            )
        log.debug("page of %s %s connected (%d open)", caller.role, caller.user_id, len(self.audience.pages) + 1)
        start_response(
            "200 OK",
            cors
            + [
                ("Content-Type", "text/event-stream; charset=utf-8"),
                ("Cache-Control", "no-cache, no-store"),
                ("X-Accel-Buffering", "no"),  # a buffering proxy in front would hold events back
            ],
        )
        return stream(self.audience, caller, expiry_of(token), self.heartbeat, address)

    def metrics(self, environ, start_response):
        expected = self.settings.METRICS_TOKEN
        if not expected:
            return error(start_response, 404, "not_found", "Metrics are not served here: METRICS_TOKEN is not set.")
        scheme, _, token = environ.get("HTTP_AUTHORIZATION", "").partition(" ")
        if scheme.lower() != "bearer" or not hmac.compare_digest(token.strip().encode(), expected.encode()):
            return error(
                start_response,
                401,
                "unauthorized",
                "The metrics token is required (Authorization: Bearer <METRICS_TOKEN>).",
            )
        start_response("200 OK", [("Content-Type", CONTENT_TYPE_LATEST)])
        return [generate_latest(METRICS)]

    def crowded(self, caller: Caller, address: str) -> str | None:
        """Why one more page of this person from this address is refused; None when it is not.
        No other green thread runs between this count and the page joining the audience (the
        first step of its body), so two pages cannot both take the last place."""
        per_user, per_address = self.settings.PUSH_MAX_PAGES_PER_USER, self.settings.PUSH_MAX_PAGES_PER_ADDRESS
        if self.audience.pages_of[caller.user_id] >= per_user:
            PAGES_REFUSED.labels("per_user").inc()
            return f"{per_user} live pages of this user are open already; this one polls instead."
        if self.audience.pages_from[address] >= per_address:
            PAGES_REFUSED.labels("per_address").inc()
            return f"{per_address} live pages are open from this address already; this one polls instead."
        return None


def client_address(environ, proxy_hops: int) -> str:
    """Where a page connects from: the peer's address or, behind `proxy_hops` proxies that each
    append the address they saw to X-Forwarded-For, the one the outermost of them saw. Entries
    left of that are the client's own to write, and so never believed."""
    forwarded = [entry.strip() for entry in environ.get("HTTP_X_FORWARDED_FOR", "").split(",") if entry.strip()]
    if proxy_hops and len(forwarded) >= proxy_hops:
        return forwarded[-proxy_hops]
    return environ["REMOTE_ADDR"]


class HeadInTime(eventlet.wsgi.HttpProtocol):
    """A connection gets `head_timeout` seconds for its request head, counted from when the
    server starts waiting for it (on connecting, and after each answer on a kept-alive one).
    eventlet's socket_timeout would bound each read of the head, not the whole of it, and
    every write of a stream that lasts for hours too."""

    def __init__(self, conn_state, server, head_timeout: float):
        self.head_timeout = head_timeout
        super().__init__(conn_state, server)  # serves the connection to its end

    def handle_one_request(self):
        # A socket.timeout is how eventlet's server expects a slow client to end: closed, quietly.
        self.head_deadline = eventlet.Timeout(self.head_timeout, socket.timeout("no request head in time"))
        try:
            super().handle_one_request()
        finally:
            self.head_deadline.cancel()

    def get_environ(self):
        self.head_deadline.cancel()  # the head is in: what follows may be a stream of hours
        return super().get_environ()


def expiry_of(token: str) -> float:
    # Read only after caller_from_token has checked the signature and the expiry; the stream
    # lasts as long as that check would still pass, or a reconnect would be closed at once.
    return float(jwt.decode(token, options={"verify_signature": False})["exp"]) + LEEWAY_SECONDS


def answer(start_response, status: int, body: dict, headers=()):
    payload = json.dumps(body).encode()
    start_response(
        f"{status} {STATUS_WORDS[status]}",
        list(headers)
        + [("Content-Type", "application/json"), ("Content-Length", str(len(payload))), ("Cache-Control", "no-store")],
    )
    return [payload]


def error(start_response, status: int, code: str, message: str, headers=()):
    return answer(start_response, status, {"error": {"code": code, "message": message, "details": {}}}, headers)


STATUS_WORDS = {
    200: "OK",
    401: "Unauthorized",
    404: "Not Found",
    405: "Method Not Allowed",
    429: "Too Many Requests",
    503: "Service Unavailable",
}


def main() -> None:
    settings = load_settings()
    logs.configure(os.environ.get("LOG_LEVEL", "INFO"), os.environ.get("LOG_FORMAT", "plain"))
    try:
        check_signing_secret(settings, log)
    except WeakSecret as refusal:
        raise SystemExit(f"push refuses to start: {refusal}")
    host, port, max_pages = settings.GATEWAY_HOST, settings.PUSH_PORT, settings.PUSH_MAX_PAGES
    audience = Audience()
    feed = EventFeed(settings.AMQP_URI, audience)
    eventlet.spawn(feed.run)
    with port_of_our_own("push", "PUSH_PORT", host, port):
        # Never eventlet's default SO_REUSEPORT: a second push on this port would share it.
        listener = eventlet.listen((host, port), backlog=1024, reuse_port=False)
    log.info("push: event streams on http://%s:%d/v1/events", host, port)
    # log_output off: the request line carries the token. minimum_chunk_size 0: every event
    # is written as it comes instead of waiting for 4 KiB of them.
    eventlet.wsgi.server(
        listener,
        PushApp(settings, audience, feed),
        log_output=False,
        minimum_chunk_size=0,
        max_size=max_pages,
        keepalive=True,
        protocol=functools.partial(HeadInTime, head_timeout=settings.PUSH_HEAD_TIMEOUT),
    )


if __name__ == "__main__":
    main()
