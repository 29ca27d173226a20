"""The storefront as the catalog sees it: its links, and its REST API for records not pushed.

CS-Cart's REST API answers GET /api/products/{id}, /api/orders/{id} and /api/vendors/{id}
with the record as JSON, behind HTTP basic auth (an administrator's email and API key).
Every failure to get an answer (refused, slow, 5xx, not JSON) is `Unavailable`; 404 is "no
such object".
"""

import logging
import time
from collections import OrderedDict
from datetime import timedelta
from urllib.parse import quote

import requests
from eventlet.semaphore import Semaphore
from nameko.extensions import DependencyProvider

from services.common.clock import now
from services.common.config import load_settings
from services.common.errors import MessageCenterError, Unavailable

from .money import Currency, currency_setting
from .context import Links, is_stale

log = logging.getLogger(__name__)

API_PATHS = {"product": "products", "order": "orders", "company": "vendors"}

# At most this many records are refreshed at once, so a page of stale records cannot turn
# into a burst of requests at the storefront.
MOST_REFRESHES_AT_ONCE = 8
# First-time lookups at once, and how long a caller may wait for a free one (class Lookups).
MOST_PULLS_AT_ONCE = 8
PULL_QUEUE_SECONDS = 2.0
# What the storefront said it lacks is not asked again for this long; this many are kept.
UNKNOWN_SECONDS = 60.0
UNKNOWN_KEPT = 10_000


class CsCartApi:
    def __init__(self, url: str, user: str, api_key: str, connect_timeout: float, read_timeout: float):
        self.url = url.rstrip("/")
        self.timeout = (connect_timeout, read_timeout)
        self.session = requests.Session()
        self.session.auth = (user, api_key)
        self.session.headers["Accept"] = "application/json"

    def fetch(self, object_type: str, object_id: str) -> dict | None:
        """The storefront's record, None when it has no such object; Unavailable otherwise."""
        url = f"{self.url}/api/{API_PATHS[object_type]}/{quote(object_id, safe='')}"
        try:
            answer = self.session.get(url, timeout=self.timeout)
        except requests.Timeout:
            raise Unavailable("The storefront's API did not answer in time")
        except requests.RequestException as error:
            log.warning("storefront API unreachable: %s", error)
            raise Unavailable("The storefront's API cannot be reached")
        if answer.status_code == 404:
            return None
        if answer.status_code in (401, 403):
            log.error(
                "storefront API refused our credentials (%s): check CSCART_API_USER and CSCART_API_KEY",
                answer.status_code,
            )
        if answer.status_code != 200:
            raise Unavailable(f"The storefront's API answered {answer.status_code}")
        try:
            body = answer.json()
        except ValueError:
            raise Unavailable("The storefront's API answered with something that is not JSON")
        if not isinstance(body, dict):
            raise Unavailable("The storefront's API answered with something that is not a record")
        return body


class Lookups:
    """What the process asks of the storefront: how many at once, and what it said it lacks.

    Someone repeating an unknown id costs one call to CS-Cart a minute (UNKNOWN_SECONDS), not
    one a request; and first-time lookups, which make their callers wait, run MOST_PULLS_AT_ONCE
    at a time: past that a caller is told to come back (503) rather than piling onto CS-Cart.
    """

    def __init__(self):
        self.slots = Semaphore(MOST_PULLS_AT_ONCE)
        self.unknown = OrderedDict()  # (type, id) → until when the storefront is not asked again

    def fetch(self, api: "CsCartApi", object_type: str, object_id: str) -> dict | None:
        key = (object_type, object_id)
        if self.unknown.get(key, 0.0) > time.monotonic():
            return None
        if not self.slots.acquire(timeout=PULL_QUEUE_SECONDS):
            raise Unavailable("The storefront is busy with other lookups; try again shortly.")
        try:
            found = api.fetch(object_type, object_id)
        finally:
            self.slots.release()
        self.unknown.pop(key, None)
        if found is None:
            self.unknown[key] = time.monotonic() + UNKNOWN_SECONDS
            while len(self.unknown) > UNKNOWN_KEPT:
                self.unknown.popitem(last=False)
        return found


class Storefront:
    """What a worker gets: links to the storefront's pages, and its API when one is set."""

    def __init__(
        self,
        links: Links,
        api: CsCartApi | None,
        fresh_for: timedelta,
        refresher=None,
        lookups: Lookups | None = None,
        currency: Currency = Currency("USD"),
    ):
        self.links = links
        self.currency = currency  # what its prices are in
        self.api = api
        self.fresh_for = fresh_for
        self.refresher = refresher
        self.lookups = lookups or Lookups()

    @property
    def pulls(self) -> bool:
        return self.api is not None

    def fetch(self, object_type: str, object_id: str) -> dict | None:
        """The storefront's record; None when it has none, or no API to ask (`pulls`)."""
        return None if self.api is None else self.lookups.fetch(self.api, object_type, object_id)

    def is_stale(self, record: dict) -> bool:
        # Without an API nothing newer can be had: pushed records are as fresh as the pushes.
        return self.pulls and is_stale(record["fetched_at"], now(), self.fresh_for)

    def later(self, object_type: str, object_id: str, job) -> None:
        """Run `job` (a refresh of this object) in the background, once at a time per object."""
        if self.pulls and self.refresher is not None:
            self.refresher.spawn((object_type, object_id), job)


class Refresher:
    """Background refreshes on the container's own green threads: none outlives the service."""

    def __init__(self, container):
        self.container = container
        self.running = set()

    def spawn(self, key, job) -> None:
        if key in self.running or len(self.running) >= MOST_REFRESHES_AT_ONCE:
            return
        self.running.add(key)

        def refresh():
            try:
                job()
            except MessageCenterError as error:
                # The storefront is down or has lost the object: the kept record stays.
                log.info("refresh of %s:%s failed: %s", *key, error)
            except Exception:
                log.exception("refresh of %s:%s failed", *key)
            finally:
                self.running.discard(key)

        self.container.spawn_managed_thread(refresh, identifier=f"refresh {key[0]}:{key[1]}")


class StorefrontProvider(DependencyProvider):
    def setup(self):
        settings = load_settings(self.container.config)
        self.links = Links(settings.STOREFRONT_URL, settings.PORTAL_URL)
        self.currency = currency_setting(settings.CURRENCY)  # a wrong one stops the service here
        self.fresh_for = timedelta(seconds=settings.CATALOG_FRESH_SECONDS)
        credentials = (settings.CSCART_API_URL, settings.CSCART_API_USER, settings.CSCART_API_KEY)
        configured = all(credentials)
        if any(credentials) and not configured:
            log.warning("CSCART_API_URL, CSCART_API_USER and CSCART_API_KEY must all be set: not pulling")
        self.api = (
            CsCartApi(
                settings.CSCART_API_URL,
                settings.CSCART_API_USER,
                settings.CSCART_API_KEY,
                settings.CSCART_CONNECT_TIMEOUT,
                settings.CSCART_READ_TIMEOUT,
            )
            if configured
            else None
        )
        self.refresher = Refresher(self.container)
        self.lookups = Lookups()

    def get_dependency(self, worker_ctx):
        return Storefront(self.links, self.api, self.fresh_for, self.refresher, self.lookups, self.currency)
