"""Reminders and escalation: a customer's question the vendor leaves unanswered.

After REMIND_VENDOR_AFTER_HOURS the vendor is reminded once (level 1: a mail to its address and
a bell item for the company); after ESCALATE_AFTER_HOURS the administration's bell rings and
the thread is flagged `overdue` (level 2). The notifications service decides who hears what
(services/notifications/reminders.py); this module decides when, and that it happens once.

Once per thread, level and wait, whatever the restarts and however many replicas run the
timer: a thread's `reminded_level` is moved from the level before to this one by one
conditional write, which holds only while the thread still awaits the vendor since the same
moment. The replica whose write matched sends; the others find nothing to do. The same write
keeps the reminder on the thread (`pending_reminders`) until its event is out, so a process
that stops between the write and the publish leaves it to the relay: never lost. An event
published twice (the mark that it went out was lost) is the same reminder by id, which the
notifications service keys what it sends by: never doubled.

A message that starts a new wait or ends it (the vendor's reply) sets the level back to 0 and
clears `overdue` (rules.after_message, MessageEffect.restarts_wait): the next wait is
reminded afresh. A customer's follow-up while waiting keeps the wait, and its level.
"""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from prometheus_client import Counter

from services.common.clock import isoformat, new_id, now
from services.common.events import REPLY_OVERDUE

from . import presenters
from .model import RELAY_GRACE
from .records import Thread

log = logging.getLogger(__name__)

REMINDER, ESCALATION = 1, 2
# Threads taken per level and tick: a backlog (after an outage, or the first run) is worked
# through over a few ticks rather than in one long one.
BATCH = 200
CLAIMED = Counter("message_center_reminders_total", "Reminders (level 1) and escalations (level 2) claimed", ["level"])


@dataclass(frozen=True)
class Policy:
    remind_after: timedelta
    escalate_after: timedelta

    @classmethod
    def from_settings(cls, settings) -> "Policy":
        return cls(timedelta(hours=settings.REMIND_VENDOR_AFTER_HOURS), timedelta(hours=settings.ESCALATE_AFTER_HOURS))

    def waits(self):
        """Each level with the wait that reaches it, in order: a thread is escalated only once
        reminded, so one waiting past both thresholds gets both, the reminder first."""
        return ((REMINDER, self.remind_after), (ESCALATION, self.escalate_after))


def send_due(store, dispatch, policy: Policy, at: datetime | None = None) -> int:
    """Claim and publish every reminder whose time has come; how many this caller claimed.
    `at` is the clock (the tests move it; the timer passes none)."""
    at = at or now()
    claimed, broker_up = 0, True
    for level, wait in policy.waits():
        for thread in store.due_reminders(level, at - wait, BATCH):
            reminder = new_reminder(thread, level, at)
            moved = store.claim_reminder(thread, reminder)
            if moved is None:
                continue  # another replica claimed it, or the vendor answered a moment ago
            claimed += 1
            CLAIMED.labels(str(level)).inc()
            # With the broker away each publish would wait for it in turn: the relay has them.
            broker_up = broker_up and publish(store, dispatch, moved, reminder)
    return claimed


def relay(store, dispatch, at: datetime | None = None, limit: int = 100) -> int:
    """Publish the reminders claimed but not published (the process stopped, the broker was away)."""
    at = at or now()
    published = 0
    for thread in store.unpublished_reminders(at, limit):
        for reminder in thread.get("pending_reminders", []):
            if reminder["relay_after"] > at:
                continue  # its own process may still be publishing it
            if not still_due(thread, reminder):
                store.reminder_published(thread["id"], reminder["id"])  # nobody is owed it any more
                continue
            if not publish(store, dispatch, thread, reminder):
                return published
            published += 1
    return published


def still_due(thread: Thread, reminder: dict) -> bool:
    """A reminder left to the relay still matters: its thread is open and awaits the vendor
    since the same moment (not deleted, closed or answered since it was claimed)."""
    return (
        thread["status"] == "open"
        and thread.get("awaiting_reply_from") == "vendor"
        and thread.get("awaiting_since") == reminder["awaiting_since"]
    )


def new_reminder(thread: Thread, level: int, at: datetime) -> dict:
    return {
        "id": new_id(),
        "level": level,
        "at": at,
        "awaiting_since": thread["awaiting_since"],
        "overdue": level >= ESCALATION,
        "relay_after": at + RELAY_GRACE,
    }


def publish(store, dispatch, thread: Thread, reminder: dict) -> bool:
    """False when the broker did not take it: it stays on the thread for the relay."""
    try:
        dispatch(REPLY_OVERDUE, event(thread, reminder))
    except Exception as error:
        log.warning(
            "reminder %s of thread %s not published (%s); the relay will retry", reminder["id"], thread["id"], error
        )
        return False
    store.reminder_published(thread["id"], reminder["id"])
    return True


def event(thread: Thread, reminder: dict) -> dict:
    """The payload of `reply_overdue`: the thread as message events show it, and the reminder."""
    return {
        "thread": presenters.event_thread(thread),
        "reminder": {
            "id": reminder["id"],
            "level": reminder["level"],
            "at": isoformat(reminder["at"]),
            "awaiting_since": isoformat(reminder["awaiting_since"]),
        },
    }
