"""The store contract's privacy verbs (services/conversations/ports.py), against the in-memory
fake and the MongoDB adapter (tests/conversations/stores.py)."""

from datetime import timedelta

from services.common.clock import new_id, now
from tests.conversations.stores import any_store, seed_upload  # noqa: F401 (a fixture)
from tests.conversations.test_store_contract import a_message, a_thread, ms


def test_a_customers_threads_and_a_threads_messages_are_read_in_slices(any_store):
    mine = [a_thread(1) for _ in range(3)]
    for thread in [*mine, a_thread(2)]:
        any_store.insert_thread(thread)
    first = any_store.customer_threads("c1", None, 2)
    rest = any_store.customer_threads("c1", first[-1]["id"], 2)
    assert [t["id"] for t in first + rest] == sorted(t["id"] for t in mine)
    messages = [a_message(mine[0]) for _ in range(3)]
    for message in messages:
        any_store.insert_message(message)
    assert [m["id"] for m in any_store.thread_messages(mine[0]["id"], messages[0]["id"], 5)] == [
        m["id"] for m in messages[1:]
    ]


def test_rewritten_records_read_back_as_written_and_search_forgets_removed_words(any_store):
    thread = a_thread(1)
    any_store.insert_thread(thread)
    message = a_message(thread, words=("brass",))
    any_store.insert_message(message)
    any_store.rewrite_messages([{**message, "text": "gone", "body": "gone", "words": []}])
    assert any_store.get_message(message["id"])["text"] == "gone"
    from services.conversations.ports import InboxFilter

    found, _ = any_store.inbox(InboxFilter(words=("brass",)), "last_message_at", "desc", 10, None)
    assert found == []
    any_store.rewrite_thread({**thread, "customer": {"id": "c1", "name": "Former customer", "email": ""}})
    assert any_store.get(thread["id"])["customer"]["name"] == "Former customer"


def test_a_persons_files_all_expire_and_the_sweep_removes_them(any_store):
    mine = seed_upload(any_store, {"role": "customer", "user_id": "c1"})
    theirs = seed_upload(any_store, {"role": "vendor", "user_id": "v1"})
    at = ms(now())
    assert any_store.expire_person_files("customer", "c1", at) == 1
    assert any_store.delete_expired_attachments(at, 10) == 1
    assert any_store.held_upload_bytes({"role": "customer", "user_id": "c1"}, at - timedelta(days=1)) == 0
    assert any_store.held_upload_bytes({"role": "vendor", "user_id": "v1"}, at) > 0
    assert mine != theirs


def test_a_persons_keys_and_counters_are_forgotten_with_those_of_their_threads(any_store):
    at = ms(now())
    any_store.claim_key("customer||c1|k1", "f", at, {"thread": "t9", "message": "m"})
    any_store.claim_key("vendor|10|v1|k2", "f", at, {"thread": "t1", "message": "m"})
    any_store.claim_key("vendor|10|v1|k3", "f", at, {"thread": "t2", "message": "m"})
    any_store.count_toward(f"posts|customer||c1|{int(at.timestamp())}", 5, at + timedelta(minutes=1))
    any_store.count_toward(f"posts|customer||c11|{int(at.timestamp())}", 5, at + timedelta(minutes=1))
    assert any_store.forget_person_keys("customer||c1", ["t1"]) == 3
    assert any_store.claim_key("vendor|10|v1|k3", "f", at, {}) is not None  # kept
    assert any_store.claim_key("customer||c1|k1", "f", at, {}) is None  # forgotten: claimed anew


def test_one_erasure_runs_per_subject_and_keeps_nobody_once_done(any_store):
    at = ms(now())
    erasure = {
        "id": new_id(),
        "subject": "h",
        "running_subject": "h",
        "customer_id": "c1",
        "status": "running",
        "step": "identify",
        "asked_at": at,
        "counts": {},
        "lease_until": at,
    }
    assert any_store.start_erasure(erasure)["id"] == erasure["id"]
    assert any_store.start_erasure({**erasure, "id": new_id()})["id"] == erasure["id"]
    taken = list(any_store.stalled_erasures(at, timedelta(seconds=60)))
    assert [e["id"] for e in taken] == [erasure["id"]]
    assert list(any_store.stalled_erasures(at, timedelta(seconds=60))) == []  # held by its lease
    any_store.erasure_progress(erasure["id"], {"step": "threads", "thread_after": "t1"}, at + timedelta(seconds=60))
    assert any_store.get_erasure(erasure["id"])["step"] == "threads"
    any_store.finish_erasure(erasure["id"], {"threads": 2}, at)
    done = any_store.get_erasure(erasure["id"])
    assert done["status"] == "done" and done["counts"] == {"threads": 2}
    assert not {"customer_id", "running_subject", "step", "thread_after"} & set(done)
    fresh = {**erasure, "id": new_id()}
    assert any_store.start_erasure(fresh)["id"] == fresh["id"]  # a new one once the first is done


def test_retired_threads_are_removed_whole(any_store):
    old = ms(now() - timedelta(days=40))
    closed = a_thread(1, at=old, status="closed")
    deleted = a_thread(2, at=old, status="deleted")
    still_open = a_thread(3, at=old)
    recent = a_thread(4, status="closed")
    for thread in (closed, deleted, still_open, recent):
        any_store.insert_thread(thread)
    any_store.insert_message(a_message(closed))
    retired = any_store.retired_threads(ms(now() - timedelta(days=30)), 10)
    assert {t["id"] for t in retired} == {closed["id"], deleted["id"]}
    removed = any_store.remove_threads([closed["id"], deleted["id"]])
    assert removed["threads"] == 2 and removed["messages"] == 1
    assert any_store.get(closed["id"]) is None and any_store.thread_messages(closed["id"], None, 5) == []


def test_a_turn_is_one_callers_until_it_ends(any_store):
    at = ms(now())
    assert any_store.take_turn("retention", at, at + timedelta(seconds=50)) is True
    assert any_store.take_turn("retention", at + timedelta(seconds=10), at + timedelta(seconds=60)) is False
    assert any_store.take_turn("retention", at + timedelta(seconds=50), at + timedelta(seconds=100)) is True
