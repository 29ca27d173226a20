"""The conversations' use cases against the in-memory store and an in-memory outbox: no broker,
no database. (The MongoDB adapter keeps the same contract: test_store_contract.py; the wiring
is proven in a real container: test_service.py, and through the gateway: tests/e2e.)"""

from datetime import timedelta

import pytest

from services.common.loading import load
from services.contracts import conversations as contract
from services.common.caller import Caller
from services.common.clock import now
from services.common.errors import Conflict, Forbidden, NotFound, RateLimited, ValidationFailed
from services.common.events import MESSAGE_POSTED, THREAD_READ, THREAD_STARTED
from services.conversations import broadcasts, bulk, cascades, inbox, messages, reports, settings, threads
from services.conversations.limits import Limits
from tests.conversations.memory_store import MemoryThreads
from services.conversations.outbox import Outbox

CUSTOMER = Caller("c1", "customer", name="Ann Lee", email="ann@buyers.test")
OTHER_CUSTOMER = Caller("c2", "customer", name="Dan", email="dan@buyers.test")
VENDOR = Caller("v1", "vendor", company_id="10", name="Bob")
OTHER_VENDOR = Caller("v2", "vendor", company_id="20", name="Eve")
ADMIN = Caller("a1", "admin", name="Root")
GENEROUS = Limits(100, 100, 100, 100)
ASK = {"type": "vendor_to_customer", "object": {"type": "product", "id": "5"}, "message": "Is it brass?"}


class Catalog:
    """Two vendors, a product of the first, an order of Ann's from it."""

    vendors = [
        {"company_id": "10", "name": "Lamp Shop", "status": "A"},
        {"company_id": "20", "name": "Oak & Thread", "status": "A"},
    ]

    def resolve(self, object_type, object_id):
        known = {
            ("product", "5"): {"company_id": "10", "customer_id": None, "context": {"name": "Brass Lamp"}},
            ("order", "7"): {
                "company_id": "10",
                "customer_id": "c1",
                "context": {"customer": {"name": "Ann Lee", "email": "ann@buyers.test"}},
            },
        }
        if (object_type, object_id) not in known:
            raise NotFound(f"No such {object_type}.")
        found = known[(object_type, object_id)]
        return {
            **found,
            "object": {"type": object_type, "id": object_id},
            "summary": {"title": found["context"].get("name", f"Order #{object_id}"), "image_url": None, "url": None},
        }

    def get_vendor(self, company_id):
        return next(vendor for vendor in self.vendors if vendor["company_id"] == company_id)

    def list_vendors(self, status):
        return [vendor for vendor in self.vendors if status is None or vendor["status"] == status]


class World:
    def __init__(self, limits=GENEROUS):
        self.store = MemoryThreads()
        self.catalog = Catalog()
        self.events = []
        self.broker_up = True
        self.limits = limits
        self.outbox = Outbox(self.store, self.dispatch, [], spawn=lambda work: work())

    def dispatch(self, name, payload):
        if not self.broker_up:
            raise ConnectionError("the broker is away")
        # a message's events name the message; a read, the thread
        self.events.append((name, payload["message"]["id"] if "message" in payload else payload["thread"]["id"]))

    def start(self, caller=CUSTOMER, key=None, **request):
        return threads.start_thread(self.store, self.catalog, self.outbox, caller, {**ASK, **request}, key, self.limits)

    def post(self, caller, thread_id, body, key=None):
        return messages.post_message(self.store, self.outbox, caller, thread_id, body, key, self.limits)

    def inbox(self, caller, **params):
        return inbox.inbox(self.store, caller, load(contract.InboxQuery(), params))


@pytest.fixture
def world():
    return World()


def test_a_question_starts_a_thread_and_a_second_one_continues_it(world):
    first = world.start()
    assert first["created"] and first["thread"]["subject"] == "Product: Brass Lamp"
    assert world.events == [(THREAD_STARTED, first["message"]["id"]), (MESSAGE_POSTED, first["message"]["id"])]
    again = world.start(message="And the cable length?")
    assert not again["created"] and again["thread"]["id"] == first["thread"]["id"]
    [line] = world.inbox(VENDOR)["items"]
    assert line["unread_count"] == 2 and line["awaiting_reply_from"] == "vendor"
    assert line["last_message"]["preview"] == "And the cable length?"
    assert world.inbox(OTHER_VENDOR)["items"] == [] and world.inbox(OTHER_CUSTOMER)["items"] == []


def test_a_retry_under_the_same_idempotency_key_posts_once(world):
    thread_id = world.start()["thread"]["id"]
    first = world.post(VENDOR, thread_id, "Yes, solid brass.", key="k1")
    again = world.post(VENDOR, thread_id, "Yes, solid brass.", key="k1")
    assert again == first
    assert len(messages.list_messages(world.store, CUSTOMER, thread_id, None, 50)["items"]) == 2
    with pytest.raises(Conflict):
        world.post(VENDOR, thread_id, "Something else", key="k1")


def test_a_retry_of_an_attempt_that_failed_part_way_finishes_it_with_the_same_ids(world):
    thread_id = world.start()["thread"]["id"]
    world.store.add_message = lambda *args: (_ for _ in ()).throw(ConnectionError("the database went away"))
    with pytest.raises(ConnectionError):
        world.post(VENDOR, thread_id, "Yes.", key="k1")
    del world.store.add_message
    answer = world.post(VENDOR, thread_id, "Yes.", key="k1")
    assert [m["id"] for m in messages.list_messages(world.store, VENDOR, thread_id, None, 50)["items"]][-1] == answer[
        "id"
    ]


def test_the_inbox_filters_and_searches(world):
    product = world.start()["thread"]["id"]
    order = world.start(object={"type": "order", "id": "7"}, message="Where is my walnut lamp?")["thread"]["id"]
    world.post(VENDOR, order, "On its way.")
    threads.mark_read(world.store, VENDOR, order, world.outbox)

    def ids(caller=VENDOR, **params):
        return [item["id"] for item in world.inbox(caller, **params)["items"]]

    assert ids() == [order, product]
    assert ids(q="walnut") == [order] and ids(q="brass") == [product] and ids(q="walnut brass") == []
    assert ids(unread="true") == [product] and ids(unread="false") == [order]
    assert ids(awaiting_reply="true") == [product]
    assert ids(object_type="order") == [order] and ids(customer="LEE") == [order, product]
    assert ids(company_id="20") == [] and ids(type="vendor_to_admin") == []
    assert ids(CUSTOMER, type="vendor_to_admin") == []
    first = world.inbox(VENDOR, limit=1)
    assert [item["id"] for item in first["items"]] == [order]
    assert [item["id"] for item in world.inbox(VENDOR, limit=1, cursor=first["next_cursor"])["items"]] == [product]
    assert inbox.unread_counts(world.store, VENDOR) == {
        "total": 1,
        "by_type": {"vendor_to_customer": 1, "vendor_to_admin": 0},
    }
    assert inbox.unread_counts(world.store, CUSTOMER) == {"total": 1, "by_type": {"vendor_to_customer": 1}}
    with pytest.raises(Forbidden):
        world.inbox(VENDOR, status="deleted")
    with pytest.raises(Forbidden):
        world.inbox(Caller("s", "system"))


def test_vendors_close_and_a_new_message_reopens(world):
    thread_id = world.start()["thread"]["id"]
    with pytest.raises(Forbidden):
        threads.set_status(world.store, CUSTOMER, thread_id, "closed")
    assert threads.set_status(world.store, VENDOR, thread_id, "closed")["status"] == "closed"
    assert world.start(message="Another question")["thread"]["id"] != thread_id  # a closed thread is not continued
    world.post(CUSTOMER, thread_id, "Back again")
    assert world.store.get(thread_id)["status"] == "open"
    with pytest.raises(NotFound):
        threads.set_status(world.store, OTHER_VENDOR, thread_id, "closed")


def test_a_deleted_thread_stays_deleted_and_out_of_sight(world):
    thread_id = world.start()["thread"]["id"]
    with pytest.raises(Forbidden):
        threads.delete_thread(world.store, VENDOR, thread_id)
    threads.delete_thread(world.store, ADMIN, thread_id)
    for caller in (CUSTOMER, VENDOR):
        with pytest.raises(NotFound):
            threads.get_thread(world.store, world.catalog, caller, thread_id)
        with pytest.raises(NotFound):
            world.post(caller, thread_id, "Hello?")
    with pytest.raises(Forbidden):
        threads.set_status(world.store, ADMIN, thread_id, "open")
    assert world.store.get(thread_id)["status"] == "deleted"
    assert [item["id"] for item in world.inbox(ADMIN, status="deleted")["items"]] == [thread_id]
    assert world.inbox(VENDOR)["items"] == []


def test_bulk_replies_and_deletes_answer_per_thread(world):
    mine = world.start()["thread"]["id"]
    replied = bulk.bulk(world.store, world.outbox, VENDOR, "reply", [mine, "missing"], "Thanks!", "k", GENEROUS)
    assert [(r["status"], r["outcome"]) for r in replied["results"]] == [(201, "replied"), (404, "not_found")]
    assert bulk.bulk(world.store, world.outbox, VENDOR, "reply", [mine, "missing"], "Thanks!", "k", GENEROUS) == replied
    deleted = bulk.bulk(world.store, world.outbox, ADMIN, "delete", [mine], None, None, GENEROUS)
    assert deleted["results"][0]["outcome"] == "deleted"


def test_an_announcement_reaches_every_active_vendor_with_read_receipts(world):
    with pytest.raises(Forbidden):
        broadcasts.broadcast(
            world.store, world.catalog, VENDOR, {"company_ids": "all", "subject": "Fees", "message": "Fees change."}
        )
    announcement = broadcasts.broadcast(
        world.store, world.catalog, ADMIN, {"company_ids": "all", "subject": "Fees", "message": "Fees change."}
    )
    broadcasts.deliver_broadcast(world.store, world.outbox, announcement)
    [line] = world.inbox(VENDOR)["items"]
    assert line["broadcast_id"] == announcement["_id"] and line["awaiting_reply_from"] is None
    threads.mark_read(world.store, VENDOR, line["id"], world.outbox)
    status = broadcasts.broadcast_status(world.store, ADMIN, announcement["_id"])
    assert status["status"] == "sent" and status["read_count"] == 1 and status["thread_count"] == 2
    # thread_started and message_posted for each vendor, then the vendor's read (its bell's items are read)
    assert len(world.events) == 5 and world.events[-1] == (THREAD_READ, line["id"])
    with pytest.raises(NotFound):
        broadcasts.broadcast_status(world.store, VENDOR, announcement["_id"])


def test_events_the_broker_did_not_take_are_relayed(world):
    world.broker_up = False
    message_id = world.start()["message"]["id"]
    assert world.events == [] and world.store.get_message(message_id)["pending_events"]
    world.broker_up = True
    later = now() + timedelta(minutes=1)
    world.store.relay_soon([message_id], now())
    assert world.outbox.relay() == 1 and (MESSAGE_POSTED, message_id) in world.events
    world.outbox.flush()
    assert world.store.unpublished_messages(later, 10) == []


def test_a_customer_starting_too_many_conversations_is_told_to_wait():
    world = World(
        Limits(
            threads_per_hour=1,
            messages_per_minute_customer=100,
            messages_per_minute_staff=100,
            unknown_lookups_per_minute=1,
        )
    )
    world.start()
    with pytest.raises(RateLimited):
        world.start(object={"type": "order", "id": "7"})
    with pytest.raises(NotFound):
        world.start(object={"type": "product", "id": "404"})
    with pytest.raises(RateLimited):
        world.start(object={"type": "product", "id": "405"})


def test_response_times_and_settings_are_the_administrations(world):
    thread_id = world.start()["thread"]["id"]
    world.post(VENDOR, thread_id, "Yes.")
    window = {"date_from": now() - timedelta(hours=1), "date_to": now() + timedelta(hours=1)}
    [figures] = reports.response_times(world.store, ADMIN, window)["vendors"]
    assert figures["company_id"] == "10" and figures["answered"] == 1
    with pytest.raises(Forbidden):
        reports.response_times(world.store, VENDOR, window)
    with pytest.raises(Forbidden):
        settings.update(world.store, VENDOR, {"vendor_to_admin_enabled": False})
    assert (
        settings.update(world.store, ADMIN, {"customer_to_vendor_enabled": False})["customer_to_vendor_enabled"]
        is False
    )
    with pytest.raises(Forbidden):
        world.start(object={"type": "order", "id": "7"})


def test_a_removed_vendor_takes_its_threads_along_and_a_changed_product_shows(world):
    thread_id = world.start()["thread"]["id"]
    world.catalog.resolve = lambda kind, ident: {"summary": {"title": "Brass Lamp, now in black"}}
    assert cascades.context_changed(world.store, world.catalog, {"type": "product", "id": "5"}) == 1
    assert world.inbox(CUSTOMER)["items"][0]["context"] == {"title": "Brass Lamp, now in black"}
    assert cascades.vendor_deleted(world.store, "10") == 1
    assert world.inbox(CUSTOMER)["items"] == [] and world.store.get(thread_id)["status"] == "deleted"


# attachments -------------------------------------------------------------------------------


def _upload(world, caller, name="lamp photo.jpg", **options):
    from tests.conversations.stores import seed_upload

    return seed_upload(world.store, {"role": caller.role, "user_id": caller.user_id}, name, **options)


def test_a_question_of_files_alone_carries_them_and_search_finds_their_names(world):
    photo = _upload(world, CUSTOMER, "scratched-base.jpg")
    started = world.start(message="", attachments=[photo])
    message = started["message"]
    assert message["text"] == "" and [f["name"] for f in message["attachments"]] == ["scratched-base.jpg"]
    shown = message["attachments"][0]
    assert shown["url"].startswith(f"/v1/attachments/{photo}?expires=")
    assert shown["thumbnail_url"].startswith(f"/v1/attachments/{photo}/thumbnail?")
    assert world.store.get(started["thread"]["id"])["last_message"]["preview"] == "scratched-base.jpg"
    found = world.inbox(VENDOR, q="scratched")["items"]
    assert [item["id"] for item in found] == [started["thread"]["id"]]


def test_a_reply_carries_files_and_a_message_needs_text_or_files(world):
    thread_id = world.start()["thread"]["id"]
    invoice = _upload(world, VENDOR, "invoice.pdf", content_type="application/pdf", thumbnail=False)
    posted = messages.post_message(
        world.store, world.outbox, VENDOR, thread_id, "Here it is", None, world.limits, [invoice]
    )
    assert posted["attachments"][0]["thumbnail_url"] is None
    with pytest.raises(ValidationFailed):
        messages.post_message(world.store, world.outbox, VENDOR, thread_id, "  ", None, world.limits, [])


def test_only_ones_own_fresh_unused_uploads_are_attached_five_at_most(world):
    thread_id = world.start()["thread"]["id"]

    def post(caller, ids):
        return messages.post_message(world.store, world.outbox, caller, thread_id, "files", None, world.limits, ids)

    colleague = Caller("v9", "vendor", company_id="10", name="Cy")
    for refused in (
        [_upload(world, colleague)],
        [_upload(world, VENDOR)] * 2,
        [_upload(world, VENDOR) for _ in range(6)],
        [_upload(world, VENDOR, expires_at=now() - timedelta(seconds=1))],
    ):
        with pytest.raises(ValidationFailed) as error:
            post(VENDOR, refused)
        assert "attachments" in error.value.details
    five = [_upload(world, VENDOR) for _ in range(5)]
    assert len(post(VENDOR, five)["attachments"]) == 5
    with pytest.raises(ValidationFailed):
        post(VENDOR, five[:1])  # another message has it


def test_a_file_is_fetched_by_who_may_read_its_thread_and_goes_with_the_thread(world):
    from services.conversations import attachments

    photo = _upload(world, CUSTOMER)
    thread_id = world.start(attachments=[photo])["thread"]["id"]
    assert attachments.file_for(world.store, VENDOR, photo)["name"] == "lamp photo.jpg"
    assert attachments.file_for(world.store, CUSTOMER, photo)["thread_id"] == thread_id
    for stranger in (OTHER_VENDOR, OTHER_CUSTOMER):
        with pytest.raises(NotFound):
            attachments.file_for(world.store, stranger, photo)
    threads.delete_thread(world.store, ADMIN, thread_id, attachments.Policy(retention=timedelta(0)))
    with pytest.raises(NotFound):
        attachments.file_for(world.store, CUSTOMER, photo)  # a deleted thread is the administration's
    assert attachments.sweep(world.store, now()) == 1 and photo not in world.store.files


def test_a_removed_vendors_files_go_after_the_retention(world):
    from services.conversations import attachments

    photo = _upload(world, CUSTOMER)
    world.start(attachments=[photo])
    cascades.vendor_deleted(world.store, "10", attachments.Policy(retention=timedelta(days=30)))
    assert attachments.sweep(world.store, now()) == 0
    assert attachments.sweep(world.store, now() + timedelta(days=31)) == 1


def test_the_event_names_the_files_without_links(world):
    from services.conversations import presenters

    photo = _upload(world, CUSTOMER)
    started = world.start(attachments=[photo])
    payload = presenters.event(
        world.store.get(started["thread"]["id"]), world.store.get_message(started["message"]["id"])
    )
    assert payload["message"]["attachments"] == [
        {"id": photo, "name": "lamp photo.jpg", "size": len(b"\xff\xd8\xff pixels"), "content_type": "image/jpeg"}
    ]
