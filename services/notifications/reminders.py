"""Who hears of a question left unanswered (the conversations service's `reply_overdue`), and how.

Level 1, the reminder: one mail to the vendor's address (the company's, from the catalog;
not sent to an address that opted out of customer conversations' mail) and one item on the
company's bell. Level 2, the escalation: one item on the administration's bell.

They do not follow the administration's per-kind channel rules (those say how people hear of
messages; a reminder is the marketplace's own nudge, by the channels issue 14 names). They
keep the bell item's kind of the thread, so permissions narrow them as they narrow the
thread's messages (rules.visible_kinds), with a `reason` that says what they are.

Never twice: the reminder's id stands in for a message id in the unique keys (mail: message
and address; bell: audience and message), so a redelivered event plans nothing new.
"""

from marshmallow import fields, validate

from services.common.clock import new_id

from . import planning, rules
from .schemas import Lenient, ThreadSchema

REMINDER, ESCALATION = 1, 2
# The bell item's `reason`, and the mail's `notice` (mail.compose writes it as a reminder).
REASONS = {REMINDER: "reply_reminder", ESCALATION: "reply_overdue"}
MARKETPLACE = {"side": "system", "name": "Message Center"}


class ReminderSchema(Lenient):
    id = fields.String(required=True)
    level = fields.Integer(required=True, validate=validate.OneOf((REMINDER, ESCALATION)))
    at = fields.AwareDateTime(required=True)
    awaiting_since = fields.AwareDateTime(required=True)


class ReminderEventSchema(Lenient):
    thread = fields.Nested(ThreadSchema, required=True)
    reminder = fields.Nested(ReminderSchema, required=True)


def plan(store, catalog, settings, loaded: dict, planned: "planning.Planned", at) -> "planning.Planned":
    """The bell items and mail one reminder causes; `at` is the delivery's clock, which decides
    when mail is due."""
    thread, reminder = loaded["thread"], loaded["reminder"]
    kind = rules.event_kind(thread, None)
    if reminder["level"] == REMINDER:
        _ring(
            planned,
            settings,
            kind,
            "vendor",
            thread,
            reminder,
            f"{_customer(thread)} has waited {_hours(reminder)} h for your reply.",
        )
        _mail_vendor(store, catalog, settings, kind, thread, reminder, planned, at)
    else:
        _ring(
            planned,
            settings,
            kind,
            "admin",
            thread,
            reminder,
            f"{_customer(thread)} has waited {_hours(reminder)} h for the vendor's reply.",
        )
    return planned


def _customer(thread: dict) -> str:
    return ((thread.get("customer") or {}).get("name") or "").strip() or "A customer"


def _hours(reminder: dict) -> int:
    return int((reminder["at"] - reminder["awaiting_since"]).total_seconds() // 3600)


def _ring(planned, settings, kind, side, thread, reminder, preview: str) -> None:
    audience = rules.audience_of_side(side, thread)
    if audience is None:
        return
    planned.bell_items.append(
        {
            "id": new_id(),
            "audience": audience,
            "kind": kind,
            "reason": REASONS[reminder["level"]],
            "message_id": reminder["id"],
            "thread_id": thread["id"],
            "title": planning.title(thread),
            "author": dict(MARKETPLACE),
            "preview": preview,
            "url": rules.thread_link(side, thread["id"], settings),
            "created_at": reminder["at"],
            "read": False,
            "read_at": None,
        }
    )


def _mail_vendor(store, catalog, settings, kind, thread, reminder, planned, at) -> None:
    address = rules.usable_address(planning.vendor_email(catalog, thread["company_id"]))
    if address is None:
        return
    if rules.may_opt_out(kind) and store.opted_out(thread["type"], [address.lower()], [])[0]:
        return
    planning.keep_mail(
        store,
        planned,
        at,
        {
            "id": new_id(),
            "message_id": reminder["id"],
            "thread_id": thread["id"],
            "kind": kind,
            "notice": REASONS[reminder["level"]],
            "address": address,
            "address_key": address.lower(),
            "side": "vendor",
            "user_id": None,
            "recipient_name": "",
            "company_id": thread["company_id"],
            "thread": {
                "title": planning.title(thread),
                "subject": thread.get("subject") or "",
                "link": rules.thread_link("vendor", thread["id"], settings),
            },
            "message": {
                "author_name": MARKETPLACE["name"],
                "author_side": MARKETPLACE["side"],
                "excerpt": f"{_customer(thread)} asked on {reminder['awaiting_since']:%Y-%m-%d %H:%M UTC} "
                f"and has waited {_hours(reminder)} h for your reply.",
                "created_at": reminder["at"],
            },
            # A reminder is late already: it waits for no coalescing window.
            "attempts": 0,
            "created_at": at,
            "send_after": at,
        },
    )
