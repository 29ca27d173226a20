"""A deleted thread stays deleted: a reply or a status change that read the thread before the
delete does not bring it back (the use cases against every store)."""

import pytest

from services.common.caller import Caller
from services.common.clock import now
from services.common.errors import NotFound
from services.conversations import messages, model, moderation, text
from services.conversations.threads import delete_thread
from services.conversations.idempotency import Ids
from tests.conversations.stores import any_store  # noqa: F401 (a fixture)

CUSTOMER = Caller(user_id="c1", role="customer", name="Ann")
VENDOR = Caller(user_id="v1", role="vendor", company_id="10", name="Bob")
ADMIN = Caller(user_id="a1", role="admin")


class NoEvents:
    def publish(self, thread, message):
        pass


@pytest.fixture
def store(any_store):
    """Every store: MongoDB (each inbox reader) and the in-memory fake."""
    return any_store


@pytest.fixture
def closed_thread(store):
    plan = {
        "type": "vendor_to_customer",
        "group": "vendor",
        "object": {"type": "company", "id": "10"},
        "company_id": "10",
        "customer_id": "c1",
        "customer": {"id": "c1", "name": "Ann"},
        "subject": "Hi",
    }
    thread = model.new_thread(plan, "key-1", None, now(), Ids.fresh().thread)
    store.insert_thread(thread)
    store.set_status(thread["id"], "closed", None)
    return store.get(thread["id"])


def test_a_reply_racing_a_delete_does_not_bring_the_thread_back(store, closed_thread):
    seen_before_the_delete = dict(closed_thread)
    delete_thread(store, ADMIN, closed_thread["id"])
    with pytest.raises(NotFound):
        messages.append(
            store,
            NoEvents(),
            CUSTOMER,
            seen_before_the_delete,
            text.prepare("Still there?"),
            Ids.fresh(),
            moderation.Rules(),
        )
    assert store.get(closed_thread["id"])["status"] == "deleted"
    assert store.messages_page(closed_thread["id"], None, 10)[0] == []


def test_reopening_racing_a_delete_does_not_bring_the_thread_back(store, closed_thread):
    assert store.set_status(closed_thread["id"], "deleted", None)["status"] == "deleted"
    assert store.set_status(closed_thread["id"], "open", "key-1") is None
    store.reopen(closed_thread, "key-1")
    assert store.get(closed_thread["id"])["status"] == "deleted"
    assert "open_key" not in store.get(closed_thread["id"])


def test_a_bulk_reply_retried_with_its_idempotency_key_replies_once(world):
    shop = world.vendor("shop")
    threads = [world.ask(world.customer(name)[0], "company", shop, "Open on Sunday?") for name in ("ann", "dan")]
    vendor = world.staff(shop)
    request = {"action": "reply", "thread_ids": threads, "body": "Yes, 10 to 4."}
    key = {"Idempotency-Key": f"bulk-{world.tag}"}
    first = world.stack.call("POST", "/v1/threads/bulk", vendor, json=request, headers=dict(key))
    again = world.stack.call("POST", "/v1/threads/bulk", vendor, json=request, headers=dict(key))
    assert first.status_code == again.status_code == 200
    assert first.json() == again.json()
    for thread in threads:
        page = world.stack.call("GET", f"/v1/threads/{thread}", vendor).json()
        assert [m["text"] for m in page["messages"]["items"]].count("Yes, 10 to 4.") == 1
