"""The inbox read in windows of time (ThreadStore._newest) pages exactly as one sorted query would,
whatever the spread of the threads in time: seconds, hours, years, and none at all in a window;
and a search (ThreadStore._search, over the words of the messages) pages the same way."""
import random
from datetime import timedelta

import pytest

from services.common.caller import Caller
from services.common.clock import new_id, now
from services.conversations import actions, schemas
from services.conversations import store as store_module
from services.conversations.store import ThreadStore

VENDOR = Caller(user_id="v1", role="vendor", company_id="10", name="Bob")
AGES = [timedelta(seconds=s) for s in (0, 0, 0.4, 3, 3, 50, 700)] + \
       [timedelta(hours=h) for h in (2, 9, 30, 30, 200)] + [timedelta(days=d) for d in (40, 400, 4000, 9000)]


@pytest.fixture
def store(mongo_db):
    ThreadStore.create_indexes(mongo_db)
    shuffle = random.Random(7)
    at = now()
    threads = []
    for number, age in enumerate(AGES * 3):
        company = "10" if number % 3 else "11"
        threads.append({
            "_id": new_id(), "company_id": company, "customer_id": f"c{number}", "type": "vendor_to_customer",
            "group": "vendor", "status": "deleted" if number % 7 == 0 else "open",
            # Some threads at the very same moment: the page's order then rests on _id.
            "last_message_at": at - age, "created_at": at - age - timedelta(minutes=number),
            "words": ["lamp", "brass"] if number % 2 else ["lamp", "walnut", f"code{number}"],
            "unread": {"vendor": number % 4, "customer": 0},
        })
    shuffle.shuffle(threads)
    mongo_db.threads.insert_many(threads)
    # Each thread's words spread over two messages: a search matches the thread's words together.
    mongo_db.messages.insert_many([
        {"_id": new_id(), "thread_id": t["_id"], "company_id": t["company_id"], "customer_id": t["customer_id"],
         "created_at": t["last_message_at"] - timedelta(seconds=half), "words": t["words"][half::2]}
        for t in threads for half in (0, 1)])
    return ThreadStore(mongo_db), threads, at


def expected(threads, keep, field):
    return [t["_id"] for t in sorted((t for t in threads if t["company_id"] == "10" and t["status"] != "deleted"
                                       and keep(t)), key=lambda t: (t[field], t["_id"]), reverse=True)]


def pages(store, params, limit):
    query = schemas.load(schemas.InboxQuery(), {**params, "limit": limit})
    criteria = actions.inbox_criteria(VENDOR, query)
    seen, cursor = [], None
    while True:
        items, cursor = store.inbox(criteria, query["sort"], query["order"], limit, cursor)
        seen += [item["_id"] for item in items]
        if cursor is None:
            return seen


@pytest.mark.parametrize("params, keep", [
    ({}, lambda t: True),
    ({"unread": "true"}, lambda t: t["unread"]["vendor"] > 0),
    ({"q": "brass"}, lambda t: "brass" in t["words"]),
    ({"q": "walnut code4"}, lambda t: "code4" in t["words"]),
    ({"q": "nowhere"}, lambda t: False),
], ids=["all", "unread", "broad word", "rare word", "no match"])
@pytest.mark.parametrize("limit", [1, 3, 20])
def test_every_page_in_order_once(store, params, keep, limit):
    store, threads, _ = store
    assert pages(store, params, limit) == expected(threads, keep, "last_message_at")


def test_a_window_of_time_and_the_created_order(store):
    store, threads, at = store
    since = at - timedelta(hours=30)  # two threads stand exactly at the bound
    assert pages(store, {"updated_from": since.isoformat()}, 2) == \
        expected(threads, lambda t: t["last_message_at"] >= since, "last_message_at")
    assert pages(store, {"sort": "created_at"}, 4) == expected(threads, lambda t: True, "created_at")


@pytest.mark.parametrize("q, keep", [("brass", lambda t: "brass" in t["words"]),
                                     ("walnut code4", lambda t: "code4" in t["words"])])
def test_a_search_looked_up_by_word_pages_the_same(store, monkeypatch, q, keep):
    """As when a word is rare among the threads the windows read (store.SEARCH_BUDGET)."""
    monkeypatch.setattr(store_module, "SEARCH_BUDGET", 0)
    store, threads, _ = store
    assert pages(store, {"q": q}, 2) == expected(threads, keep, "last_message_at")


def test_a_search_sorted_by_creation_pages_the_same(store):
    store, threads, _ = store
    assert pages(store, {"q": "lamp", "sort": "created_at"}, 4) == \
        expected(threads, lambda t: True, "created_at")


def test_a_search_answers_from_its_newest_threads(store, monkeypatch):
    """A word looked up by itself in more threads than it reads (store.SEARCH_THREADS) finds the newest."""
    monkeypatch.setattr(store_module, "SEARCH_BUDGET", 0)
    monkeypatch.setattr(store_module, "SEARCH_THREADS", 5)
    store, threads, _ = store
    found = pages(store, {"q": "lamp"}, 2)
    every = expected(threads, lambda t: True, "last_message_at")
    assert 0 < len(found) < len(every) and found == [thread_id for thread_id in every if thread_id in found]
    at = {t["_id"]: t["last_message_at"] for t in threads}
    assert min(at[thread_id] for thread_id in found) >= max(at[thread_id] for thread_id in every if thread_id not in found)
