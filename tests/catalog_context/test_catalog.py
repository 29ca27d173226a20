"""The catalog's use cases on fakes: the in-memory records, a storefront API that answers from
a dict (CS-Cart is not ours), events collected in a list. No broker, no database, no HTTP."""

from datetime import timedelta

import pytest

from services.catalog_context import cscart
from services.catalog_context.catalog import Catalog
from services.catalog_context.context import Links
from services.catalog_context.cscart import Storefront
from services.catalog_context.records import PULLED, PUSHED
from services.catalog_context.schemas import load_record
from services.common.errors import MessageCenterError, NotFound, Unavailable, ValidationFailed
from services.common.events import CONTEXT_CHANGED, CUSTOMER_DELETED, VENDOR_DELETED

from .memory_store import MemoryCatalogStore
from .test_schemas import CSCART_ORDER, CSCART_PRODUCT, CSCART_VENDOR

LINKS = Links("https://shop.test", "https://portal.test")
FRESH_FOR = timedelta(minutes=5)


class StorefrontApi:
    """CS-Cart's REST API as the catalog uses it: `fetch` answers a record, None, or fails."""

    def __init__(self):
        self.records = {
            "product": {"12": CSCART_PRODUCT},
            "order": {"95": CSCART_ORDER},
            "company": {"4": CSCART_VENDOR},
        }
        self.failing = False
        self.asked = []
        self.while_asked = None  # something that happens while the storefront is answering

    def fetch(self, object_type, object_id):
        self.asked.append(f"{object_type}:{object_id}")
        if self.while_asked:
            self.while_asked()
        if self.failing:
            raise Unavailable("The storefront's API answered 500")
        return self.records[object_type].get(object_id)


class Later:
    """Background refreshes, kept to be run when the test says."""

    def __init__(self):
        self.jobs = {}

    def spawn(self, key, job):
        self.jobs.setdefault(key, job)

    def run(self):
        jobs, self.jobs = self.jobs, {}
        for job in jobs.values():
            try:
                job()
            except MessageCenterError:
                pass  # as the service's refresher: the kept record stays


@pytest.fixture
def store():
    return MemoryCatalogStore()


@pytest.fixture
def announced():
    return []


@pytest.fixture
def api():
    return StorefrontApi()


@pytest.fixture
def later():
    return Later()


def catalog_of(store, announced, api=None, later=None):
    storefront = Storefront(LINKS, api, FRESH_FOR, later, cscart.Lookups())
    return Catalog(store, storefront, lambda event, payload: announced.append((event, payload)))


@pytest.fixture
def pushed_only(store, announced):
    """A storefront that pushes and has no API to ask."""
    return catalog_of(store, announced)


@pytest.fixture
def pulling(store, announced, api, later):
    return catalog_of(store, announced, api, later)


def push(catalog, object_type, cscart_record):
    return catalog.push(object_type, load_record(object_type, cscart_record))


def age(store, object_type, object_id, by=timedelta(hours=1)):
    store.kept[object_type][object_id]["fetched_at"] -= by


# resolution ---------------------------------------------------------------------------------


def test_a_pushed_product_resolves_to_its_vendor_and_context(pushed_only):
    kept = push(pushed_only, "product", CSCART_PRODUCT)
    resolved = pushed_only.resolve("product", "12")
    assert (resolved["object"], resolved["company_id"], resolved["customer_id"]) == (
        {"type": "product", "id": "12"},
        "4",
        None,
    )
    assert resolved["context"]["url"] == "https://shop.test/index.php?dispatch=products.view&product_id=12"
    assert resolved["summary"]["title"] == "Blue kettle"
    assert (resolved["as_of"], resolved["stale"]) == (kept["fetched_at"], False)


def test_an_order_resolves_to_its_vendor_and_customer(pushed_only):
    push(pushed_only, "order", CSCART_ORDER)
    resolved = pushed_only.resolve("order", "95")
    assert (resolved["company_id"], resolved["customer_id"]) == ("4", "3")
    assert resolved["context"]["status"] == "processed" and resolved["summary"]["title"] == "Order #95"


def test_a_vendors_thread_is_with_the_vendor_itself(pushed_only):
    push(pushed_only, "company", CSCART_VENDOR)
    assert pushed_only.resolve("company", "4")["company_id"] == "4"


def test_a_thread_about_nothing_has_no_context(pushed_only):
    with pytest.raises(ValidationFailed):
        pushed_only.resolve("none", "0")


def test_without_an_api_what_was_not_pushed_is_not_found_and_pushed_records_never_go_stale(pushed_only, store):
    with pytest.raises(NotFound):
        pushed_only.resolve("product", "12")
    push(pushed_only, "product", CSCART_PRODUCT)
    age(store, "product", "12")
    assert pushed_only.resolve("product", "12")["stale"] is False


# what is announced --------------------------------------------------------------------------


def test_only_pushes_that_change_a_record_are_announced(pushed_only, announced):
    push(pushed_only, "product", CSCART_PRODUCT)
    push(pushed_only, "product", CSCART_PRODUCT)
    push(pushed_only, "product", {**CSCART_PRODUCT, "price": "25.00"})
    assert announced == [(CONTEXT_CHANGED, {"object": {"type": "product", "id": "12"}})] * 2


def test_deleting_a_vendor_or_a_customer_is_announced(pushed_only, announced, store):
    push(pushed_only, "company", CSCART_VENDOR)
    announced.clear()
    pushed_only.delete_vendor("4")
    pushed_only.delete_vendor("77")  # never kept: threads may still name it
    pushed_only.delete_customer("3")
    assert store.look_up("company", "4") is None
    assert announced == [
        (VENDOR_DELETED, {"company_id": "4"}),
        (VENDOR_DELETED, {"company_id": "77"}),
        (CUSTOMER_DELETED, {"customer_id": "3"}),
    ]


def test_vendors_by_status(pushed_only):
    push(pushed_only, "company", CSCART_VENDOR)
    push(pushed_only, "company", {"company_id": "5", "company": "Pending Pots", "email": "", "status": "P"})
    assert [vendor["id"] for vendor in pushed_only.vendors("A")] == ["4"]
    assert [vendor["id"] for vendor in pushed_only.vendors(None)] == ["4", "5"]


# pulling from the storefront ----------------------------------------------------------------


def test_an_unknown_object_is_pulled_once_and_kept(pulling, api, store, announced):
    assert pulling.resolve("product", "12")["context"]["price"] == 30.0
    assert pulling.resolve("product", "12")["stale"] is False
    assert api.asked == ["product:12"]
    assert store.look_up("product", "12")["source"] == PULLED
    assert announced == [(CONTEXT_CHANGED, {"object": {"type": "product", "id": "12"}})]


def test_what_the_storefront_lacks_is_not_found_and_not_asked_again_for_a_while(pulling, api, monkeypatch):
    for _ in range(3):
        with pytest.raises(NotFound):
            pulling.resolve("product", "404")
    assert api.asked == ["product:404"]
    # A minute later the storefront is asked again: it may have it by now.
    later = cscart.time.monotonic() + cscart.UNKNOWN_SECONDS + 1
    monkeypatch.setattr(cscart.time, "monotonic", lambda: later)
    with pytest.raises(NotFound):
        pulling.resolve("product", "404")
    assert api.asked == ["product:404"] * 2


def test_an_object_never_seen_while_the_storefront_fails_is_unavailable(pulling, api):
    api.failing = True
    with pytest.raises(Unavailable) as unavailable:
        pulling.resolve("order", "95")
    assert "has not been seen before" in unavailable.value.message


def test_a_record_the_storefront_sends_unreadable_is_unavailable(pulling, api):
    api.records["product"]["12"] = {**CSCART_PRODUCT, "company_id": None}
    with pytest.raises(Unavailable):
        pulling.resolve("product", "12")


def test_a_stale_record_is_answered_at_once_with_its_age_and_refreshed_in_the_background(
    pulling, api, store, later, announced
):
    push(pulling, "product", CSCART_PRODUCT)
    age(store, "product", "12")
    api.records["product"]["12"] = {**CSCART_PRODUCT, "price": "25.00"}
    announced.clear()

    first = pulling.resolve("product", "12")
    assert (first["stale"], first["context"]["price"], api.asked) == (True, 30.0, [])
    later.run()

    refreshed = pulling.resolve("product", "12")
    assert (refreshed["stale"], refreshed["context"]["price"]) == (False, 25.0)
    assert announced == [(CONTEXT_CHANGED, {"object": {"type": "product", "id": "12"}})]


def test_a_push_that_arrives_during_a_pull_wins(pulling, api, store):
    api.while_asked = lambda: push(pulling, "product", {**CSCART_PRODUCT, "price": "25.00"})
    # The storefront answered 30.00, but it was asked before the push of 25.00.
    assert pulling.resolve("product", "12")["context"]["price"] == 25.0
    assert store.look_up("product", "12")["source"] == PUSHED


def test_resolve_many_reads_once_per_type_and_pulls_the_unknown_in_the_background(pulling, api, store, later):
    push(pulling, "company", CSCART_VENDOR)
    store.reads = 0
    objects = [
        {"type": "product", "id": "12"},
        {"type": "order", "id": "95"},
        {"type": "company", "id": "4"},
        {"type": "product", "id": "13"},
        {"type": "none", "id": "0"},
    ]
    first = pulling.resolve_many(objects)
    assert store.reads == 3
    assert {key for key, found in first.items() if found} == {"company:4"}
    assert api.asked == []
    later.run()
    assert sorted(api.asked) == ["order:95", "product:12", "product:13"]
    again = pulling.resolve_many(objects)
    assert {key for key, found in again.items() if found} == {"company:4", "order:95", "product:12"}
