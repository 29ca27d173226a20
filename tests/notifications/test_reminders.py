"""Reminders and escalation as the notifications service hears them (`reply_overdue`), on the
fakes of test_delivery.py: level 1 mails the vendor's address and rings the company's bell,
level 2 rings the administration's; a redelivered event sends nothing twice."""

from datetime import timedelta

from services.common.clock import isoformat, new_id
from services.common.events import MESSAGE_POSTED, REPLY_OVERDUE
from services.notifications import bell

from .conversation import ANN, SHOP_EMAIL, message, thread
from .test_delivery import (
    ADMINISTRATION,
    CUSTOMER_ANN,
    VENDOR_BOB,
    bell_of,
    clock,  # noqa: F401 (fixtures)
    notifications,  # noqa: F401
    text_of,
)


def overdue(in_thread, level, waited_hours, at):
    return {
        "thread": in_thread,
        "reminder": {
            "id": new_id(),
            "level": level,
            "at": isoformat(at),
            "awaiting_since": isoformat(at - timedelta(hours=waited_hours)),
        },
    }


def test_a_reminder_mails_the_vendor_once_and_rings_the_companys_bell(notifications, clock):
    reminded = overdue(thread(), 1, 24, clock())
    for _ in range(3):  # redelivered, and worked through by the timer too
        notifications.receive(reminded, REPLY_OVERDUE)
        notifications.tick()
    [mail] = notifications.outbox.sent
    assert (mail["To"], mail["Subject"]) == (
        SHOP_EMAIL,
        "Reminder: a customer is waiting for your reply about Brass Desk Lamp",
    )
    assert "Ann Lee asked on" in text_of(mail) and "waited 24 h for your reply" in text_of(mail)
    [item] = bell_of(notifications, VENDOR_BOB)["items"]
    assert (item["reason"], item["preview"]) == ("reply_reminder", "Ann Lee has waited 24 h for your reply.")
    # news for the company's open pages, once (a redelivery writes nothing)
    assert notifications.news == [
        {
            "audience": f"vendor:{item['audience'].split(':')[1]}",
            "group": "vendor",
            "thread_id": item["thread_id"],
            "change": "rung",
        }
    ]
    assert item["author"] == {"side": "system", "name": "Message Center"}
    assert bell_of(notifications, ADMINISTRATION)["items"] == []
    assert bell_of(notifications, CUSTOMER_ANN)["items"] == []


def test_an_escalation_rings_the_administrations_bell_only(notifications, clock):
    escalated = overdue(thread(), 2, 48, clock())
    notifications.receive(escalated, REPLY_OVERDUE)
    notifications.receive(escalated, REPLY_OVERDUE)
    notifications.tick()
    assert notifications.outbox.sent == []
    assert bell_of(notifications, VENDOR_BOB)["items"] == []
    [item] = bell_of(notifications, ADMINISTRATION)["items"]
    assert (item["reason"], item["preview"]) == ("reply_overdue", "Ann Lee has waited 48 h for the vendor's reply.")
    assert [(news["audience"], news["change"]) for news in notifications.news] == [("admin", "rung")]


def test_a_reminder_waits_for_no_coalescing_window(notifications, clock):
    notifications.coalesce(120)
    lamp = thread()
    notifications.receive(message(lamp, ANN, "First question?"))
    clock.wait(10)
    notifications.receive(message(lamp, ANN, "Anyone there?"))
    notifications.receive(overdue(lamp, 1, 24, clock()), REPLY_OVERDUE)
    first, second = notifications.outbox.sent  # the first question's, then the reminder at once
    assert "First question?" in text_of(first)
    assert second["Subject"].startswith("Reminder:")
    clock.wait(120)
    notifications.tick()
    assert "Anyone there?" in text_of(notifications.outbox.sent[2])


def test_a_vendor_that_opted_out_of_customer_mail_gets_the_bell_only(notifications, clock):
    from services.common.caller import Caller

    owner = Caller(user_id="v0", role="vendor", company_id=VENDOR_BOB.company_id, email=SHOP_EMAIL)
    bell.set_preferences(notifications.store, owner, {"email": {"vendor_to_customer": False}})
    notifications.receive(overdue(thread(), 1, 24, clock()), REPLY_OVERDUE)
    assert notifications.outbox.sent == []
    assert bell_of(notifications, VENDOR_BOB)["unread_count"] == 1


def test_a_malformed_reminder_is_dropped(notifications):
    notifications.receive({"thread": thread(), "reminder": {"level": 3}}, REPLY_OVERDUE)
    notifications.receive(message(thread(), ANN, "Still fine?"), MESSAGE_POSTED)
    assert len(notifications.outbox.sent) == 1


def test_a_reminder_that_meets_new_messages_in_one_batch_is_a_line_among_them(clock):
    from services.notifications.mail import compose

    def planned(message_id, author, side, excerpt, notice=None):
        mail = {
            "message_id": message_id,
            "thread_id": "t1",
            "address": SHOP_EMAIL,
            "recipient_name": "",
            "thread": {"title": "Brass Desk Lamp", "subject": "Product: Brass Desk Lamp", "link": "https://x.test"},
            "message": {"author_name": author, "author_side": side, "excerpt": excerpt, "created_at": clock()},
        }
        return {**mail, "notice": notice} if notice else mail

    both = compose(
        [
            planned("m1", "Ann Lee", "customer", "Anyone there?"),
            planned("r1", "Message Center", "system", "Ann Lee has waited 24 h for your reply.", "reply_reminder"),
        ],
        "mc@test",
        "b1",
    )
    assert both["Subject"] == "2 new messages about Brass Desk Lamp"
    assert "Message Center (reminder)" in text_of(both) and "Anyone there?" in text_of(both)
