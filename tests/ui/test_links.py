"""The "Read and answer" link of a real notification mail, taken from the stack's mail server,
opens its conversation: for the customer on the storefront, for the vendor and for the
administration in their portals, on a phone and on a desktop.

The stack points the thread links at the demo pages (dev/demo.thread_links), as `make run` does.
"""

import re
import uuid

import pytest
from playwright.sync_api import expect

from dev import seed
from tests.ui.accessibility import assert_accessible
from tests.ui.conftest import screenshot

VENDOR = seed.VENDORS[0]  # Lumen Lamps, the demo vendor page's own
CUSTOMER_EMAIL = "ann.lee@customer.example"
ADMIN_EMAIL = "admin@marketplace.test"  # the stack's ADMIN_EMAILS
LINK = re.compile(r"(?:Read and answer|read and answer here): (\S+)")
WIDTHS = (390, 1440)


def link_in_mail(stack, address: str, tag: str) -> str:
    """The link of the mail to `address` about the message tagged `tag`, once it came."""

    def about_it():
        return [mail for mail in stack.mail.to(address) if tag in mail.get_body(("plain",)).get_content()]

    expect_soon(about_it, f"a mail to {address} about {tag}")
    [mail] = about_it()
    found = LINK.search(mail.get_body(("plain",)).get_content())
    assert found, "the mail has no link to the conversation"
    return found[1]


def start_new_thread(stack, token, closer, request: dict) -> str:
    """A thread of its own, so that its first mail goes at once and its bell item is the only
    one: another test may have left one open with the same parties and object (a start would
    append to it), which is closed first, by `closer`."""
    target = request["object"]
    found = stack.call(
        "GET",
        "/v1/threads",
        token,
        params={
            "type": request["type"],
            "status": "open",
            "object_type": target["type"],
            **({"object_id": target["id"]} if target.get("id") else {}),
            "limit": 100,
        },
    )
    assert found.status_code == 200, found.text
    for open_thread in found.json()["items"]:
        closed = stack.call("PATCH", f"/v1/threads/{open_thread['id']}", closer, json={"status": "closed"})
        assert closed.status_code == 200, closed.text
    started = stack.call("POST", "/v1/threads", token, json=request)
    assert started.status_code == 201 and started.json()["created"], started.text
    return started.json()["thread"]["id"]


def expect_soon(check, what: str, timeout: float = 30.0):
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.2)
    raise AssertionError(f"no {what} within {timeout} s")


def follow(open_page, stack, link: str, width: int):
    assert link.startswith(stack.url + "/ui/demo/"), link
    return open_page(link.removeprefix(stack.url), width)


def expect_open(page, element: str, text: str, heading: str):
    """The conversation is open, its heading on screen, with the message the mail was about."""
    host = page.locator(element)
    conversation = host.get_by_role("article")
    expect(conversation.get_by_role("heading", name=heading)).to_be_in_viewport()
    expect(conversation.locator(".message").filter(has_text=text)).to_be_visible()
    expect(host).not_to_contain_text("Choose a conversation to read it")
    return host


@pytest.mark.parametrize("width", WIDTHS)
def test_the_mails_link_opens_the_conversation_for_the_vendor_and_the_customer(open_page, demo, stack, width):
    tag = uuid.uuid4().hex[:8]
    question = f"Is the desk lamp dimmable? ({tag})"
    thread_id = start_new_thread(
        stack,
        demo["customer"],
        demo[f"vendor 1 ({VENDOR['company']})"],
        {"type": "vendor_to_customer", "object": {"type": "product", "id": "101"}, "message": question},
    )

    link = link_in_mail(stack, VENDOR["email"], tag)
    assert thread_id in link
    vendor = follow(open_page, stack, link, width)
    center = expect_open(vendor, "mc-message-center", question, "Product: Brass Desk Lamp")
    screenshot(vendor, "link-vendor")
    assert_accessible(vendor, "mc-message-center")

    answer = f"Yes, with any dimmer for LED. ({tag})"
    center.get_by_label("Your reply").fill(answer)
    center.get_by_role("button", name="Send reply").click()
    expect(center.locator(".message.mine").filter(has_text=answer)).to_be_visible()

    link = link_in_mail(stack, CUSTOMER_EMAIL, tag)
    customer = follow(open_page, stack, link, width)
    expect_open(customer, "mc-messages", answer, "Product: Brass Desk Lamp")
    screenshot(customer, "link-customer")
    assert_accessible(customer, "mc-messages")


@pytest.fixture
def administration_mailed(stack, demo):
    """The administration hears of vendors' messages by mail too (by default, by the bell only),
    for this test only: the other tests share the stack's settings."""
    before = stack.call("GET", "/v1/settings", demo["admin"]).json()["notifications"]["rules"]
    changed = stack.call(
        "PUT",
        "/v1/settings",
        demo["admin"],
        json={"notifications": {"rules": {"vendor_admin_message": {"admin": ["email", "in_app"]}}}},
    )
    assert changed.status_code == 200, changed.text
    yield
    stack.call(
        "PUT",
        "/v1/settings",
        demo["admin"],
        json={"notifications": {"rules": {"vendor_admin_message": before["vendor_admin_message"]}}},
    )


@pytest.mark.parametrize("width", WIDTHS)
def test_the_mails_link_opens_the_conversation_for_the_administration(
    open_page, demo, stack, width, administration_mailed
):
    tag = uuid.uuid4().hex[:8]
    question = f"When is the next payout? ({tag})"
    start_new_thread(
        stack,
        demo[f"vendor 1 ({VENDOR['company']})"],
        demo["admin"],
        {
            "type": "vendor_to_admin",
            "object": {"type": "none", "id": None},
            "subject": f"Payouts {tag}",
            "message": question,
        },
    )

    link = link_in_mail(stack, ADMIN_EMAIL, tag)
    admin = follow(open_page, stack, link, width)
    expect_open(admin, "mc-message-center", question, f"Payouts {tag}")
    screenshot(admin, "link-admin")
    assert_accessible(admin, "mc-message-center")
