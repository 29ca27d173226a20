"""The context beside a dialogue, and what happens when a part of the system is down."""

import time
from datetime import datetime, timedelta, timezone


def test_the_thread_page_shows_what_changed_since_the_question_was_asked(world):
    shop = world.vendor("shop", "Lamp Shop")
    customer, _ = world.customer("ann")
    product = world.product("lamp", shop, "Brass Desk Lamp", price="49.90")
    thread = world.ask(customer, "product", product, "Is the price going down?")
    world.product("lamp", shop, "Brass Desk Lamp (2026)", price="39.90")
    page = world.stack.call("GET", f"/v1/threads/{thread}", world.staff(shop)).json()
    assert page["context_snapshot"]["price"] in ("49.90", 49.9)
    assert page["context"]["price"] in ("39.90", 39.9)
    changed = {change["field"]: (change["then"], change["now"]) for change in page["context_changes"]}
    assert set(changed) == {"price", "name"}
    assert changed["name"] == ("Brass Desk Lamp", "Brass Desk Lamp (2026)")
    # the inbox's short context follows the catalog (context_changed event)
    world.wait(lambda: world.summary(customer, thread)["context"]["title"] == "Brass Desk Lamp (2026)")


def test_an_order_thread_shows_the_order_with_its_status_in_words(world):
    shop = world.vendor("shop")
    customer, customer_id = world.customer("ann")
    order = world.order("o", shop, customer_id, status="C")
    thread = world.ask(customer, "order", order, "Where is my parcel?")
    context = world.stack.call("GET", f"/v1/threads/{thread}", world.staff(shop)).json()["context"]
    assert context["number"] == order and context["status"] == "complete"
    assert context["customer"]["email"] == f"{customer_id}@buyers.test"
    assert world.summary(customer, thread)["subject"] == f"Order #{order}"


def test_with_the_catalog_down_a_question_gets_503_and_nothing_half_made_then_goes_through(world):
    stack = world.stack
    shop = world.vendor("shop")
    customer, _ = world.customer("ann")
    product = world.product("p", shop)
    ask = {"type": "vendor_to_customer", "object": {"type": "product", "id": product}, "message": "Anyone?"}
    key = {"Idempotency-Key": f"down-{world.tag}"}
    stack.stop("catalog_context")
    try:
        down = stack.call("POST", "/v1/threads", customer, json=ask, headers=dict(key))
        assert down.status_code == 503 and down.json()["error"]["code"] == "unavailable"
        assert world.inbox(customer)["items"] == []
    finally:
        stack.start("catalog_context")
        stack.wait_ready()
    up = stack.call("POST", "/v1/threads", customer, json=ask, headers=dict(key))
    assert up.status_code == 201
    assert len(world.inbox(customer)["items"]) == 1


def test_messages_posted_while_notifications_are_down_are_mailed_once_it_is_back(world):
    stack = world.stack
    shop = world.vendor("shop")
    customer, customer_id = world.customer("ann")
    vendor = world.staff(shop)
    thread = world.ask(customer, "company", shop, "First")
    stack.mail.wait_for_to(f"sales-{shop}@vendors.test", 1)
    stack.stop("notifications")
    try:
        for n in range(3):
            assert world.post(vendor, thread, f"Answer {n}").status_code == 201
        time.sleep(1)
        assert stack.mail.to(f"{customer_id}@buyers.test") == []
    finally:
        stack.start("notifications")
        stack.wait_ready()
    mails = stack.mail.wait_for_to(f"{customer_id}@buyers.test", 1)
    stack.mail.settle(2.0)
    texts = " ".join(mail.get_body(("plain",)).get_content() for mail in stack.mail.to(f"{customer_id}@buyers.test"))
    assert all(f"Answer {n}" in texts for n in range(3)), texts
    assert len(mails) <= 3


def test_a_retry_finishes_a_request_whose_first_attempt_never_completed_without_doubling(world):
    """The first attempt stored its message and then its process died (or the database went
    away) before the Idempotency-Key was marked done: the key stays pending."""
    stack = world.stack
    shop = world.vendor("shop")
    customer, _ = world.customer("ann")
    thread = world.ask(customer, "company", shop, "First")
    key = {"Idempotency-Key": f"half-{world.tag}"}
    first = world.post(customer, thread, "Is it in stock?", headers=dict(key))
    assert first.status_code == 201
    pending = {"state": "pending", "result": None}
    stack.db.idempotency.update_one(
        {"_id": {"$regex": f"half-{world.tag}$"}}, {"$set": {**pending, "claimed_at": datetime.now(timezone.utc)}}
    )
    # While the first attempt may still be running, a retry is asked to wait.
    assert world.post(customer, thread, "Is it in stock?", headers=dict(key)).status_code == 409
    # Once it is older than the RPC timeout, the retry finishes the work: the same message, once.
    stack.db.idempotency.update_one(
        {"_id": {"$regex": f"half-{world.tag}$"}},
        {"$set": {"claimed_at": datetime.now(timezone.utc) - timedelta(minutes=1)}},
    )
    retry = world.post(customer, thread, "Is it in stock?", headers=dict(key))
    assert retry.status_code == 201 and retry.json()["id"] == first.json()["id"]
    page = stack.call("GET", f"/v1/threads/{thread}", customer).json()
    assert [message["text"] for message in page["messages"]["items"]].count("Is it in stock?") == 1
    assert world.summary(world.staff(shop), thread)["unread_count"] == 2
    # and from then on the key answers with that message at once
    assert world.post(customer, thread, "Is it in stock?", headers=dict(key)).json()["id"] == first.json()["id"]
