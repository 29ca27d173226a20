"""A customer's data in the web front (docs/privacy.md): the customer downloads their own data
from the Messages tab; the administration's privacy staff download a customer's data and erase
it from the Privacy tab, by mouse and by keyboard, at a phone's width and a desktop's; an
admin without manage_privacy has no such tab; axe finds nothing."""

import json
import uuid

import pytest
from playwright.sync_api import expect

from dev.tokens import mint
from tests.fixtures.stack import JWT_SECRET
from tests.ui.accessibility import assert_accessible
from tests.ui.asking import ask
from tests.ui.conftest import screenshot

WIDTHS = [390, 1440]


def saved(download) -> dict:
    return json.loads(open(download.path(), encoding="utf-8").read())


@pytest.mark.parametrize("width", WIDTHS)
def test_a_customer_downloads_their_own_data_from_the_messages_tab(open_page, width, stack, demo):
    tag = uuid.uuid4().hex[:6]
    thread_id = ask(stack, demo["customer"], "product", "201", f"Is the side table solid oak? ({tag})")["thread"]["id"]
    page = open_page("/ui/demo/storefront", width=width)
    messages = page.locator("mc-messages")
    button = messages.get_by_role("button", name="Download my data")
    expect(button).to_be_visible()
    with page.expect_download() as download:
        button.click()
    document = saved(download.value)
    assert download.value.suggested_filename == "my-messages.json"
    assert document["customer"]["names"] == ["Ann Lee"]
    mine = [c for c in document["conversations"] if c["id"] == thread_id]
    assert mine and any(tag in message["text"] for message in mine[0]["messages"])
    expect(messages.get_by_role("status").filter(has_text="my-messages.json")).to_be_visible()
    assert_accessible(page, "mc-messages")
    screenshot(page, "customer-my-data")


def a_customer_to_erase(stack):
    customer_id = f"erase-{uuid.uuid4().hex[:8]}"
    name = f"Erin Vanish{uuid.uuid4().hex[:4]}"
    token = stack.token("customer", sub=customer_id, name=name, email=f"{customer_id}@buyers.test")
    thread_id = ask(stack, token, "product", "201", f"Hello, {name} here: is it oak?")["thread"]["id"]
    return customer_id, name, thread_id


def open_privacy(open_page, width):
    page = open_page("/ui/demo/admin", width=width)
    center = page.locator("mc-message-center")
    center.get_by_role("tab", name="Privacy").click()
    expect(center.get_by_role("tab", name="Privacy")).to_have_attribute("aria-selected", "true")
    return page, center


@pytest.mark.parametrize("width", WIDTHS)
def test_the_administration_downloads_then_erases_a_customers_data(open_page, width, stack, demo):
    customer_id, name, thread_id = a_customer_to_erase(stack)
    page, center = open_privacy(open_page, width)
    center.get_by_label("Customer ID").fill(customer_id)
    with page.expect_download() as download:
        center.get_by_role("button", name="Download their data").click()
    document = saved(download.value)
    assert document["customer"]["names"] == [name]
    assert [c["id"] for c in document["conversations"]] == [thread_id]
    assert_accessible(page, "mc-message-center")

    center.get_by_role("button", name="Erase their data").click()
    dialog = center.get_by_role("dialog", name=f"Erase the data of customer {customer_id}?")
    expect(dialog).to_be_visible()
    dialog.get_by_role("button", name="Erase for good").click()
    expect(
        center.get_by_role("status").filter(has_text=f"The data of customer {customer_id} is erased.")
    ).to_be_visible(timeout=20_000)
    counts = center.get_by_role("table", name="What was erased")
    expect(counts.get_by_role("row", name="threads 1")).to_be_visible()
    thread = stack.call("GET", f"/v1/threads/{thread_id}", demo["admin"]).json()
    assert thread["customer_name"] == "Former customer"
    assert name not in json.dumps(thread)
    assert_accessible(page, "mc-message-center")
    screenshot(page, "admin-privacy")


def test_a_customers_data_is_erased_with_the_keyboard_alone_and_cancelling_erases_nothing(open_page, stack, demo):
    customer_id, name, thread_id = a_customer_to_erase(stack)
    page = open_page("/ui/demo/admin", width=1440)
    center = page.locator("mc-message-center")
    center.get_by_role("tab", name="Conversations").focus()
    for _ in range(4):
        if center.get_by_role("tab", name="Privacy").get_attribute("aria-selected") == "true":
            break
        page.keyboard.press("ArrowRight")  # the tabs follow the arrow keys
    expect(center.get_by_role("tab", name="Privacy")).to_have_attribute("aria-selected", "true")
    page.keyboard.press("Tab")
    expect(center.get_by_label("Customer ID")).to_be_focused()
    page.keyboard.type(customer_id)
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    expect(center.get_by_role("button", name="Erase their data")).to_be_focused()
    page.keyboard.press("Enter")
    dialog = center.get_by_role("dialog")
    expect(dialog).to_be_visible()
    page.keyboard.press("Escape")  # cancelled: nothing is erased
    expect(dialog).to_have_count(0)
    expect(center.get_by_role("button", name="Erase their data")).to_be_focused()
    assert stack.call("GET", f"/v1/threads/{thread_id}", demo["admin"]).json()["customer_name"] == name
    page.keyboard.press("Enter")
    expect(center.get_by_role("dialog")).to_be_visible()
    center.get_by_role("button", name="Erase for good").focus()
    page.keyboard.press("Enter")
    expect(center.get_by_role("status").filter(has_text="is erased")).to_be_visible(timeout=20_000)
    assert stack.call("GET", f"/v1/threads/{thread_id}", demo["admin"]).json()["customer_name"] == "Former customer"


def test_an_admin_without_manage_privacy_has_no_privacy_tab(open_page):
    support = mint(JWT_SECRET, "admin-support", "admin", name="Support", permissions=["view_vendor_communication"])
    page = open_page("/ui/demo/admin")
    page.evaluate("token => document.querySelector('mc-message-center').configure({token})", support)
    center = page.locator("mc-message-center")
    expect(center.get_by_role("tab", name="Conversations")).to_be_visible()
    expect(center.get_by_role("tab", name="Privacy")).to_have_count(0)
