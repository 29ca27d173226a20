"""The catalog service over RPC, on a real broker and database, with the storefront pushing."""

import pytest
from nameko.testing.services import entrypoint_waiter

from services.common.errors import Forbidden, NotFound, ValidationFailed
from services.common.events import CONTEXT_CHANGED, CUSTOMER_DELETED, VENDOR_DELETED
from tests.fixtures.callers import signed

from .conftest import SYNC
from .queries import QUERIES
from .test_schemas import CSCART_ORDER, CSCART_PRODUCT, CSCART_VENDOR

# CURRENCY's default: the code alone, which the reader's browser writes in its own way.
USD = {
    "code": "USD",
    "symbol": None,
    "after": False,
    "decimals": None,
    "decimals_separator": None,
    "thousands_separator": None,
}


def test_a_pushed_product_resolves_to_its_vendor_and_context(catalog):
    stored = catalog.upsert_product(signed(SYNC), {**CSCART_PRODUCT, "product_id": 12, "company_id": 4})
    assert stored["id"] == "12" and stored["company_id"] == "4" and stored["price"] == 30.0
    assert stored["source"] == "pushed" and stored["fetched_at"] == stored["updated_at"]

    resolved = catalog.resolve(signed(SYNC), "product", "12")
    assert resolved == {
        "object": {"type": "product", "id": "12"},
        "company_id": "4",
        "customer_id": None,
        "context": {
            "type": "product",
            "id": "12",
            "name": "Blue kettle",
            "code": "KT-12",
            "price": 30.0,
            "image_url": "https://shop.test/images/detailed/0/kettle.jpg",
            "url": "https://shop.test/index.php?dispatch=products.view&product_id=12",
            "status": "A",
            "currency": USD,
        },
        "summary": {
            "title": "Blue kettle",
            "image_url": "https://shop.test/images/detailed/0/kettle.jpg",
            "url": "https://shop.test/index.php?dispatch=products.view&product_id=12",
        },
        "as_of": stored["fetched_at"],
        "stale": False,
    }


def test_a_pushed_order_resolves_to_its_vendor_customer_and_context(catalog):
    catalog.upsert_order(signed(SYNC), CSCART_ORDER)
    resolved = catalog.resolve(signed(SYNC), "order", 95)
    assert (resolved["company_id"], resolved["customer_id"]) == ("4", "3")
    assert resolved["summary"]["title"] == "Order #95"
    assert resolved["context"] == {
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
        "currency": USD,
    }


def test_a_pushed_vendor_resolves_and_is_listed(catalog):
    catalog.upsert_vendor(signed(SYNC), CSCART_VENDOR)
    catalog.upsert_vendor(
        signed(SYNC), {"company_id": 5, "company": "Pending Pots", "email": "pots@example.test", "status": "P"}
    )
    catalog.upsert_vendor(signed(SYNC), {"company_id": 6, "company": "Active Anvils", "email": "anvils@example.test"})

    resolved = catalog.resolve(signed(SYNC), "company", "4")
    assert resolved["company_id"] == "4" and resolved["summary"]["title"] == "Kettles & Co"
    assert resolved["context"]["email"] == "sales@kettles.test"
    assert catalog.get_vendor(signed(SYNC), 4) == {
        "company_id": "4",
        "name": "Kettles & Co",
        "email": "sales@kettles.test",
        "status": "A",
    }
    assert [vendor["company_id"] for vendor in catalog.list_vendors(signed(SYNC))] == ["4", "6"]
    assert [vendor["name"] for vendor in catalog.list_vendors(signed(SYNC), "P")] == ["Pending Pots"]


def test_a_record_without_company_id_is_refused_field_by_field(catalog):
    record = {name: value for name, value in CSCART_PRODUCT.items() if name != "company_id"}
    with pytest.raises(ValidationFailed) as refused:
        catalog.upsert_product(signed(SYNC), {**record, "price": "thirty"})
    assert set(refused.value.details) == {"company_id", "price"}
    with pytest.raises(NotFound):
        catalog.resolve(signed(SYNC), "product", "12")


def test_what_is_not_known_is_not_found(catalog):
    with pytest.raises(NotFound):
        catalog.resolve(signed(SYNC), "order", "404")
    with pytest.raises(NotFound):
        catalog.get_vendor(signed(SYNC), "404")


def test_a_thread_about_nothing_cannot_be_resolved(catalog):
    with pytest.raises(ValidationFailed):
        catalog.resolve(signed(SYNC), "none", "1")


def test_a_deleted_product_or_order_is_gone(catalog):
    catalog.upsert_product(signed(SYNC), CSCART_PRODUCT)
    catalog.upsert_order(signed(SYNC), CSCART_ORDER)
    catalog.delete_product(signed(SYNC), 12)
    catalog.delete_order(signed(SYNC), "95")
    with pytest.raises(NotFound):
        catalog.resolve(signed(SYNC), "product", "12")
    with pytest.raises(NotFound):
        catalog.resolve(signed(SYNC), "order", "95")


def test_deleting_a_vendor_is_announced(catalog, listener):
    catalog.upsert_vendor(signed(SYNC), CSCART_VENDOR)
    with entrypoint_waiter(listener, "vendor_deleted"):
        catalog.delete_vendor(signed(SYNC), 4)
    assert (VENDOR_DELETED, {"company_id": "4"}) in listener.heard
    with pytest.raises(NotFound):
        catalog.get_vendor(signed(SYNC), "4")


def test_deleting_a_customer_is_announced(catalog, listener):
    with entrypoint_waiter(listener, "customer_deleted"):
        catalog.delete_customer(signed(SYNC), 3)
    assert listener.heard == [(CUSTOMER_DELETED, {"customer_id": "3"})]


def test_only_pushes_that_change_a_record_are_announced(catalog, listener):
    changed = (CONTEXT_CHANGED, {"object": {"type": "product", "id": "12"}})
    with entrypoint_waiter(listener, "context_changed"):
        catalog.upsert_product(signed(SYNC), CSCART_PRODUCT)
    catalog.upsert_product(signed(SYNC), {**CSCART_PRODUCT, "amount": "9"})  # a field we do not keep
    with entrypoint_waiter(listener, "context_changed"):
        catalog.upsert_product(signed(SYNC), {**CSCART_PRODUCT, "price": "25.00"})
    # Events arrive in the order they were sent: the unchanged push, between, sent none.
    assert listener.heard == [changed, changed]
    assert catalog.resolve(signed(SYNC), "product", "12")["context"]["price"] == 25.0


def test_resolve_many_asks_the_database_once_per_object_type(catalog, catalog_config):
    objects = []
    for number in range(20):
        catalog.upsert_product(signed(SYNC), {**CSCART_PRODUCT, "product_id": number})
        objects.append({"type": "product", "id": str(number)})
    for number in range(20):
        catalog.upsert_order(signed(SYNC), {**CSCART_ORDER, "order_id": number})
        objects.append({"type": "order", "id": number})
    for number in range(8):
        catalog.upsert_vendor(signed(SYNC), {**CSCART_VENDOR, "company_id": number})
        objects.append({"type": "company", "id": str(number)})
    objects += [{"type": "product", "id": "unknown"}, {"type": "none", "id": "1"}]
    assert len(objects) == 50

    with QUERIES.counting(catalog_config["MONGO_DB"]) as counted:
        answers = catalog.resolve_many(signed(SYNC), objects)

    assert counted.commands("find") == 3
    assert len(answers) == 50
    assert answers["product:unknown"] is None and answers["none:1"] is None
    assert answers["order:7"]["summary"]["title"] == "Order #7"
    assert answers["company:3"]["company_id"] == "3"
    assert answers["product:19"] == catalog.resolve(signed(SYNC), "product", "19")


def test_resolve_many_refuses_objects_it_cannot_read(catalog):
    with pytest.raises(ValidationFailed) as refused:
        catalog.resolve_many(signed(SYNC), [{"type": "banana", "id": "1"}])
    assert "objects" in refused.value.details


def test_health(catalog):
    assert catalog.health() is True


@pytest.mark.parametrize(
    "caller",
    [
        {"user_id": "a1", "role": "admin", "permissions": ["view_vendor_communication"]},
        {"user_id": "v1", "role": "vendor", "company_id": "4"},
        {"user_id": "c1", "role": "customer"},
    ],
)
def test_only_the_sync_and_admins_allowed_to_manage_the_catalog_write_it(catalog, caller):
    """Checked by the service itself: a broker client that is not the gateway gets no further."""
    catalog.upsert_vendor(signed(SYNC), CSCART_VENDOR)
    with pytest.raises(Forbidden):
        catalog.upsert_product(signed(caller), CSCART_PRODUCT)
    with pytest.raises(Forbidden):
        catalog.delete_vendor(signed(caller), CSCART_VENDOR["company_id"])
    assert catalog.get_vendor(signed(SYNC), CSCART_VENDOR["company_id"])["company_id"] == str(
        CSCART_VENDOR["company_id"]
    )
    catalog.delete_product(signed({"user_id": "a2", "role": "admin", "permissions": ["manage_catalog"]}), 12)


ADMIN = {"user_id": "a1", "role": "admin"}


def _vendors(catalog, count, name="Lamp shop"):
    for number in range(1, count + 1):
        catalog.upsert_vendor(
            signed(SYNC),
            {"company_id": 100 + number, "company": f"{name} {number:02}", "email": f"v{number}@example.test"},
        )


def test_the_administration_searches_vendors_page_by_page(catalog):
    _vendors(catalog, 5)
    catalog.upsert_vendor(signed(SYNC), {"company_id": 200, "company": "Pending LAMP shop", "status": "P"})
    page = catalog.search_vendors(signed(ADMIN), {"q": "lamp SHOP", "status": "A", "limit": 2})
    assert page["items"] == [
        {"company_id": "101", "name": "Lamp shop 01", "status": "A"},
        {"company_id": "102", "name": "Lamp shop 02", "status": "A"},
    ]
    assert page["total"] == 5 and page["next_cursor"]
    seen = [item["company_id"] for item in page["items"]]
    while page["next_cursor"]:
        page = catalog.search_vendors(
            signed(ADMIN), {"q": "lamp SHOP", "status": "A", "limit": 2, "cursor": page["next_cursor"]}
        )
        seen += [item["company_id"] for item in page["items"]]
    assert seen == ["101", "102", "103", "104", "105"]
    everyone = catalog.search_vendors(signed(ADMIN), {"q": "lamp"})
    assert everyone["total"] == 6 and everyone["items"][0]["name"] == "Lamp shop 01"
    assert "email" not in everyone["items"][0]


def test_a_regex_in_the_search_is_literal(catalog):
    _vendors(catalog, 2)
    catalog.upsert_vendor(signed(SYNC), {"company_id": 300, "company": "Lamps (.*) & Co"})
    for q in ("Lamp.", "[L]amp", "\\", "^Lamp", "shop 0?1"):
        assert catalog.search_vendors(signed(ADMIN), {"q": q})["items"] == [], q
    for q in (".*", "(", "(.*) &"):
        assert [item["company_id"] for item in catalog.search_vendors(signed(ADMIN), {"q": q})["items"]] == ["300"], q


@pytest.mark.parametrize(
    "query,field",
    [
        ({"q": "x" * 101}, "q"),
        ({"limit": 51}, "limit"),
        ({"limit": 0}, "limit"),
        ({"status": "Z"}, "status"),
        ({"cursor": "not-ours"}, "cursor"),
        ({"cursor": "c" * 501}, "cursor"),
    ],
)
def test_the_vendor_search_is_bounded(catalog, query, field):
    with pytest.raises(ValidationFailed) as refused:
        catalog.search_vendors(signed(ADMIN), query)
    assert field in refused.value.details


@pytest.mark.parametrize(
    "caller",
    [
        {"user_id": "v1", "role": "vendor", "company_id": "4"},
        {"user_id": "c1", "role": "customer"},
        SYNC,
        {"user_id": "a2", "role": "admin", "permissions": ["manage_vendor_communication"]},
    ],
)
def test_only_the_administration_searches_vendors(catalog, caller):
    """Checked by the service: a broker client that is not the gateway learns no vendor's name."""
    _vendors(catalog, 1)
    with pytest.raises(Forbidden):
        catalog.search_vendors(signed(caller), {"q": "lamp"})


def test_prices_are_in_the_currency_cscart_describes(start_catalog, catalog_rpc):
    start_catalog(
        CURRENCY='{"currency_code": "eur", "symbol": "\u20ac", "after": "Y", "decimals": "2", '
        '"decimals_separator": ",", "thousands_separator": "."}'
    )
    catalog_rpc.upsert_order(signed(SYNC), CSCART_ORDER)
    assert catalog_rpc.resolve(signed(SYNC), "order", "95")["context"]["currency"] == {
        "code": "EUR",
        "symbol": "\u20ac",
        "after": True,
        "decimals": 2,
        "decimals_separator": ",",
        "thousands_separator": ".",
    }
    catalog_rpc.upsert_vendor(signed(SYNC), CSCART_VENDOR)
    assert "currency" not in catalog_rpc.resolve(signed(SYNC), "company", "4")["context"]
