"""Every page fits from a 320 px phone to a wide desktop: nothing runs off the side, and on a
phone the list and the conversation take turns. Screenshots of each page at phone and
desktop width go to tests/artifacts/."""

import uuid

import pytest
from playwright.sync_api import expect

from tests.ui.conftest import screenshot

PHONE, SMALL_PHONE, DESKTOP = 375, 320, 1280
LONG_WORD = "https://shade.example.test/" + "care-and-cleaning-" * 8


@pytest.fixture
def conversation(stack, demo):
    """A conversation with a long unbroken line in it, on every page that can see it."""
    tag = uuid.uuid4().hex[:6]
    asked = stack.call(
        "POST",
        "/v1/threads",
        demo["customer"],
        json={
            "type": "vendor_to_customer",
            "object": {"type": "product", "id": "102"},
            "message": f"How do I clean the shade? I read {LONG_WORD} ({tag})",
        },
    )
    assert asked.status_code in (200, 201), asked.text
    return tag


def fits(page):
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"{overflow}px run off the side at {page.viewport_size['width']}px"


@pytest.mark.parametrize("width", [SMALL_PHONE, PHONE, DESKTOP])
def test_the_storefront_fits(open_page, conversation, width):
    page = open_page("/ui/demo/storefront", width)
    inbox = page.locator("mc-messages")
    row = inbox.locator(".thread-row").filter(has_text=conversation)
    expect(row).to_be_visible()
    fits(page)
    row.get_by_role("button").click()
    expect(inbox.locator(".message").filter(has_text=conversation)).to_be_visible()
    if width < DESKTOP:
        expect(row).to_be_hidden()  # the conversation takes the whole width
    fits(page)
    if width != SMALL_PHONE:
        screenshot(page, "storefront")
    if width < DESKTOP:
        inbox.get_by_role("button", name="Back to conversations").click()
        expect(row.get_by_role("button")).to_be_focused()


@pytest.mark.parametrize("width", [SMALL_PHONE, PHONE, DESKTOP])
def test_the_vendors_message_center_fits(open_page, conversation, width):
    page = open_page("/ui/demo/vendor", width)
    center = page.locator("mc-message-center")
    row = center.locator(".thread-row").filter(has_text=conversation)
    expect(row).to_be_visible()
    fits(page)
    row.get_by_role("button").click()
    context = center.get_by_role("complementary", name="About this conversation")
    if width < DESKTOP:  # the messages first; the product behind a button
        expect(context).to_be_hidden()
        center.get_by_role("button", name="About this conversation").click()
    expect(context).to_be_visible()
    expect(context).to_contain_text("Linen Lamp Shade")
    fits(page)
    if width != SMALL_PHONE:
        screenshot(page, "vendor")


@pytest.mark.parametrize("width", [SMALL_PHONE, PHONE, DESKTOP])
def test_the_admins_message_center_fits(open_page, conversation, width):
    page = open_page("/ui/demo/admin", width)
    center = page.locator("mc-message-center")
    expect(center.locator(".thread-row").filter(has_text=conversation)).to_be_visible()
    fits(page)
    if width != SMALL_PHONE:
        screenshot(page, "admin")
    center.get_by_role("tab", name="Announcements").click()
    expect(center.get_by_role("button", name="Send announcement")).to_be_visible()
    fits(page)
