"""CS-Cart records as the storefront sends them: what is kept, what is refused."""

from datetime import datetime, timezone

import pytest

from services.catalog_context.schemas import load_cscart, load_record
from services.common.errors import ValidationFailed

# Trimmed from CS-Cart 4 REST answers: numbers as strings, dozens of fields we ignore.
CSCART_PRODUCT = {
    "product_id": "12",
    "product": "Blue kettle",
    "product_code": "KT-12",
    "price": "30.00",
    "company_id": "4",
    "status": "A",
    "list_price": "35.00",
    "amount": "10",
    "weight": "1.2",
    "main_pair": {
        "pair_id": "7",
        "image_id": "0",
        "detailed_id": "31",
        "position": "0",
        "detailed": {
            "image_path": "https://shop.test/images/detailed/0/kettle.jpg",
            "alt": "",
            "image_x": "500",
            "image_y": "500",
        },
    },
}
CSCART_ORDER = {
    "order_id": "95",
    "company_id": "4",
    "user_id": "3",
    "total": "60.00",
    "timestamp": "1700000000",
    "status": "P",
    "firstname": "Ann",
    "lastname": "Lee",
    "email": "ann@example.test",
    "phone": "+1 555 0100",
    "subtotal": "60.00",
    "notes": "",
    "products": {
        "3307015850": {
            "item_id": "3307015850",
            "order_id": "95",
            "product_id": "12",
            "product": "Blue kettle",
            "amount": "2",
            "price": "30.00",
            "product_code": "KT-12",
            "extra": {"step": "1"},
        },
    },
}
CSCART_VENDOR = {
    "company_id": "4",
    "company": "Kettles & Co",
    "email": "sales@kettles.test",
    "status": "A",
    "lang_code": "en",
    "timestamp": "1600000000",
}


def test_a_cscart_product_becomes_our_record():
    assert load_record("product", CSCART_PRODUCT) == {
        "id": "12",
        "name": "Blue kettle",
        "code": "KT-12",
        "price": 30.0,
        "company_id": "4",
        "status": "A",
        "image_url": "https://shop.test/images/detailed/0/kettle.jpg",
    }


def test_ids_sent_as_numbers_are_kept_as_strings():
    record = load_record("product", {**CSCART_PRODUCT, "product_id": 12, "company_id": 4, "price": 30})
    assert (record["id"], record["company_id"], record["price"]) == ("12", "4", 30.0)


@pytest.mark.parametrize("main_pair", [[], None, {"detailed": []}, {"detailed": {"image_path": ""}}])
def test_a_product_without_an_image_has_no_image_url(main_pair):
    assert load_record("product", {**CSCART_PRODUCT, "main_pair": main_pair})["image_url"] is None


def test_a_cscart_order_becomes_our_record():
    assert load_record("order", CSCART_ORDER) == {
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
    }


def test_order_products_may_come_as_a_list():
    products = list(CSCART_ORDER["products"].values())
    assert load_record("order", {**CSCART_ORDER, "products": products}) == load_record("order", CSCART_ORDER)


def test_a_guest_order_has_no_customer_account():
    assert load_record("order", {**CSCART_ORDER, "user_id": "0"})["customer_id"] is None


def test_a_cscart_vendor_becomes_our_record():
    assert load_record("company", CSCART_VENDOR) == {
        "id": "4",
        "name": "Kettles & Co",
        "email": "sales@kettles.test",
        "status": "A",
        "logo_url": None,
    }


LOGOS = {
    "theme": {"logo_id": "7", "image": {"image_path": "https://shop.test/images/logos/1/kettles.png"}},
    "mail": {"logo_id": "8", "image": {"image_path": "https://shop.test/images/logos/1/mail.png"}},
}


@pytest.mark.parametrize(
    "logos, kept",
    [
        (LOGOS, "https://shop.test/images/logos/1/kettles.png"),
        ({"theme": [], "mail": LOGOS["mail"]}, "https://shop.test/images/logos/1/mail.png"),
        ([], None),
        ({"theme": {"image": {"image_path": ""}}}, None),
        (42, None),
        (None, None),
    ],
)
def test_a_vendors_logo_is_its_storefront_logo_else_its_mail_logo(logos, kept):
    record = load_record("company", {**CSCART_VENDOR, "logos": logos})
    assert record["logo_url"] == kept
    once = load_cscart("company", {**CSCART_VENDOR, "logos": logos})
    assert load_cscart("company", once) == once


@pytest.mark.parametrize(
    "object_type, record", [("product", CSCART_PRODUCT), ("order", CSCART_ORDER), ("company", CSCART_VENDOR)]
)
def test_loading_a_loaded_record_changes_nothing(object_type, record):
    # The gateway loads a pushed body and the service loads it again.
    once = load_cscart(object_type, record)
    assert load_cscart(object_type, once) == once


@pytest.mark.parametrize(
    "object_type, record", [("product", CSCART_PRODUCT), ("order", CSCART_ORDER), ("company", CSCART_VENDOR)]
)
def test_a_record_without_company_id_is_refused(object_type, record):
    without = {name: value for name, value in record.items() if name != "company_id"}
    with pytest.raises(ValidationFailed) as refused:
        load_record(object_type, without)
    assert list(refused.value.details) == ["company_id"]


@pytest.mark.parametrize(
    "field, value",
    [
        ("price", "thirty"),
        ("price", -1),
        ("product_id", {"id": 12}),
        ("product_id", True),
        ("product_id", 12.5),
        ("product", 42),
        ("company_id", ""),
        ("main_pair", "kettle.jpg"),
        ("main_pair", {"detailed": {"image_path": 7}}),
    ],
)
def test_a_product_field_of_the_wrong_type_is_refused(field, value):
    with pytest.raises(ValidationFailed) as refused:
        load_record("product", {**CSCART_PRODUCT, field: value})
    assert list(refused.value.details) == [field]
    assert all(isinstance(message, str) for message in refused.value.details[field])


def test_a_bad_order_item_is_named():
    products = [{"product_id": "12", "amount": "two"}]
    with pytest.raises(ValidationFailed) as refused:
        load_record("order", {**CSCART_ORDER, "products": products, "timestamp": "yesterday"})
    assert refused.value.details == {
        "products": {0: {"amount": ["Not a valid integer."]}},
        "timestamp": ["Not a valid integer."],
    }


def test_something_that_is_not_a_record_is_refused():
    with pytest.raises(ValidationFailed):
        load_record("company", ["4", "Kettles & Co"])
