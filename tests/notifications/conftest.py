"""The notifications service in a real container, beside the real catalog service, on a real
broker, database and SMTP server; events published as the conversations service does."""

import time

import pytest
from nameko.standalone.events import event_dispatcher
from nameko.standalone.rpc import ClusterRpcProxy

from services.catalog_context.service import CatalogContextService
from services.common.caller import STOREFRONT_SYNC
from services.common.events import CONVERSATIONS
from services.notifications.service import NotificationsService
from tests.fixtures.callers import signed

from .conversation import ADMIN_EMAILS, SHOP_EMAIL, SHOP_ID
from .receiver import SilentEndpoint

SYNC = STOREFRONT_SYNC
# The administration calling the settings RPCs (a caller, not a message's author).
ADMINISTRATION = {"user_id": "a1", "role": "admin"}

PORTAL_URL = "https://portal.test"
STOREFRONT_URL = "https://shop.test/"
# Where the mails and the bell send each side: CS-Cart's pages, the thread link's default.
PORTAL_LINK = PORTAL_URL + "/{side}.php?dispatch=vendor_communication.view&thread_id={thread_id}"
STOREFRONT_LINK = STOREFRONT_URL + "index.php?dispatch=vendor_communication.view&thread_id={thread_id}"
# Retries a test can wait for: 1 s, 2 s, 2 s …
QUICK_RETRY = {"attempts": 5, "first_delay_seconds": 1, "max_delay_seconds": 2}


def eventually(check, timeout=20.0, what="the condition"):
    """`check()`'s first truthy answer, asked until `timeout` (then the test fails)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        answer = check()
        if answer:
            return answer
        time.sleep(0.1)
    raise AssertionError(f"{what} did not happen within {timeout} s")


@pytest.fixture
def config(service_config, mail_sink):
    return {
        **service_config,
        "SMTP_PORT": mail_sink.port,
        "SMTP_TIMEOUT": 5,
        "RPC_TIMEOUT": 5,
        "ADMIN_EMAILS": ", ".join(ADMIN_EMAILS),
        "PORTAL_URL": PORTAL_URL,
        "STOREFRONT_URL": STOREFRONT_URL,
        "WEBHOOK_ALLOW_PRIVATE": "true",
    }  # the webhook receivers listen on 127.0.0.1


@pytest.fixture
def cluster(config):
    with ClusterRpcProxy(config, timeout=20) as proxy:
        yield proxy


@pytest.fixture
def start_catalog(container_factory, config, cluster):
    """Start the catalog service with the shop (company 10) in it."""

    def start():
        container_factory(CatalogContextService, config).start()
        cluster.catalog_context.upsert_vendor(
            signed(SYNC), {"company_id": SHOP_ID, "company": "Lamp Shop", "email": SHOP_EMAIL, "status": "A"}
        )

    return start


@pytest.fixture
def start_notifications(container_factory, config):
    def start():
        container = container_factory(NotificationsService, config)
        container.start()
        return container

    return start


@pytest.fixture
def notifications(start_catalog, start_notifications, cluster):
    """Both services up; mail goes out as soon as it is planned (no coalescing window), unless
    a test sets one."""
    start_catalog()
    start_notifications()
    cluster.notifications.set_rules(signed(ADMINISTRATION), {"coalesce_seconds": 0})
    return cluster.notifications


@pytest.fixture
def publish(config):
    dispatch = event_dispatcher(config)

    def publish(event, payload):
        dispatch(CONVERSATIONS, event, payload)
        return payload

    return publish


@pytest.fixture
def silent_server():
    """A server on 127.0.0.1 that takes connections and never answers."""
    server = SilentEndpoint()
    server.start()
    yield server
    server.stop()
