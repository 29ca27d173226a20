"""Who is told of a message, how, where and when: the rules as plain function calls."""

from datetime import datetime, timedelta, timezone

import pytest

from services.common.caller import Caller
from services.common.config import Settings
from services.notifications import rules
from services.notifications.rules import Recipient

NOW = datetime(2026, 5, 4, 12, 0, tzinfo=timezone.utc)


def thread(type="vendor_to_customer", object_type="product", customer=None, company_id="10"):
    if customer is None and type == "vendor_to_customer":
        customer = {"id": "c1", "name": "Ann", "email": "ann@buyers.test"}
    return {
        "id": "t1",
        "type": type,
        "object": {"type": object_type, "id": "5"},
        "company_id": company_id,
        "customer": customer,
    }


# what kind of event, and who hears of it ------------------------------------------------------


@pytest.mark.parametrize(
    "type, object_type, broadcast_id, kind",
    [
        ("vendor_to_customer", "product", None, rules.CUSTOMER_VENDOR),
        ("vendor_to_customer", "company", None, rules.CUSTOMER_VENDOR),
        ("vendor_to_customer", "order", None, rules.ORDER),
        ("vendor_to_admin", "none", None, rules.VENDOR_ADMIN),
        ("vendor_to_admin", "order", None, rules.VENDOR_ADMIN),
        ("vendor_to_admin", "none", "b1", rules.ANNOUNCEMENT),
    ],
)
def test_each_event_is_one_kind(type, object_type, broadcast_id, kind):
    assert rules.event_kind(thread(type, object_type), broadcast_id) == kind


@pytest.mark.parametrize("kind", rules.EVENT_KINDS)
@pytest.mark.parametrize("author_side", rules.SIDES)
def test_the_authors_own_side_is_never_told(kind, author_side):
    sides = rules.receiving_sides(kind, author_side)
    assert author_side not in sides
    assert set(sides) == set(rules.PARTIES[kind]) - {author_side}


def test_a_customers_message_reaches_the_vendor_and_the_administration_but_never_another_customer():
    assert rules.receiving_sides(rules.CUSTOMER_VENDOR, "customer") == ["vendor", "admin"]
    assert rules.receiving_sides(rules.VENDOR_ADMIN, "vendor") == ["admin"]
    assert rules.receiving_sides(rules.ANNOUNCEMENT, "admin") == ["vendor"]


def test_by_default_the_customer_gets_mail_the_vendor_mail_and_bell_the_admin_only_the_bell():
    settings = rules.default_settings()
    for kind in (rules.CUSTOMER_VENDOR, rules.ORDER):
        assert rules.channels_for(settings, kind, "customer") == ("email",)
    for kind in rules.EVENT_KINDS:
        assert rules.channels_for(settings, kind, "vendor") == ("email", "in_app")
    for kind in (rules.CUSTOMER_VENDOR, rules.ORDER, rules.VENDOR_ADMIN):
        assert rules.channels_for(settings, kind, "admin") == ("in_app",)
    assert rules.channels_for(settings, rules.ANNOUNCEMENT, "customer") == ()
    assert settings["coalesce_seconds"] == 120


def test_an_edit_changes_only_the_rules_it_names():
    current = rules.default_settings()
    edited = rules.merge_settings(
        current, {"rules": {rules.VENDOR_ADMIN: {"admin": ["in_app", "email"]}}, "retry": {"attempts": 3}}
    )
    assert edited["rules"][rules.VENDOR_ADMIN] == {"vendor": ["email", "in_app"], "admin": ["email", "in_app"]}
    assert edited["rules"][rules.ORDER] == current["rules"][rules.ORDER]
    assert edited["retry"] == {**rules.DEFAULT_RETRY, "attempts": 3}
    assert edited["coalesce_seconds"] == 120
    assert current["rules"][rules.VENDOR_ADMIN]["admin"] == ["in_app"]  # the original is untouched


def test_a_rule_for_a_side_that_takes_no_part_is_refused():
    assert rules.rule_errors({rules.ANNOUNCEMENT: {"customer": ["email"]}}) == {
        "rules.announcement": ["Not a side of announcement: customer (its sides: vendor)."]
    }
    assert rules.rule_errors({rules.ORDER: {"customer": [], "admin": ["email"]}}) == {}


# addresses ----------------------------------------------------------------------------------


def test_vendor_mail_goes_to_the_company_and_to_staff_who_wrote_once_per_address():
    staff = [
        {"user_id": "u1", "name": "Bob", "email": "bob@shop.test"},
        {"user_id": "u2", "name": "Sales", "email": "SALES@shop.test"},
    ]
    found = rules.mail_recipients("vendor", thread(), vendor_email="sales@shop.test", vendor_staff=staff)
    assert [(r.address, r.user_id) for r in found] == [("sales@shop.test", None), ("bob@shop.test", "u1")]


def test_customer_mail_goes_to_the_customers_address_and_admin_mail_to_every_administrator():
    customer = rules.mail_recipients("customer", thread())
    assert customer == [Recipient("ann@buyers.test", "customer", "c1", "Ann")]
    admins = rules.mail_recipients("admin", thread(), admin_emails=rules.admin_addresses(" a@mk.test, b@mk.test,,"))
    assert [r.address for r in admins] == ["a@mk.test", "b@mk.test"]


def test_a_side_without_an_address_gets_no_mail():
    assert rules.mail_recipients("customer", thread("vendor_to_admin", "none")) == []
    assert rules.mail_recipients("vendor", thread(), vendor_email=None) == []
    assert rules.mail_recipients("admin", thread(), admin_emails=[]) == []


@pytest.mark.parametrize(
    "hostile",
    [
        "ann@buyers.test, boss@elsewhere.test",
        "ann@buyers.test\r\nBcc: boss@elsewhere.test",
        "Ann <ann@buyers.test>",
        "ann@buyers.test;boss@elsewhere.test",
        "no-at-sign",
        "a@b@c",
        "",
        None,
        "x" * 250 + "@b.test",
    ],
)
def test_an_address_that_could_smuggle_in_another_recipient_is_not_mailed(hostile):
    assert rules.usable_address(hostile) is None
    customer = {"id": "c1", "name": "Ann", "email": hostile}
    assert rules.mail_recipients("customer", thread(customer=customer)) == []


def test_an_ordinary_address_is_kept_as_written():
    assert rules.usable_address(" O'Neil@Buyers.test ") == "O'Neil@Buyers.test"


def test_opted_out_people_and_the_authors_own_address_are_left_out():
    everyone = [
        Recipient("sales@shop.test", "vendor"),
        Recipient("bob@shop.test", "vendor", "u1"),
        Recipient("eve@shop.test", "vendor", "u2"),
        Recipient("me@shop.test", "vendor", "u3"),
    ]
    kept = rules.wanted(
        everyone, author_email="ME@shop.test", opted_out_addresses={"sales@shop.test"}, opted_out_user_ids={"u2"}
    )
    assert [r.address for r in kept] == ["bob@shop.test"]


def test_nobody_opts_out_of_the_marketplaces_announcements():
    assert rules.may_opt_out(rules.ANNOUNCEMENT) is False
    assert all(rules.may_opt_out(kind) for kind in rules.EVENT_KINDS if kind != rules.ANNOUNCEMENT)


# the bell -----------------------------------------------------------------------------------


def test_each_side_has_its_own_bell_and_a_vendors_is_shared_by_the_company():
    assert rules.audience_of_side("customer", thread()) == "customer:c1"
    assert rules.audience_of_side("vendor", thread()) == "vendor:10"
    assert rules.audience_of_side("admin", thread()) == "admin"
    assert rules.audience_of_side("customer", thread("vendor_to_admin", "none")) is None
    bob = Caller("u1", "vendor", company_id="10")
    eve = Caller("u2", "vendor", company_id="10")
    assert rules.audience_of(bob) == rules.audience_of(eve) == "vendor:10"
    assert rules.audience_of(Caller("c1", "customer")) == "customer:c1"
    assert rules.audience_of(Caller("a1", "admin")) == "admin"
    assert rules.audience_of(Caller("sync", "system")) is None


def test_permissions_narrow_the_kinds_a_caller_sees():
    assert rules.visible_kinds(Caller("u1", "vendor", "10")) == list(rules.EVENT_KINDS)
    orders_only = Caller("u1", "vendor", "10", permissions=("manage_order_communication",))
    assert rules.visible_kinds(orders_only) == [rules.ORDER]
    assert rules.visible_kinds(Caller("c1", "customer")) == [rules.CUSTOMER_VENDOR, rules.ORDER]


# what is said -------------------------------------------------------------------------------


def test_links_lead_to_the_thread_in_the_readers_own_portal_or_storefront():
    """By default CS-Cart's own pages (index.php, vendor.php, admin.php) under the two URLs."""
    cs_cart = Settings(PORTAL_URL="https://portal.test", STOREFRONT_URL="https://shop.test/market/")
    assert rules.thread_link("vendor", "t 1&x", cs_cart) == (
        "https://portal.test/vendor.php?dispatch=vendor_communication.view&thread_id=t%201%26x"
    )
    assert rules.thread_link("admin", "t1", cs_cart) == (
        "https://portal.test/admin.php?dispatch=vendor_communication.view&thread_id=t1"
    )
    assert rules.thread_link("customer", "t1", cs_cart) == (
        "https://shop.test/market/index.php?dispatch=vendor_communication.view&thread_id=t1"
    )


def test_a_thread_link_may_be_a_whole_url_of_its_own():
    demo = Settings(
        STOREFRONT_THREAD_URL="http://127.0.0.1:8080/ui/demo/storefront?thread_id={thread_id}",
        PORTAL_THREAD_URL="https://admin.test/{side}/inbox#mc-thread={thread_id}",
    )
    assert rules.thread_link("customer", "t/1", demo) == "http://127.0.0.1:8080/ui/demo/storefront?thread_id=t%2F1"
    assert rules.thread_link("vendor", "t1", demo) == "https://admin.test/vendor/inbox#mc-thread=t1"
    # braces of the page's own stay as they are
    odd = Settings(PORTAL_URL="https://p.test", PORTAL_THREAD_URL="x?q={other}&id={thread_id}")
    assert rules.thread_link("admin", "t1", odd) == "https://p.test/x?q={other}&id=t1"


def test_the_start_of_a_long_message_is_cut_at_a_word():
    text = "word " * 200
    cut = rules.excerpt(text, 52)
    assert cut.endswith("…") and len(cut) <= 53 and "wor…" not in cut
    assert rules.excerpt("  short  ") == "short"


def test_a_subject_stays_one_line_whatever_the_name_holds():
    subject = rules.mail_subject(["Eve\r\nBcc: all@x.test"], "Lamp\n")
    assert "\n" not in subject and "\r" not in subject
    assert subject == "New message from Eve Bcc: all@x.test about Lamp"
    assert rules.mail_subject(["Ann", "Ann", "Bob"], "Order #7") == "3 new messages about Order #7"


# when ---------------------------------------------------------------------------------------


def test_the_first_mail_of_a_quiet_thread_goes_at_once():
    assert rules.send_after(NOW, 120, None) == NOW
    assert rules.send_after(NOW, 120, NOW - timedelta(minutes=5)) == NOW


def test_mail_that_follows_within_the_window_waits_for_its_end_and_goes_as_one():
    first = rules.send_after(NOW, 120, None)
    second = rules.send_after(NOW + timedelta(seconds=10), 120, first)
    third = rules.send_after(NOW + timedelta(seconds=30), 120, second)
    assert second == third == NOW + timedelta(seconds=120)


def test_a_message_that_missed_a_mail_sent_after_it_was_posted_goes_at_once():
    # Posted during an outage; the backlog's first message was mailed before this one was
    # worked through: holding it another window would only make a late message later.
    sent = NOW - timedelta(seconds=1)
    assert rules.send_after(NOW, 120, sent, posted_at=NOW - timedelta(seconds=30)) == NOW
    assert rules.send_after(NOW, 120, sent, posted_at=NOW) == sent + timedelta(seconds=120)


def test_no_window_means_every_mail_goes_at_once():
    assert rules.send_after(NOW, 0, NOW) == NOW


def test_retries_back_off_exponentially_up_to_a_cap_then_the_mail_is_kept_as_failed():
    retry = {"attempts": 5, "first_delay_seconds": 30, "max_delay_seconds": 100}
    assert [rules.retry_delay(n, retry).total_seconds() for n in (1, 2, 3, 4)] == [30, 60, 100, 100]
    assert rules.after_failure(1, retry, NOW) == ("pending", NOW + timedelta(seconds=30))
    assert rules.after_failure(5, retry, NOW) == ("failed", None)
