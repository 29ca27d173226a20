"""The administration's page: an announcement to a vendor with its read receipt, the vendors'
response times, and the storefront's buttons following the settings."""

import re
import uuid

from playwright.sync_api import expect

from tests.ui.conftest import screenshot
from tests.ui.asking import ask


def test_the_admin_sees_the_read_receipt_once_the_vendor_opens_the_announcement(open_page):
    tag = uuid.uuid4().hex[:6]
    subject = f"New shipping rules from December ({tag})"

    admin = open_page("/ui/demo/admin")
    center = admin.locator("mc-message-center")
    center.get_by_role("tab", name="Announcements").click()
    expect(center.get_by_role("tab", name="Announcements")).to_have_attribute("aria-selected", "true")
    picker = center.get_by_role("combobox", name="Add a vendor")
    picker.fill("Lumen")
    center.get_by_role("option", name="Lumen Lamps").click()
    expect(center.get_by_label("These vendors")).to_be_checked()
    center.get_by_label("Subject").fill(subject)
    center.get_by_label("Message", exact=True).fill("Parcels over 30 kg go by freight from 1 December.")
    center.get_by_role("button", name="Send announcement").click()
    expect(center.get_by_text("Sent to 1 vendor.")).to_be_visible()

    receipt = center.locator(".receipt").filter(has_text=subject)
    expect(receipt.locator(".read-count")).to_have_text("0 of 1 vendors have read it")
    lumen = receipt.get_by_role("row").filter(has_text="Lumen Lamps")
    expect(lumen).to_contain_text("Not yet")

    vendor = open_page("/ui/demo/vendor")
    row = vendor.locator("mc-message-center .thread-row").filter(has_text=subject)
    expect(row).to_have_class(re.compile(r"\bunread\b"))
    row.get_by_role("button").click()
    expect(vendor.locator("mc-message-center .message").filter(has_text="freight")).to_be_visible()
    expect(row).not_to_have_class(re.compile(r"\bunread\b"))

    # The panel refreshes itself every few seconds; the button does it now.
    center.get_by_role("button", name="Refresh").click()
    expect(receipt.locator(".read-count")).to_have_text("1 of 1 vendors have read it")
    expect(lumen).to_contain_text("Read")
    expect(lumen).not_to_contain_text("Not yet")
    screenshot(admin, "admin-announcements")


def test_the_admin_sees_each_vendors_response_times(open_page, demo, stack):
    tag = uuid.uuid4().hex[:6]
    thread_id = ask(stack, demo["customer"], "product", "201", f"Is the side table solid oak? ({tag})")["thread"]["id"]
    replied = stack.call(
        "POST", f"/v1/threads/{thread_id}/messages", demo["vendor 2 (Oak & Thread)"], json={"body": "Solid oak, oiled."}
    )
    assert replied.status_code == 201, replied.text

    admin = open_page("/ui/demo/admin")
    center = admin.locator("mc-message-center")
    center.get_by_role("tab", name="Response times").focus()
    admin.keyboard.press("Home")  # tabs follow the arrow keys, Home and End
    expect(center.get_by_role("tab", name="Conversations")).to_be_focused()
    admin.keyboard.press("End")
    expect(center.get_by_role("tab", name="Settings")).to_have_attribute("aria-selected", "true")
    admin.keyboard.press("ArrowLeft")
    expect(center.get_by_role("tab", name="Privacy")).to_have_attribute("aria-selected", "true")
    admin.keyboard.press("ArrowLeft")
    expect(center.get_by_role("tab", name="Response times")).to_have_attribute("aria-selected", "true")
    table = center.get_by_role("table", name="Vendors’ response times")
    oak = table.get_by_role("row").filter(has_text="Oak & Thread")
    expect(oak).to_be_visible()
    expect(oak.get_by_role("cell").nth(0)).to_have_text(re.compile(r"^[1-9]\d*$"))  # conversations
    expect(oak).to_contain_text("100%")  # every one answered within 24 h
    screenshot(admin, "admin-response-times")


def test_the_storefront_buttons_follow_the_public_settings(open_page, demo, stack):
    admin = demo["admin"]

    def settings(**values):
        answer = stack.call("PUT", "/v1/settings", admin, json=values)
        assert answer.status_code == 200, answer.text

    asks = {kind: f"mc-ask-question[{kind}-id]" for kind in ("product", "order", "company")}
    try:
        settings(show_on_product=False)
        page = open_page("/ui/demo/storefront")
        expect(page.locator(asks["order"]).get_by_role("button")).to_be_visible()
        expect(page.locator(asks["company"]).get_by_role("button")).to_be_visible()
        expect(page.locator(asks["product"])).to_have_attribute("hidden", "")
        expect(page.locator(asks["product"]).get_by_role("button")).to_have_count(0)

        settings(show_on_product=True, customer_to_vendor_enabled=False)
        page = open_page("/ui/demo/storefront")
        expect(page.locator("mc-messages").get_by_role("heading", name="Messages")).to_be_visible()
        for selector in asks.values():
            expect(page.locator(selector)).to_have_attribute("hidden", "")
    finally:
        settings(show_on_product=True, customer_to_vendor_enabled=True)
    page = open_page("/ui/demo/storefront")
    for selector in asks.values():
        expect(page.locator(selector).get_by_role("button")).to_be_visible()
