"""Webhooks: the admin's endpoints, told of every new thread and message, and of each
customer whose data was erased (`customer_erased`: the customer's id, so that the receiver
deletes its copies too).

Each delivery is signed: `X-MessageCenter-Signature: sha256=<hex>`, the HMAC-SHA256 of the
exact body bytes with the endpoint's secret, so the receiver can tell our calls from forgeries.

Every message goes to these endpoints, so only an admin with `manage_webhooks` manages them, and
they are called on public addresses only (WEBHOOK_ALLOW_PRIVATE=true lets development and tests
call this machine and private networks): the host is resolved and checked when the endpoint is
registered and again at every call, and the call connects to the very address that was
checked, so a DNS answer that changes in between cannot point it at an internal service.
WEBHOOK_HOSTS narrows them further to the host names operations list (egress allow-list): any
other host is refused before it is even looked up.

The marketplace keeps WEBHOOKS_MAX endpoints at most: each one is called for every message.
"""

import hashlib
import hmac
import ipaddress
import json
import logging
import secrets
import socket
from datetime import datetime
from urllib.parse import urlsplit

import requests
from nameko.extensions import DependencyProvider
from requests.adapters import HTTPAdapter

from services.common import correlation
from services.common.access import may_manage_webhooks
from services.common.caller import Caller
from services.common.clock import isoformat, new_id, now
from services.common.config import load_settings
from services.common.errors import Forbidden, NotFound, ValidationFailed

log = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-MessageCenter-Signature"
TIMEOUT_SECONDS = 10.0
# A test call is answered within the gateway's RPC timeout (RPC_TIMEOUT, 10 s by default).
TEST_TIMEOUT_SECONDS = 5.0
DEFAULT_PORTS = {"http": 80, "https": 443}

# What an admin reads about a failed call: the reason, not our network's addresses or errors.
ADDRESS_NOT_ALLOWED = "the endpoint's address is not allowed"
CERTIFICATE_NOT_TRUSTED = "the endpoint's certificate could not be verified"
NO_ANSWER = "the endpoint did not answer in time"
NOT_CONNECTED = "could not connect"


def authorize(caller: Caller) -> None:
    if not may_manage_webhooks(caller):
        raise Forbidden("Webhooks are managed by admins with the manage_webhooks permission.")


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


# addresses ------------------------------------------------------------------------------------


class AddressRefused(Exception):
    """The endpoint's host resolves to an address webhooks may not call."""


class HostNotListed(AddressRefused):
    """The endpoint names a host outside WEBHOOK_HOSTS."""


class EndpointAddresses:
    """Which addresses webhooks may call: public ones; loopback, private and link-local ones
    too when `allow_private`; plain http only to loopback (and so only when private ones are
    allowed). Never multicast or unspecified ones. When `hosts` are listed, only URLs naming
    one of them."""

    def __init__(self, allow_private: bool, resolve=socket.getaddrinfo, hosts=()):
        self.allow_private = allow_private
        self.hosts = frozenset(host.lower() for host in hosts)
        self.resolve = resolve

    @classmethod
    def from_settings(cls, settings) -> "EndpointAddresses":
        hosts = [host.strip() for host in settings.WEBHOOK_HOSTS.split(",") if host.strip()]
        return cls(settings.WEBHOOK_ALLOW_PRIVATE, hosts=hosts)

    def checked(self, scheme: str, host: str | None, port: int | None):
        """The address to connect to. HostNotListed when the host is not one operations
        listed; AddressRefused when any of the host's addresses may not be called (the next
        answer could be that one); OSError when it does not resolve."""
        if self.hosts and (host or "").lower() not in self.hosts:
            raise HostNotListed(f"{host} is not a listed webhook host")
        answers = self.resolve(host, port or DEFAULT_PORTS[scheme], type=socket.SOCK_STREAM)
        addresses = [_unmapped(ipaddress.ip_address(answer[4][0])) for answer in answers]
        refused = [address for address in addresses if not self.allows(scheme, address)]
        if refused:
            raise AddressRefused(f"{host} resolves to {', '.join(map(str, refused))}")
        return addresses[0]

    def allows(self, scheme: str, address) -> bool:
        if address.is_multicast or address.is_unspecified:
            return False
        if scheme == "http":
            return self.allow_private and address.is_loopback
        if address.is_global and not address.is_reserved:
            return True
        return self.allow_private and (address.is_loopback or address.is_private or address.is_link_local)


def _unmapped(address):
    # ::ffff:10.0.0.1 is 10.0.0.1 on the wire.
    return address.ipv4_mapped if address.version == 6 and address.ipv4_mapped else address


def check_address(addresses: EndpointAddresses, url: str) -> None:
    """Registration's check of where the URL leads, as the contract's 422 on `url`."""
    parts = urlsplit(url)
    try:
        addresses.checked(parts.scheme, parts.hostname, parts.port)
    except HostNotListed:
        problem = "The host is not one this marketplace sends webhooks to."
    except AddressRefused:
        problem = (
            "The host has a loopback, private, link-local or reserved address; webhooks call public addresses only."
        )
    except (OSError, UnicodeError):
        problem = "The host name does not resolve to an address."
    else:
        return
    raise ValidationFailed("The request has invalid fields.", {"url": [problem]})


class CheckedAddressAdapter(HTTPAdapter):
    """Connects to the address `addresses` checked, never to a second DNS answer, while the
    URL's host still names the server: in the Host header, for SNI and in the certificate."""

    def __init__(self, addresses: EndpointAddresses):
        self.addresses = addresses
        super().__init__()

    def build_connection_pool_key_attributes(self, request, verify, cert=None):
        host_params, pool_kwargs = super().build_connection_pool_key_attributes(request, verify, cert)
        host = host_params["host"]
        address = self.addresses.checked(host_params["scheme"], host, host_params["port"])
        if host_params["scheme"] == "https":
            pool_kwargs = {**pool_kwargs, "server_hostname": host, "assert_hostname": host}
        return {**host_params, "host": str(address)}, pool_kwargs

    def add_headers(self, request, **kwargs):
        request.headers["Host"] = urlsplit(request.url).netloc.rpartition("@")[2]


def webhook_session(addresses: EndpointAddresses) -> requests.Session:
    session = requests.Session()
    session.headers["User-Agent"] = "MessageCenter-Webhooks/1"
    # No proxy from the environment: it would connect to whatever the URL names.
    session.trust_env = False
    adapter = CheckedAddressAdapter(addresses)
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    return session


# calling ---------------------------------------------------------------------------------------


class Outcome:
    """What one HTTP attempt came to: any 2xx is delivered; anything else is tried again."""

    def __init__(self, status_code: int | None = None, error: str | None = None):
        self.status_code = status_code
        self.error = error

    @property
    def delivered(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


class WebhookPoster:
    def __init__(self, session: requests.Session, addresses: EndpointAddresses):
        self.session = session
        self.addresses = addresses

    def post(self, url: str, body: bytes, headers: dict, timeout: float = TIMEOUT_SECONDS) -> Outcome:
        try:
            # No redirects: a signed body goes only where the admin pointed it.
            answer = self.session.post(url, data=body, headers=headers, timeout=timeout, allow_redirects=False)
        except AddressRefused as error:
            return _failed(url, error, ADDRESS_NOT_ALLOWED)
        except requests.exceptions.SSLError as error:
            return _failed(url, error, CERTIFICATE_NOT_TRUSTED)
        except requests.exceptions.ReadTimeout as error:
            return _failed(url, error, NO_ANSWER)
        except (requests.RequestException, OSError) as error:
            return _failed(url, error, NOT_CONNECTED)
        if 200 <= answer.status_code < 300:
            return Outcome(answer.status_code)
        return Outcome(answer.status_code, f"HTTP {answer.status_code}")


def _failed(url: str, error: Exception, reason: str) -> Outcome:
    log.warning("webhook call to %s failed: %s", urlsplit(url).hostname, error)
    return Outcome(error=reason)


class Webhooks(DependencyProvider):
    """One HTTP session per service process (its connection pool is shared by the workers)."""

    def setup(self):
        self.addresses = EndpointAddresses.from_settings(load_settings(self.container.config))
        self.session = webhook_session(self.addresses)

    def stop(self):
        self.session.close()

    def get_dependency(self, worker_ctx):
        return WebhookPoster(self.session, self.addresses)


def planned_call(
    delivery_id: str,
    webhook_id: str,
    event: str,
    event_key: str,
    data: dict,
    thread_id: str | None,
    occurred_at: datetime,
    at: datetime,
) -> dict:
    """A call to plan (store.plan_webhook_delivery: once per endpoint and `event_key`) at `at`,
    for the webhook timer. Its body is fixed once, so every retry sends (and signs) the very same bytes;
    it names the thread it is about, so that the call goes when the thread or its customer does."""
    body = json.dumps(
        {"id": delivery_id, "event": event, "occurred_at": isoformat(occurred_at), "data": data},
        separators=(",", ":"),
        sort_keys=True,
    )
    return {
        "_id": delivery_id,
        "webhook_id": webhook_id,
        "event_key": event_key,
        "event": event,
        "thread_id": thread_id,
        "body": body,
        "status": "pending",
        "attempts": 0,
        "created_at": at,
        "send_after": at,
        "correlation_id": correlation.current(),
    }


# registration, as the admin asks for it ------------------------------------------------------


def register(store, addresses: EndpointAddresses, registration: dict, most: int) -> dict:
    """The new endpoint, with its secret: the only answer that ever shows it."""
    if store.count_webhooks() >= most:
        raise ValidationFailed(
            f"At most {most} webhook endpoints are kept; delete one first.",
            {"_schema": [f"At most {most} webhook endpoints."]},
        )
    check_address(addresses, registration["url"])
    webhook = {
        "_id": new_id(),
        "url": registration["url"],
        "events": sorted(set(registration["events"])),
        "secret": registration["secret"] or secrets.token_urlsafe(32),
        "created_at": now(),
        "last_result": None,
    }
    store.add_webhook(webhook)
    return {**webhook, "recent_deliveries": []}


def listing(store) -> list[dict]:
    return [
        {
            **webhook,
            "recent_deliveries": [
                delivery["last_result"] for delivery in store.recent_webhook_deliveries(webhook["_id"])
            ],
        }
        for webhook in store.all_webhooks()
    ]


TEST_EVENT = "ping"


def ping(store, poster: "WebhookPoster", webhook_id: str) -> dict:
    """One signed call of a `ping` event now, as a delivery would make it, and what came of it:
    the administration sees at once whether the endpoint answers and checks the signature. Not
    kept, not retried: it delivers no message."""
    webhook = store.webhook(webhook_id)
    if webhook is None:
        raise NotFound("No such webhook.")
    delivery_id = new_id()
    at = now()
    body = json.dumps(
        {"id": delivery_id, "event": TEST_EVENT, "occurred_at": isoformat(at), "data": {}},
        separators=(",", ":"),
        sort_keys=True,
    ).encode()
    outcome = poster.post(
        webhook["url"],
        body,
        {
            "Content-Type": "application/json",
            SIGNATURE_HEADER: sign(webhook["secret"], body),
            "X-MessageCenter-Event": TEST_EVENT,
            "X-MessageCenter-Delivery": delivery_id,
        },
        timeout=TEST_TIMEOUT_SECONDS,
    )
    return {
        "at": at,
        "event": TEST_EVENT,
        "status": "delivered" if outcome.delivered else "failed",
        "attempts": 1,
        "status_code": outcome.status_code,
        "error": outcome.error,
    }


def remove(store, webhook_id: str) -> None:
    if not store.delete_webhook(webhook_id):
        raise NotFound("No such webhook.")
