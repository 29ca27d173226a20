"""Saved replies and the away message through the gateway, on the real stack: a vendor's staff
share their replies, placeholders are filled from the thread, each use is counted, and the away
message answers a customer's first message once without settling what the vendor owes."""

from datetime import datetime, timedelta, timezone

import pytest

EVERYTHING = "{customer_name} / {vendor_name} / {product_name} / {order_id} / {order_status}"


@pytest.fixture
def shop(world):
    company = world.vendor("shop", "Lamp Shop")
    rival = world.vendor("rival", "Rival Goods")
    token, customer_id = world.customer("ann")
    return {
        "company": company,
        "product": world.product("lamp", company, "Brass Desk Lamp"),
        "order": world.order("o1", company, customer_id, status="P"),
        "customer": token,
        "bob": world.staff(company, "bob"),
        "cat": world.staff(company, "cat"),
        "rival": world.staff(rival, "eve"),
    }


def save(stack, token, title="Everything", body=EVERYTHING):
    return stack.call("POST", "/v1/saved-replies", token, json={"title": title, "body": body})


def test_staff_of_a_vendor_share_their_replies_and_nobody_else_sees_them(stack, world, shop):
    saved = save(stack, shop["bob"])
    assert saved.status_code == 201, saved.text
    reply = saved.json()
    assert reply["placeholders"] == ["customer_name", "vendor_name", "product_name", "order_id", "order_status"]
    listed = stack.call("GET", "/v1/saved-replies", shop["cat"]).json()
    assert [item["id"] for item in listed["items"]] == [reply["id"]] and listed["most"] > 0
    assert stack.call("GET", "/v1/saved-replies", shop["rival"]).json()["items"] == []
    assert stack.call("PUT", f"/v1/saved-replies/{reply['id']}", shop["rival"], json={"title": "x"}).status_code == 404
    assert stack.call("DELETE", f"/v1/saved-replies/{reply['id']}", shop["rival"]).status_code == 404
    assert stack.call("GET", "/v1/saved-replies", shop["customer"]).status_code == 403
    assert save(stack, shop["customer"]).status_code == 403
    changed = stack.call("PUT", f"/v1/saved-replies/{reply['id']}", shop["cat"], json={"title": "All of it"})
    assert changed.status_code == 200 and changed.json()["title"] == "All of it"
    assert stack.call("DELETE", f"/v1/saved-replies/{reply['id']}", shop["cat"]).status_code == 204
    assert stack.call("GET", "/v1/saved-replies", shop["bob"]).json()["items"] == []


def test_an_unknown_placeholder_is_a_422_naming_it(stack, shop):
    refused = save(stack, shop["bob"], body="Your {tracking_code} is on its way, {customer_name}.")
    assert refused.status_code == 422
    assert "{tracking_code}" in refused.json()["error"]["message"]


def test_placeholders_are_filled_for_a_product_thread_and_an_order_thread_and_uses_are_counted(stack, world, shop):
    product_thread = world.ask(shop["customer"], "product", shop["product"], "Is it brass?")
    order_thread = world.ask(shop["customer"], "order", shop["order"], "Where is my order?")
    reply = save(stack, shop["bob"]).json()

    def filled(thread_id):
        answer = stack.call(
            "GET", f"/v1/saved-replies/{reply['id']}/filled", shop["cat"], params={"thread_id": thread_id}
        )
        assert answer.status_code == 200, answer.text
        return answer.json()

    on_product = filled(product_thread)
    assert on_product["text"] == "Customer ann / Lamp Shop / Brass Desk Lamp / {order_id} / {order_status}"
    assert on_product["unfilled"] == ["order_id", "order_status"]
    assert filled(order_thread)["text"] == f"Customer ann / Lamp Shop / {{product_name}} / {shop['order']} / processed"

    order_reply = save(stack, shop["bob"], "Order", "Hi {customer_name}, order {order_id} is {order_status}.").json()
    sent = stack.call(
        "POST",
        f"/v1/threads/{order_thread}/messages",
        shop["cat"],
        json={"saved_reply_id": order_reply["id"]},
        headers={"Idempotency-Key": "use-1"},
    )
    assert sent.status_code == 201, sent.text
    assert sent.json()["text"] == f"Hi Customer ann, order {shop['order']} is processed."
    assert sent.json()["automatic"] is False
    again = stack.call(
        "POST",
        f"/v1/threads/{order_thread}/messages",
        shop["cat"],
        json={"saved_reply_id": order_reply["id"]},
        headers={"Idempotency-Key": "use-1"},
    )
    assert again.json()["id"] == sent.json()["id"]
    edited = stack.call(
        "POST",
        f"/v1/threads/{order_thread}/messages",
        shop["bob"],
        json={"saved_reply_id": order_reply["id"], "body": "Hi Ann, it left today."},
    )
    assert edited.status_code == 201 and edited.json()["text"] == "Hi Ann, it left today."
    counted = {item["id"]: item for item in stack.call("GET", "/v1/saved-replies", shop["bob"]).json()["items"]}
    assert counted[order_reply["id"]]["use_count"] == 2 and counted[reply["id"]]["use_count"] == 0

    # A product's thread has no order to speak of: sent as it is, it would say "{order_id}".
    unfit = stack.call(
        "POST", f"/v1/threads/{product_thread}/messages", shop["bob"], json={"saved_reply_id": order_reply["id"]}
    )
    assert unfit.status_code == 422 and "{order_id}" in unfit.json()["error"]["message"]
    assert (
        stack.call(
            "POST", f"/v1/threads/{product_thread}/messages", shop["rival"], json={"saved_reply_id": order_reply["id"]}
        ).status_code
        == 404
    )


def test_the_away_message_answers_a_first_message_once_marked_automatic(stack, world, shop):
    start = datetime.now(timezone.utc) - timedelta(hours=1)
    period = {
        "body": "We are away until Monday.",
        "from": start.isoformat(),
        "to": (start + timedelta(days=3)).isoformat(),
    }
    assert stack.call("PUT", "/v1/away-message", shop["customer"], json=period).status_code == 403
    set_up = stack.call("PUT", "/v1/away-message", shop["bob"], json=period)
    assert set_up.status_code == 200, set_up.text
    assert set_up.json()["active"] is True
    admin = world.admin()
    assert (
        stack.call("GET", "/v1/away-message", admin, params={"company_id": shop["company"]}).json()["body"]
        == "We are away until Monday."
    )
    # A vendor reads its own only: another's name is ignored, and the rival has none.
    rivals = stack.call("GET", "/v1/away-message", shop["rival"], params={"company_id": shop["company"]})
    assert rivals.status_code == 200 and rivals.json() is None

    thread_id = world.ask(shop["customer"], "product", shop["product"], "Is it brass?")
    again = world.post(shop["customer"], thread_id, "Hello?", headers={"Idempotency-Key": "q-2"})
    assert again.status_code == 201
    assert (
        world.post(shop["customer"], thread_id, "Hello?", headers={"Idempotency-Key": "q-2"}).json()["id"]
        == again.json()["id"]
    )
    page = stack.call("GET", f"/v1/threads/{thread_id}", shop["customer"]).json()
    automatic = [m for m in page["messages"]["items"] if m["automatic"]]
    assert [(m["text"], m["author"]["side"], m["author"]["name"]) for m in automatic] == [
        ("We are away until Monday.", "vendor", "Lamp Shop")
    ]
    line = world.summary(shop["bob"], thread_id)
    assert line["awaiting_reply_from"] == "vendor" and line["unread_count"] == 2
    assert line["awaiting_since"] == page["messages"]["items"][0]["created_at"]

    assert stack.call("DELETE", "/v1/away-message", shop["bob"]).status_code == 204
    # None is an answer a page asks for at every load: 200 with null, not an error in its console.
    none = stack.call("GET", "/v1/away-message", shop["bob"])
    assert none.status_code == 200 and none.json() is None
    assert stack.call("DELETE", "/v1/away-message", shop["bob"]).status_code == 404
