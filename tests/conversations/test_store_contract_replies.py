"""The store contract's saved replies and away messages (services/conversations/ports.py), against
the in-memory fake and the MongoDB adapter (tests/conversations/stores.py)."""

from datetime import timedelta

from services.common.clock import new_id, now
from tests.conversations.stores import any_store  # noqa: F401 (a fixture)
from tests.conversations.test_store_contract import a_thread, ms


def a_reply(owner="vendor:10", title="Thanks", **fields):
    at = ms(now())
    return {
        "_id": new_id(),
        "owner": owner,
        "title": title,
        "body": "Hi {customer_name}",
        "placeholders": ["customer_name"],
        "use_count": 0,
        "last_used_at": None,
        "created_at": at,
        "updated_at": at,
        **fields,
    }


def test_saved_replies_are_kept_per_owner_within_a_bound(any_store):
    first, second = a_reply(title="b"), a_reply(title="a")
    assert any_store.insert_saved_reply(first, 2) and any_store.insert_saved_reply(second, 2)
    assert any_store.insert_saved_reply(a_reply(title="c"), 2) is False
    assert any_store.insert_saved_reply(a_reply(owner="admin"), 2) is True
    assert [r["_id"] for r in any_store.saved_replies("vendor:10")] == [second["_id"], first["_id"]]
    assert any_store.get_saved_reply(first["_id"], "vendor:10")["title"] == "b"
    assert any_store.get_saved_reply(first["_id"], "vendor:20") is None
    assert any_store.update_saved_reply(first["_id"], "vendor:20", {"title": "x"}) is None
    assert any_store.update_saved_reply(first["_id"], "vendor:10", {"title": "z"})["title"] == "z"
    assert any_store.delete_saved_reply(first["_id"], "vendor:20") is False
    assert any_store.delete_saved_reply(first["_id"], "vendor:10") is True
    assert any_store.get_saved_reply(first["_id"], "vendor:10") is None


def test_a_use_is_counted_once_per_message(any_store):
    reply = a_reply()
    any_store.insert_saved_reply(reply, 10)
    at = ms(now())
    assert any_store.count_reply_use(reply["_id"], "m1", at) is True
    assert any_store.count_reply_use(reply["_id"], "m1", at) is False
    assert any_store.count_reply_use(reply["_id"], "m2", at) is True
    kept = any_store.get_saved_reply(reply["_id"], "vendor:10")
    assert kept["use_count"] == 2 and kept["last_used_at"] == at


def test_one_away_message_per_vendor(any_store):
    at = ms(now())
    away = {
        "_id": "10",
        "company_id": "10",
        "body": "Away",
        "starts_at": at,
        "ends_at": at + timedelta(days=1),
        "period": "p1",
        "updated_at": at,
    }
    assert any_store.get_away_message("10") is None
    any_store.put_away_message(away)
    any_store.put_away_message({**away, "body": "Away till Monday", "period": "p2"})
    kept = any_store.get_away_message("10")
    assert kept["body"] == "Away till Monday" and kept["period"] == "p2" and kept["ends_at"] == at + timedelta(days=1)
    assert any_store.delete_away_message("10") is True and any_store.delete_away_message("10") is False
    assert any_store.get_away_message("10") is None


def test_a_thread_is_answered_once_per_away_period(any_store):
    thread = a_thread(1)
    any_store.insert_thread(thread)
    assert any_store.claim_away_reply(thread["id"], "p1", "m1") == "m1"
    assert any_store.claim_away_reply(thread["id"], "p1", "m2") == "m1"  # answered in this period already
    assert any_store.claim_away_reply(thread["id"], "p2", "m3") == "m3"  # a new period
    assert any_store.get(thread["id"])["away_reply"] == {"period": "p2", "message_id": "m3"}
    assert any_store.claim_away_reply("missing", "p1", "m1") is None
