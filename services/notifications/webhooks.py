"""Webhooks: the admin's endpoints, told of every new thread and message.

Each delivery is signed: `X-MessageCenter-Signature: sha256=<hex>`, the HMAC-SHA256 of the
exact body bytes with the endpoint's secret, so the receiver can tell our calls from forgeries.
"""
import hashlib
import hmac
import ipaddress
import secrets
from urllib.parse import urlsplit

import requests
from nameko.extensions import DependencyProvider

from services.common.clock import new_id, now
from services.common.errors import NotFound
from services.common.events import MESSAGE_POSTED, THREAD_STARTED

EVENTS = (MESSAGE_POSTED, THREAD_STARTED)
SIGNATURE_HEADER = "X-MessageCenter-Signature"
TIMEOUT_SECONDS = 10.0


def sign(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def url_problem(url: str) -> str | None:
    """Why an endpoint cannot be registered, or None. Message content goes out over HTTPS;
    plain HTTP is only for a receiver on this machine (development and tests)."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        parts.port  # a port that is not a number raises here
    except ValueError:
        return "Not a valid URL."
    if not host:
        return "The URL needs a host."
    if parts.scheme == "https" or (parts.scheme == "http" and is_loopback(host)):
        return None
    return "Use an https:// URL (plain http only for a receiver on this machine)."


class Outcome:
    """What one HTTP attempt came to: any 2xx is delivered; anything else is tried again."""

    def __init__(self, status_code: int | None = None, error: str | None = None):
        self.status_code = status_code
        self.error = error

    @property
    def delivered(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


class WebhookPoster:
    def __init__(self, session: requests.Session):
        self.session = session

    def post(self, url: str, body: bytes, headers: dict) -> Outcome:
        try:
            # No redirects: a signed body goes only where the admin pointed it.
            answer = self.session.post(url, data=body, headers=headers, timeout=TIMEOUT_SECONDS,
                                       allow_redirects=False)
        except requests.RequestException as error:
            return Outcome(error=f"{type(error).__name__}: {error}"[:500])
        if 200 <= answer.status_code < 300:
            return Outcome(answer.status_code)
        return Outcome(answer.status_code, f"HTTP {answer.status_code}")


class Webhooks(DependencyProvider):
    """One HTTP session per service process (its connection pool is shared by the workers)."""

    def setup(self):
        self.session = requests.Session()
        self.session.headers["User-Agent"] = "MessageCenter-Webhooks/1"

    def stop(self):
        self.session.close()

    def get_dependency(self, worker_ctx):
        return WebhookPoster(self.session)


# registration, as the admin asks for it ------------------------------------------------------

def register(store, registration: dict) -> dict:
    """The new endpoint, with its secret: the only answer that ever shows it."""
    webhook = {"_id": new_id(), "url": registration["url"], "events": sorted(set(registration["events"])),
               "secret": registration["secret"] or secrets.token_urlsafe(32), "created_at": now(),
               "last_result": None}
    store.add_webhook(webhook)
    return {**webhook, "recent_deliveries": []}


def listing(store) -> list[dict]:
    return [{**webhook, "recent_deliveries": [delivery["last_result"] for delivery in
                                              store.recent_webhook_deliveries(webhook["_id"])]}
            for webhook in store.all_webhooks()]


def remove(store, webhook_id: str) -> None:
    if not store.delete_webhook(webhook_id):
        raise NotFound("No such webhook.")
