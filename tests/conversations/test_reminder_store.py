"""The store's verbs for reminders and escalation (ports.Threads), against the in-memory fake and
the MongoDB adapter with each inbox reader: which threads are due, the conditional claim that
makes a reminder happen once, its outbox, the `overdue` filter and what a message resets."""

from datetime import timedelta

from services.conversations import reminders, rules
from services.conversations.ports import InboxFilter
from services.common.clock import now
from tests.conversations.stores import any_store  # noqa: F401 (a fixture)

from .test_store_contract import a_message, a_thread, ms


def waiting(number, since, **fields):
    """A customer's thread awaiting the vendor since `since`, not reminded yet unless `fields` say so."""
    return a_thread(
        number,
        since,
        **{"awaiting_reply_from": "vendor", "awaiting_since": since, "reminded_level": 0, "overdue": False, **fields},
    )


def test_due_reminders_are_those_waiting_long_enough_at_the_level_before(any_store):
    at = ms(now())
    long_ago, lately = at - timedelta(hours=30), at - timedelta(hours=2)
    due = waiting(1, long_ago)
    not_yet = waiting(2, lately)
    reminded = waiting(3, long_ago, reminded_level=1)
    closed = waiting(4, long_ago, status="closed")
    with_admin = waiting(5, long_ago, type="vendor_to_admin", group="admin", customer_id=None, customer=None)
    answered = a_thread(6, long_ago, reminded_level=0)
    any_store.insert_threads([due, not_yet, reminded, closed, with_admin, answered], [])
    cutoff = at - timedelta(hours=24)
    assert [t["id"] for t in any_store.due_reminders(1, cutoff, 10)] == [due["id"]]
    assert [t["id"] for t in any_store.due_reminders(2, cutoff, 10)] == [reminded["id"]]


def test_a_reminder_is_claimed_once_and_kept_until_published(any_store):
    at = ms(now())
    thread = waiting(1, at - timedelta(hours=30))
    any_store.insert_thread(thread)
    first = reminders.new_reminder(thread, 1, at)
    claimed = any_store.claim_reminder(thread, first)
    assert claimed["reminded_level"] == 1 and claimed["overdue"] is False
    assert [r["id"] for r in claimed["pending_reminders"]] == [first["id"]]
    assert any_store.claim_reminder(thread, reminders.new_reminder(thread, 1, at)) is None  # another replica
    assert any_store.unpublished_reminders(at, 10) == []  # its grace: its own process publishes it
    relayed = at + timedelta(seconds=11)
    assert [t["id"] for t in any_store.unpublished_reminders(relayed, 10)] == [thread["id"]]
    escalation = reminders.new_reminder(thread, 2, at)
    escalated = any_store.claim_reminder(any_store.get(thread["id"]), escalation)
    assert escalated["reminded_level"] == 2 and escalated["overdue"] is True
    assert [r["id"] for r in escalated["pending_reminders"]] == [first["id"], escalation["id"]]
    any_store.reminder_published(thread["id"], first["id"])
    any_store.reminder_published(thread["id"], escalation["id"])
    assert any_store.get(thread["id"])["pending_reminders"] == []
    assert any_store.unpublished_reminders(relayed, 10) == []


def test_a_claim_made_for_a_wait_that_ended_matches_nothing(any_store):
    at = ms(now())
    thread = waiting(1, at - timedelta(hours=30))
    any_store.insert_thread(thread)
    message = a_message(thread, at, author={"side": "vendor", "user_id": "v1", "name": "Bob", "email": ""})
    any_store.add_message(thread, message, rules.after_message(thread, "vendor", at))
    assert any_store.claim_reminder(thread, reminders.new_reminder(thread, 1, at)) is None
    assert "pending_reminders" not in any_store.get(thread["id"])


def test_a_message_that_ends_the_wait_clears_overdue_and_one_that_continues_it_keeps_it(any_store):
    at = ms(now())
    since = at - timedelta(hours=50)
    kept, ended = waiting(1, since, reminded_level=2, overdue=True), waiting(2, since, reminded_level=2, overdue=True)
    any_store.insert_threads([kept, ended], [])
    follow_up = a_message(kept, at)
    moved = any_store.add_message(kept, follow_up, rules.after_message(kept, "customer", at))
    assert (moved["reminded_level"], moved["overdue"], moved["awaiting_since"]) == (2, True, since)
    answer = a_message(ended, at, author={"side": "vendor", "user_id": "v1", "name": "Bob", "email": ""})
    moved = any_store.add_message(ended, answer, rules.after_message(ended, "vendor", at))
    assert (moved["reminded_level"], moved["overdue"], moved["awaiting_reply_from"]) == (0, False, None)


def test_the_inbox_filters_overdue_threads(any_store):
    at = ms(now())
    overdue = waiting(1, at - timedelta(hours=50), overdue=True, reminded_level=2)
    fine = waiting(2, at)
    older = a_thread(3, at - timedelta(days=9))  # from before reminders: no flag at all
    any_store.insert_threads([overdue, fine, older], [])

    def found(flag):
        return {
            t["id"]
            for t in any_store.inbox(InboxFilter(company_id="10", overdue=flag), "last_message_at", "desc", 50, None)[0]
        }

    assert found(True) == {overdue["id"]}
    assert found(False) == {fine["id"], older["id"]}
    assert found(None) == {overdue["id"], fine["id"], older["id"]}


def test_first_replies_carry_the_overdue_flag(any_store):
    at = ms(now())
    any_store.insert_threads([waiting(1, at, first_customer_message_at=at, overdue=True)], [])
    [found] = any_store.first_replies(at - timedelta(hours=1), at + timedelta(hours=1), None)
    assert found["overdue"] is True
