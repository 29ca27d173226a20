"""The conversations service in a real nameko container, beside the real catalog service: the
wiring of the outbox, its relay and announcements (the use cases themselves: test_use_cases.py)."""

import contextlib
import time

import pytest
from nameko.events import event_handler
from nameko.standalone.rpc import ClusterRpcProxy

from services.catalog_context.service import CatalogContextService
from services.common.caller import STOREFRONT_SYNC
from services.conversations import broadcasts
from services.conversations.mongo_store import MongoThreads
from services.conversations.outbox import Outbox
from services.conversations.service import ConversationsService
from tests.fixtures.callers import signed

SYNC = STOREFRONT_SYNC

CUSTOMER = {"user_id": "c1", "role": "customer", "name": "Ann", "email": "ann@buyers.test"}
VENDOR = {"user_id": "v1", "role": "vendor", "company_id": "10", "name": "Bob"}


class ProcessStopped(Exception):
    pass


@contextlib.contextmanager
def a_shop(container_factory, config):
    """The catalog and conversations services on `config`, with a vendor and its product."""
    for service in (CatalogContextService, ConversationsService):
        container_factory(service, config).start()
    with ClusterRpcProxy(config, timeout=20) as proxy:
        proxy.catalog_context.upsert_vendor(
            signed(SYNC), {"company_id": 10, "company": "Lamp Shop", "email": "shop@vendors.test", "status": "A"}
        )
        proxy.catalog_context.upsert_product(
            signed(SYNC),
            {
                "product_id": 5,
                "product": "Brass Lamp",
                "product_code": "L1",
                "price": 10,
                "company_id": 10,
                "status": "A",
            },
        )
        yield proxy


@pytest.fixture
def rpc(container_factory, service_config):
    with a_shop(container_factory, service_config) as proxy:
        yield proxy


class Listener:
    """A test-only service that records conversations' events as notifications would get them."""

    name = "listener"
    heard = []

    @event_handler("conversations", "message_posted")
    def message_posted(self, payload):
        self.heard.append(payload["message"]["id"])


@pytest.fixture
def listener(container_factory, service_config):
    Listener.heard = []
    container_factory(Listener, service_config).start()
    return Listener.heard


def wait_until(condition, timeout=15.0):
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "it did not happen in time"
        time.sleep(0.1)


def test_the_event_goes_out_after_the_write_and_the_message_is_marked_published(rpc, mongo_db, listener):
    started = rpc.conversations.start_thread(
        signed(CUSTOMER), {"type": "vendor_to_customer", "object": {"type": "product", "id": "5"}, "message": "Hello"}
    )
    message_id = started["message"]["id"]
    wait_until(lambda: message_id in listener)
    wait_until(lambda: "pending_events" not in mongo_db.messages.find_one({"_id": message_id}))
    assert listener.count(message_id) == 1


def test_an_event_lost_between_the_write_and_the_publish_is_relayed(rpc, mongo_db, listener):
    """As if the service died after committing the message and before publishing its event."""
    started = rpc.conversations.start_thread(
        signed(CUSTOMER), {"type": "vendor_to_customer", "object": {"type": "product", "id": "5"}, "message": "Hello"}
    )
    wait_until(lambda: started["message"]["id"] in listener)
    stranded = dict(mongo_db.messages.find_one({"_id": started["message"]["id"]}))
    stranded.update(_id="stranded-message", pending_events=["message_posted"], relay_after=stranded["created_at"])
    mongo_db.messages.insert_one(stranded)
    wait_until(lambda: "stranded-message" in listener)
    wait_until(lambda: "pending_events" not in mongo_db.messages.find_one({"_id": "stranded-message"}))
    time.sleep(1.5)  # a further relay tick must not send it again
    assert listener.count("stranded-message") == 1


ADMIN = {"user_id": "a1", "role": "admin", "name": "Root"}


def test_an_announcement_a_stopped_process_left_half_written_is_finished_once(rpc, mongo_db, listener):
    for company_id in (11, 12):
        rpc.catalog_context.upsert_vendor(
            signed(SYNC),
            {
                "company_id": company_id,
                "company": f"Shop {company_id}",
                "email": f"shop{company_id}@vendors.test",
                "status": "A",
            },
        )
    sent = rpc.conversations.broadcast(
        signed(ADMIN), {"company_ids": "all", "subject": "Fees", "message": "Fees change."}
    )
    assert sent["status"] == "sending" and sent["thread_count"] == 3
    wait_until(lambda: rpc.conversations.broadcast_status(signed(ADMIN), sent["id"])["status"] == "sent")
    # The same announcement again, as a process that died after its first vendor left it.
    half = mongo_db.broadcasts.find_one({"_id": sent["id"]})
    half.update(_id="half-written", status="sending", lease_until=half["created_at"])
    mongo_db.broadcasts.insert_one(half)
    stopped = Outbox(MongoThreads(mongo_db), dispatch=None, published=[], spawn=lambda work: work())

    def stop_here(thread, message):  # the process stopped before its events went out
        raise ProcessStopped()

    stopped.publish_now = stop_here
    with pytest.raises(ProcessStopped):
        broadcasts.deliver_broadcast(MongoThreads(mongo_db), stopped, {**half, "vendors": half["vendors"][:1]})
    mongo_db.broadcasts.update_one(
        {"_id": "half-written"}, {"$set": {"status": "sending", "lease_until": half["created_at"]}}
    )

    wait_until(
        lambda: rpc.conversations.broadcast_status(signed(ADMIN), "half-written")["status"] == "sent", timeout=20
    )
    receipts = rpc.conversations.broadcast_status(signed(ADMIN), "half-written")["vendors"]
    assert sorted(receipt["company_id"] for receipt in receipts) == ["10", "11", "12"]
    messages = [m["_id"] for m in mongo_db.messages.find({"thread_id": {"$in": [r["thread_id"] for r in receipts]}})]
    assert len(messages) == 3
    wait_until(lambda: set(messages) <= set(listener))
    time.sleep(1.5)  # a further relay tick must not announce any of them again
    assert sorted(listener.count(message_id) for message_id in messages) == [1, 1, 1]


@pytest.fixture
def erasing_rpc(container_factory, service_config):
    """The shop, with ERASE_ON_CUSTOMER_DELETED set."""
    with a_shop(container_factory, {**service_config, "ERASE_ON_CUSTOMER_DELETED": True}) as proxy:
        yield proxy


def test_the_catalogs_customer_deletion_erases_them_when_the_marketplace_says_so(erasing_rpc, mongo_db):
    started = erasing_rpc.conversations.start_thread(
        signed(CUSTOMER), {"type": "vendor_to_customer", "object": {"type": "product", "id": "5"}, "message": "Hello"}
    )
    erasing_rpc.catalog_context.delete_customer(signed(SYNC), "c1")
    wait_until(lambda: mongo_db.privacy_erasures.count_documents({}) == 1)
    erasure = mongo_db.privacy_erasures.find_one()
    assert erasure["asked_by"] == {"role": "system", "user_id": SYNC.user_id}
    # its threads are deleted (soft), and rewritten without the customer
    wait_until(lambda: (mongo_db.threads.find_one({"_id": started["thread"]["id"]}) or {}).get("erased_at"))
    thread = mongo_db.threads.find_one({"_id": started["thread"]["id"]})
    assert thread["status"] == "deleted" and thread["customer"]["name"] == "Former customer"
    assert "Ann" not in str(thread) and "ann@buyers.test" not in str(thread)
