"""Reminders and escalation through real processes: the conversations service's own timer at
the default thresholds (24 h, 48 h), the notifications service, the mail server, the gateway.

Hours pass by ageing the thread's wait in the database (`awaiting_since` moved back), as a
clock moved on would leave it: nothing runs with a shortened threshold or a test-only entry
point, and the timer that runs is the deployed one (every 5 s).
"""

from datetime import datetime, timedelta, timezone

TIMER = 30.0  # seconds: a few of the timer's ticks, and the notification behind it


def age(stack, thread_id, hours):
    """The customer has waited `hours` (and a minute) for the vendor: its wait moved back."""
    since = datetime.now(timezone.utc) - timedelta(hours=hours, minutes=1)
    assert (
        stack.db.threads.update_one(
            {"_id": thread_id, "awaiting_reply_from": "vendor"}, {"$set": {"awaiting_since": since}}
        ).matched_count
        == 1
    )


def bell(stack, token, thread_id):
    answer = stack.call("GET", "/v1/notifications", token, params={"limit": 100})
    assert answer.status_code == 200, answer.text
    return [item for item in answer.json()["items"] if item["thread_id"] == thread_id]


def test_an_unanswered_question_reminds_the_vendor_once_then_escalates_to_the_administration(stack, world):
    shop = world.vendor("shop", "Lamp Shop")
    shop_email = f"sales-{shop}@vendors.test"
    product = world.product("lamp", shop, "Brass Desk Lamp")
    customer, _ = world.customer("ann")
    vendor, admin = world.staff(shop, "bob"), world.admin()
    thread_id = world.ask(customer, "product", product, "Does the lamp take LED bulbs?")
    stack.mail.wait_for_to(shop_email, 1)  # the question itself

    age(stack, thread_id, 24)
    world.wait(
        lambda: any(item.get("reason") == "reply_reminder" for item in bell(stack, vendor, thread_id)), timeout=TIMER
    )
    [question, reminder] = stack.mail.wait_for_to(shop_email, 2)
    assert reminder["Subject"] == "Reminder: a customer is waiting for your reply about Brass Desk Lamp"
    assert world.summary(vendor, thread_id)["overdue"] is False

    age(stack, thread_id, 48)
    world.wait(
        lambda: any(item.get("reason") == "reply_overdue" for item in bell(stack, admin, thread_id)), timeout=TIMER
    )
    assert [item["id"] for item in world.inbox(vendor, overdue="true")["items"]] == [thread_id]
    assert stack.call("GET", f"/v1/threads/{thread_id}", admin).json()["overdue"] is True
    now = datetime.now(timezone.utc)
    window = {
        "from": (now - timedelta(hours=1)).isoformat(),
        "to": (now + timedelta(hours=1)).isoformat(),
        "company_id": shop,
    }
    [figures] = stack.call("GET", "/v1/reports/response-times", admin, params=window).json()["vendors"]
    assert figures["overdue"] == 1

    stack.mail.settle(quiet=6.0)  # a tick or more: a second reminder would show by then
    assert len(stack.mail.to(shop_email)) == 2
    assert [item["reason"] for item in bell(stack, vendor, thread_id) if item.get("reason")] == ["reply_reminder"]
    assert [item["reason"] for item in bell(stack, admin, thread_id) if item.get("reason")] == ["reply_overdue"]

    assert world.post(vendor, thread_id, "Sorry for the wait: yes, any E27 LED bulb.").status_code == 201
    line = world.summary(vendor, thread_id)
    assert line["overdue"] is False and line["awaiting_reply_from"] is None
    assert world.inbox(vendor, overdue="true")["items"] == []
