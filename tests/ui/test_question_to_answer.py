"""A customer asks on a product page; the vendor sees it, bold with a badge, opens it with the
product beside it and replies; the customer's Messages tab shows the answer without a reload."""

import re
import uuid

from playwright.sync_api import expect

from tests.ui.conftest import screenshot

# Well under the pages' 20 s polling: an answer this fast came through the event stream.
LIVE = 10_000


def test_a_question_asked_on_a_product_page_is_answered_live(open_page):
    tag = uuid.uuid4().hex[:6]
    question = f"Does the brass lamp take LED bulbs? ({tag})"
    answer = f"Yes: any E27 LED bulb up to 9 W. ({tag})"

    customer = open_page("/ui/demo/storefront")
    customer.evaluate("window.__sameDocument = true")
    inbox = customer.locator("mc-messages")
    expect(inbox).to_have_attribute("live", "stream")

    ask = customer.locator("mc-ask-question[product-id='101']")
    ask.get_by_role("button", name="Ask a question").click()
    dialog = ask.get_by_role("dialog", name="Ask the vendor about this product")
    expect(dialog.get_by_label("Your question")).to_be_focused()
    dialog.get_by_label("Your question").fill(question)
    dialog.get_by_role("button", name="Send question").click()
    expect(dialog.get_by_role("heading", name="Your question was sent")).to_be_visible()
    dialog.get_by_role("link", name="Open the conversation").click()

    conversation = inbox.get_by_role("article")
    expect(conversation.get_by_role("heading", name="Product: Brass Desk Lamp")).to_be_visible()
    expect(conversation.locator(".message").filter(has_text=question)).to_be_visible()
    expect(conversation.get_by_role("complementary", name="About this conversation")).to_contain_text("Brass Desk Lamp")

    vendor = open_page("/ui/demo/vendor")
    center = vendor.locator("mc-message-center")
    asked = center.locator(".thread-row").filter(has_text=question)
    expect(asked).to_have_count(1)
    # Found by its id from here on: once answered, its preview no longer shows the question.
    row = center.locator(f".thread-row[data-thread-id='{asked.get_attribute('data-thread-id')}']")
    expect(row).to_have_class(re.compile(r"\bunread\b"))
    expect(row.locator(".badge")).to_have_text("1")
    assert int(row.locator(".subject").evaluate("subject => getComputedStyle(subject).fontWeight")) >= 700
    expect(row).to_contain_text("Awaiting your reply")
    screenshot(vendor, "vendor-inbox")

    # By keyboard: the row is a button; opening moves focus to the conversation's heading.
    row.get_by_role("button").focus()
    vendor.keyboard.press("Enter")
    heading = center.get_by_role("heading", name="Product: Brass Desk Lamp")
    expect(heading).to_be_focused()
    expect(row).not_to_have_class(re.compile(r"\bunread\b"))

    panel = center.get_by_role("complementary", name="About this conversation")
    for shown in ("Brass Desk Lamp", "LL-DESK-01", "89.00", "What changed since the question was asked"):
        expect(panel).to_contain_text(shown)
    expect(panel.get_by_role("img", name="Brass Desk Lamp")).to_be_visible()
    expect(panel.get_by_role("link", name="View product")).to_have_attribute("href", re.compile(r"product_id=101"))
    dialogue = center.locator(".dialogue")
    assert panel.bounding_box()["x"] >= dialogue.bounding_box()["x"] + dialogue.bounding_box()["width"] - 1, (
        "on a desktop the context panel stands to the right of the dialogue"
    )

    center.get_by_label("Your reply").fill(answer)
    center.get_by_role("button", name="Send reply").click()
    expect(center.locator(".message.mine").filter(has_text=answer)).to_be_visible()
    expect(center.get_by_label("Your reply")).to_have_value("")
    expect(row).not_to_contain_text("Awaiting your reply")
    screenshot(vendor, "vendor-conversation")

    expect(conversation.locator(".message").filter(has_text=answer)).to_be_visible(timeout=LIVE)
    expect(inbox.locator("[role=status][aria-live=polite]")).to_have_text(
        "New message from Lena (Lumen Lamps)", timeout=LIVE
    )
    assert customer.evaluate("window.__sameDocument") is True, "the page was reloaded"
    screenshot(customer, "storefront-answered")


def test_the_customer_replies_and_the_vendors_open_page_shows_it_live(open_page, demo, stack):
    tag = uuid.uuid4().hex[:6]
    started = stack.call(
        "POST",
        "/v1/threads",
        demo["customer"],
        json={
            "type": "vendor_to_customer",
            "object": {"type": "order", "id": "5001"},
            "message": f"When will order 5001 ship? ({tag})",
        },
    ).json()
    thread_id = started["thread"]["id"]

    vendor = open_page("/ui/demo/vendor")
    center = vendor.locator("mc-message-center")
    expect(center).to_have_attribute("live", "stream")
    center.locator(".thread-row").filter(has_text=tag).get_by_role("button").click()
    panel = center.get_by_role("complementary", name="About this conversation")
    for shown in ("Order #5001", "124.50", "processed", "Ann Lee", "ann.lee@customer.example", "+1 555 0100"):
        expect(panel).to_contain_text(shown)

    follow_up = f"It is a gift, please no invoice in the box. ({tag})"
    posted = stack.call("POST", f"/v1/threads/{thread_id}/messages", demo["customer"], json={"body": follow_up})
    assert posted.status_code == 201, posted.text
    expect(center.locator(".message").filter(has_text=follow_up)).to_be_visible(timeout=LIVE)


def test_without_the_event_stream_the_page_polls_every_20_seconds(open_page, demo, stack):
    tag = uuid.uuid4().hex[:6]
    vendor = open_page("/ui/demo/vendor", clock=True)
    center = vendor.locator("mc-message-center")
    expect(center).to_have_attribute("live", "stream")
    # The push process out of reach: its address answers that there is no stream (a 204 closes an
    # EventSource for good, without the network error a refused connection logs in the console).
    vendor.route(f"{stack.url}/out-of-reach/v1/events**", lambda route: route.fulfill(status=204))
    center.evaluate("(center, url) => center.configure({eventsUrl: url})", f"{stack.url}/out-of-reach/v1/events")
    expect(center).to_have_attribute("live", "polling")
    expect(center).to_contain_text("Updates every 20 s")

    asked = stack.call(
        "POST",
        "/v1/threads",
        demo["customer"],
        json={
            "type": "vendor_to_customer",
            "object": {"type": "company", "id": "1"},
            "message": f"Do you have a showroom in Lyon? ({tag})",
        },
    )
    assert asked.status_code in (200, 201), asked.text
    row = center.locator(".thread-row").filter(has_text=tag)
    vendor.clock.run_for(15_000)
    expect(row).to_have_count(0)  # no stream, and the next poll is not due yet
    vendor.clock.run_for(6_000)
    expect(row).to_be_visible()
