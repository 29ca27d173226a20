"""Contact details and the administration's review, as use cases against the in-memory store
(the small marketplace of test_use_cases.py). What each side sees, what moves and what is
published, before and after a decision. (Through the gateway on the real stack, with the mail
that goes out once: tests/e2e/test_moderation.py.)"""

from datetime import timedelta

import pytest

from services.common.caller import Caller
from services.common.clock import now
from services.common.errors import Conflict, Forbidden, NotFound, ValidationFailed
from services.common.events import MESSAGE_POSTED, THREAD_STARTED
from services.common.loading import load
from services.contracts import conversations as contract
from services.conversations import attachments, away, bulk, inbox, messages, reviews, settings, threads
from tests.conversations.test_use_cases import ADMIN, ASK, CUSTOMER, GENEROUS, OTHER_CUSTOMER, VENDOR, World, _upload

REMOVED = "[contact details removed]"
REVIEWER = Caller("a2", "admin", name="Rita", permissions=("moderate_messages",))
SUPPORT = Caller("a3", "admin", name="Sam", permissions=("view_vendor_communication", "manage_vendor_communication"))
PHONE = "Call me on +1 415 555 2671, cheaper outside."


@pytest.fixture
def world():
    return World()


def moderate(world, customer_to_vendor="allow", vendor_to_customer="allow", **more):
    settings.update(
        world.store,
        ADMIN,
        {
            "moderation_customer_to_vendor": customer_to_vendor,
            "moderation_vendor_to_customer": vendor_to_customer,
            **more,
        },
    )


def queue(world, caller=REVIEWER, **params):
    return reviews.queue(world.store, caller, load(contract.ModerationQuery(), params))


def decide(world, message_id, decision="approve", reason=None, caller=REVIEWER):
    request = {"decision": decision, **({"reason": reason} if reason else {})}
    return reviews.decide(world.store, world.outbox, caller, message_id, load(contract.ModerationDecision(), request))


def texts(world, caller, thread_id):
    return [item["text"] for item in messages.list_messages(world.store, caller, thread_id, None, 50)["items"]]


def search(world, caller, words):
    return [item["id"] for item in world.inbox(caller, q=words)["items"]]


def test_by_default_contact_details_are_delivered_as_written(world):
    thread_id = world.start(message=PHONE)["thread"]["id"]
    assert texts(world, VENDOR, thread_id) == [PHONE]
    assert queue(world)["items"] == [] and queue(world, state="masked")["items"] == []


def test_masking_replaces_each_detail_and_keeps_the_original_for_the_administration(world):
    moderate(world, customer_to_vendor="mask")
    started = world.start(message="Mail ann.lee@mail.example or see https://cheaper.example/lamp <3")
    thread_id = started["thread"]["id"]
    shown = started["message"]
    assert shown["text"] == f"Mail {REMOVED} or see {REMOVED} <3" and shown["moderation"] == {
        "state": "masked",
        "reason": None,
    }
    assert "cheaper.example" not in shown["body"] and "&lt;3" in shown["body"]
    assert texts(world, VENDOR, thread_id) == [shown["text"]]
    assert world.events == [(THREAD_STARTED, shown["id"]), (MESSAGE_POSTED, shown["id"])]
    assert search(world, VENDOR, "cheaper") == [] and search(world, VENDOR, "mail") == [thread_id]
    [original] = queue(world, state="masked")["items"]
    assert original["text"] == "Mail ann.lee@mail.example or see https://cheaper.example/lamp <3"
    assert [(original["text"][f["start"] : f["end"]], f["kind"]) for f in original["found"]] == [
        ("ann.lee@mail.example", "email"),
        ("https://cheaper.example/lamp", "link"),
    ]
    with pytest.raises(NotFound):  # a masked message was delivered: nothing to decide
        decide(world, shown["id"])


def test_a_link_whose_words_hide_its_address_is_found_and_taken_out(world):
    moderate(world, customer_to_vendor="mask")
    started = world.start(message='Look <a href="https://wa.me/4915112345678">here</a> please')
    assert started["message"]["text"] == "Look here please" and "wa.me" not in started["message"]["body"]
    [original] = queue(world, state="masked")["items"]
    assert original["text"] == "Look here please\nhttps://wa.me/4915112345678"


def test_a_held_reply_moves_nothing_until_it_is_approved_then_everything_once(world):
    thread_id = world.start()["thread"]["id"]
    threads.mark_read(world.store, VENDOR, thread_id, world.outbox)
    world.post(VENDOR, thread_id, "Yes, solid brass.")
    moderate(world, customer_to_vendor="hold")
    before = world.store.get(thread_id)
    events = list(world.events)
    held = world.post(CUSTOMER, thread_id, "Great, whatsapp me +44 7700 900123 for the price")
    assert held["moderation"] == {"state": "held", "reason": None}
    # Nothing moves for the vendor: unread count, preview, awaiting reply, search, events.
    assert world.events == events
    line = world.inbox(VENDOR)["items"][0]
    assert line["unread_count"] == 0 and line["last_message"]["preview"] == "Yes, solid brass."
    assert line["awaiting_reply_from"] is None
    assert world.store.get(thread_id)["message_count"] == before["message_count"]
    assert texts(world, VENDOR, thread_id) == ["Is it brass?", "Yes, solid brass."]
    assert (
        threads.get_thread(world.store, world.catalog, VENDOR, thread_id)["messages"]["items"][-1]["id"] != held["id"]
    )
    assert search(world, VENDOR, "price") == [] and search(world, CUSTOMER, "price") == []
    # Its author, and the administration, see it waiting.
    assert texts(world, CUSTOMER, thread_id)[-1] == held["text"]
    assert held["id"] in [m["id"] for m in messages.list_messages(world.store, ADMIN, thread_id, None, 50)["items"]]
    page = queue(world)
    [item] = page["items"]
    assert page["held_count"] == 1 and item["message_id"] == held["id"] and item["direction"] == "customer_to_vendor"
    assert item["author"] == {"side": "customer", "user_id": "c1", "name": "Ann Lee"}
    assert item["thread"]["id"] == thread_id and item["thread"]["subject"] == "Product: Brass Lamp"
    assert [item["text"][f["start"] : f["end"]] for f in item["found"]] == ["whatsapp me +44 7700 900123"]

    approved = decide(world, held["id"])
    assert approved["state"] == "approved" and approved["decision"]["by"] == {"user_id": "a2", "name": "Rita"}
    assert world.events == events + [(MESSAGE_POSTED, held["id"])]
    line = world.inbox(VENDOR)["items"][0]
    assert line["unread_count"] == 1 and line["last_message"]["id"] == held["id"]
    assert line["awaiting_reply_from"] == "vendor" and line["awaiting_since"] >= approved["decision"]["at"]
    assert texts(world, VENDOR, thread_id)[-1] == held["text"]
    assert search(world, VENDOR, "price") == [thread_id]
    assert queue(world)["items"] == [] and queue(world)["held_count"] == 0
    # The same decision again changes nothing; the other one is refused.
    assert decide(world, held["id"])["state"] == "approved"
    assert (
        world.events == events + [(MESSAGE_POSTED, held["id"])] and world.inbox(VENDOR)["items"][0]["unread_count"] == 1
    )
    with pytest.raises(Conflict):
        decide(world, held["id"], "reject", "Too late.")


def test_a_held_question_starts_a_conversation_only_its_author_sees_until_approved(world):
    moderate(world, customer_to_vendor="hold")
    started = world.start(message=PHONE)
    thread_id, held = started["thread"]["id"], started["message"]
    assert started["thread"]["moderation"]["state"] == "held" and world.events == []
    assert world.inbox(VENDOR)["items"] == [] and inbox.unread_counts(world.store, VENDOR)["total"] == 0
    with pytest.raises(NotFound):
        threads.get_thread(world.store, world.catalog, VENDOR, thread_id)
    [mine] = world.inbox(CUSTOMER)["items"]
    assert mine["id"] == thread_id and mine["moderation"]["state"] == "held"
    assert mine["last_message"]["preview"] == PHONE
    with pytest.raises(Conflict):
        world.post(CUSTOMER, thread_id, "Hello?")  # nothing joins a conversation under review
    with pytest.raises(Conflict):
        threads.set_status(world.store, ADMIN, thread_id, "closed")
    # Another question about the same lamp is a conversation of its own, delivered at once.
    other = world.start(message="Is it brass?")
    assert other["created"] and other["thread"]["id"] != thread_id

    decide(world, held["id"])
    assert world.events[-2:] == [(THREAD_STARTED, held["id"]), (MESSAGE_POSTED, held["id"])]
    shown = threads.get_thread(world.store, world.catalog, VENDOR, thread_id)
    assert shown["moderation"] is None and shown["unread_count"] == 1 and shown["awaiting_reply_from"] == "vendor"
    assert {item["id"] for item in world.inbox(VENDOR)["items"]} == {thread_id, other["thread"]["id"]}
    assert world.post(CUSTOMER, thread_id, "Thanks")["moderation"] is None


def test_a_rejected_message_shows_its_author_the_reason_and_never_reaches_the_other_side(world):
    moderate(world, customer_to_vendor="hold")
    started = world.start(message=PHONE)
    thread_id, held = started["thread"]["id"], started["message"]
    rejected = decide(world, held["id"], "reject", "Please keep the conversation on the marketplace.")
    assert rejected["state"] == "rejected"
    assert rejected["decision"]["reason"] == "Please keep the conversation on the marketplace."
    mine = messages.list_messages(world.store, CUSTOMER, thread_id, None, 50)["items"]
    assert mine[-1]["moderation"] == {"state": "rejected", "reason": "Please keep the conversation on the marketplace."}
    assert world.inbox(CUSTOMER)["items"][0]["moderation"]["state"] == "rejected"
    assert world.events == [] and world.inbox(VENDOR)["items"] == []
    with pytest.raises(Conflict):
        decide(world, held["id"])
    with pytest.raises(Conflict):
        world.post(CUSTOMER, thread_id, "Why?")
    [record] = reviews.decisions(world.store, REVIEWER, {"limit": 10})["items"]
    assert record["message_id"] == held["id"] and record["decision"]["decision"] == "reject"


def test_a_rejection_needs_a_reason():
    with pytest.raises(Exception):
        load(contract.ModerationDecision(), {"decision": "reject", "reason": "  "})


def test_vendors_replies_are_screened_one_by_one_even_in_bulk(world):
    first = world.start()["thread"]["id"]
    second = world.start(object={"type": "order", "id": "7"}, message="Where is it?")["thread"]["id"]
    moderate(world, vendor_to_customer="hold")
    results = bulk.bulk(
        world.store, world.outbox, VENDOR, "reply", [first, second], "Ring us: 0171 2345678", None, GENEROUS
    )["results"]
    assert [(result["status"], result["outcome"]) for result in results] == [(201, "held"), (201, "held")]
    assert queue(world)["held_count"] == 2
    assert all(
        texts(world, CUSTOMER, thread_id) == texts(world, CUSTOMER, thread_id)[:1] for thread_id in (first, second)
    )
    # A conversation under review answers 409 in a bulk reply, beside the others.
    moderate(world, customer_to_vendor="hold")
    hidden = world.start(OTHER_CUSTOMER, message="Or mail me: dan@mail.example")
    results = bulk.bulk(
        world.store, world.outbox, ADMIN, "reply", [hidden["thread"]["id"], first], "Noted.", None, GENEROUS
    )["results"]
    assert [result["status"] for result in results] == [409, 201]


def test_the_administration_and_vendor_administration_threads_are_never_screened(world):
    moderate(world, customer_to_vendor="hold", vendor_to_customer="hold")
    thread_id = world.start(object={"type": "order", "id": "7"}, message="Where is my order?")["thread"]["id"]
    assert world.post(ADMIN, thread_id, "Call our desk: +1 415 555 2671")["moderation"] is None
    to_admin = threads.start_thread(
        world.store,
        world.catalog,
        world.outbox,
        VENDOR,
        {
            "type": "vendor_to_admin",
            "object": {"type": "none"},
            "subject": "Payouts",
            "message": "Mail me at bob@lamps.example",
        },
        None,
        GENEROUS,
    )
    assert to_admin["message"]["moderation"] is None and queue(world)["held_count"] == 0


def test_a_vendors_away_message_is_masked_never_held(world):
    moderate(world, vendor_to_customer="hold")
    away.put(
        world.store,
        world.catalog,
        VENDOR,
        {
            "body": "Away until Monday, urgent: 0171 2345678",
            "date_from": now() - timedelta(hours=1),
            "date_to": now() + timedelta(hours=1),
        },
    )
    thread_id = world.start()["thread"]["id"]
    assert texts(world, CUSTOMER, thread_id) == ["Is it brass?", f"Away until Monday, urgent: {REMOVED}"]


def test_a_held_question_gets_the_away_message_once_approved(world):
    moderate(world, customer_to_vendor="hold")
    away.put(
        world.store,
        world.catalog,
        VENDOR,
        {"body": "Away until Monday.", "date_from": now() - timedelta(hours=1), "date_to": now() + timedelta(hours=1)},
    )
    held = world.start(message=PHONE)
    assert len(texts(world, CUSTOMER, held["thread"]["id"])) == 1
    decide(world, held["message"]["id"])
    assert texts(world, CUSTOMER, held["thread"]["id"]) == [PHONE, "Away until Monday."]


def test_a_retry_of_a_held_post_holds_one_message(world):
    thread_id = world.start()["thread"]["id"]
    moderate(world, customer_to_vendor="hold")
    first = world.post(CUSTOMER, thread_id, PHONE, key="k1")
    assert world.post(CUSTOMER, thread_id, PHONE, key="k1") == first
    assert queue(world)["held_count"] == 1 and len(texts(world, CUSTOMER, thread_id)) == 2


def test_the_files_of_a_held_message_are_not_the_other_sides(world):
    thread_id = world.start()["thread"]["id"]
    moderate(world, customer_to_vendor="hold")
    photo = _upload(world, CUSTOMER)
    held = messages.post_message(world.store, world.outbox, CUSTOMER, thread_id, PHONE, None, GENEROUS, [photo])
    assert attachments.file_for(world.store, CUSTOMER, photo)["name"] == "lamp photo.jpg"
    with pytest.raises(NotFound):
        attachments.file_for(world.store, VENDOR, photo)
    decide(world, held["id"])
    assert attachments.file_for(world.store, VENDOR, photo)["name"] == "lamp photo.jpg"


def test_only_admins_with_moderate_messages_review(world):
    moderate(world, customer_to_vendor="hold")
    held = world.start(message=PHONE)["message"]
    for caller in (SUPPORT, VENDOR, CUSTOMER):
        with pytest.raises(Forbidden):
            queue(world, caller)
        with pytest.raises(Forbidden):
            decide(world, held["id"], caller=caller)
        with pytest.raises(Forbidden):
            reviews.decisions(world.store, caller, {"limit": 10})
    assert queue(world, ADMIN)["held_count"] == 1  # a full admin holds every permission
    with pytest.raises(NotFound):
        decide(world, "no-such-message")


def test_the_queue_pages_oldest_first_and_the_decisions_newest_first(world):
    moderate(world, customer_to_vendor="hold")
    held = [
        world.start(
            object={"type": "order", "id": "7"} if number % 2 else ASK["object"],
            message=f"Call {number} at 0171 234567{number}",
        )["message"]["id"]
        for number in range(5)
    ]
    seen, cursor = [], None
    while True:
        page = queue(world, limit=2, **({"cursor": cursor} if cursor else {}))
        seen += [item["message_id"] for item in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert seen == held
    for message_id in held:
        decide(world, message_id, "reject" if message_id == held[2] else "approve", "No numbers, please.")
    seen, cursor = [], None
    while True:
        page = reviews.decisions(world.store, REVIEWER, {"limit": 2, **({"cursor": cursor} if cursor else {})})
        seen += [item["message_id"] for item in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert seen == list(reversed(held))
    assert [item["message_id"] for item in queue(world, state="rejected")["items"]] == [held[2]]
    with pytest.raises(ValidationFailed):
        queue(world, cursor="not a cursor")


def test_the_settings_are_checked_and_the_storefront_reads_none_of_the_moderation(world):
    with pytest.raises(ValidationFailed):
        settings.update(world.store, ADMIN, {"moderation_phone_region": "XX"})
    changed = settings.update(
        world.store,
        ADMIN,
        {"moderation_phone_region": "DE", "moderation_blocked_words": [" Western Union ", "western union", "Bizum"]},
    )
    assert changed["moderation_phone_region"] == "DE"
    assert changed["moderation_blocked_words"] == ["Western Union", "western union", "Bizum"]
    assert not any(name.startswith("moderation") for name in settings.public(world.store))
    with pytest.raises(Forbidden):
        settings.for_administration(world.store, VENDOR)
    moderate(world, customer_to_vendor="mask")
    assert world.start(message="Pay by bizum?")["message"]["text"] == f"Pay by {REMOVED}?"


# Everything a party writes to the other side (issue 21) ------------------------------------

NUMBER = "+1 415 555 2671"


def seen_by(world, caller, thread_id):
    """All that `caller` is shown of a thread: its inbox line, the thread and its messages."""
    line = [item for item in world.inbox(caller)["items"] if item["id"] == thread_id]
    return str((line, threads.get_thread(world.store, world.catalog, caller, thread_id)))


def test_a_subject_is_masked_where_the_message_would_be(world):
    moderate(world, customer_to_vendor="mask")
    started = world.start(subject=f"Call me on {NUMBER}", message="Is it brass?")
    thread_id = started["thread"]["id"]
    assert world.store.get(thread_id)["subject"] == f"Call me on {REMOVED}"  # what the events and mails say
    shown = seen_by(world, VENDOR, thread_id)
    assert "555 2671" not in shown and f"Call me on {REMOVED}" in shown
    assert search(world, VENDOR, "2671") == []
    [original] = queue(world, state="masked")["items"]
    assert [original["text"][f["start"] : f["end"]] for f in original["found"]] == [NUMBER]


def test_a_subject_with_contact_details_holds_the_conversation_it_starts(world):
    moderate(world, customer_to_vendor="hold")
    started = world.start(subject=f"Call me on {NUMBER}", message="Is it brass?")
    assert started["thread"]["moderation"]["state"] == "held" and world.events == []
    assert world.inbox(VENDOR)["items"] == []
    [item] = queue(world)["items"]
    assert [item["text"][f["start"] : f["end"]] for f in item["found"]] == [NUMBER]


def test_a_file_name_is_masked_and_a_message_of_files_alone_is_screened(world):
    thread_id = world.start()["thread"]["id"]
    moderate(world, customer_to_vendor="mask")
    photo = _upload(world, CUSTOMER, f"WhatsApp {NUMBER}.png")
    posted = messages.post_message(world.store, world.outbox, CUSTOMER, thread_id, "", None, GENEROUS, [photo])
    [name] = [file["name"] for file in posted["attachments"]]
    assert name.endswith(".png") and REMOVED in name and "2671" not in name
    assert posted["moderation"]["state"] == "masked"
    shown = seen_by(world, VENDOR, thread_id)
    assert "555 2671" not in shown and REMOVED in shown
    assert search(world, VENDOR, "2671") == []
    [original] = queue(world, state="masked")["items"]  # the file's name, as written, on a line of its own
    assert original["text"] == f"WhatsApp {NUMBER}.png"
    assert [original["text"][f["start"] : f["end"]] for f in original["found"]] == [NUMBER]


def test_the_review_reads_the_subject_the_message_and_the_file_names_a_line_each(world):
    moderate(world, customer_to_vendor="hold")
    photo = _upload(world, CUSTOMER, "ann.lee@mail.example photo.jpg")
    world.start(subject="Ring 0171 2345678", message="Or wa.me/4915112345678", attachments=[photo])
    [item] = queue(world)["items"]
    assert item["text"] == "Ring 0171 2345678\nOr wa.me/4915112345678\nann.lee@mail.example photo.jpg"
    assert [item["text"][f["start"] : f["end"]] for f in item["found"]] == [
        "0171 2345678",
        "wa.me/4915112345678",
        "ann.lee@mail.example",
    ]


def test_a_file_name_with_contact_details_holds_a_message_of_files_alone(world):
    thread_id = world.start()["thread"]["id"]
    moderate(world, customer_to_vendor="hold")
    photo = _upload(world, CUSTOMER, f"WhatsApp {NUMBER}.png")
    held = messages.post_message(world.store, world.outbox, CUSTOMER, thread_id, "", None, GENEROUS, [photo])
    assert held["moderation"]["state"] == "held"
    assert "2671" not in seen_by(world, VENDOR, thread_id)
    with pytest.raises(NotFound):
        attachments.file_for(world.store, VENDOR, photo)


def test_a_disguised_detail_in_the_away_message_is_masked(world):
    moderate(world, vendor_to_customer="mask")
    away.put(
        world.store,
        world.catalog,
        VENDOR,
        {
            "body": "Away until Monday, urgent: t\u200b.me/johnny",
            "date_from": now() - timedelta(hours=1),
            "date_to": now() + timedelta(hours=1),
        },
    )
    thread_id = world.start()["thread"]["id"]
    assert texts(world, CUSTOMER, thread_id) == ["Is it brass?", f"Away until Monday, urgent: {REMOVED}"]


@pytest.mark.parametrize(
    "disguised",
    [
        "t\u200b.me/johnny",
        "evil\uff0ecom",
        "Telegram: \uff20johnny_s",
        "415_555_2671",
        "415*555*2671",
        "4I5 555 267I",
        "john_at_gmail_dot_com",
        "myshop . com",
        "hxxps://evil.example/x",
        "https://evil.example\\@marketplace.example/pay",
    ],
)
def test_a_disguised_detail_is_masked_and_the_words_around_it_stay(world, disguised):
    moderate(world, customer_to_vendor="mask")
    started = world.start(message=f"Hello, {disguised} - thanks!")
    assert started["message"]["text"] == f"Hello, {REMOVED} - thanks!"
