"""The `CatalogRecords` contract: the MongoDB adapter (on the MongoDB-wire server) and the
in-memory fake keep the same copy of a record, and answer the same."""

from datetime import timedelta

import pytest

from services.catalog_context.store import CatalogStore
from services.common.clock import now

from .memory_store import MemoryCatalogStore
from .queries import QUERIES

KETTLE = {
    "id": "12",
    "name": "Blue kettle",
    "code": "KT-12",
    "price": 30.0,
    "company_id": "4",
    "status": "A",
    "image_url": None,
}


@pytest.fixture(params=["mongo", "memory"])
def store(request):
    if request.param == "memory":
        return MemoryCatalogStore()
    mongo_db = request.getfixturevalue("mongo_db")
    CatalogStore.create_indexes(mongo_db)
    return CatalogStore(mongo_db)


def test_a_saved_record_comes_back_with_where_and_when(store):
    at = now()
    kept, changed = store.save("product", KETTLE, "pushed", at)
    assert changed
    assert store.look_up("product", "12") == kept == {**KETTLE, "source": "pushed", "fetched_at": at, "updated_at": at}


def test_saving_the_same_content_again_only_refreshes_it(store):
    first = now()
    store.save("product", KETTLE, "pushed", first)
    later = first + timedelta(seconds=30)
    kept, changed = store.save("product", KETTLE, "pulled", later)
    assert not changed
    assert (kept["source"], kept["fetched_at"], kept["updated_at"]) == ("pulled", later, first)


def test_a_pull_does_not_undo_a_push_of_the_same_age(store):
    at = now()
    store.save("product", KETTLE, "pushed", at)
    kept, changed = store.save("product", {**KETTLE, "price": 99.0}, "pulled", at)
    assert not changed
    assert store.look_up("product", "12")["price"] == 30.0 == kept["price"]


def test_a_push_replaces_a_pull_of_the_same_age(store):
    at = now()
    store.save("product", KETTLE, "pulled", at)
    store.save("product", {**KETTLE, "price": 25.0}, "pushed", at)
    assert store.look_up("product", "12")["price"] == 25.0


def test_an_answer_asked_for_before_the_last_push_is_ignored(store):
    pushed_at = now()
    store.save("product", {**KETTLE, "price": 25.0}, "pushed", pushed_at)
    store.save("product", KETTLE, "pulled", pushed_at - timedelta(seconds=1))
    assert store.look_up("product", "12")["price"] == 25.0


def test_a_newer_pull_replaces_an_older_push(store):
    pushed_at = now()
    store.save("product", KETTLE, "pushed", pushed_at)
    store.save("product", {**KETTLE, "price": 25.0}, "pulled", pushed_at + timedelta(minutes=10))
    assert store.look_up("product", "12")["price"] == 25.0


def test_look_up_many_answers_the_kept_ones_by_id(store):
    at = now()
    for number in range(20):
        store.save("product", {**KETTLE, "id": str(number)}, "pushed", at)
    found = store.look_up_many("product", [str(number) for number in range(0, 40, 2)])
    assert sorted(found, key=int) == [str(number) for number in range(0, 20, 2)]
    assert found["4"] == store.look_up("product", "4")


def test_look_up_many_is_one_query_in_mongodb(mongo_db):
    CatalogStore.create_indexes(mongo_db)
    store = CatalogStore(mongo_db)
    at = now()
    for number in range(20):
        store.save("product", {**KETTLE, "id": str(number)}, "pushed", at)
    with QUERIES.counting(mongo_db.name) as counted:
        store.look_up_many("product", [str(number) for number in range(0, 40, 2)])
    assert counted.commands("find") == 1


def test_vendors_by_status(store):
    at = now()
    for company_id, status in (("1", "A"), ("2", "P"), ("3", "A"), ("4", "D")):
        store.save(
            "company", {"id": company_id, "name": f"Vendor {company_id}", "email": "", "status": status}, "pushed", at
        )
    assert [vendor["id"] for vendor in store.vendors("A")] == ["1", "3"]
    assert len(store.vendors(None)) == 4


def test_remove(store):
    store.save("product", KETTLE, "pushed", now())
    assert store.remove("product", "12")
    assert store.look_up("product", "12") is None
    assert not store.remove("product", "12")


def _vendors(store, *names_and_statuses):
    for number, (name, status) in enumerate(names_and_statuses, start=1):
        store.save(
            "company",
            {"id": str(number), "name": name, "email": f"v{number}@example.test", "status": status},
            "pushed",
            now(),
        )


def test_search_vendors_by_part_of_the_name_in_any_case(store):
    _vendors(store, ("Lumen Lamps", "A"), ("Kettles & Co", "A"), ("lumber yard", "P"), ("Plumes", "A"))
    found, total = store.search_vendors("LUM", None, None, 10)
    assert [vendor["name"] for vendor in found] == ["Lumen Lamps", "Plumes", "lumber yard"] and total == 3
    found, total = store.search_vendors("lum", "A", None, 10)
    assert [vendor["id"] for vendor in found] == ["1", "4"] and total == 2
    assert store.search_vendors("", None, None, 10)[1] == 4


def test_what_is_typed_is_text_not_a_pattern(store):
    _vendors(store, ("A.B (Lighting)", "A"), ("AxB Lighting", "A"), ("Star*s", "A"), ("Starrrs", "A"))
    assert [vendor["name"] for vendor in store.search_vendors("a.b (", None, None, 10)[0]] == ["A.B (Lighting)"]
    assert [vendor["name"] for vendor in store.search_vendors("r*", None, None, 10)[0]] == ["Star*s"]
    assert store.search_vendors(".*", None, None, 10) == ([], 0)
    assert store.search_vendors("^A", None, None, 10) == ([], 0)


def test_search_vendors_pages_by_name_then_id(store):
    _vendors(store, ("Same", "A"), ("Same", "A"), ("Alpha", "A"), ("Zulu", "A"))
    first, total = store.search_vendors("", None, None, 2)
    assert [(vendor["name"], vendor["id"]) for vendor in first] == [("Alpha", "3"), ("Same", "1")] and total == 4
    rest, total = store.search_vendors("", None, ("Same", "1"), 2)
    assert [(vendor["name"], vendor["id"]) for vendor in rest] == [("Same", "2"), ("Zulu", "4")] and total == 4
