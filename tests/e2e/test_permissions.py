"""Every thread endpoint × every kind of caller × own and others' threads, through the gateway."""

import pytest

ENDPOINTS = ("get", "messages", "read", "post", "patch", "delete")


def attempt(world, token, endpoint, thread_id):
    call = world.stack.call
    if endpoint == "get":
        return call("GET", f"/v1/threads/{thread_id}", token).status_code
    if endpoint == "messages":
        return call("GET", f"/v1/threads/{thread_id}/messages", token).status_code
    if endpoint == "read":
        return call("POST", f"/v1/threads/{thread_id}/read", token).status_code
    if endpoint == "post":
        return world.post(token, thread_id, "a message").status_code
    if endpoint == "patch":
        return call("PATCH", f"/v1/threads/{thread_id}", token, json={"status": "closed"}).status_code
    if endpoint == "delete":
        return call("DELETE", f"/v1/threads/{thread_id}", token).status_code


ALL = dict.fromkeys(ENDPOINTS, 404)
STAFF = {"get": 200, "messages": 200, "read": 200, "post": 201, "patch": 200, "delete": 403}
OWNER = {**STAFF, "patch": 403}
READER = {"get": 200, "messages": 200, "read": 200, "post": 403, "patch": 403, "delete": 403}
ADMIN = {**STAFF, "delete": 204}

# caller → (customer↔vendor thread about a product, vendor↔admin thread)
MATRIX = {
    "customer": (OWNER, ALL),
    "other customer": (ALL, ALL),
    "vendor": (STAFF, STAFF),
    "other vendor": (ALL, ALL),
    "admin": (ADMIN, ADMIN),
    "admin who may only read customer threads": (READER, ALL),
    "vendor staff who may only talk to the admin": (ALL, STAFF),
}


@pytest.fixture
def cast(world):
    shop, rival = world.vendor("shop"), world.vendor("rival")
    customer, _ = world.customer("ann")
    people = {
        "customer": customer,
        "other customer": world.customer("dan")[0],
        "vendor": world.staff(shop, "bob"),
        "other vendor": world.staff(rival, "eve"),
        "admin": world.admin(),
        "admin who may only read customer threads": world.admin("reader", ["view_vendor_communication"]),
        "vendor staff who may only talk to the admin": world.staff(shop, "clerk", ["manage_admin_communication"]),
    }
    product = world.product("lamp", shop)
    return world, people, product, shop


@pytest.mark.parametrize("who", list(MATRIX))
def test_each_caller_reaches_exactly_what_it_may(cast, who):
    world, people, product, shop = cast
    customer_thread = world.ask(people["customer"], "product", product)
    admin_thread = world.ask(people["vendor"], "none", None, type="vendor_to_admin", subject="Payouts")
    for thread_id, expected in zip((customer_thread, admin_thread), MATRIX[who]):
        seen = {endpoint: attempt(world, people[who], endpoint, thread_id) for endpoint in ENDPOINTS}
        assert seen == expected, (who, thread_id)
        in_inbox = world.summary(people[who], thread_id) is not None
        deleted = expected["delete"] == 204
        assert in_inbox == (expected["get"] == 200 and not deleted), (who, "inbox")


def test_who_may_start_what(world):
    shop, rival = world.vendor("shop"), world.vendor("rival")
    customer, customer_id = world.customer("ann")
    other_customer, _ = world.customer("dan")
    order = world.order("o", shop, customer_id)
    call = world.stack.call

    def start(token, kind, object_type, object_id, **extra):
        return call(
            "POST",
            "/v1/threads",
            token,
            json={"type": kind, "object": {"type": object_type, "id": object_id}, "message": "Hello", **extra},
        ).status_code

    assert start(customer, "vendor_to_customer", "order", order) == 201
    assert start(other_customer, "vendor_to_customer", "order", order) == 404
    assert start(customer, "vendor_to_customer", "company", shop) == 201
    assert start(customer, "vendor_to_admin", "none", None, subject="Hi") == 403
    assert start(world.staff(shop), "vendor_to_customer", "order", order) == 200  # the order's open thread
    assert start(world.staff(rival), "vendor_to_customer", "order", order) == 404
    assert start(world.admin(), "vendor_to_admin", "none", None, company_id=rival, subject="A remark") == 201
    assert start(world.admin(), "vendor_to_admin", "none", None, subject="To whom?") == 422
    assert (
        start(
            world.admin("reader", ["view_admin_communication"]),
            "vendor_to_admin",
            "none",
            None,
            company_id=rival,
            subject="Read only",
        )
        == 403
    )
    assert start(world.stack.token("system"), "vendor_to_customer", "company", shop) == 403


@pytest.fixture
def people(world):
    shop, rival = world.vendor("shop"), world.vendor("rival")
    customer, customer_id = world.customer("ann")
    order = world.order("o", shop, customer_id)
    return (
        world,
        shop,
        order,
        {
            "customer": customer,
            "other customer": world.customer("dan")[0],
            "vendor": world.staff(shop, "bob"),
            "other vendor": world.staff(rival, "eve"),
            "admin": world.admin(),
            "restricted admin": world.admin("reader", ["view_vendor_communication"]),
            "system": world.system,
        },
    )


# caller → status for: the order's context, the inbox badge, an announcement, the response
# figures, reading the settings, pushing a product
OTHER_ENDPOINTS = {
    "customer": (200, 200, 403, 403, 403, 403),
    "other customer": (404, 200, 403, 403, 403, 403),
    "vendor": (200, 200, 403, 403, 403, 403),
    "other vendor": (404, 200, 403, 403, 403, 403),
    "admin": (200, 200, 202, 200, 200, 200),
    "restricted admin": (200, 200, 403, 403, 200, 403),  # no view_reports, no manage_catalog
    "system": (200, 403, 403, 403, 403, 200),
}


@pytest.mark.parametrize("who", list(OTHER_ENDPOINTS))
def test_each_caller_reaches_exactly_the_other_endpoints_it_may(people, who):
    world, shop, order, tokens = people
    token, call = tokens[who], world.stack.call
    window = {"from": "2026-01-01T00:00:00Z", "to": "2030-01-01T00:00:00Z"}
    product = world.id("p")
    seen = (
        call("GET", f"/v1/context/order/{order}", token).status_code,
        call("GET", "/v1/unread", token).status_code,
        call(
            "POST", "/v1/broadcasts", token, json={"company_ids": [shop], "subject": "Hi", "message": "News"}
        ).status_code,
        call("GET", "/v1/reports/response-times", token, params=window).status_code,
        call("GET", "/v1/settings", token).status_code,
        call(
            "PUT",
            f"/v1/catalog/products/{product}",
            token,
            json={"product_id": product, "product": "Lamp", "price": 1, "company_id": shop, "status": "A"},
        ).status_code,
    )
    assert seen == OTHER_ENDPOINTS[who]
