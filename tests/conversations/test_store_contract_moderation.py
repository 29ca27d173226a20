"""The store contract's moderation (services/conversations/ports.py, moderation.py): what a
side does not see, the reviews, their decisions, and a held message's release; against the
in-memory fake and the MongoDB adapter with each inbox reader (tests/conversations/stores.py)."""

from datetime import timedelta

from services.common.clock import new_id, now
from services.conversations.ports import InboxFilter
from tests.conversations.stores import any_store, seed_upload  # noqa: F401 (a fixture)
from tests.conversations.test_store_contract import a_message, a_thread, ms


def a_review(message, state="held", **fields):
    return {
        "_id": message["id"],
        "thread_id": message["thread_id"],
        "state": state,
        "direction": "customer_to_vendor",
        "text": "call 0171 2345678",
        "found": [{"start": 5, "end": 17, "kind": "phone"}],
        "author": {"side": "customer", "user_id": "c1", "name": "Ann"},
        "created_at": message["created_at"],
        **fields,
    }


def held(thread, **fields):
    return a_message(
        thread, words=(), moderation={"state": "held"}, hidden_from=["vendor"], pending_events=[], **fields
    )


def ids(items):
    # A thread or a message is a record (`id`); a review stays a document, keyed by its message's id.
    return [item["id"] if "id" in item else item["_id"] for item in items]


def test_what_is_hidden_from_a_side_is_not_in_its_pages_nor_its_inbox(any_store):
    shown, hidden = a_thread(1), a_thread(2, hidden_from=["vendor"], review={"state": "held"})
    any_store.insert_threads([shown, hidden], [])
    first = a_message(shown)
    withheld = held(shown)
    for message in (first, withheld):
        any_store.insert_message(message)
    assert ids(any_store.messages_page(shown["id"], None, 10, "vendor")[0]) == [first["id"]]
    assert ids(any_store.messages_page(shown["id"], None, 10, "customer")[0]) == [first["id"], withheld["id"]]
    assert ids(any_store.messages_page(shown["id"], None, 10)[0]) == [first["id"], withheld["id"]]
    assert ids(
        any_store.inbox(InboxFilter(company_id="10", reader_side="vendor"), "last_message_at", "desc", 10, None)[0]
    ) == [shown["id"]]
    assert set(
        ids(
            any_store.inbox(InboxFilter(company_id="10", reader_side="customer"), "last_message_at", "desc", 10, None)[
                0
            ]
        )
    ) == {shown["id"], hidden["id"]}
    hidden_unread = a_thread(3, hidden_from=["vendor"], unread={"vendor": 1})
    any_store.insert_threads([hidden_unread], [])
    assert any_store.count_unread(InboxFilter(company_id="10", reader_side="vendor"), "vendor") == {}


def test_reviews_are_kept_once_listed_by_state_and_counted(any_store):
    thread = a_thread(1)
    messages = sorted((a_message(thread) for _ in range(4)), key=lambda m: m["id"])
    for number, message in enumerate(messages):
        assert any_store.insert_review(a_review(message, "masked" if number == 3 else "held"))
    assert any_store.insert_review(a_review(messages[0])) is False
    assert any_store.get_review(messages[0]["id"])["found"][0]["kind"] == "phone"
    assert any_store.get_review("nothing") is None
    assert any_store.count_reviews("held") == 3 and any_store.count_reviews("masked") == 1
    assert ids(any_store.reviews("held", False, None, 2)) == ids(messages[:2])
    assert ids(any_store.reviews("held", False, messages[1]["id"], 2)) == ids(messages[2:3])
    assert ids(any_store.reviews("held", True, None, 10)) == ids(reversed(messages[:3]))
    assert ids(any_store.reviews("held", True, messages[1]["id"], 10)) == ids(messages[:1])
    assert ids(any_store.reviews("masked", True, None, 10)) == ids(messages[3:])


def test_a_review_is_decided_once_and_the_decisions_are_listed_newest_first(any_store):
    thread = a_thread(1)
    messages = sorted((a_message(thread) for _ in range(3)), key=lambda m: m["id"])
    for message in messages:
        any_store.insert_review(a_review(message))
    at = ms(now())
    moments = [at, at + timedelta(seconds=1), at + timedelta(seconds=1)]
    for message, moment in zip(messages, moments):
        decision = {"decision": "approve", "reason": None, "by": {"user_id": "a1", "name": "Rita"}, "at": moment}
        decided = any_store.decide_review(message["id"], "approved", decision)
        assert decided["state"] == "approved" and decided["decision"]["by"]["name"] == "Rita"
    assert any_store.decide_review(messages[0]["id"], "rejected", {"decision": "reject", "at": at}) is None
    assert any_store.decide_review("nothing", "approved", {"decision": "approve", "at": at}) is None
    assert any_store.get_review(messages[0]["id"])["state"] == "approved"
    newest_first = [messages[2], messages[1], messages[0]]
    assert ids(any_store.decisions(None, 10)) == ids(newest_first)
    page = any_store.decisions(None, 1)
    assert ids(any_store.decisions((page[-1]["decided_at"], page[-1]["_id"]), 10)) == ids(newest_first[1:])
    assert any_store.count_reviews("held") == 0


def test_a_held_message_is_released_once_with_its_words_and_events(any_store):
    thread = a_thread(1)
    any_store.insert_threads([thread], [])
    message = held(thread)
    any_store.insert_message(message)
    wanted = InboxFilter(company_id="10", reader_side="vendor", words=("brass",))
    assert any_store.inbox(wanted, "last_message_at", "desc", 10, None)[0] == []
    at = ms(now())
    released = any_store.release_message(message["id"], ["brass"], ["message_posted"], at)
    assert released["moderation"]["state"] == "approved" and "hidden_from" not in released
    assert released["pending_events"] == ["message_posted"]
    assert any_store.release_message(message["id"], ["brass"], ["message_posted"], at) is None
    assert ids(any_store.unpublished_messages(at, 10)) == [message["id"]]
    assert ids(any_store.messages_page(thread["id"], None, 10, "vendor")[0]) == [message["id"]]
    assert ids(any_store.inbox(wanted, "last_message_at", "desc", 10, None)[0]) == [thread["id"]]


def test_a_rejected_message_stays_hidden_with_its_reason(any_store):
    thread = a_thread(1)
    message = held(thread)
    any_store.insert_message(message)
    rejected = any_store.reject_message(message["id"], "No numbers.")
    assert rejected["moderation"] == {"state": "rejected", "reason": "No numbers."}
    assert any_store.reject_message(message["id"], "Again.") is None
    assert any_store.release_message(message["id"], [], ["message_posted"], ms(now())) is None
    assert any_store.messages_page(thread["id"], None, 10, "vendor")[0] == []


def test_a_thread_under_review_is_revealed_with_its_open_key_unless_taken_or_rejected(any_store):
    key = "vendor_to_customer|10|c1|product|5"
    waiting, taken = a_thread(1, hidden_from=["vendor"], review={"state": "held"}), a_thread(2, hidden_from=["vendor"])
    holder = a_thread(3, open_key=key + "x")
    rejected = a_thread(4, hidden_from=["vendor"], review={"state": "held"})
    any_store.insert_threads([waiting, taken, holder, rejected], [])
    revealed = any_store.reveal_thread(waiting["id"], key)
    assert revealed["open_key"] == key and "hidden_from" not in revealed and "review" not in revealed
    assert any_store.find_open(key)["id"] == waiting["id"]
    second = any_store.reveal_thread(taken["id"], key + "x")
    assert "hidden_from" not in second and second.get("open_key") is None
    assert any_store.reveal_thread("nothing", key) is None
    any_store.reject_thread(rejected["id"], "No numbers.")
    stored = any_store.get(rejected["id"])
    assert stored["review"] == {"state": "rejected", "reason": "No numbers."} and stored["hidden_from"] == ["vendor"]


def test_an_attachment_names_its_message(any_store):
    thread = a_thread(1)
    upload = seed_upload(any_store, {"role": "customer", "user_id": "c1"})
    message = a_message(thread, _id=new_id())
    any_store.attach_uploads([upload], {"role": "customer", "user_id": "c1"}, message)
    assert any_store.get_attachment(upload)["message_id"] == message["id"]
    assert now() - timedelta(seconds=5) < message["created_at"] <= now()
