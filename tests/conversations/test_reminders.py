"""Reminders and escalation (services/conversations/reminders.py) on the in-memory store, with
the clock passed in: hours go by without sleeping. Each `send_due` call is one tick of the
timer; two calls with the same clock stand for two replicas looking at the same moment."""

from datetime import timedelta

import pytest

from services.common.clock import now
from services.common.events import REPLY_OVERDUE
from services.conversations import reminders, reports, threads

from .test_use_cases import ADMIN, CUSTOMER, VENDOR, World

POLICY = reminders.Policy(remind_after=timedelta(hours=24), escalate_after=timedelta(hours=48))


class Broker:
    """The reminders' dispatch: keeps (level, thread, reminder id), or refuses while away."""

    def __init__(self):
        self.sent = []
        self.up = True

    def __call__(self, name, payload):
        if not self.up:
            raise ConnectionError("the broker is away")
        assert name == REPLY_OVERDUE
        self.sent.append((payload["reminder"]["level"], payload["thread"]["id"], payload["reminder"]["id"]))

    def levels(self, thread_id):
        return [level for level, thread, _ in self.sent if thread == thread_id]


@pytest.fixture
def world():
    return World()


@pytest.fixture
def broker():
    return Broker()


def later(hours):
    return now() + timedelta(hours=hours, seconds=1)


def tick(world, broker, hours):
    at = later(hours)
    return reminders.send_due(world.store, broker, POLICY, at) + reminders.relay(world.store, broker, at)


def test_an_unanswered_question_reminds_the_vendor_once_then_escalates_once(world, broker):
    thread_id = world.start()["thread"]["id"]
    assert tick(world, broker, 23) == 0
    assert tick(world, broker, 24) == 1 and broker.levels(thread_id) == [1]
    for hours in (24, 25, 47):  # later ticks, or another replica at the same moment
        tick(world, broker, hours)
    assert broker.levels(thread_id) == [1]
    assert world.inbox(VENDOR)["items"][0]["overdue"] is False
    tick(world, broker, 48)
    tick(world, broker, 72)
    assert broker.levels(thread_id) == [1, 2]
    [line] = world.inbox(VENDOR, overdue="true")["items"]
    assert line["id"] == thread_id and line["overdue"] is True
    assert world.inbox(VENDOR, overdue="false")["items"] == []
    assert threads.get_thread(world.store, world.catalog, ADMIN, thread_id)["overdue"] is True
    assert world.store.get(thread_id)["pending_reminders"] == []


def test_a_question_waiting_past_both_thresholds_gets_the_reminder_then_the_escalation(world, broker):
    thread_id = world.start()["thread"]["id"]
    tick(world, broker, 100)
    assert broker.levels(thread_id) == [1, 2]


def test_the_vendors_reply_clears_the_flag_and_a_new_question_is_reminded_afresh(world, broker):
    thread_id = world.start()["thread"]["id"]
    tick(world, broker, 50)
    world.post(VENDOR, thread_id, "Sorry for the wait: yes, it is brass.")
    line = world.inbox(VENDOR)["items"][0]
    assert line["overdue"] is False and line["awaiting_reply_from"] is None
    assert world.inbox(VENDOR, overdue="true")["items"] == []
    tick(world, broker, 100)
    assert broker.levels(thread_id) == [1, 2]  # nothing is owed: nothing more is sent
    world.post(CUSTOMER, thread_id, "And the shade?")
    tick(world, broker, 125)
    assert broker.levels(thread_id) == [1, 2, 1, 2]


def test_a_customers_follow_up_keeps_the_wait_and_its_level(world, broker):
    thread_id = world.start()["thread"]["id"]
    tick(world, broker, 24)
    world.post(CUSTOMER, thread_id, "Hello? Anyone?")
    tick(world, broker, 30)
    assert broker.levels(thread_id) == [1]


def test_only_open_customer_questions_are_reminded(world, broker):
    closed = world.start()["thread"]["id"]
    threads.set_status(world.store, VENDOR, closed, "closed")
    to_admin = threads.start_thread(
        world.store,
        world.catalog,
        world.outbox,
        VENDOR,
        {
            "type": "vendor_to_admin",
            "object": {"type": "none", "id": None},
            "subject": "Payouts",
            "message": "When are payouts?",
        },
        None,
        world.limits,
    )
    admins_question = to_admin["thread"]["id"]
    world.post(ADMIN, admins_question, "Which month?")
    assert world.store.get(admins_question)["awaiting_reply_from"] == "vendor"  # owed, but not to a customer
    tick(world, broker, 100)
    assert broker.sent == []


def test_a_reminder_the_broker_did_not_take_is_relayed_once(world, broker):
    thread_id = world.start()["thread"]["id"]
    broker.up = False
    at = later(24)
    assert reminders.send_due(world.store, broker, POLICY, at) == 1  # claimed, not published
    [pending] = world.store.get(thread_id)["pending_reminders"]
    broker.up = True
    assert reminders.send_due(world.store, broker, POLICY, at) == 0  # claimed once only
    assert reminders.relay(world.store, broker, at) == 0  # its own process may still publish it
    assert reminders.relay(world.store, broker, at + timedelta(seconds=11)) == 1
    assert reminders.relay(world.store, broker, at + timedelta(seconds=30)) == 0
    assert broker.sent == [(1, thread_id, pending["id"])]


def test_of_two_replicas_that_read_the_same_thread_one_sends(world, broker):
    thread_id = world.start()["thread"]["id"]
    at = later(24)
    [seen_by_one] = world.store.due_reminders(1, at - POLICY.remind_after, 10)
    [seen_by_other] = world.store.due_reminders(1, at - POLICY.remind_after, 10)
    assert world.store.claim_reminder(seen_by_one, reminders.new_reminder(seen_by_one, 1, at)) is not None
    assert world.store.claim_reminder(seen_by_other, reminders.new_reminder(seen_by_other, 1, at)) is None
    assert len(world.store.get(thread_id)["pending_reminders"]) == 1


def test_the_response_figures_count_overdue_threads(world, broker):
    waiting = world.start()["thread"]["id"]
    tick(world, broker, 49)
    window = {"date_from": now() - timedelta(hours=1), "date_to": now() + timedelta(hours=1)}
    [figures] = reports.response_times(world.store, ADMIN, window)["vendors"]
    assert figures["overdue"] == 1 and figures["answered"] == 0
    world.post(VENDOR, waiting, "Yes.")
    [figures] = reports.response_times(world.store, ADMIN, window)["vendors"]
    assert figures["overdue"] == 0 and figures["answered"] == 1


@pytest.mark.parametrize("meanwhile", ["deleted", "closed", "answered"])
def test_a_reminder_left_to_the_relay_is_dropped_once_nobody_is_owed_it(world, broker, meanwhile):
    thread_id = world.start()["thread"]["id"]
    broker.up = False
    at = later(24)
    assert reminders.send_due(world.store, broker, POLICY, at) == 1  # claimed, not published
    broker.up = True
    if meanwhile == "answered":
        world.post(VENDOR, thread_id, "It is brass.")
    elif meanwhile == "closed":
        threads.set_status(world.store, ADMIN, thread_id, "closed")
    else:
        threads.delete_thread(world.store, ADMIN, thread_id)
    assert reminders.relay(world.store, broker, at + timedelta(seconds=11)) == 0
    assert broker.sent == []
    assert world.store.unpublished_reminders(at + timedelta(seconds=11), 10) == []
