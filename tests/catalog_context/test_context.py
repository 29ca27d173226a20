"""The context rules: plain function calls, no services."""

from datetime import datetime, timedelta, timezone

import pytest

from services.catalog_context import context
from services.catalog_context.context import Links
from services.common.context_changes import changes
from services.common.errors import ValidationFailed

LINKS = Links("https://shop.test", "https://portal.test/")
FETCHED = datetime(2024, 3, 1, 12, 0, tzinfo=timezone.utc)

PRODUCT = {
    "id": "12",
    "name": "Blue kettle",
    "code": "KT-12",
    "price": 30.0,
    "company_id": "4",
    "status": "A",
    "image_url": "https://shop.test/images/kettle.jpg",
    "source": "pushed",
    "fetched_at": FETCHED,
    "updated_at": FETCHED,
}
ORDER = {
    "id": "95",
    "company_id": "4",
    "customer_id": "3",
    "customer_name": "Ann Lee",
    "customer_email": "ann@example.test",
    "customer_phone": "+1 555 0100",
    "total": 60.0,
    "placed_at": datetime(2023, 11, 14, 22, 13, 20, tzinfo=timezone.utc),
    "status": "P",
    "items": [{"product_id": "12", "name": "Blue kettle", "amount": 2, "price": 30.0}],
    "source": "pulled",
    "fetched_at": FETCHED,
    "updated_at": FETCHED,
}
VENDOR = {
    "id": "4",
    "name": "Kettles & Co",
    "email": "sales@kettles.test",
    "status": "A",
    "source": "pushed",
    "fetched_at": FETCHED,
    "updated_at": FETCHED,
}


@pytest.mark.parametrize(
    "code, words",
    [
        ("O", "open"),
        ("P", "processed"),
        ("C", "complete"),
        ("F", "failed"),
        ("D", "declined"),
        ("B", "backordered"),
        ("I", "cancelled"),
        ("Y", "awaiting call"),
        ("N", "incomplete"),
    ],
)
def test_order_status_letters_read_as_words(code, words):
    assert context.order_status_words(code) == words


def test_a_status_the_storefront_made_up_is_shown_as_sent():
    assert context.order_status_words("Z") == "Z"


def test_product_context_links_to_the_storefront_page():
    assert context.product_context(PRODUCT, LINKS) == {
        "type": "product",
        "id": "12",
        "name": "Blue kettle",
        "code": "KT-12",
        "price": 30.0,
        "image_url": "https://shop.test/images/kettle.jpg",
        "url": "https://shop.test/index.php?dispatch=products.view&product_id=12",
        "status": "A",
    }


def test_order_context_has_number_date_status_customer_and_items():
    order = context.order_context(ORDER, LINKS)
    assert order == {
        "type": "order",
        "id": "95",
        "number": "95",
        "total": 60.0,
        "date": "2023-11-14T22:13:20.000Z",
        "status": "processed",
        "status_code": "P",
        "customer": {"id": "3", "name": "Ann Lee", "email": "ann@example.test", "phone": "+1 555 0100"},
        "items": [{"product_id": "12", "name": "Blue kettle", "amount": 2, "price": 30.0}],
        "url": "https://portal.test/index.php?dispatch=orders.details&order_id=95",
    }


def test_company_context_links_to_the_vendor_page():
    assert context.company_context(VENDOR, LINKS) == {
        "type": "company",
        "id": "4",
        "name": "Kettles & Co",
        "email": "sales@kettles.test",
        "status": "A",
        "image_url": None,
        "url": "https://shop.test/index.php?dispatch=companies.view&company_id=4",
    }


def test_a_vendors_logo_is_its_context_image():
    shown = context.resolved(
        "company",
        {**VENDOR, "logo_url": "https://shop.test/images/logos/1/lumen.png", "fetched_at": None},
        LINKS,
        False,
    )
    assert (
        shown["context"]["image_url"] == shown["summary"]["image_url"] == "https://shop.test/images/logos/1/lumen.png"
    )


def test_links_escape_ids():
    assert LINKS.product("a&b") == "https://shop.test/index.php?dispatch=products.view&product_id=a%26b"


@pytest.mark.parametrize(
    "object_type, record, title, image_url",
    [
        ("product", PRODUCT, "Blue kettle", "https://shop.test/images/kettle.jpg"),
        ("order", ORDER, "Order #95", None),
        ("company", VENDOR, "Kettles & Co", None),
    ],
)
def test_summary_titles(object_type, record, title, image_url):
    answer = context.resolved(object_type, record, LINKS, stale=False)
    assert answer["summary"] == {"title": title, "image_url": image_url, "url": answer["context"]["url"]}


def test_resolved_names_the_vendor_and_the_customer():
    assert context.resolved("product", PRODUCT, LINKS, False)["company_id"] == "4"
    assert context.resolved("product", PRODUCT, LINKS, False)["customer_id"] is None
    order = context.resolved("order", ORDER, LINKS, True)
    assert (order["company_id"], order["customer_id"], order["stale"]) == ("4", "3", True)
    assert order["object"] == {"type": "order", "id": "95"}
    assert order["as_of"] == FETCHED
    assert context.resolved("company", VENDOR, LINKS, False)["company_id"] == "4"


def test_a_thread_about_nothing_has_no_context():
    with pytest.raises(ValidationFailed) as refused:
        context.check_object_type("none")
    assert "object_type" in refused.value.details


def test_stale_once_older_than_the_freshness_age():
    fresh_for = timedelta(minutes=5)
    assert not context.is_stale(FETCHED, FETCHED + timedelta(minutes=5), fresh_for)
    assert context.is_stale(FETCHED, FETCHED + timedelta(minutes=5, seconds=1), fresh_for)


def test_changes_shows_the_price_then_and_now():
    then = context.product_context(PRODUCT, LINKS)
    now = context.product_context({**PRODUCT, "price": 25.5}, LINKS)
    assert changes(then, now) == [{"field": "price", "then": 30.0, "now": 25.5}]


def test_no_changes_when_nothing_moved():
    live = context.order_context(ORDER, LINKS)
    assert changes(live, dict(live)) == []


def test_changes_in_an_order_name_the_nested_field():
    then = context.order_context(ORDER, LINKS)
    now = context.order_context({**ORDER, "status": "C", "customer_phone": ""}, LINKS)
    assert changes(then, now) == [
        {"field": "status", "then": "processed", "now": "complete"},
        {"field": "status_code", "then": "P", "now": "C"},
        {"field": "customer.phone", "then": "+1 555 0100", "now": ""},
    ]


def test_changed_items_are_one_change():
    then = context.order_context(ORDER, LINKS)
    items = [{"product_id": "12", "name": "Blue kettle", "amount": 3, "price": 30.0}]
    now = context.order_context({**ORDER, "items": items}, LINKS)
    assert changes(then, now) == [{"field": "items", "then": then["items"], "now": items}]


def test_a_field_that_disappeared_is_a_change_to_nothing():
    then = context.product_context(PRODUCT, LINKS)
    now = {name: value for name, value in then.items() if name != "code"}
    assert changes(then, now) == [{"field": "code", "then": "KT-12", "now": None}]


def test_an_object_that_is_gone_changed_everything_but_its_identity():
    then = context.company_context(VENDOR, LINKS)
    assert {change["field"] for change in changes(then, None)} == {"name", "email", "status", "url"}


def test_the_currency_prices_are_written_in_is_not_a_change_of_the_object():
    then = context.product_context(PRODUCT, LINKS)  # kept before prices carried their currency
    now = {**then, "currency": {"code": "EUR", "symbol": "€"}}
    assert changes(then, now) == []
    assert changes(then, {**now, "price": 31.0}) == [{"field": "price", "then": then["price"], "now": 31.0}]
