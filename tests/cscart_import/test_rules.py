"""The import's rules with plain calls: CS-Cart rows → import records (cscart_import/convert.py),
and the use case that folds them into threads (services/conversations/imports.py) on the
in-memory store. No broker, no database."""

from datetime import datetime, timedelta, timezone

from services.common.caller import Caller
from services.common.loading import load
from services.contracts import conversations as contract
from services.conversations import imports, reminders, reports
from services.conversations.limits import Limits
from services.conversations.messages import post_message
from services.conversations.outbox import Outbox
from tests.conversations.memory_store import MemoryThreads
from cscart_import import convert

T0 = 1_560_000_000
USERS = {
    10: {"firstname": "Ann", "lastname": "Smith", "email": "ann@people.test"},
    20: {"firstname": "Vera", "lastname": "", "email": "vera@acme.test"},
}


def thread_row(**changes):
    return {
        "thread_id": 1,
        "status": "N",
        "user_id": 10,
        "company_id": 3,
        "object_id": 101,
        "object_type": "P",
        "created_at": T0,
        "last_message_user_type": "C",
        "last_updated": T0,
        **changes,
    }


def message_row(message_id, user_type="C", at=T0, user_id=10, text="Hello?"):
    return {
        "message_id": message_id,
        "thread_id": 1,
        "user_id": user_id,
        "user_type": user_type,
        "timestamp": at,
        "message": text,
    }


def test_the_older_shape_is_a_customers_thread_and_other_objects_are_about_nothing():
    item, skipped = convert.import_thread(
        thread_row(object_type="F", object_id=7), [message_row(1)], USERS, {3: {}}, set()
    )
    assert skipped == [] and item["type"] == "vendor_to_customer"
    assert (item["object"], item["cscart_object_type"]) == ({"type": "none", "id": None}, "F")
    assert item["customer"] == {"id": "10", "name": "Ann Smith", "email": "ann@people.test"}


def test_what_no_longer_exists_is_marked_and_what_cannot_be_read_is_skipped():
    item, skipped = convert.import_thread(
        thread_row(user_id=66), [message_row(1), message_row(2, user_type="X")], USERS, {}, set()
    )
    assert item["missing"] == ["customer", "vendor", "object"]
    assert [m["cscart_message_id"] for m in item["messages"]] == [1]
    assert [(s.row_id, s.reason, s.error) for s in skipped] == [(2, "unknown author type 'X'", True)]
    assert convert.import_thread(thread_row(company_id=0), [], USERS, {}, set())[0] is None


class Catalog:
    def resolve_many(self, objects):
        return {
            "product:101": {
                "company_id": "3",
                "customer_id": None,
                "summary": {"title": "Blue Kettle"},
                "context": {"name": "Blue Kettle"},
            }
        }


def batch(*threads):
    return load(contract.ImportBatch(), {"threads": list(threads)})["threads"]


def item(status="N", messages=None, **row):
    converted, _ = convert.import_thread(
        thread_row(status=status, **row),
        messages
        or [
            message_row(1),
            message_row(2, "V", T0 + 3600, 20, "Yes."),
            message_row(3, "C", T0 + 7200, 10, "And <b>the</b> lid?"),
        ],
        USERS,
        {3: {}},
        {("product", "101")},
    )
    return converted


def test_history_is_folded_as_if_posted_here_and_nothing_is_published():
    store = MemoryThreads()
    summary = imports.import_threads(store, Catalog(), batch(item()))
    assert summary == {"threads_created": 1, "threads_updated": 0, "messages": 3, "messages_cut": 0}
    [thread] = store.threads.values()
    assert thread["subject"] == "Product: Blue Kettle" and thread["cscart"]["thread_id"] == 1
    assert thread["unread"] == {"customer": 0, "vendor": 1, "admin": 3}
    assert thread["awaiting_reply_from"] == "vendor"
    assert thread["awaiting_since"] == datetime.fromtimestamp(T0 + 7200, timezone.utc)
    assert thread["first_reply_at"] - thread["first_customer_message_at"] == timedelta(hours=1)
    assert thread["reminded_level"] == reminders.ESCALATION  # never reminded of history
    messages = sorted(store.messages.values(), key=lambda m: m["id"])
    assert [m["text"] for m in messages] == ["Hello?", "Yes.", "And the lid?"]
    assert all(m["pending_events"] == [] and "relay_after" not in m for m in messages)
    assert store.unpublished_messages(datetime.now(timezone.utc) + timedelta(days=1), 10) == []
    figures = reports.response_times(
        store,
        Caller("a", "admin"),
        {"date_from": datetime(2019, 1, 1, tzinfo=timezone.utc), "date_to": datetime(2020, 1, 1, tzinfo=timezone.utc)},
    )
    assert figures["vendors"][0]["median_first_reply_seconds"] == 3600


def test_viewed_is_read_by_every_side_and_deleted_stays_deleted():
    store = MemoryThreads()
    imports.import_threads(store, Catalog(), batch(item("V"), item("D", thread_id=2)))
    viewed, deleted = sorted(store.threads.values(), key=lambda t: t["cscart"]["thread_id"])
    assert set(viewed["unread"].values()) == {0} and viewed["status"] == "open"
    assert deleted["status"] == "deleted"


def test_a_thread_in_parts_and_a_run_again_end_the_same():
    whole, parts = MemoryThreads(), MemoryThreads()
    imports.import_threads(whole, Catalog(), batch(item()))
    first, second = item(), item()
    first["messages"], second["messages"] = first["messages"][:2], second["messages"][2:]
    imports.import_threads(parts, Catalog(), batch(first))
    assert imports.import_threads(parts, Catalog(), batch(second))["threads_updated"] == 1
    assert imports.import_threads(parts, Catalog(), batch(item())) == {
        "threads_created": 0,
        "threads_updated": 0,
        "messages": 0,
        "messages_cut": 0,
    }
    assert parts.threads == whole.threads and parts.messages == whole.messages


def test_a_reply_posted_here_afterwards_moves_the_imported_thread_on():
    store = MemoryThreads()
    imports.import_threads(store, Catalog(), batch(item()))
    [thread] = store.threads.values()
    vendor = Caller("20", "vendor", company_id="3", name="Vera")
    outbox = Outbox(store, lambda *args: None, [], lambda work: work())
    post_message(store, outbox, vendor, thread["id"], "The lid is glass.", None, Limits(100, 100, 100, 100))
    thread = store.get(thread["id"])
    assert thread["awaiting_reply_from"] is None and thread["unread"]["customer"] == 1
    assert thread["message_count"] == 4 and thread["reminded_level"] == 0


def test_contact_details_in_history_are_not_held_for_review():
    store = MemoryThreads()
    imports.import_threads(
        store,
        Catalog(),
        batch(item(messages=[message_row(1, text="Call me on +44 20 7946 0958 or write to ann@people.test")])),
    )
    [message] = store.messages.values()
    assert "moderation" not in message and "hidden_from" not in message
    assert message["text"] == "Call me on +44 20 7946 0958 or write to ann@people.test"
