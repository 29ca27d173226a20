"""The conversation rules as plain function calls: no broker, no database."""

from datetime import datetime, timedelta, timezone

import pytest

from services.common.caller import Caller
from services.common.errors import Forbidden, NotFound, ValidationFailed
from services.common import access
from services.conversations import rules

CUSTOMER = Caller("c1", "customer", name="Ann", email="ann@example.test")
VENDOR = Caller("v1", "vendor", company_id="10", name="Bob")
OTHER_VENDOR = Caller("v2", "vendor", company_id="20")
ADMIN = Caller("a1", "admin", name="Root")
PRODUCT = {"company_id": "10", "customer_id": None, "context": {"name": "Lamp"}, "summary": {}}
ORDER = {
    "company_id": "10",
    "customer_id": "c1",
    "context": {"customer": {"name": "Ann Lee", "email": "ann@example.test"}},
    "summary": {},
}
AT = datetime(2026, 1, 1, tzinfo=timezone.utc)


def ask(caller, kind, target, resolved, company=None, **extra):
    return rules.plan_thread(caller, {"type": kind, "object": target, **extra}, resolved, company)


def test_a_customer_question_about_a_product_goes_to_the_products_vendor():
    plan = ask(CUSTOMER, "vendor_to_customer", {"type": "product", "id": "5"}, PRODUCT)
    assert plan["company_id"] == "10"
    assert plan["customer"] == {"id": "c1", "name": "Ann", "email": "ann@example.test"}
    assert plan["subject"] == "Product: Lamp"
    assert plan["group"] == "vendor"


def test_a_customer_may_only_ask_about_their_own_orders():
    plan = ask(CUSTOMER, "vendor_to_customer", {"type": "order", "id": "7"}, ORDER)
    assert plan["subject"] == "Order #7" and plan["group"] == "order"
    with pytest.raises(NotFound):
        ask(Caller("c2", "customer"), "vendor_to_customer", {"type": "order", "id": "7"}, ORDER)


def test_a_customer_cannot_write_to_the_administration():
    with pytest.raises(Forbidden):
        ask(CUSTOMER, "vendor_to_admin", {"type": "none"}, None)


def test_a_vendor_contacts_the_customer_of_its_own_order_only():
    plan = ask(VENDOR, "vendor_to_customer", {"type": "order", "id": "7"}, ORDER)
    assert plan["customer_id"] == "c1" and plan["customer"]["email"] == "ann@example.test"
    with pytest.raises(NotFound):
        ask(OTHER_VENDOR, "vendor_to_customer", {"type": "order", "id": "7"}, ORDER)
    with pytest.raises(ValidationFailed):
        ask(VENDOR, "vendor_to_customer", {"type": "product", "id": "5"}, PRODUCT)


def test_a_vendor_asks_the_administration_about_nothing_or_its_own_things():
    assert ask(VENDOR, "vendor_to_admin", {"type": "none"}, None, subject="Payouts")["company_id"] == "10"
    with pytest.raises(NotFound):
        ask(OTHER_VENDOR, "vendor_to_admin", {"type": "product", "id": "5"}, PRODUCT)
    with pytest.raises(ValidationFailed) as error:
        ask(VENDOR, "vendor_to_admin", {"type": "none"}, None)
    assert "subject" in error.value.details


def test_the_admin_writes_to_a_named_vendor_about_one_of_its_products():
    plan = ask(ADMIN, "vendor_to_admin", {"type": "product", "id": "5"}, PRODUCT, company={"company_id": "10"})
    assert plan["company_id"] == "10" and plan["group"] == "admin"
    with pytest.raises(ValidationFailed):
        ask(ADMIN, "vendor_to_admin", {"type": "product", "id": "5"}, PRODUCT, company={"company_id": "20"})


def test_system_integrations_take_no_part():
    with pytest.raises(Forbidden):
        ask(Caller("s", "system"), "vendor_to_customer", {"type": "product", "id": "5"}, PRODUCT)


def test_the_open_key_merges_same_parties_and_object_but_never_announcements():
    plan = ask(CUSTOMER, "vendor_to_customer", {"type": "product", "id": "5"}, PRODUCT)
    assert rules.open_key(plan) == rules.open_key(dict(plan))
    other = ask(Caller("c2", "customer"), "vendor_to_customer", {"type": "product", "id": "5"}, PRODUCT)
    assert rules.open_key(plan) != rules.open_key(other)
    assert rules.open_key({**plan, "broadcast_id": "b"}) is None


def test_subjects_are_cut_to_200_characters():
    plan = ask(
        CUSTOMER, "vendor_to_customer", {"type": "product", "id": "5"}, {**PRODUCT, "context": {"name": "x" * 300}}
    )
    assert len(plan["subject"]) == 200


def thread(kind="vendor_to_customer", **fields):
    return {"type": kind, "awaiting_reply_from": None, "awaiting_since": None, **fields}


def test_a_customer_message_makes_the_vendor_owe_a_reply_from_the_first_unanswered_one():
    first = rules.after_message(thread(), "customer", AT)
    assert first.awaiting_reply_from == "vendor" and first.awaiting_since == AT
    later = rules.after_message(
        thread(awaiting_reply_from="vendor", awaiting_since=AT), "customer", AT + timedelta(hours=1)
    )
    assert later.awaiting_since == AT
    answered = rules.after_message(thread(awaiting_reply_from="vendor", awaiting_since=AT), "vendor", AT)
    assert answered.awaiting_reply_from is None and answered.awaiting_since is None


def test_vendor_and_administration_owe_each_other_and_announcements_ask_nothing():
    assert rules.after_message(thread("vendor_to_admin"), "vendor", AT).awaiting_reply_from == "admin"
    assert rules.after_message(thread("vendor_to_admin"), "admin", AT).awaiting_reply_from == "vendor"
    assert rules.after_message(thread("vendor_to_admin"), "admin", AT, announcement=True).awaiting_reply_from is None


def test_a_message_is_unread_for_every_other_side_and_read_by_its_author():
    effect = rules.after_message(thread(), "customer", AT)
    assert effect.notified_sides == ("vendor", "admin") and effect.author_side == "customer"
    assert rules.after_message(thread("vendor_to_admin"), "vendor", AT).notified_sides == ("admin",)
    moved = thread(unread={"customer": 2, "vendor": 1, "admin": 0}, message_count=3)
    effect.apply_to(moved, {"id": "m1", "author": {"side": "customer"}, "preview": "Hi"})
    assert moved["unread"] == {"customer": 0, "vendor": 2, "admin": 1} and moved["message_count"] == 4
    assert moved["read_at"] == {"customer": AT} and moved["last_message"]["id"] == "m1"


def test_the_first_reply_is_the_vendors_first_message_after_a_customers():
    asked = rules.after_message(thread(), "customer", AT)
    assert asked.first_customer_message_at == AT
    replied = rules.after_message(thread(first_customer_message_at=AT), "vendor", AT + timedelta(minutes=5))
    assert replied.first_reply_at == AT + timedelta(minutes=5)
    again = rules.after_message(thread(first_customer_message_at=AT, first_reply_at=AT), "vendor", AT)
    assert again.first_reply_at is None


def test_a_turned_off_communication_type_cannot_be_started():
    with pytest.raises(Forbidden):
        rules.check_type_enabled("vendor_to_admin", {"vendor_to_admin_enabled": False})
    rules.check_type_enabled("vendor_to_customer", {"vendor_to_admin_enabled": False})


THREADS = {
    "product": {
        "type": "vendor_to_customer",
        "group": "vendor",
        "company_id": "10",
        "customer_id": "c1",
        "status": "open",
    },
    "order": {
        "type": "vendor_to_customer",
        "group": "order",
        "company_id": "10",
        "customer_id": "c1",
        "status": "open",
    },
    "admin": {"type": "vendor_to_admin", "group": "admin", "company_id": "10", "customer_id": None, "status": "open"},
}


@pytest.mark.parametrize(
    "caller, visible",
    [
        (CUSTOMER, {"product", "order"}),
        (Caller("c2", "customer"), set()),
        (VENDOR, {"product", "order", "admin"}),
        (OTHER_VENDOR, set()),
        (ADMIN, {"product", "order", "admin"}),
        (Caller("a2", "admin", permissions=("view_order_communication",)), {"order"}),
        (Caller("v3", "vendor", company_id="10", permissions=("manage_admin_communication",)), {"admin"}),
    ],
)
def test_who_sees_which_thread(caller, visible):
    assert {name for name, found in THREADS.items() if access.may_view(caller, found)} == visible


def test_viewing_is_not_writing_and_deleted_threads_are_the_admins_alone():
    reader = Caller("a2", "admin", permissions=("view_vendor_communication",))
    assert access.may_view(reader, THREADS["product"]) and not access.may_write(reader, THREADS["product"])
    deleted = {**THREADS["product"], "status": "deleted"}
    assert not access.may_view(CUSTOMER, deleted) and not access.may_view(VENDOR, deleted)
    assert access.may_view(ADMIN, deleted) and not access.may_write(ADMIN, deleted)


def test_the_inbox_scope_matches_may_view():
    assert access.scope(CUSTOMER) == access.Reach(
        customer_id="c1", types=("vendor_to_customer",), groups=("vendor", "order")
    )
    assert access.scope(VENDOR) == access.Reach(company_id="10", groups=("vendor", "order", "admin"))
    assert access.scope(ADMIN) == access.Reach()
    assert access.scope(Caller("a2", "admin", permissions=("view_order_communication",))) == access.Reach(
        groups=("order",)
    )
    assert access.scope(Caller("s", "system")).nothing


def test_a_store_question_is_a_store_question_in_the_vendors_own_inbox():
    from services.conversations.rules import subject_for

    thread = {
        "subject": "Vendor: Lumen Lamps",
        "object": {"type": "company", "id": "1"},
        "context_snapshot": {"name": "Lumen Lamps"},
    }
    assert subject_for(thread, "vendor") == "Store question"
    assert subject_for(thread, "customer") == subject_for(thread, "admin") == "Vendor: Lumen Lamps"
    assert (
        subject_for({**thread, "subject": "Vendor: Lumen Lamps wholesale"}, "vendor") == "Vendor: Lumen Lamps wholesale"
    )
    assert subject_for({**thread, "object": {"type": "product", "id": "2"}}, "vendor") == "Vendor: Lumen Lamps"


def test_addresses_pass_only_where_contact_details_do():
    from services.conversations.rules import shows_addresses

    store = {"type": "vendor_to_customer"}
    allow = {"moderation_customer_to_vendor": "allow", "moderation_vendor_to_customer": "allow"}
    assert shows_addresses(store, "customer", allow) and shows_addresses(store, "vendor", allow)
    for direction in allow:
        for action in ("mask", "hold"):
            settings = {**allow, direction: action}
            assert not shows_addresses(store, "customer", settings) and not shows_addresses(store, "vendor", settings)
            assert shows_addresses(store, "admin", settings)
            assert shows_addresses({"type": "vendor_to_admin"}, "vendor", settings)
