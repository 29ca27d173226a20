"""Saved replies and the away message, as use cases against the in-memory store (the style of
test_use_cases.py, whose small marketplace they share)."""

from datetime import timedelta

import pytest

from services.common.caller import Caller
from services.common.clock import now
from services.common.errors import Forbidden, NotFound, ValidationFailed
from services.conversations import away, messages, moderation, reports, saved_replies
from services.conversations.saved_replies import Bounds
from tests.conversations.test_use_cases import ADMIN, CUSTOMER, OTHER_VENDOR, VENDOR, Catalog, World

COLLEAGUE = Caller("v3", "vendor", company_id="10", name="Cat")
READ_ONLY_VENDOR = Caller(
    "v4", "vendor", company_id="10", name="Dee", permissions=("view_vendor_communication", "view_order_communication")
)
BOUNDS = Bounds(per_owner=3, body_max=200)


class LiveCatalog(Catalog):
    """The order's status, live, as the catalog tells it."""

    def resolve(self, object_type, object_id):
        found = super().resolve(object_type, object_id)
        if object_type == "order":
            found["context"] = {**found["context"], "status": "processed"}
        return found


@pytest.fixture
def world():
    world = World()
    world.catalog = LiveCatalog()
    return world


def save(caller=VENDOR, title="Thanks", body="Hello {customer_name}, thanks for asking."):
    return lambda world: saved_replies.create(world.store, caller, BOUNDS, {"title": title, "body": body})


def test_a_vendors_replies_are_shared_by_its_staff_and_nobody_elses(world):
    reply = save()(world)
    assert reply["placeholders"] == ["customer_name"] and reply["use_count"] == 0
    assert [r["id"] for r in saved_replies.listed(world.store, COLLEAGUE, BOUNDS)["items"]] == [reply["id"]]
    assert saved_replies.listed(world.store, OTHER_VENDOR, BOUNDS)["items"] == []
    assert saved_replies.listed(world.store, ADMIN, BOUNDS)["items"] == []  # the administration keeps its own
    with pytest.raises(NotFound):
        saved_replies.update(world.store, OTHER_VENDOR, BOUNDS, reply["id"], {"title": "Mine now"})
    with pytest.raises(NotFound):
        saved_replies.delete(world.store, OTHER_VENDOR, reply["id"])
    for outsider in (CUSTOMER, READ_ONLY_VENDOR, Caller("s", "system")):
        with pytest.raises(Forbidden):
            saved_replies.listed(world.store, outsider, BOUNDS)
    changed = saved_replies.update(world.store, COLLEAGUE, BOUNDS, reply["id"], {"body": "Dear {customer_name}"})
    assert changed["body"] == "Dear {customer_name}" and changed["title"] == "Thanks"
    saved_replies.delete(world.store, COLLEAGUE, reply["id"])
    assert saved_replies.listed(world.store, VENDOR, BOUNDS)["items"] == []


def test_an_unknown_placeholder_is_refused_when_saved_naming_it(world):
    with pytest.raises(ValidationFailed) as refused:
        save(body="Hi {customer_name}, your {tracking_number} is {order_status}")(world)
    assert "{tracking_number}" in refused.value.message and refused.value.details["placeholders"] == ["tracking_number"]
    reply = save()(world)
    with pytest.raises(ValidationFailed):
        saved_replies.update(world.store, VENDOR, BOUNDS, reply["id"], {"body": "{nonsense}"})
    assert save(body="A brace { alone is text }")(world)["placeholders"] == []


def test_replies_are_bounded_in_number_and_length(world):
    with pytest.raises(ValidationFailed) as refused:
        save(body="x" * 201)(world)
    assert "body" in refused.value.details
    for number in range(3):
        save(title=f"r{number}")(world)
    with pytest.raises(ValidationFailed):
        save(title="one too many")(world)
    save(caller=OTHER_VENDOR)(world)  # another owner's bound is its own


def test_placeholders_are_filled_from_a_product_thread_and_an_order_thread(world):
    product = world.start()["thread"]["id"]
    order = world.start(object={"type": "order", "id": "7"}, message="Where is it?")["thread"]["id"]
    reply = save(body="{customer_name}: {product_name} from {vendor_name}; order {order_id} is {order_status}")(world)
    on_product = saved_replies.fill(world.store, world.catalog, VENDOR, reply["id"], product)
    assert on_product["text"] == "Ann Lee: Brass Lamp from Lamp Shop; order {order_id} is {order_status}"
    assert on_product["unfilled"] == ["order_id", "order_status"]
    on_order = saved_replies.fill(world.store, world.catalog, VENDOR, reply["id"], order)
    assert on_order["text"] == "Ann Lee: {product_name} from Lamp Shop; order 7 is processed"
    with pytest.raises(NotFound):  # another vendor's thread does not exist for it
        saved_replies.fill(world.store, world.catalog, OTHER_VENDOR, reply["id"], order)


def test_sending_a_saved_reply_fills_it_and_counts_the_use_once_per_message(world):
    order = world.start(object={"type": "order", "id": "7"}, message="Where is it?")["thread"]["id"]
    reply = save(body="Hi {customer_name}, order {order_id} is {order_status}.")(world)

    def send(request, key=None):
        body = saved_replies.compose(world.store, world.catalog, COLLEAGUE, order, request)
        posted = messages.post_message(world.store, world.outbox, COLLEAGUE, order, body, key, world.limits)
        saved_replies.count_use(world.store, request["saved_reply_id"], posted)
        return posted

    sent = send({"saved_reply_id": reply["id"]}, key="k1")
    assert sent["text"] == "Hi Ann Lee, order 7 is processed."
    assert send({"saved_reply_id": reply["id"]}, key="k1") == sent  # a retry counts nothing more
    send({"saved_reply_id": reply["id"], "body": "Hi Ann, it left today."})  # edited in the box: still a use
    [kept] = saved_replies.listed(world.store, VENDOR, BOUNDS)["items"]
    assert kept["use_count"] == 2 and kept["last_used_at"] is not None
    product = world.start()["thread"]["id"]
    with pytest.raises(ValidationFailed) as refused:  # a product thread has no order to speak of
        saved_replies.compose(world.store, world.catalog, VENDOR, product, {"saved_reply_id": reply["id"]})
    assert refused.value.details["placeholders"] == ["order_id", "order_status"]


def test_the_away_message_answers_the_first_customer_message_once(world):
    with pytest.raises(Forbidden):
        away.put(world.store, world.catalog, CUSTOMER, {"body": "x", "date_from": now(), "date_to": now()})
    setting = away.put(
        world.store,
        world.catalog,
        VENDOR,
        {
            "body": "We are away until Monday.",
            "date_from": now() - timedelta(hours=1),
            "date_to": now() + timedelta(days=2),
        },
    )
    assert setting["active"] and away.current(world.store, ADMIN, "10")["body"] == "We are away until Monday."
    # A vendor reads its own only: another's name is ignored, and this one has none.
    assert away.current(world.store, OTHER_VENDOR, "10") is None
    with pytest.raises(Forbidden):
        away.current(world.store, CUSTOMER, "10")

    started = world.start()
    thread_id = started["thread"]["id"]
    assert world.store.get(thread_id)["unread"] == {"customer": 1, "vendor": 1, "admin": 2}
    world.post(CUSTOMER, thread_id, "Anyone there?")
    world.start(message="Hello again?")  # continues the same thread
    shown = messages.list_messages(world.store, CUSTOMER, thread_id, None, 50)["items"]
    automatic = [m for m in shown if m["automatic"]]
    assert len(automatic) == 1 and automatic[0]["author"]["side"] == "vendor"
    assert automatic[0]["author"]["name"] == "Lamp Shop" and automatic[0]["text"] == "We are away until Monday."
    assert shown[0]["text"] == "Is it brass?" and automatic[0]["id"] > shown[0]["id"]

    thread = world.store.get(thread_id)
    assert thread["awaiting_reply_from"] == "vendor" and thread["awaiting_since"] == started["thread"]["awaiting_since"]
    assert thread["unread"]["vendor"] == 3 and "first_reply_at" not in thread  # nobody at the vendor read them

    answered = world.post(VENDOR, thread_id, "Back now: yes, brass.")
    window = {"date_from": now() - timedelta(hours=1), "date_to": now() + timedelta(hours=1)}
    [figures] = reports.response_times(world.store, ADMIN, window)["vendors"]
    assert figures["answered"] == 1
    assert world.store.get(thread_id)["first_reply_at"] == answered["created_at"]  # the person's, not the automatic one


def test_the_away_message_is_sent_once_when_a_request_is_done_again(world):
    away.put(
        world.store,
        world.catalog,
        VENDOR,
        {"body": "Away.", "date_from": now() - timedelta(hours=1), "date_to": now() + timedelta(hours=1)},
    )
    thread_id = world.start()["thread"]["id"]
    question = world.store.messages_page(thread_id, None, 50)[0][0]
    again = away.follow_up(world.store, world.outbox, world.store.get(thread_id), question, moderation.Rules())
    assert again is None
    assert sum(1 for m in world.store.messages_page(thread_id, None, 50)[0] if m.get("automatic")) == 1


def test_outside_its_period_or_turned_off_the_away_message_says_nothing(world):
    away.put(
        world.store,
        world.catalog,
        VENDOR,
        {"body": "Away.", "date_from": now() + timedelta(days=1), "date_to": now() + timedelta(days=2)},
    )
    assert not away.current(world.store, VENDOR, None)["active"]
    thread_id = world.start()["thread"]["id"]
    away.clear(world.store, VENDOR)
    assert away.current(world.store, VENDOR, None) is None  # none is an answer: null, not a 404
    world.post(CUSTOMER, thread_id, "Hello?")
    assert not any(m.get("automatic") for m in world.store.messages_page(thread_id, None, 50)[0])


def test_a_new_away_period_answers_a_thread_once_more(world):
    thread_id = world.start()["thread"]["id"]
    for _ in range(2):
        away.put(
            world.store,
            world.catalog,
            VENDOR,
            {"body": "Away.", "date_from": now() - timedelta(hours=1), "date_to": now() + timedelta(hours=1)},
        )
        world.post(CUSTOMER, thread_id, "Hello?")
        world.post(CUSTOMER, thread_id, "Hello??")
    assert sum(1 for m in world.store.messages_page(thread_id, None, 50)[0] if m.get("automatic")) == 2
