"""The inbound process's HTTP port (INBOUND_HTTP_PORT): replies forwarded by a mail provider,
and the probes and metrics every process has.

    POST /v1/inbound-mail                 the raw mail (RFC 5322 bytes) as the body
    X-MessageCenter-Signature: t=<unix seconds>,sha256=<hex>

The signature is HMAC-SHA256 with INBOUND_HTTP_SIGNING_KEY over `<t>.` followed by the body,
and is good for 5 minutes either side of our clock (a captured request cannot be replayed
later). The reply address is the first of ours among the mail's Delivered-To, X-Original-To,
To and Cc. The answer is 200 with what became of the mail (`outcome`: posted, duplicate,
dropped), a 4xx in the contract's error shape for a mail refused for good, or 503 with
Retry-After when it should be sent again later. Without INBOUND_HTTP_SIGNING_KEY the route is
a 404: nobody can hand us mail that way.

    GET /healthz     the process runs, and so does its SMTP server
    GET /readyz      the SMTP server, the broker and the database answer (?services=all: and
                     the conversations and notifications services)
    GET /metrics     Prometheus, for the bearer of METRICS_TOKEN (404 while it is unset)

http.server, a thread per connection: CONNECTIONS at once (past that a connection is closed
unanswered), each given READ_SECONDS per read; the body is read only once its length is
known and allowed (INBOUND_MAX_BYTES). In a deployment it sits behind the ingress, which reads
every request whole before passing it on.
"""

import hashlib
import hmac
import json
import logging
import threading
import time
from email import policy
from email.parser import BytesHeaderParser
from email.utils import getaddresses
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from services.common import correlation, reply_addresses
from services.common.rpc_client import BrokerAway, check_broker_listens

from . import metrics, outcomes
from .receiving import Envelope

log = logging.getLogger(__name__)

MAIL_PATH = "/v1/inbound-mail"
SIGNATURE_HEADER = "X-MessageCenter-Signature"
SIGNATURE_TOLERANCE_SECONDS = 300
CONNECTIONS = 64
# Mails worked on at once from HTTP (each is held whole: INBOUND_MAX_BYTES at most).
DELIVERIES = 4
READ_SECONDS = 10
RECIPIENT_HEADERS = ("Delivered-To", "X-Original-To", "To", "Cc")
SERVICES = ("conversations", "notifications")


def signature_problem(header: str | None, body: bytes, key: str, at: float) -> str | None:
    """Why a forwarded mail's signature is not good; None when it is."""
    parts = dict(part.strip().partition("=")[::2] for part in (header or "").split(",") if "=" in part)
    if not parts.get("t") or not parts.get("sha256"):
        return f"Sign the body: {SIGNATURE_HEADER}: t=<unix seconds>,sha256=<hex HMAC-SHA256>."
    try:
        signed_at = int(parts["t"])
    except ValueError:
        return "The signature's time is not a number of seconds."
    expected = hmac.new(key.encode(), f"{signed_at}.".encode() + body, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected.encode(), parts["sha256"].strip().lower().encode()):
        return "The signature does not match the body."
    if abs(at - signed_at) > SIGNATURE_TOLERANCE_SECONDS:
        return f"The signature was made {abs(at - signed_at):.0f} s from now; it is good for {SIGNATURE_TOLERANCE_SECONDS} s."
    return None


def recipient_of(raw: bytes, settings) -> str | None:
    """The reply address a forwarded mail was sent to: the first of ours, signed, among its
    recipient headers; else the first address in the reply domain (to be refused as unknown)."""
    try:
        headers = BytesHeaderParser(policy=policy.compat32).parsebytes(raw)
        named = [
            address
            for name in RECIPIENT_HEADERS
            for _, address in getaddresses([str(value) for value in headers.get_all(name) or ()])
        ]
    except Exception:  # unreadable headers: no recipient, and the mail is refused
        return None
    ours = [address for address in named if reply_addresses.is_for_domain(address, settings.REPLY_DOMAIN)]
    for address in ours:
        if reply_addresses.address_id_of(address, settings.REPLY_DOMAIN, settings.REPLY_SIGNING_KEY):
            return address
    return ours[0] if ours else None


class InboundApp:
    """What each route answers: (status, JSON body or bytes, extra headers)."""

    def __init__(self, settings, receiver, smtp_server, services, database):
        self.settings = settings
        self.receiver = receiver
        self.smtp_server = smtp_server
        self.services = services
        self.database = database
        self.deliveries = threading.BoundedSemaphore(DELIVERIES)

    def health(self):
        alive = self.smtp_server.serving()
        return (200 if alive else 503), {"status": "ok" if alive else "unavailable", "checks": {"smtp": alive}}, {}

    def readiness(self, query: dict):
        checks = {
            "smtp": self.smtp_server.serving(),
            "broker": _broker_ok(self.settings.AMQP_URI),
            "database": _database_ok(self.database),
        }
        if query.get("services") == ["all"]:
            checks.update({name: self.services.healthy(name) for name in SERVICES})
        ready = all(checks.values())
        return (200 if ready else 503), {"status": "ready" if ready else "unavailable", "checks": checks}, {}

    def metrics(self, authorization: str):
        expected = self.settings.METRICS_TOKEN
        if not expected:
            return error(404, "not_found", "Metrics are not served here: METRICS_TOKEN is not set.")
        scheme, _, token = (authorization or "").partition(" ")
        if scheme.lower() != "bearer" or not hmac.compare_digest(token.strip().encode(), expected.encode()):
            return error(401, "unauthorized", "The metrics token is required (Authorization: Bearer <METRICS_TOKEN>).")
        return 200, generate_latest(metrics.REGISTRY), {"Content-Type": CONTENT_TYPE_LATEST}

    def mail(self, headers, read_body):
        """POST /v1/inbound-mail: `read_body(n)` reads the body once its length is allowed."""
        key = self.settings.INBOUND_HTTP_SIGNING_KEY
        if not key:
            return error(404, "not_found", "Mail is not taken over HTTP here: INBOUND_HTTP_SIGNING_KEY is not set.")
        length = headers.get("Content-Length")
        if length is None:
            return error(411, "length_required", "Send the mail with a Content-Length.")
        if not length.isdigit():
            return error(400, "bad_request", "The Content-Length is not a number.")
        if int(length) > self.settings.INBOUND_MAX_BYTES:
            metrics.count("http", outcomes.refused("too_large", ""))
            return error(
                413,
                "payload_too_large",
                f"A mail may have at most {self.settings.INBOUND_MAX_BYTES} bytes.",
                {"Connection": "close"},
            )
        if not self.deliveries.acquire(blocking=False):
            return error(
                503,
                "unavailable",
                "Too many mails at once; try again shortly.",
                {"Retry-After": str(outcomes.RETRY_AFTER_SECONDS)},
            )
        try:
            raw = read_body(int(length))
            problem = signature_problem(headers.get(SIGNATURE_HEADER), raw, key, time.time())
            if problem:
                log.warning("refused a forwarded mail: %s", problem)
                return error(401, "unauthorized", problem)
            recipient = recipient_of(raw, self.settings)
            if recipient is None:
                outcome = outcomes.refused("token", "The mail names no reply address of ours.")
                metrics.count("http", outcome)
            else:
                outcome = self.receiver.receive(raw, Envelope(recipient=recipient, sender=None, via="http"))
        finally:
            self.deliveries.release()
        status, body = outcome.http_answer()
        return status, body, ({"Retry-After": str(outcomes.RETRY_AFTER_SECONDS)} if status in (429, 503) else {})


def error(status: int, code: str, message: str, headers: dict | None = None):
    return status, {"error": {"code": code, "message": message, "details": {}}}, headers or {}


def _broker_ok(amqp_uri: str) -> bool:
    try:
        check_broker_listens(amqp_uri)
        return True
    except BrokerAway:
        return False


def _database_ok(database) -> bool:
    try:
        database.command("ping")
        return True
    except Exception:
        return False


class Handler(BaseHTTPRequestHandler):
    server_version = "MessageCenterInbound"
    sys_version = ""
    timeout = READ_SECONDS
    # Only InboundHttp serves this handler (http.server types it as any BaseServer): its `app`.
    server: "InboundHttp"

    def do_GET(self):
        url = urlsplit(self.path)
        app = self.server.app
        if url.path == "/healthz":
            self._answer(*app.health())
        elif url.path == "/readyz":
            self._answer(*app.readiness(parse_qs(url.query)))
        elif url.path == "/metrics":
            self._answer(*app.metrics(self.headers.get("Authorization", "")))
        elif url.path == MAIL_PATH:
            self._answer(*error(405, "method_not_allowed", "Mail is sent with POST.", {"Allow": "POST"}))
        else:
            self._answer(*error(404, "not_found", "No such route."))

    def do_POST(self):
        if urlsplit(self.path).path != MAIL_PATH:
            self._answer(*error(404, "not_found", "No such route."))
            return
        correlation.set_current(correlation.from_client(self.headers.get(correlation.HEADER)))
        try:
            answer = self.server.app.mail(self.headers, self.rfile.read)
        except OSError:  # the client went away, or sent its body too slowly: nothing to answer
            self.close_connection = True
            return
        except Exception:
            log.exception("a forwarded mail could not be handled")
            answer = error(
                503,
                "unavailable",
                "The mail could not be taken now; try again shortly.",
                {"Retry-After": str(outcomes.RETRY_AFTER_SECONDS)},
            )
        finally:
            correlation.set_current(None)
        self._answer(*answer)

    def _answer(self, status: int, body, headers: dict):
        payload = body if isinstance(body, bytes) else json.dumps(body).encode()
        self.send_response(status)
        headers = {"Content-Type": "application/json", "Cache-Control": "no-store", **headers}
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, format, *args):  # noqa: A002 (http.server's own signature)
        log.debug("%s %s", self.address_string(), format % args)


class InboundHttp(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128

    def __init__(self, address, app: InboundApp):
        super().__init__(address, Handler)
        self.app = app
        self.connections = threading.BoundedSemaphore(CONNECTIONS)

    def process_request(self, request, client_address):
        if not self.connections.acquire(blocking=False):
            self.shutdown_request(request)  # past the bound: closed unanswered, the client retries
            return
        try:
            super().process_request(request, client_address)
        except Exception:
            self.connections.release()
            raise

    def process_request_thread(self, request, client_address):
        try:
            super().process_request_thread(request, client_address)
        finally:
            self.connections.release()
