"""The conversations' store contract (services/conversations/ports.py): every verb, against the
in-memory fake and the MongoDB adapter with each inbox reader (tests/conversations/stores.py).

The inbox pages exactly as one sorted query would, whatever the spread of the threads in time
(seconds, hours, years, none at all in a window), with filters and searches over the words of
the messages, and a thread that moves while a caller pages keeps its place."""

import random
import time
from datetime import timedelta

import pytest

from services.common.loading import load
from services.contracts import conversations as contract
from services.common.caller import Caller
from services.common.clock import new_id, now
from services.conversations import inbox, rules
from services.conversations.ports import InboxFilter
from tests.conversations.stores import any_store  # noqa: F401 (a fixture)

VENDOR = Caller(user_id="v1", role="vendor", company_id="10", name="Bob")
AGES = (
    [timedelta(seconds=s) for s in (0, 0, 0.4, 3, 3, 50, 700)]
    + [timedelta(hours=h) for h in (2, 9, 30, 30, 200)]
    + [timedelta(days=d) for d in (40, 400, 4000, 9000)]
)


def ms(moment):
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000)


def a_thread(number=0, at=None, **fields):
    at = at or ms(now())
    return {
        "id": new_id(),
        "type": "vendor_to_customer",
        "group": "vendor",
        "status": "open",
        "object": {"type": "product", "id": "5"},
        "company_id": "10",
        "customer_id": f"c{number}",
        "customer": {"id": f"c{number}", "name": f"Ann {number}", "email": f"ann{number}@buyers.test"},
        "subject": "Lamp",
        "created_at": at,
        "updated_at": at,
        "last_message_at": at,
        "unread": {"customer": 0, "vendor": 0, "admin": 0},
        "read_at": {},
        "message_count": 0,
        "awaiting_reply_from": None,
        "awaiting_since": None,
        **fields,
    }


def a_message(thread, at=None, words=("hello",), **fields):
    return {
        "id": new_id(),
        "thread_id": thread["id"],
        "created_at": at or thread["last_message_at"],
        "company_id": thread["company_id"],
        "customer_id": thread.get("customer_id"),
        "author": {"side": "customer", "user_id": "c1", "name": "Ann", "email": ""},
        "body": "Hello",
        "text": "Hello",
        "preview": "Hello",
        "words": list(words),
        **fields,
    }


# the inbox: paging ---------------------------------------------------------------------------


@pytest.fixture
def inbox_of_many(any_store):
    shuffle = random.Random(7)
    at = ms(now())
    threads, words = [], {}
    for number, age in enumerate(AGES * 3):
        thread = a_thread(
            number,
            at - age,
            company_id="10" if number % 3 else "11",
            status="deleted" if number % 7 == 0 else "open",
            # Some threads at the very same moment: the page's order then rests on _id.
            created_at=at - age - timedelta(minutes=number),
            unread={"vendor": number % 4, "customer": 0},
        )
        words[thread["id"]] = ["lamp", "brass"] if number % 2 else ["lamp", "walnut", f"code{number}"]
        threads.append(thread)
    shuffle.shuffle(threads)
    # Each thread's words spread over two messages: a search matches the thread's words together.
    messages = [
        a_message(t, t["last_message_at"] - timedelta(seconds=half), words[t["id"]][half::2])
        for t in threads
        for half in (0, 1)
    ]
    any_store.insert_threads(threads, messages)
    for thread in threads:
        thread["words"] = words[thread["id"]]
    return any_store, threads, at


def expected(threads, keep, field="last_message_at"):
    return [
        t["id"]
        for t in sorted(
            (t for t in threads if t["company_id"] == "10" and t["status"] != "deleted" and keep(t)),
            key=lambda t: (t[field], t["id"]),
            reverse=True,
        )
    ]


def pages(store, params, limit):
    query = load(contract.InboxQuery(), {**params, "limit": limit})
    wanted = inbox.inbox_filter(VENDOR, query)
    seen, cursor = [], None
    while True:
        items, cursor = store.inbox(wanted, query["sort"], query["order"], limit, cursor)
        seen += [item["id"] for item in items]
        if cursor is None:
            return seen


@pytest.mark.parametrize(
    "params, keep",
    [
        ({}, lambda t: True),
        ({"unread": "true"}, lambda t: t["unread"]["vendor"] > 0),
        ({"unread": "false"}, lambda t: t["unread"]["vendor"] == 0),
        ({"q": "brass"}, lambda t: "brass" in t["words"]),
        ({"q": "walnut code4"}, lambda t: "code4" in t["words"]),
        ({"q": "nowhere"}, lambda t: False),
    ],
    ids=["all", "unread", "read", "broad word", "rare word", "no match"],
)
@pytest.mark.parametrize("limit", [1, 3, 20])
def test_every_page_in_order_once(inbox_of_many, params, keep, limit):
    store, threads, _ = inbox_of_many
    assert pages(store, params, limit) == expected(threads, keep)


def test_a_window_of_time_and_the_created_order(inbox_of_many):
    store, threads, at = inbox_of_many
    since = at - timedelta(hours=30)  # two threads stand exactly at the bound
    assert pages(store, {"updated_from": since.isoformat()}, 2) == expected(
        threads, lambda t: t["last_message_at"] >= since
    )
    assert pages(store, {"sort": "created_at"}, 4) == expected(threads, lambda t: True, "created_at")
    assert pages(store, {"q": "lamp", "sort": "created_at"}, 4) == expected(threads, lambda t: True, "created_at")


def test_oldest_first_and_by_id(inbox_of_many):
    store, threads, _ = inbox_of_many
    assert pages(store, {"order": "asc"}, 3) == list(reversed(expected(threads, lambda t: True)))
    assert pages(store, {"sort": "id"}, 3) == expected(threads, lambda t: True, "id")


def test_a_thread_that_moves_while_paging_keeps_its_place(any_store):
    at = ms(now()) - timedelta(minutes=10)
    threads = [a_thread(n, at - timedelta(minutes=n)) for n in range(5)]
    any_store.insert_threads(threads, [a_message(t) for t in threads])
    wanted = InboxFilter(company_id="10")
    first, cursor = any_store.inbox(wanted, "last_message_at", "desc", 2, None)
    assert [t["id"] for t in first] == [t["id"] for t in threads[:2]]
    moving = threads[3]
    time.sleep(0.002)  # a message in the very millisecond of the first page counts as before it
    later = ms(now())
    message = a_message(moving, later)
    any_store.insert_message(message)
    any_store.add_message(moving, message, rules.after_message(moving, "customer", later))
    rest = []
    while cursor:
        page, cursor = any_store.inbox(wanted, "last_message_at", "desc", 2, cursor)
        rest += [t["id"] for t in page]
    assert rest == [t["id"] for t in threads[2:]]
    again, _ = any_store.inbox(wanted, "last_message_at", "desc", 1, None)
    assert again[0]["id"] == moving["id"]


def test_the_inbox_filters(any_store):
    at = ms(now())
    mine = [
        a_thread(1, at, awaiting_reply_from="vendor", customer={"id": "c1", "name": "Zoë Brass", "email": "z@x.test"}),
        a_thread(2, at - timedelta(days=2), object={"type": "order", "id": "7"}, group="order"),
        a_thread(
            3,
            at - timedelta(days=5),
            type="vendor_to_admin",
            group="admin",
            customer_id=None,
            customer=None,
            object={"type": "none", "id": None},
        ),
        a_thread(4, at - timedelta(days=1), status="closed"),
    ]
    others = [a_thread(5, at, company_id="11"), a_thread(6, at, status="deleted")]
    any_store.insert_threads(mine + others, [])

    def found(**narrowing):
        wanted = InboxFilter(company_id="10").narrowed(**narrowing)
        return {t["id"] for t in any_store.inbox(wanted, "last_message_at", "desc", 50, None)[0]}

    ids = [t["id"] for t in mine]
    assert found() == set(ids)
    assert found(statuses=("closed",)) == {ids[3]}
    assert found(statuses=("deleted",)) == {others[1]["id"]}
    assert found(types=("vendor_to_admin",)) == {ids[2]}
    assert found(groups=("vendor", "order")) == {ids[0], ids[1], ids[3]}
    assert found(object_type="order", object_id="7") == {ids[1]}
    assert found(customer_text="brass") == found(customer_text="Z@X") == {ids[0]}
    assert found(awaiting_reply_from="vendor") == {ids[0]}
    assert found(active_from=at - timedelta(days=2), active_to=at) == {ids[1], ids[3]}
    assert found(created_from=at - timedelta(days=3), created_to=at - timedelta(days=1)) == {ids[1]}
    assert found(customer_id="c2") == {ids[1]}
    assert found(nothing=True) == set()
    assert {t["id"] for t in any_store.inbox(InboxFilter(), "last_message_at", "desc", 50, None)[0]} == set(ids) | {
        others[0]["id"]
    }


def test_unread_counts_by_type(any_store):
    any_store.insert_threads(
        [
            a_thread(1, unread={"vendor": 2}),
            a_thread(2, unread={"vendor": 0}),
            a_thread(3, unread={"vendor": 1}, type="vendor_to_admin", group="admin"),
            a_thread(4, unread={"vendor": 1}, company_id="11"),
        ],
        [],
    )
    assert any_store.count_unread(InboxFilter(company_id="10"), "vendor") == {
        "vendor_to_customer": 1,
        "vendor_to_admin": 1,
    }


# threads ---------------------------------------------------------------------------------------


def test_one_open_thread_per_open_key(any_store):
    first, second = a_thread(1, open_key="k"), a_thread(1, open_key="k")
    assert any_store.insert_thread(first) is True
    assert any_store.insert_thread(second) is False
    assert any_store.find_open("k")["id"] == first["id"]
    assert any_store.find_open("nobody") is None
    assert any_store.get(first["id"])["subject"] == "Lamp" and any_store.get("missing") is None
    # A record as the port gives it: its id is `id`, whatever the adapter stores it as.
    assert set(any_store.get(first["id"])) == set(first) and "_id" not in any_store.find_open("k")
    assert [t["id"] for t in any_store.get_many([first["id"], "missing"])] == [first["id"]]


def test_a_message_moves_its_thread_on_unless_deleted(any_store):
    thread = a_thread(1)
    any_store.insert_thread(thread)
    at = ms(now())
    message = a_message(thread, at)
    moved = any_store.add_message(thread, message, rules.after_message(thread, "customer", at))
    assert moved["unread"] == {"customer": 0, "vendor": 1, "admin": 1} and moved["message_count"] == 1
    assert moved["awaiting_reply_from"] == "vendor" and moved["first_customer_message_at"] == at
    assert moved["last_message"]["id"] == message["id"] and moved["read_at"]["customer"] == at
    assert any_store.set_status(thread["id"], "deleted", None)["status"] == "deleted"
    assert any_store.add_message(thread, message, rules.after_message(thread, "vendor", at)) is None


def test_status_changes_and_the_open_key(any_store):
    thread = a_thread(1, open_key="k")
    any_store.insert_thread(thread)
    closed = any_store.set_status(thread["id"], "closed", "k")
    assert closed["status"] == "closed" and "open_key" not in closed
    newer = a_thread(1, open_key="k")
    assert any_store.insert_thread(newer)
    any_store.reopen(thread, "k")  # the newer thread keeps the key
    reopened = any_store.get(thread["id"])
    assert reopened["status"] == "open" and "open_key" not in reopened
    any_store.set_status(newer["id"], "closed", "k")
    assert any_store.set_status(thread["id"], "open", "k")["open_key"] == "k"
    any_store.set_status(thread["id"], "deleted", None)
    assert any_store.set_status(thread["id"], "open", "k") is None
    any_store.reopen(thread, "k")
    assert any_store.get(thread["id"])["status"] == "deleted"


def test_read_state(any_store):
    thread = a_thread(1, unread={"vendor": 3, "customer": 1})
    any_store.insert_thread(thread)
    at = ms(now())
    read = any_store.mark_read(thread["id"], "vendor", at)
    assert read["unread"] == {"vendor": 0, "customer": 1} and read["read_at"]["vendor"] == at


def test_a_removed_vendor_or_customer_takes_its_threads_along(any_store):
    threads = [
        a_thread(1, company_id="10", open_key="a"),
        a_thread(2, company_id="10", open_key="b"),
        a_thread(3, company_id="11", customer_id="c9", open_key="c"),
    ]
    any_store.insert_threads(threads, [])
    assert any_store.delete_vendor_threads("10") == 2
    assert any_store.delete_vendor_threads("10") == 0
    assert any_store.delete_customer_threads("c9") == 1
    assert all(
        any_store.get(t["id"])["status"] == "deleted" and "open_key" not in any_store.get(t["id"]) for t in threads
    )


def test_a_changed_object_shows_in_its_threads(any_store):
    about, other = a_thread(1), a_thread(2, object={"type": "product", "id": "6"})
    any_store.insert_threads([about, other], [])
    assert any_store.refresh_context({"type": "product", "id": "5"}, {"title": "Brass lamp"}) == 1
    assert any_store.get(about["id"])["context"] == {"title": "Brass lamp"}
    assert "context" not in any_store.get(other["id"])


# messages and the outbox ----------------------------------------------------------------------


def test_messages_page_back_oldest_first(any_store):
    thread = a_thread(1)
    stored = sorted((a_message(thread) for _ in range(5)), key=lambda m: m["id"])
    for message in stored:
        assert any_store.insert_message(message) is True
    assert any_store.insert_message(stored[0]) is False
    assert "_id" not in any_store.get_message(stored[0]["id"])
    page, before = any_store.messages_page(thread["id"], None, 2)
    assert [m["id"] for m in page] == [m["id"] for m in stored[3:]] and before == stored[3]["id"]
    page, before = any_store.messages_page(thread["id"], before, 2)
    assert [m["id"] for m in page] == [m["id"] for m in stored[1:3]]
    page, before = any_store.messages_page(thread["id"], before, 2)
    assert [m["id"] for m in page] == [stored[0]["id"]] and before is None
    any_store.remove_message(stored[0]["id"])
    assert any_store.get_message(stored[0]["id"]) is None
    assert any_store.get_message(stored[1]["id"])["thread_id"] == thread["id"]


def test_the_outbox_keeps_unpublished_events_until_marked(any_store):
    at = ms(now())
    thread = a_thread(1)
    due, later, done = (
        a_message(thread, pending_events=["message_posted"], relay_after=at - timedelta(seconds=s)) for s in (5, -60, 1)
    )
    for message in (due, later, done):
        any_store.insert_message(message)
    any_store.mark_published([done["id"]])
    assert [m["id"] for m in any_store.unpublished_messages(at, 10)] == [due["id"]]
    assert "pending_events" not in any_store.get_message(done["id"])
    any_store.relay_soon([later["id"], done["id"]], at)
    assert [m["id"] for m in any_store.unpublished_messages(at, 10)] == [due["id"], later["id"]]
    assert [m["id"] for m in any_store.unpublished_messages(at, 1)] == [due["id"]]
    assert "relay_after" not in any_store.get_message(done["id"])


# rate limits and idempotency keys -------------------------------------------------------------


def test_counting_toward_a_limit(any_store):
    until = ms(now()) + timedelta(minutes=1)
    assert [any_store.count_toward("k", 2, until) for _ in range(3)] == [True, True, False]
    assert any_store.limit_reached("k", 2) and not any_store.limit_reached("k", 3)
    assert not any_store.limit_reached("other", 1)


def test_an_idempotency_key_is_claimed_once(any_store):
    at = ms(now())
    assert any_store.claim_key("k", "f1", at, {"thread": "t"}) is None
    earlier = any_store.claim_key("k", "f2", at, {"thread": "u"})
    assert earlier["fingerprint"] == "f1" and earlier["state"] == "pending" and earlier["ids"] == {"thread": "t"}
    assert any_store.retake_key("k", at, at + timedelta(seconds=1)) is True
    assert any_store.retake_key("k", at, at + timedelta(seconds=2)) is False  # another retry took it
    any_store.release_key("k")
    released = any_store.claim_key("k", "f1", at, {})
    assert released["claimed_at"] < at - timedelta(days=365)
    any_store.complete_key("k", {"message_id": "m"})
    done = any_store.claim_key("k", "f1", at, {})
    assert done["state"] == "done" and done["result"] == {"message_id": "m"}
    any_store.release_key("k")
    assert any_store.claim_key("k", "f1", at, {})["state"] == "done"


# announcements, figures, settings -------------------------------------------------------------


def test_an_announcement_is_delivered_under_a_lease(any_store):
    at = ms(now())
    lease = timedelta(seconds=60)
    any_store.insert_broadcast(
        {
            "_id": "b1",
            "subject": "Fees",
            "created_at": at,
            "vendors": [{"company_id": "10"}],
            "message": {"text": "x"},
            "thread_count": 1,
            "status": "sending",
            "lease_until": at - timedelta(seconds=1),
        }
    )
    shown = any_store.get_broadcast("b1")
    assert shown["subject"] == "Fees" and "vendors" not in shown and "message" not in shown
    assert any_store.get_broadcast("nothing") is None
    assert [b["_id"] for b in any_store.stalled_broadcasts(at, lease)] == ["b1"]
    assert list(any_store.stalled_broadcasts(at, lease)) == []  # taken: its lease runs again
    any_store.hold_broadcast("b1", at - timedelta(seconds=1))
    assert [b["_id"] for b in any_store.stalled_broadcasts(at, lease)] == ["b1"]
    thread = a_thread(1, company_id="10", broadcast_id="b1", read_at={"vendor": at})
    message = a_message(thread)
    any_store.insert_threads([thread], [message])
    any_store.insert_threads([thread], [message])  # a delivery run again
    assert [(t["id"], t["company_id"], t["read_at"]) for t in any_store.broadcast_threads("b1")] == [
        (thread["id"], "10", {"vendor": at})
    ]
    any_store.broadcast_sent("b1", at)
    sent = any_store.get_broadcast("b1")
    assert sent["status"] == "sent" and sent["sent_at"] == at and "lease_until" not in sent
    assert list(any_store.stalled_broadcasts(at + timedelta(days=1), lease)) == []


def test_first_replies_for_the_figures(any_store):
    at = ms(now())
    asked = a_thread(1, first_customer_message_at=at - timedelta(hours=2), first_reply_at=at)
    waiting = a_thread(2, first_customer_message_at=at - timedelta(hours=1), company_id="11")
    outside = [
        a_thread(3, first_customer_message_at=at - timedelta(days=9)),
        a_thread(4, first_customer_message_at=at, status="deleted"),
        a_thread(5, first_customer_message_at=at, type="vendor_to_admin", group="admin"),
    ]
    any_store.insert_threads([asked, waiting, *outside], [])
    found = any_store.first_replies(at - timedelta(days=1), at + timedelta(seconds=1), None)
    assert sorted((t["company_id"], t.get("first_reply_at")) for t in found) == [("10", at), ("11", None)]
    assert [t["company_id"] for t in any_store.first_replies(at - timedelta(days=1), at, "11")] == ["11"]


def test_settings(any_store):
    assert any_store.get_settings() == {}
    assert any_store.put_settings({"show_on_order": False})["show_on_order"] is False
    any_store.put_settings({"show_on_product": False})
    stored = any_store.get_settings()
    assert stored["show_on_order"] is False and stored["show_on_product"] is False


# attachments -------------------------------------------------------------------------------

ANN = {"role": "customer", "user_id": "c1"}


def test_a_message_takes_its_authors_uploads_once_and_describes_them(any_store):
    from tests.conversations.stores import seed_upload

    thread = a_thread(1)
    any_store.insert_thread(thread)
    first, second = (
        seed_upload(any_store, ANN, "lamp.jpg"),
        seed_upload(any_store, ANN, "bill.pdf", "application/pdf", thumbnail=False),
    )
    message = a_message(thread)
    taken = any_store.attach_uploads([second, first], ANN, message)
    assert [(f["id"], f["name"], f["content_type"], f["thumbnail"]) for f in taken] == [
        (second, "bill.pdf", "application/pdf", False),
        (first, "lamp.jpg", "image/jpeg", True),
    ]
    assert taken[1]["size"] == len(b"\xff\xd8\xff pixels")
    # the same message again (a retried request) gets them again; another message does not
    assert len(any_store.attach_uploads([first], ANN, message)) == 1
    assert any_store.attach_uploads([first], ANN, a_message(thread)) == []
    found = any_store.get_attachment(first)
    assert found["thread_id"] == thread["id"] and found["thumbnail_id"] and found["name"] == "lamp.jpg"


def test_an_upload_is_not_taken_by_someone_else_nor_once_expired(any_store):
    from tests.conversations.stores import seed_upload

    thread = a_thread(1)
    mine = seed_upload(any_store, ANN)
    stale = seed_upload(any_store, ANN, expires_at=now() - timedelta(seconds=1))
    message = a_message(thread)
    assert any_store.attach_uploads([mine], {"role": "customer", "user_id": "c2"}, message) == []
    assert any_store.attach_uploads([mine], {"role": "vendor", "user_id": "c1"}, message) == []
    assert any_store.attach_uploads([stale], ANN, message) == []
    assert any_store.get_attachment(mine) is None  # an upload no message took is no attachment


def test_the_bytes_a_person_holds_are_their_unused_unexpired_uploads(any_store):
    from tests.conversations.stores import seed_upload

    thread = a_thread(1)
    at = now()
    assert any_store.held_upload_bytes(ANN, at) == 0
    used = seed_upload(any_store, ANN, data=b"u" * 300)
    seed_upload(any_store, ANN, data=b"h" * 1000)
    seed_upload(any_store, ANN, data=b"h" * 20, thumbnail=False)
    seed_upload(any_store, ANN, data=b"s" * 5000, expires_at=at - timedelta(seconds=1))
    seed_upload(any_store, {"role": "customer", "user_id": "c2"}, data=b"o" * 7000)
    seed_upload(any_store, {"role": "vendor", "user_id": "c1"}, data=b"v" * 9000)
    assert any_store.held_upload_bytes(ANN, at) == 1320
    any_store.attach_uploads([used], ANN, a_message(thread))
    assert any_store.held_upload_bytes(ANN, at) == 1020


def test_released_uploads_are_free_again(any_store):
    from tests.conversations.stores import seed_upload

    thread = a_thread(1)
    upload = seed_upload(any_store, ANN)
    message = a_message(thread)
    assert any_store.attach_uploads([upload], ANN, message)
    any_store.release_uploads(message["id"], now() + timedelta(hours=1))
    assert any_store.get_attachment(upload) is None
    assert any_store.attach_uploads([upload], ANN, a_message(thread))


def test_expired_files_are_deleted_with_their_thumbnails_and_only_those(any_store):
    from tests.conversations.stores import seed_upload, stored_file_ids

    thread, other = a_thread(1), a_thread(2)
    kept = seed_upload(any_store, ANN)
    unused = seed_upload(any_store, ANN, expires_at=now() - timedelta(seconds=1), thumbnail=False)
    used = seed_upload(any_store, ANN)
    elsewhere = seed_upload(any_store, ANN)
    any_store.attach_uploads([used], ANN, a_message(thread))
    any_store.attach_uploads([elsewhere], ANN, a_message(other))
    thumbnail = any_store.get_attachment(used)["thumbnail_id"]
    at = now()
    assert any_store.expire_attachments(at + timedelta(days=30), thread_id=thread["id"]) == 1
    assert any_store.expire_attachments(at, company_id="nobody") == 0
    assert any_store.delete_expired_attachments(at, 100) == 1  # only the unused upload is due now
    assert unused not in stored_file_ids(any_store) and used in stored_file_ids(any_store)
    # a month on: the deleted thread's file and the upload no message took (a day) are gone
    assert any_store.delete_expired_attachments(at + timedelta(days=31), 100) == 2
    left = stored_file_ids(any_store)
    assert used not in left and thumbnail not in left and kept not in left
    assert elsewhere in left
    # a vendor's or customer's files, by the owners the message named
    assert any_store.expire_attachments(at, customer_id=other["customer_id"]) == 1
    assert any_store.delete_expired_attachments(at, 100) == 1 and elsewhere not in stored_file_ids(any_store)
