"""The conversations service in a real nameko container, beside the real catalog service."""
import pytest
from nameko.standalone.rpc import ClusterRpcProxy

from services.catalog_context.service import CatalogContextService
from services.conversations.service import ConversationsService

CUSTOMER = {"user_id": "c1", "role": "customer", "name": "Ann", "email": "ann@buyers.test"}
VENDOR = {"user_id": "v1", "role": "vendor", "company_id": "10", "name": "Bob"}


@pytest.fixture
def rpc(container_factory, service_config):
    for service in (CatalogContextService, ConversationsService):
        container_factory(service, service_config).start()
    with ClusterRpcProxy(service_config, timeout=20) as proxy:
        proxy.catalog_context.upsert_vendor({"company_id": 10, "company": "Lamp Shop", "email": "shop@vendors.test",
                                             "status": "A"})
        proxy.catalog_context.upsert_product({"product_id": 5, "product": "Brass Lamp", "product_code": "L1",
                                              "price": 10, "company_id": 10, "status": "A"})
        yield proxy


def test_a_second_question_on_the_same_product_continues_the_open_thread(rpc):
    ask = {"type": "vendor_to_customer", "object": {"type": "product", "id": "5"}, "message": "Is it brass?"}
    first = rpc.conversations.start_thread(CUSTOMER, ask)
    again = rpc.conversations.start_thread(CUSTOMER, {**ask, "message": "And the cable length?"})
    assert first["created"] is True and again["created"] is False
    assert again["thread"]["id"] == first["thread"]["id"]
    inbox = rpc.conversations.list_threads(VENDOR, {})
    assert [item["unread_count"] for item in inbox["items"]] == [2]


def test_the_event_goes_out_after_the_write(rpc, mongo_db):
    started = rpc.conversations.start_thread(CUSTOMER, {
        "type": "vendor_to_customer", "object": {"type": "product", "id": "5"}, "message": "Hello"})
    stored = mongo_db.messages.find_one({"_id": started["message"]["id"]})
    assert stored is not None and "pending_events" not in stored
