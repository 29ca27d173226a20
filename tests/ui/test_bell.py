"""The bell tells the truth, live: a new question rings the vendor's open page at once, opening
the conversation takes its item off the bell, and a reminder (the conversations service's own
timer, a day of waiting made by ageing the wait in the database, as tests/e2e/test_reminders.py
does) rings it too, all without a reload: the notifications service's `bell_changed`, through
push, after each item is written or read."""

import uuid
from datetime import datetime, timedelta, timezone

import pytest
from playwright.sync_api import expect

from tests.ui.accessibility import assert_accessible
from tests.ui.conftest import screenshot
from tests.ui.test_links import VENDOR, start_new_thread

# Well under the pages' 20 s polling: a change this fast came through the event stream.
LIVE = 10_000
# The reminder timer ticks every 5 s; then the notifications service, then push.
REMINDER = 30_000


def badge(center):
    return center.locator(".bell button .badge")


def bell_count(center) -> int:
    expect(center.locator(".bell")).to_be_visible()  # its first answer came
    shown = badge(center)
    return int(shown.text_content()) if shown.is_visible() else 0


def expect_bell(center, count: int, timeout: int = LIVE) -> None:
    if count:
        expect(badge(center)).to_have_text(str(count), timeout=timeout)
        expect(badge(center)).to_be_visible()
    else:
        expect(badge(center)).to_be_hidden(timeout=timeout)


def age(stack, thread_id, hours):
    """The customer has waited `hours` (and a minute) for the vendor."""
    since = datetime.now(timezone.utc) - timedelta(hours=hours, minutes=1)
    assert (
        stack.db.threads.update_one(
            {"_id": thread_id, "awaiting_reply_from": "vendor"}, {"$set": {"awaiting_since": since}}
        ).matched_count
        == 1
    )


@pytest.mark.parametrize("width", (390, 1440))
def test_the_bell_rings_live_and_opening_the_conversation_clears_it(open_page, demo, stack, width):
    tag = uuid.uuid4().hex[:8]
    vendor = open_page("/ui/demo/vendor", width)
    vendor.evaluate("window.__sameDocument = true")
    center = vendor.locator("mc-message-center")
    expect(center).to_have_attribute("live", "stream")
    before = bell_count(center)

    question = f"Does the lamp come with a bulb? ({tag})"
    thread_id = start_new_thread(
        stack,
        demo["customer"],
        demo[f"vendor 1 ({VENDOR['company']})"],
        {"type": "vendor_to_customer", "object": {"type": "product", "id": "101"}, "message": question},
    )
    expect_bell(center, before + 1)
    screenshot(vendor, "bell-rung")

    center.locator(f".thread-row[data-thread-id='{thread_id}']").get_by_role("button").click()
    expect(center.locator(".message").filter(has_text=question)).to_be_visible()
    expect_bell(center, before)  # read in the conversation, read on the bell

    # A day without an answer: the reminder rings the company's bell, live.
    age(stack, thread_id, 24)
    expect_bell(center, before + 1, timeout=REMINDER)
    center.locator(".bell > button").click()
    reminder = center.locator(".bell-panel li").first  # the newest
    expect(reminder).to_have_class("unread")
    expect(reminder).to_contain_text("has waited 24 h for your reply")
    expect(reminder).to_contain_text("Brass Desk Lamp")
    screenshot(vendor, "bell-reminder")
    assert_accessible(vendor, "mc-message-center")
    reminder.get_by_role("button").click()
    expect(center.get_by_role("heading", name="Product: Brass Desk Lamp")).to_be_visible()
    expect_bell(center, before)
    assert vendor.evaluate("window.__sameDocument") is True, "the page was reloaded"


def test_the_bell_of_another_vendors_page_does_not_move(open_page, demo, stack):
    """The news goes to the owners of the bell only: another vendor's open page hears nothing."""
    tag = uuid.uuid4().hex[:8]
    other = open_page("/ui/demo/vendor?vendor=2")
    center = other.locator("mc-message-center")
    expect(center).to_have_attribute("live", "stream")
    before = bell_count(center)
    requests_made = []
    other.on("request", lambda request: "/v1/notifications" in request.url and requests_made.append(request.url))
    start_new_thread(
        stack,
        demo["customer"],
        demo[f"vendor 1 ({VENDOR['company']})"],
        {
            "type": "vendor_to_customer",
            "object": {"type": "product", "id": "101"},
            "message": f"Is the shade glass? ({tag})",
        },
    )
    other.wait_for_timeout(3000)
    assert bell_count(center) == before
    assert requests_made == [], "the other vendor's bell was told of a change that was not its own"
