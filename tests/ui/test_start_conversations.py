"""Staff write first: a vendor to the administration, the administration to a vendor it finds
by name (keyboard only), a vendor or the administration to the customer of an order, and an
announcement whose audience is chosen by name and counted before it is sent."""

import re
import uuid

import pytest
from playwright.sync_api import expect

from tests.ui.accessibility import assert_accessible
from tests.ui.conftest import screenshot

PHONE, DESKTOP = 390, 1440
# What axe checks: the new dialog, or the announcements panel, inside the component's shadow root
# (the demo page around them is another part's).
DIALOG = {"include": [["mc-message-center", "dialog[open]"]]}
ANNOUNCEMENTS = {"include": [["mc-message-center", "#panel-announcements"]]}


def start_dialog(page):
    center = page.locator("mc-message-center")
    center.get_by_role("button", name="New conversation").click()
    dialog = center.get_by_role("dialog", name="Start a conversation")
    expect(dialog).to_be_visible()
    return center, dialog


def send(page, dialog, picture: str) -> None:
    """The dialog as it is sent: checked by axe, pictured, then gone."""
    assert_accessible(page, DIALOG)
    screenshot(page, picture)
    dialog.get_by_role("button", name="Send").click()
    expect(dialog).to_be_hidden()


@pytest.mark.parametrize("width", [PHONE, DESKTOP])
def test_a_vendor_writes_to_the_administration(open_page, width):
    tag = uuid.uuid4().hex[:6]
    vendor = open_page("/ui/demo/vendor?vendor=2", width=width)
    center, dialog = start_dialog(vendor)
    expect(dialog.get_by_label("The marketplace administration")).to_be_checked()
    expect(dialog.get_by_role("combobox")).to_be_hidden()  # no vendor to pick: the vendor is the writer
    dialog.get_by_label("Subject").fill(f"Payout date ({tag})")
    dialog.get_by_label("Message").fill(f"({tag}) When is the December payout?")
    send(vendor, dialog, "start-vendor-to-admin")
    # The new conversation opens where its answer will come.
    expect(center.locator(".message").filter(has_text=f"({tag}) When is the December payout?")).to_be_visible()

    # One open conversation with the administration at a time: a second start goes on in it.
    admin = open_page("/ui/demo/admin", width=width)
    row = admin.locator("mc-message-center .thread-row").filter(has_text=tag)
    expect(row).to_be_visible()
    expect(row).to_contain_text("Oak & Thread")


@pytest.mark.parametrize("width", [PHONE, DESKTOP])
def test_the_administration_writes_to_a_vendor_found_by_name_by_keyboard_only(open_page, stack, demo, width):
    tag = uuid.uuid4().hex[:6]
    admin = open_page("/ui/demo/admin", width=width)
    center = admin.locator("mc-message-center")
    center.get_by_role("button", name="New conversation").focus()
    admin.keyboard.press("Enter")
    dialog = center.get_by_role("dialog", name="Start a conversation")
    picker = dialog.get_by_role("combobox", name="Vendor")
    expect(picker).to_be_focused()
    admin.keyboard.type("OAK &")
    options = dialog.get_by_role("listbox").get_by_role("option")
    expect(options).to_have_text(["Oak & Thread"])
    admin.keyboard.press("ArrowDown")
    expect(options.first).to_have_attribute("aria-selected", "true")
    expect(picker).to_have_attribute("aria-activedescendant", re.compile(r"-0$"))
    assert_accessible(admin, DIALOG)
    screenshot(admin, "start-admin-picks-vendor")
    admin.keyboard.press("Enter")  # chooses; does not send
    expect(picker).to_have_value("Oak & Thread")
    expect(dialog.get_by_text("Writing to Oak & Thread.")).to_be_visible()
    expect(dialog).to_be_visible()

    # Escape closes the list, not the dialog.
    admin.keyboard.type(" x")
    expect(dialog.get_by_role("listbox")).to_be_visible()
    admin.keyboard.press("Escape")
    expect(dialog.get_by_role("listbox")).to_be_hidden()
    expect(dialog).to_be_visible()

    admin.keyboard.press("Tab")
    expect(dialog.get_by_label("Subject")).to_be_focused()
    admin.keyboard.type(f"Your listing photos ({tag})")
    admin.keyboard.press("Tab")
    admin.keyboard.type(f"({tag}) Please replace the blurred photos.")
    admin.keyboard.press("Tab")
    admin.keyboard.press("Tab")
    expect(dialog.get_by_role("button", name="Send")).to_be_focused()
    admin.keyboard.press("Enter")
    expect(dialog).to_be_hidden()
    expect(center.locator(".message").filter(has_text=f"({tag}) Please replace")).to_be_visible()

    oak = open_page("/ui/demo/vendor?vendor=2", width=width)
    expect(oak.locator("mc-message-center .thread-row").filter(has_text=tag)).to_be_visible()
    # Written to the vendor picked, and to no other.
    lumens = stack.call("GET", "/v1/threads", demo["vendor 1 (Lumen Lamps)"], params={"limit": 100}).json()["items"]
    assert not [item for item in lumens if tag in (item.get("last_message") or {}).get("preview", "")]


@pytest.mark.parametrize("width", [PHONE, DESKTOP])
def test_a_vendor_writes_to_the_customer_from_the_orders_link(open_page, width):
    tag = uuid.uuid4().hex[:6]
    # The order page's "Message the customer" link opens the dialog on its order.
    vendor = open_page("/ui/demo/vendor?vendor=1#mc-write-order=5001", width=width)
    dialog = vendor.locator("mc-message-center").get_by_role("dialog", name="Start a conversation")
    expect(dialog.get_by_label("The customer of an order")).to_be_checked()
    expect(dialog.get_by_text("Order #5001: writing to Ann Lee.")).to_be_visible()
    expect(dialog.get_by_label("Message")).to_be_focused()
    dialog.get_by_label("Message").fill(f"Your lamp ships tomorrow ({tag}).")
    send(vendor, dialog, "start-vendor-to-customer")

    customer = open_page("/ui/demo/storefront", width=width)
    messages = customer.locator("mc-messages")
    messages.locator(".thread-row").filter(has_text="Order #5001").first.get_by_role("button").click()
    expect(messages.locator(".message").filter(has_text=f"ships tomorrow ({tag})")).to_be_visible()


@pytest.mark.parametrize("width", [PHONE, DESKTOP])
def test_the_administration_writes_to_the_customer_of_an_order(open_page, width):
    tag = uuid.uuid4().hex[:6]
    admin = open_page("/ui/demo/admin", width=width)
    center, dialog = start_dialog(admin)
    dialog.get_by_label("The customer of an order").check()
    dialog.get_by_role("button", name="Send").click()
    expect(dialog.get_by_role("alert")).to_have_text("Find the order whose customer you write to.")
    dialog.get_by_label("Order number").fill("#5001")
    dialog.get_by_label("Order number").press("Enter")
    expect(dialog.get_by_text("Order #5001: writing to Ann Lee.")).to_be_visible()
    dialog.get_by_label("Message").fill(f"The marketplace refunds the shipping ({tag}).")
    send(admin, dialog, "start-admin-to-customer")
    expect(center.locator(".message").filter(has_text=f"refunds the shipping ({tag})")).to_be_visible()


@pytest.mark.parametrize("width", [PHONE, DESKTOP])
def test_an_announcement_is_addressed_by_name_and_counted_before_it_is_sent(open_page, stack, demo, width):
    tag = uuid.uuid4().hex[:6]
    active = stack.call("GET", "/v1/catalog/vendors", demo["admin"], params={"status": "A", "limit": 1}).json()["total"]
    assert active >= 2

    admin = open_page("/ui/demo/admin", width=width)
    center = admin.locator("mc-message-center")
    center.get_by_role("tab", name="Announcements").click()
    panel = center.get_by_role("tabpanel", name="Announcements")
    count = panel.locator(".audience-count")
    expect(count).to_have_text(f"It will reach {active} vendors.")

    picker = panel.get_by_role("combobox", name="Add a vendor")
    picker.fill("lumen")
    panel.get_by_role("option", name="Lumen Lamps").click()
    expect(panel.get_by_label("These vendors")).to_be_checked()
    expect(count).to_have_text("It will reach 1 vendor.")
    picker.fill("oak")
    expect(panel.get_by_role("option")).to_have_text(["Oak & Thread"])
    picker.press("ArrowDown")
    picker.press("Enter")
    chosen = panel.get_by_role("list", name="Chosen vendors")
    expect(chosen.get_by_role("listitem")).to_have_text([re.compile("Lumen Lamps"), re.compile("Oak & Thread")])
    expect(count).to_have_text("It will reach 2 vendors.")
    chosen.get_by_role("button", name="Remove Lumen Lamps").click()
    expect(count).to_have_text("It will reach 1 vendor.")
    panel.get_by_label("Subject").fill(f"Oak care guide ({tag})")
    panel.get_by_label("Message", exact=True).fill("The new oil for oak furniture is in the guide.")
    assert_accessible(admin, ANNOUNCEMENTS)
    screenshot(admin, "announcement-audience")
    panel.get_by_role("button", name="Send announcement").click()
    expect(panel.get_by_text("Sent to 1 vendor.")).to_be_visible()
    expect(count).to_have_text(f"It will reach {active} vendors.")  # back to everyone, for the next one
    receipt = panel.locator(".receipt").filter(has_text=f"Oak care guide ({tag})")
    expect(receipt.get_by_role("row").filter(has_text="Oak & Thread")).to_be_visible()
    expect(receipt.get_by_role("row").filter(has_text="Lumen Lamps")).to_have_count(0)


@pytest.mark.parametrize("width", [PHONE, DESKTOP])
def test_staff_write_to_an_orders_customer_from_their_conversation_about_the_order(open_page, stack, demo, width):
    tag = uuid.uuid4().hex[:6]
    about = stack.call(
        "POST",
        "/v1/threads",
        demo["vendor 1 (Lumen Lamps)"],
        json={
            "type": "vendor_to_admin",
            "object": {"type": "order", "id": "5001"},
            "subject": "Order 5001 refund",
            "message": f"The customer asks for a refund ({tag}).",
        },
    )
    assert about.status_code in (200, 201), about.text
    admin = open_page(f"/ui/demo/admin#mc-thread={about.json()['thread']['id']}", width=width)
    center = admin.locator("mc-message-center")
    expect(center.locator(".message").filter(has_text=f"refund ({tag})")).to_be_visible()
    expect(center.locator(".conv-head .party")).to_contain_text("with Lumen Lamps")
    center.get_by_role("button", name="Write to the customer of order #5001").click()
    dialog = center.get_by_role("dialog", name="Start a conversation")
    expect(dialog.get_by_label("The customer of an order")).to_be_checked()
    expect(dialog.get_by_text("Order #5001: writing to Ann Lee.")).to_be_visible()
    dialog.get_by_label("Message").fill(f"Your refund is on its way ({tag}).")
    send(admin, dialog, "start-from-order-conversation")
    expect(center.locator(".message").filter(has_text=f"Your refund is on its way ({tag})")).to_be_visible()
