"""The bell, preferences, webhooks and failed mail through the gateway's HTTP port, with the
whole system running (gateway under gunicorn, services under `nameko run`)."""

import hashlib
import hmac
import json
import uuid

import pytest

from .conftest import eventually
from .receiver import Receiver


@pytest.fixture
def shop(stack):
    """A vendor with a product, two of its staff, a rival vendor's staff, and a customer."""
    tag = uuid.uuid4().hex[:6]
    system = stack.token("system", sub="storefront-sync")
    company, rival, product = f"n1{tag}", f"n2{tag}", f"n5{tag}"
    for company_id in (company, rival):
        answer = stack.call(
            "PUT",
            f"/v1/catalog/vendors/{company_id}",
            system,
            json={
                "company_id": company_id,
                "company": f"Shop {company_id}",
                "email": f"sales-{company_id}@vendors.test",
                "status": "A",
            },
        )
        assert answer.status_code == 200, answer.text
    answer = stack.call(
        "PUT",
        f"/v1/catalog/products/{product}",
        system,
        json={
            "product_id": product,
            "product": "Brass Desk Lamp",
            "product_code": "LAMP-1",
            "price": "49.90",
            "company_id": company,
            "status": "A",
        },
    )
    assert answer.status_code == 200, answer.text
    return {
        "product": product,
        "company": company,
        "customer": stack.token("customer", sub=f"c{tag}", name="Ann Lee", email=f"ann-{tag}@buyers.test"),
        "bob": stack.token("vendor", sub=f"bob{tag}", company_id=company, name="Bob", email=f"bob-{tag}@shop.test"),
        "eve": stack.token("vendor", sub=f"eve{tag}", company_id=company, name="Eve"),
        "rival": stack.token("vendor", sub=f"riv{tag}", company_id=rival, name="Rival"),
        "admin": stack.token("admin", sub=f"adm{tag}", name="Marketplace"),
    }


def ask(stack, shop, text="Does the lamp take LED bulbs?"):
    answer = stack.call(
        "POST",
        "/v1/threads",
        shop["customer"],
        json={"type": "vendor_to_customer", "object": {"type": "product", "id": shop["product"]}, "message": text},
    )
    assert answer.status_code in (200, 201), answer.text
    return answer.json()["thread"]["id"]


def bell(stack, token, **query):
    answer = stack.call("GET", "/v1/notifications", token, params=query)
    assert answer.status_code == 200, answer.text
    return answer.json()


def test_a_question_rings_the_vendors_bell_for_all_its_staff_and_is_marked_read(stack, shop):
    thread_id = ask(stack, shop)
    items = eventually(
        lambda: [item for item in bell(stack, shop["bob"])["items"] if item["thread_id"] == thread_id],
        what="the vendor's bell item",
    )
    item = items[0]
    assert item["title"] == "Brass Desk Lamp" and item["read"] is False and item["author"]["side"] == "customer"
    assert item["url"].endswith(f"/ui/demo/vendor?thread_id={thread_id}")
    assert item["id"] in [i["id"] for i in bell(stack, shop["eve"], unread="true")["items"]]
    assert thread_id not in [i["thread_id"] for i in bell(stack, shop["rival"])["items"]]

    before = bell(stack, shop["eve"])["unread_count"]
    marked = stack.call("POST", "/v1/notifications/read", shop["eve"], json={"ids": [item["id"]]})
    assert marked.status_code == 200 and marked.json() == {"marked": 1, "unread_count": before - 1}
    assert bell(stack, shop["bob"], unread="false")["items"][0]["id"] == item["id"]
    everything = stack.call("POST", "/v1/notifications/read", shop["bob"], json={"all": True})
    assert everything.json()["unread_count"] == 0


def test_reading_a_conversation_reads_its_bell_items_for_the_readers_side_only(stack, shop):
    """The conversations service keeps the read state and says so (thread_read); the
    notifications service reads that side's items of the thread: every vendor staff's bell
    at once, never the administration's, nor the items of another thread."""
    lamp = ask(stack, shop, "Is the lamp brass?")
    store = stack.call(
        "POST",
        "/v1/threads",
        shop["customer"],
        json={
            "type": "vendor_to_customer",
            "object": {"type": "company", "id": shop["company"]},
            "message": "Do you ship to Norway?",
        },
    ).json()["thread"]["id"]

    def unread(token):
        return sorted(
            item["thread_id"]
            for item in bell(stack, token, unread="true")["items"]
            if item["thread_id"] in (lamp, store)
        )

    eventually(
        lambda: unread(shop["bob"]) == sorted([lamp, store]) and unread(shop["admin"]) == sorted([lamp, store]),
        what="the vendor's and the administration's bell items",
    )
    read = stack.call("POST", f"/v1/threads/{lamp}/read", shop["eve"])
    assert read.status_code == 200, read.text
    eventually(lambda: unread(shop["bob"]) == [store], what="Bob's bell to lose the thread Eve read")
    assert unread(shop["eve"]) == [store]
    assert unread(shop["admin"]) == sorted([lamp, store])  # the administration has not read it

    assert stack.call("POST", f"/v1/threads/{store}/read", shop["admin"]).status_code == 200
    eventually(lambda: unread(shop["admin"]) == [lamp], what="the administration's bell to lose the thread it read")
    assert unread(shop["bob"]) == [store]


def test_the_bell_answers_errors_in_the_contracts_shape(stack, shop):
    assert stack.call("GET", "/v1/notifications").json()["error"]["code"] == "unauthorized"
    too_many = stack.call("GET", "/v1/notifications", shop["bob"], params={"limit": 0})
    assert too_many.status_code == 422 and "limit" in too_many.json()["error"]["details"]
    neither = stack.call("POST", "/v1/notifications/read", shop["bob"], json={})
    assert neither.status_code == 422 and neither.json()["error"]["code"] == "validation_error"


def test_people_opt_out_of_mail_per_communication_type(stack, shop):
    path = "/v1/notifications/preferences"
    assert stack.call("GET", path, shop["customer"]).json() == {
        "email": {"vendor_to_customer": True, "vendor_to_admin": True}
    }
    changed = stack.call("PUT", path, shop["customer"], json={"email": {"vendor_to_customer": False}})
    assert changed.status_code == 200 and changed.json()["email"]["vendor_to_customer"] is False
    assert stack.call("GET", path, shop["customer"]).json()["email"]["vendor_to_customer"] is False
    assert stack.call("GET", path, shop["bob"]).json()["email"]["vendor_to_customer"] is True
    wrong = stack.call("PUT", path, shop["customer"], json={"email": {"announcements": False}})
    assert wrong.status_code == 422 and "email" in wrong.json()["error"]["details"]


def test_the_admin_registers_a_webhook_that_receives_signed_calls(stack, shop):
    assert stack.call("GET", "/v1/webhooks", shop["bob"]).status_code == 403
    receiver = Receiver()
    receiver.start()
    secret = "hook-secret-" + uuid.uuid4().hex
    made = stack.call(
        "POST",
        "/v1/webhooks",
        shop["admin"],
        json={"url": receiver.url, "events": ["thread_started"], "secret": secret},
    )
    assert made.status_code == 201, made.text
    hook = made.json()
    try:
        trace = "hook-" + uuid.uuid4().hex
        started = stack.call(
            "POST",
            "/v1/threads",
            shop["customer"],
            headers={"X-Request-ID": trace},
            json={
                "type": "vendor_to_customer",
                "object": {"type": "product", "id": shop["product"]},
                "message": "A question for the webhook",
            },
        )
        assert started.status_code == 201, started.text
        thread_id = started.json()["thread"]["id"]

        def ours():
            return [call for call in receiver.calls if json.loads(call["body"])["data"]["thread"]["id"] == thread_id]

        [call] = eventually(ours, what="the webhook call")
        assert (
            call["headers"]["X-MessageCenter-Signature"]
            == "sha256=" + hmac.new(secret.encode(), call["body"], hashlib.sha256).hexdigest()
        )
        assert call["headers"]["X-Correlation-ID"] == trace  # the request that caused it, as in a mail
        assert json.loads(call["body"])["event"] == "thread_started"
        listed = eventually(
            lambda: [
                h
                for h in stack.call("GET", "/v1/webhooks", shop["admin"]).json()["items"]
                if h["id"] == hook["id"] and h["last_result"]
            ],
            what="the result",
        )
        assert listed[0]["last_result"]["status"] == "delivered" and "secret" not in listed[0]
    finally:
        receiver.stop()
        assert stack.call("DELETE", f"/v1/webhooks/{hook['id']}", shop["admin"]).status_code == 204
    assert stack.call("DELETE", f"/v1/webhooks/{hook['id']}", shop["admin"]).status_code == 404
    refused = stack.call(
        "POST", "/v1/webhooks", shop["admin"], json={"url": "http://hooks.example.test/", "events": ["message_posted"]}
    )
    assert refused.status_code == 422 and "url" in refused.json()["error"]["details"]


def test_failed_mail_is_listed_for_the_admin_only(stack, shop):
    answer = stack.call("GET", "/v1/notifications/failed", shop["admin"])
    assert answer.status_code == 200 and isinstance(answer.json()["items"], list)
    assert stack.call("GET", "/v1/notifications/failed", shop["bob"]).status_code == 403
