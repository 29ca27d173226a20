"""The catalog through the gateway's HTTP port, with the whole system running."""

import uuid

import pytest

from .test_schemas import CSCART_ORDER, CSCART_PRODUCT, CSCART_VENDOR


@pytest.fixture
def ids():
    tag = uuid.uuid4().hex[:8]
    return {"product": f"p{tag}", "order": f"o{tag}", "company": f"c{tag}", "customer": f"u{tag}"}


@pytest.fixture
def system(stack):
    return stack.token("system", sub="storefront-sync")


def push_all(stack, system, ids):
    company = ids["company"]
    answers = [
        stack.call("PUT", f"/v1/catalog/vendors/{company}", system, json={**CSCART_VENDOR, "company_id": company}),
        stack.call(
            "PUT",
            f"/v1/catalog/products/{ids['product']}",
            system,
            json={name: value for name, value in CSCART_PRODUCT.items() if name != "product_id"}
            | {"company_id": company},
        ),
        stack.call(
            "PUT",
            f"/v1/catalog/orders/{ids['order']}",
            system,
            json={**CSCART_ORDER, "order_id": ids["order"], "company_id": company, "user_id": ids["customer"]},
        ),
    ]
    assert [answer.status_code for answer in answers] == [200, 200, 200], [answer.text for answer in answers]
    return [answer.json() for answer in answers]


def test_the_storefront_pushes_and_anyone_reads_the_context(stack, system, ids):
    vendor, product, order = push_all(stack, system, ids)
    assert (vendor["id"], vendor["source"]) == (ids["company"], "pushed")
    assert (product["id"], product["company_id"], product["price"]) == (ids["product"], ids["company"], 30.0)
    assert order["customer_id"] == ids["customer"]

    shopper = stack.token("customer")
    answer = stack.call("GET", f"/v1/context/product/{ids['product']}", shopper)
    assert answer.status_code == 200
    body = answer.json()
    assert body["company_id"] == ids["company"] and body["summary"]["title"] == "Blue kettle"
    assert body["context"]["price"] == 30.0 and body["stale"] is False


def test_an_order_shows_only_to_its_customer_its_vendor_and_the_marketplace(stack, system, ids):
    push_all(stack, system, ids)
    path = f"/v1/context/order/{ids['order']}"
    for token in (
        stack.token("customer", sub=ids["customer"]),
        stack.token("vendor", company_id=ids["company"]),
        stack.token("admin"),
    ):
        answer = stack.call("GET", path, token)
        assert answer.status_code == 200 and answer.json()["context"]["customer"]["email"] == "ann@example.test"
    for token in (stack.token("customer"), stack.token("vendor", company_id="elsewhere")):
        answer = stack.call("GET", path, token)
        assert answer.status_code == 404 and answer.json()["error"]["code"] == "not_found"


def test_only_the_storefront_or_an_admin_may_push(stack, ids):
    path = f"/v1/catalog/vendors/{ids['company']}"
    record = {**CSCART_VENDOR, "company_id": ids["company"]}
    assert stack.call("PUT", path, json=record).status_code == 401
    for role in ("customer", "vendor"):
        token = stack.token(role, company_id="4" if role == "vendor" else None)
        answer = stack.call("PUT", path, token, json=record)
        assert answer.status_code == 403 and answer.json()["error"]["code"] == "forbidden"
        assert stack.call("DELETE", path, token).status_code == 403
    assert stack.call("PUT", path, stack.token("admin"), json=record).status_code == 200


def test_the_path_names_the_record(stack, system, ids):
    answer = stack.call(
        "PUT", f"/v1/catalog/products/{ids['product']}", system, json={**CSCART_PRODUCT, "product_id": "someone-else"}
    )
    assert answer.status_code == 422
    assert list(answer.json()["error"]["details"]) == ["product_id"]


def test_a_bad_record_is_refused_field_by_field(stack, system, ids):
    answer = stack.call(
        "PUT", f"/v1/catalog/products/{ids['product']}", system, json={"product": "Blue kettle", "price": "thirty"}
    )
    assert answer.status_code == 422
    error = answer.json()["error"]
    assert error["code"] == "validation_error" and set(error["details"]) == {"company_id", "price"}


def test_deleted_records_are_gone(stack, system, ids):
    push_all(stack, system, ids)
    assert stack.call("DELETE", f"/v1/catalog/products/{ids['product']}", system).status_code == 204
    assert stack.call("DELETE", f"/v1/catalog/customers/{ids['customer']}", system).status_code == 204
    answer = stack.call("GET", f"/v1/context/product/{ids['product']}", stack.token("admin"))
    assert answer.status_code == 404


def test_a_thread_about_nothing_has_no_context(stack):
    # The route takes the object types that have a context (product, order, company) only.
    answer = stack.call("GET", "/v1/context/none/1", stack.token("admin"))
    assert answer.status_code == 404 and answer.json()["error"]["code"] == "not_found"


def test_the_administration_finds_vendors_by_name_page_by_page(stack, system):
    tag = uuid.uuid4().hex[:6]
    for number in range(1, 4):
        answer = stack.call(
            "PUT",
            f"/v1/catalog/vendors/{tag}{number}",
            system,
            json={"company": f"Glow+ {tag} Lamps {number}", "email": f"{number}@example.test"},
        )
        assert answer.status_code == 200, answer.text
    admin = stack.token("admin")
    first = stack.call("GET", "/v1/catalog/vendors", admin, params={"q": f"GLOW+ {tag}", "limit": 2})
    assert first.status_code == 200, first.text
    body = first.json()
    assert [item["name"] for item in body["items"]] == [f"Glow+ {tag} Lamps 1", f"Glow+ {tag} Lamps 2"]
    assert body["total"] == 3 and body["next_cursor"]
    rest = stack.call(
        "GET", "/v1/catalog/vendors", admin, params={"q": f"glow+ {tag}", "limit": 2, "cursor": body["next_cursor"]}
    ).json()
    assert [item["company_id"] for item in rest["items"]] == [f"{tag}3"] and rest["next_cursor"] is None
    # "+" is a letter here, not "one or more": "Glo" then "w" repeated finds nothing.
    assert stack.call("GET", "/v1/catalog/vendors", admin, params={"q": f"Glowww {tag}"}).json()["items"] == []


def test_only_the_administration_searches_vendors(stack):
    assert stack.call("GET", "/v1/catalog/vendors").status_code == 401
    for token in (
        stack.token("customer"),
        stack.token("vendor", company_id="4"),
        stack.token("system", sub="storefront-sync"),
    ):
        answer = stack.call("GET", "/v1/catalog/vendors", token, params={"q": "x" * 500})
        assert answer.status_code == 403 and answer.json()["error"]["code"] == "forbidden"


def test_the_vendor_search_is_bounded(stack):
    admin = stack.token("admin")
    for params, field in (({"q": "x" * 101}, "q"), ({"limit": 51}, "limit"), ({"cursor": "nope"}, "cursor")):
        answer = stack.call("GET", "/v1/catalog/vendors", admin, params=params)
        assert answer.status_code == 422 and field in answer.json()["error"]["details"], answer.text
