"""Records the storefront did not push, pulled from its REST API (a real HTTP server here).

The storefront fails in each way it can: too slow, 500, broken JSON, a record we cannot read,
wrong credentials, not listening at all.
"""

import time
from datetime import timedelta

import eventlet
import pytest
from nameko.standalone.rpc import ServiceRpcProxy
from nameko.testing.services import entrypoint_waiter

from services.catalog_context.cscart import MOST_PULLS_AT_ONCE
from services.common.clock import isoformat, now
from services.common.errors import NotFound, Unavailable
from services.common.events import CONTEXT_CHANGED
from tests.fixtures.callers import signed

from .conftest import SYNC
from .cscart_double import CsCartDouble
from .test_schemas import CSCART_ORDER, CSCART_PRODUCT, CSCART_VENDOR

# Answers slower than this are not waited for; records older than a minute are refreshed.
PULLING = {"CSCART_CONNECT_TIMEOUT": 2, "CSCART_READ_TIMEOUT": 0.5, "CATALOG_FRESH_SECONDS": 60}


@pytest.fixture
def cscart():
    double = CsCartDouble()
    double.records["products"]["12"] = CSCART_PRODUCT
    double.records["orders"]["95"] = CSCART_ORDER
    double.records["vendors"]["4"] = CSCART_VENDOR
    double.start()
    yield double
    double.stop()


@pytest.fixture
def pulling(start_catalog, catalog_rpc, cscart):
    start_catalog(**cscart.config(**PULLING))
    return catalog_rpc


@pytest.fixture
def patient(start_catalog, catalog_rpc, cscart):
    """Pulling, and waiting for a held answer until the test lets the storefront answer."""
    start_catalog(**cscart.config(**{**PULLING, "CSCART_READ_TIMEOUT": 30}))
    return catalog_rpc


def wait_until(condition, timeout=20.0):
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "the condition never came true"
        time.sleep(0.05)


def age(mongo_db, collection, record_id, by=timedelta(hours=1)):
    """Make a kept record as old as if the storefront last told us about it `by` ago."""
    fetched_at = now() - by
    mongo_db[collection].update_one({"_id": record_id}, {"$set": {"fetched_at": fetched_at}})
    return fetched_at


def test_an_unknown_product_is_pulled_once_and_kept(pulling, cscart, mongo_db):
    resolved = pulling.resolve(signed(SYNC), "product", "12")
    assert resolved["company_id"] == "4" and resolved["context"]["price"] == 30.0
    assert resolved["stale"] is False
    assert pulling.resolve(signed(SYNC), "product", "12") == resolved
    assert cscart.asked == ["/api/products/12"]
    assert mongo_db.products.find_one({"_id": "12"})["source"] == "pulled"


def test_orders_and_vendors_are_pulled_as_cscart_sends_them(pulling, cscart):
    order = pulling.resolve(signed(SYNC), "order", "95")
    assert order["customer_id"] == "3" and order["context"]["items"][0]["amount"] == 2
    assert pulling.get_vendor(signed(SYNC), "4")["email"] == "sales@kettles.test"
    assert cscart.asked == ["/api/orders/95", "/api/vendors/4"]


def test_a_fresh_pushed_record_is_not_asked_for(pulling, cscart):
    pulling.upsert_product(signed(SYNC), {**CSCART_PRODUCT, "price": "25.00"})
    assert pulling.resolve(signed(SYNC), "product", "12")["context"]["price"] == 25.0
    assert cscart.asked == []


def test_what_the_storefront_does_not_have_is_not_found(pulling, cscart):
    with pytest.raises(NotFound):
        pulling.resolve(signed(SYNC), "product", "13")


@pytest.mark.parametrize("failure", ["slow", "error", "malformed", "unreadable", "down"])
def test_an_object_never_seen_while_the_storefront_fails_is_unavailable(pulling, cscart, failure):
    cscart.failure = failure
    if failure == "down":
        cscart.stop()
    with pytest.raises(Unavailable) as unavailable:
        pulling.resolve(signed(SYNC), "product", "12")
    assert "has not been seen before" in unavailable.value.message
    cscart.release()


def test_wrong_credentials_are_unavailable_not_a_crash(start_catalog, catalog_rpc, cscart):
    start_catalog(**cscart.config(CSCART_API_KEY="not-the-key", **PULLING))
    with pytest.raises(Unavailable) as unavailable:
        catalog_rpc.resolve(signed(SYNC), "product", "12")
    assert "401" in unavailable.value.message


@pytest.mark.parametrize("failure", ["slow", "error", "malformed", "unreadable", "down"])
def test_a_stale_record_is_answered_with_its_age_while_the_storefront_fails(pulling, cscart, mongo_db, failure):
    pulling.upsert_product(signed(SYNC), CSCART_PRODUCT)
    fetched_at = age(mongo_db, "products", "12")
    cscart.records["products"]["12"] = {**CSCART_PRODUCT, "price": "25.00"}
    cscart.failure = failure
    if failure == "down":
        cscart.stop()

    resolved = pulling.resolve(signed(SYNC), "product", "12")

    assert resolved["stale"] is True
    assert resolved["as_of"] == isoformat(fetched_at)
    assert resolved["context"]["price"] == 30.0
    if failure != "down":
        wait_until(lambda: cscart.asked == ["/api/products/12"])
    cscart.release()


def test_a_stale_record_is_refreshed_in_the_background(patient, cscart, mongo_db, listener):
    patient.upsert_product(signed(SYNC), CSCART_PRODUCT)
    age(mongo_db, "products", "12")
    cscart.records["products"]["12"] = {**CSCART_PRODUCT, "price": "25.00"}
    cscart.failure = "slow"

    with entrypoint_waiter(listener, "context_changed"):
        first = patient.resolve(signed(SYNC), "product", "12")
        # The storefront still holds its answer, and the caller already has the kept record.
        wait_until(lambda: cscart.asked == ["/api/products/12"])
        assert (first["stale"], first["context"]["price"]) == (True, 30.0)
        assert patient.resolve(signed(SYNC), "product", "12")["context"]["price"] == 30.0
        cscart.release()
    assert listener.heard[-1] == (CONTEXT_CHANGED, {"object": {"type": "product", "id": "12"}})

    refreshed = patient.resolve(signed(SYNC), "product", "12")
    assert (refreshed["stale"], refreshed["context"]["price"]) == (False, 25.0)
    assert mongo_db.products.find_one({"_id": "12"})["source"] == "pulled"


def test_a_push_that_arrives_during_a_pull_wins(patient, cscart, catalog_config):
    cscart.failure = "slow"
    # A proxy of its own: one proxy answers one call at a time.
    with ServiceRpcProxy("catalog_context", catalog_config, timeout=30) as asking:
        waiting = eventlet.spawn(asking.resolve, signed(SYNC), "product", "12")
        wait_until(lambda: cscart.asked == ["/api/products/12"])
        patient.upsert_product(signed(SYNC), {**CSCART_PRODUCT, "price": "25.00"})
        cscart.release()
        # The storefront answered 30.00, but it was asked before the push of 25.00.
        assert waiting.wait()["context"]["price"] == 25.0
    assert patient.resolve(signed(SYNC), "product", "12")["context"]["price"] == 25.0


def test_resolve_many_fetches_unknown_objects_in_the_background(pulling, cscart):
    objects = [{"type": "product", "id": "12"}, {"type": "order", "id": "95"}]
    first = pulling.resolve_many(signed(SYNC), objects)
    assert first == {"product:12": None, "order:95": None}
    wait_until(lambda: all(pulling.resolve_many(signed(SYNC), objects).values()))
    assert sorted(cscart.asked) == ["/api/orders/95", "/api/products/12"]


def test_an_object_the_storefront_lacks_is_not_asked_for_again_for_a_while(pulling, cscart):
    for _ in range(3):
        with pytest.raises(NotFound):
            pulling.resolve(signed(SYNC), "product", "13")
    assert cscart.asked.count("/api/products/13") == 1
    # one it has appears as soon as it is pushed, cache or not
    pulling.upsert_product(signed(SYNC), {**CSCART_PRODUCT, "product_id": 13})
    assert pulling.resolve(signed(SYNC), "product", "13")["context"]["price"] == 30.0


def test_first_time_lookups_beyond_the_cap_are_told_to_come_back(patient, cscart, catalog_config):
    cscart.failure = "slow"  # the storefront holds every answer until released
    callers = [ServiceRpcProxy("catalog_context", catalog_config, timeout=30) for _ in range(MOST_PULLS_AT_ONCE + 1)]
    proxies = [caller.start() for caller in callers]
    try:
        waiting = [
            eventlet.spawn(proxy.resolve, signed(SYNC), "product", str(700 + n)) for n, proxy in enumerate(proxies)
        ]
        wait_until(lambda: len(cscart.asked) >= MOST_PULLS_AT_ONCE)
        time.sleep(3)  # the one beyond the cap has waited out its turn by now
        assert len(cscart.asked) == MOST_PULLS_AT_ONCE
        cscart.release()
        outcomes = []
        for call in waiting:
            try:
                call.wait()
                outcomes.append("found")
            except (NotFound, Unavailable) as error:
                outcomes.append(type(error).__name__)
        assert sorted(outcomes) == ["NotFound"] * MOST_PULLS_AT_ONCE + ["Unavailable"]
    finally:
        for caller in callers:
            caller.stop()
