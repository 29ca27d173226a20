"""The whole path through real processes: gateway under gunicorn, services under `nameko run`,
RabbitMQ, the MongoDB-wire server and a real SMTP server.

A customer asks a vendor about a product; the vendor finds it, replies; the customer reads
the answer; another vendor never learns the thread exists; each side gets one mail.
"""

import pytest

from tests.fixtures.stack import METRICS_TOKEN


@pytest.fixture
def marketplace(stack, world):
    shop, rival = world.vendor("shop", "Lamp Shop"), world.vendor("rival", "Rival Goods")
    token, customer = world.customer("ann")
    return {
        "shop": shop,
        "rival": rival,
        "product": world.product("lamp", shop, "Brass Desk Lamp"),
        "customer": token,
        "customer_email": f"{customer}@buyers.test",
        "vendor": world.staff(shop, "bob"),
        "rival_vendor": world.staff(rival, "eve"),
        "shop_email": f"sales-{shop}@vendors.test",
    }


def test_a_question_reaches_the_vendor_and_the_answer_comes_back(stack, marketplace):
    m = marketplace
    asked = stack.call(
        "POST",
        "/v1/threads",
        m["customer"],
        json={
            "type": "vendor_to_customer",
            "object": {"type": "product", "id": m["product"]},
            "message": "Does the lamp take LED bulbs?",
        },
    )
    assert asked.status_code == 201, asked.text
    thread_id = asked.json()["thread"]["id"]

    inbox = stack.call("GET", "/v1/threads", m["vendor"]).json()["items"]
    mine = [item for item in inbox if item["id"] == thread_id]
    assert mine and mine[0]["context"]["title"] == "Brass Desk Lamp"
    assert mine[0]["unread_count"] == 1 and mine[0]["awaiting_reply_from"] == "vendor"
    assert mine[0]["subject"] == "Product: Brass Desk Lamp"
    assert mine[0]["last_message"]["preview"] == "Does the lamp take LED bulbs?"

    page = stack.call("GET", f"/v1/threads/{thread_id}", m["vendor"]).json()
    assert page["context"]["name"] == "Brass Desk Lamp" and page["context"]["code"].startswith("SKU-")
    assert [message["text"] for message in page["messages"]["items"]] == ["Does the lamp take LED bulbs?"]

    replied = stack.call(
        "POST", f"/v1/threads/{thread_id}/messages", m["vendor"], json={"body": "Yes, any E27 LED bulb."}
    )
    assert replied.status_code == 201, replied.text

    customer_inbox = stack.call("GET", "/v1/threads", m["customer"]).json()["items"]
    assert [(item["id"], item["unread_count"]) for item in customer_inbox] == [(thread_id, 1)]
    assert stack.call("POST", f"/v1/threads/{thread_id}/read", m["customer"]).status_code == 200
    customer_inbox = stack.call("GET", "/v1/threads", m["customer"]).json()["items"]
    assert customer_inbox[0]["unread_count"] == 0

    assert stack.call("GET", f"/v1/threads/{thread_id}", m["rival_vendor"]).status_code == 404
    assert (
        stack.call("POST", f"/v1/threads/{thread_id}/messages", m["rival_vendor"], json={"body": "psst"}).status_code
        == 404
    )
    rival_inbox = stack.call("GET", "/v1/threads", m["rival_vendor"]).json()["items"]
    assert thread_id not in [item["id"] for item in rival_inbox]

    to_vendor = stack.mail.wait_for_to(m["shop_email"], 1)
    to_customer = stack.mail.wait_for_to(m["customer_email"], 1)
    assert "LED bulbs" in to_vendor[0].get_body(("plain",)).get_content()
    assert "E27" in to_customer[0].get_body(("plain",)).get_content()
    stack.mail.settle()
    assert len(stack.mail.to(m["shop_email"])) == 1 and len(stack.mail.to(m["customer_email"])) == 1


def test_bad_requests_get_the_contracts_errors(stack, marketplace):
    m = marketplace
    missing = stack.call("GET", "/v1/threads")
    assert missing.status_code == 401 and missing.json()["error"]["code"] == "unauthorized"
    forged = stack.call("GET", "/v1/threads", "not-a-token")
    assert forged.status_code == 401

    malformed = stack.call("POST", "/v1/threads", m["customer"], json={"type": "chat", "object": {"type": "product"}})
    assert malformed.status_code == 422
    details = malformed.json()["error"]["details"]
    assert {"type", "message", "object"} <= set(details)

    unknown = stack.call(
        "POST",
        "/v1/threads",
        m["customer"],
        json={"type": "vendor_to_customer", "object": {"type": "product", "id": "no-such-product"}, "message": "Hi"},
    )
    assert unknown.status_code == 404 and unknown.json()["error"]["code"] == "not_found"

    empty = stack.call(
        "POST",
        "/v1/threads",
        m["customer"],
        json={"type": "vendor_to_customer", "object": {"type": "product", "id": m["product"]}, "message": "   "},
    )
    assert empty.status_code == 422 and "body" in empty.json()["error"]["details"]

    huge = stack.call(
        "POST", "/v1/threads", m["customer"], data="x" * (65 * 1024), headers={"Content-Type": "application/json"}
    )
    assert huge.status_code == 413 and huge.json()["error"]["code"] == "payload_too_large"

    not_json = stack.call("POST", "/v1/threads", m["customer"], data="{", headers={"Content-Type": "application/json"})
    assert not_json.status_code in (400, 422) and "error" in not_json.json()

    forbidden = stack.call(
        "PUT",
        f"/v1/catalog/vendors/{m['shop']}",
        m["customer"],
        json={"company_id": m["shop"], "company": "Mine now", "email": "x@y.test", "status": "A"},
    )
    assert forbidden.status_code == 403 and forbidden.json()["error"]["code"] == "forbidden"

    for path in ("/v1/threads/nothing-here", "/v1/threads/nothing-here/messages"):
        answer = stack.call("GET", path, m["customer"])
        assert answer.status_code == 404 and answer.json()["error"]["code"] == "not_found"


def test_operations_endpoints(stack):
    assert stack.call("GET", "/healthz").json()["status"] == "ok"
    ready = stack.call("GET", "/readyz")
    assert ready.status_code == 200 and ready.json()["checks"] == {"broker": True, "database": True}
    spec = stack.call("GET", "/openapi.json").json()
    for path in (
        "/v1/threads",
        "/v1/threads/{thread_id}",
        "/v1/threads/{thread_id}/messages",
        "/v1/threads/{thread_id}/read",
        "/v1/context/{object_type}/{object_id}",
    ):
        assert path in spec["paths"], path
    assert "gateway_requests_total" in stack.call("GET", "/metrics", METRICS_TOKEN).text
    assert stack.call("GET", "/docs").status_code == 200


def test_pages_on_another_origin_may_call_the_api_with_a_token(stack, marketplace):
    origin = {"Origin": "https://shop.example"}
    preflight = stack.call(
        "OPTIONS",
        "/v1/threads",
        headers={**origin, "Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "authorization"},
    )
    assert preflight.status_code == 200
    assert preflight.headers["Access-Control-Allow-Origin"] == "*"
    assert "Authorization" in preflight.headers["Access-Control-Allow-Headers"]
    inbox = stack.call("GET", "/v1/threads", marketplace["customer"], headers=dict(origin))
    assert inbox.status_code == 200 and inbox.headers["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Credentials" not in inbox.headers
