"""Who is who, through the public API: the customer's name stays in the staff's list, a store
question is a "Store question" in the vendor's own inbox, and a party's e-mail address is
shown beside a conversation only while contact details pass both ways as written."""

import pytest

ALLOW = {"moderation_customer_to_vendor": "allow", "moderation_vendor_to_customer": "allow"}


@pytest.fixture
def admin(stack, world):
    admin = world.admin()
    yield admin
    # The stack serves the whole session: the marketplace goes back to delivering as written.
    assert stack.call("PUT", "/v1/settings", admin, json=ALLOW).status_code == 200


def test_the_customers_name_stays_in_the_vendors_list_after_the_vendor_replies(world, admin):
    shop = world.vendor("shop", "Lumen Lamps")
    customer, _ = world.customer("ann")
    vendor = world.staff(shop)
    thread = world.ask(customer, "product", world.product("lamp", shop), "Brass or steel?")
    assert world.post(vendor, thread, "Brass.").status_code == 201
    for token in (vendor, admin):
        found = world.summary(token, thread)
        assert found["customer_name"] == "Customer ann"
        assert found["last_message"]["author"]["side"] == "vendor"
    assert world.summary(customer, thread)["customer_name"] is None


def test_a_store_question_is_titled_for_its_reader(world, admin):
    shop = world.vendor("shop", "Lumen Lamps")
    customer, _ = world.customer("ann")
    vendor = world.staff(shop)
    thread = world.ask(customer, "company", shop, "Do you ship to Norway?")
    assert world.summary(vendor, thread)["subject"] == "Store question"
    assert world.stack.call("GET", f"/v1/threads/{thread}", vendor).json()["subject"] == "Store question"
    assert world.summary(customer, thread)["subject"] == "Vendor: Lumen Lamps"
    assert world.summary(admin, thread)["subject"] == "Vendor: Lumen Lamps"
    # A subject someone wrote is everyone's.
    written = world.ask(customer, "company", world.vendor("other", "Oak"), "Hi", subject="Custom table")
    assert world.summary(customer, written)["subject"] == "Custom table"


def test_addresses_are_shown_only_while_contact_details_pass_both_ways(world, stack, admin):
    shop = world.vendor("shop", "Lumen Lamps")
    customer, customer_id = world.customer("ann")
    vendor = world.staff(shop)
    store_thread = world.ask(customer, "company", shop, "Do you ship to Norway?")
    order_thread = world.ask(customer, "order", world.order("order", shop, customer_id), "Where is it?")

    def shown():
        store = stack.call("GET", f"/v1/threads/{store_thread}", customer).json()
        order = stack.call("GET", f"/v1/threads/{order_thread}", vendor).json()
        return (store["context"]["email"], order["context"]["customer"]["email"], order["customer"]["email"])

    assert shown() == (f"sales-{shop}@vendors.test", f"{customer_id}@buyers.test", f"{customer_id}@buyers.test")
    for direction in ALLOW:
        for action in ("mask", "hold"):
            changed = stack.call("PUT", "/v1/settings", admin, json={**ALLOW, direction: action})
            assert changed.status_code == 200, changed.text
            assert shown() == ("", "", ""), (direction, action)
    # The administration sees both, whatever the settings.
    store = stack.call("GET", f"/v1/threads/{store_thread}", admin).json()
    assert store["context"]["email"] == f"sales-{shop}@vendors.test"


def test_a_stores_address_is_not_in_its_public_context(world, stack):
    shop = world.vendor("shop", "Lumen Lamps")
    customer, _ = world.customer("ann")
    path = f"/v1/context/company/{shop}"
    assert stack.call("GET", path, customer).json()["context"]["email"] == ""
    assert stack.call("GET", path, world.staff(world.vendor("rival"))).json()["context"]["email"] == ""
    for token in (world.staff(shop), world.admin()):
        assert stack.call("GET", path, token).json()["context"]["email"] == f"sales-{shop}@vendors.test"
