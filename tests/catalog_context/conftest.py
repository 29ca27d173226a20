"""The catalog service in a real container on a real broker and database, and what it says."""

import pytest
from nameko.events import event_handler
from nameko.standalone.rpc import ServiceRpcProxy

from services.catalog_context.service import CatalogContextService
from services.common.caller import STOREFRONT_SYNC
from services.common.events import CATALOG, CONTEXT_CHANGED, CUSTOMER_DELETED, VENDOR_DELETED

SYNC = STOREFRONT_SYNC

STOREFRONT_URL = "https://shop.test"
PORTAL_URL = "https://portal.test"


@pytest.fixture
def catalog_config(service_config):
    return {**service_config, "STOREFRONT_URL": STOREFRONT_URL, "PORTAL_URL": PORTAL_URL}


@pytest.fixture
def start_catalog(container_factory, catalog_config):
    """Start the catalog service, with extra config; returns its container."""

    def start(**extra):
        container = container_factory(CatalogContextService, {**catalog_config, **extra})
        container.start()
        return container

    return start


@pytest.fixture
def catalog_rpc(catalog_config):
    with ServiceRpcProxy("catalog_context", catalog_config, timeout=30) as proxy:
        yield proxy


@pytest.fixture
def catalog(start_catalog, catalog_rpc):
    start_catalog()
    return catalog_rpc


class Listener:
    """A service that only listens to what the catalog announces."""

    name = "catalog_listener"
    heard = []

    @event_handler(CATALOG, CONTEXT_CHANGED)
    def context_changed(self, payload):
        self.heard.append((CONTEXT_CHANGED, payload))

    @event_handler(CATALOG, VENDOR_DELETED)
    def vendor_deleted(self, payload):
        self.heard.append((VENDOR_DELETED, payload))

    @event_handler(CATALOG, CUSTOMER_DELETED)
    def customer_deleted(self, payload):
        self.heard.append((CUSTOMER_DELETED, payload))


@pytest.fixture
def listener(container_factory, catalog_config):
    Listener.heard = []
    container = container_factory(Listener, catalog_config)
    container.start()
    container.heard = Listener.heard
    return container
