"""The vendor's and the administration's tools: search and filters, close and reopen, bulk
reply and bulk delete."""

import re
import uuid

from playwright.sync_api import expect

from dev.tokens import mint
from tests.fixtures.stack import JWT_SECRET
from tests.ui.asking import ask


def test_the_vendor_searches_filters_closes_reopens_and_replies_in_bulk(open_page, stack, demo):
    tag = uuid.uuid4().hex[:8]
    zoe = mint(JWT_SECRET, f"zoe-{tag}", "customer", name=f"Zoe Quill {tag}", email=f"zoe-{tag}@buyers.test")
    lamp = ask(stack, zoe, "product", "101", f"Is the lamp heavy? word{tag}")["thread"]["id"]
    shade = ask(stack, zoe, "product", "102", f"Is the shade washable? ({tag})")["thread"]["id"]
    other = ask(stack, demo["customer"], "company", "1", f"Gift cards? ({tag})")["thread"]["id"]

    vendor = open_page("/ui/demo/vendor")
    center = vendor.locator("mc-message-center")
    rows = center.locator(".thread-row")
    row = {thread: center.locator(f".thread-row[data-thread-id='{thread}']") for thread in (lamp, shade, other)}
    expect(row[other]).to_be_visible()

    center.get_by_label("Search messages").fill(f"word{tag}")
    center.get_by_role("button", name="Search", exact=True).click()
    expect(rows).to_have_count(1)
    expect(row[lamp]).to_be_visible()

    center.get_by_label("Search messages").fill("")
    center.get_by_label("Customer name or email").fill(f"Zoe Quill {tag}")
    center.get_by_role("button", name="Apply").click()
    expect(rows).to_have_count(2)
    expect(row[other]).to_have_count(0)
    expect(center.locator("summary")).to_have_text("Filters (1)")

    row[shade].get_by_role("button").click()
    center.get_by_role("button", name="Close conversation").click()
    expect(center.get_by_role("button", name="Reopen conversation")).to_be_visible()
    expect(row[shade]).to_contain_text("Closed")
    center.get_by_label("Status").select_option(label="Closed")
    center.get_by_role("button", name="Apply").click()
    expect(rows).to_have_count(1)
    expect(row[shade]).to_be_visible()
    center.get_by_role("button", name="Reopen conversation").click()
    expect(center.get_by_role("button", name="Close conversation")).to_be_visible()
    center.get_by_label("Status").select_option(label="Open and closed")
    center.get_by_role("button", name="Apply").click()
    expect(rows).to_have_count(2)

    center.get_by_label("Select all shown").check()
    expect(center.get_by_text("2 selected")).to_be_visible()
    center.get_by_role("button", name="Reply to selected").click()
    dialog = center.get_by_role("dialog", name="Reply to 2 conversations")
    dialog.get_by_label("Your reply").fill(f"Thank you, we answer within a day. ({tag})")
    dialog.get_by_role("button", name="Send").click()
    expect(center.get_by_text("Done: 2 of 2.").first).to_be_visible()
    for thread in (lamp, shade):
        messages = stack.call("GET", f"/v1/threads/{thread}", zoe).json()["messages"]["items"]
        assert messages[-1]["text"] == f"Thank you, we answer within a day. ({tag})"
        assert messages[-1]["author"]["side"] == "vendor"
    expect(row[lamp]).to_contain_text("You: Thank you")
    expect(center.locator(".bulk").get_by_role("button", name="Delete selected")).to_have_count(0)  # admins only


def test_the_admin_deletes_in_bulk(open_page, stack, demo):
    tag = uuid.uuid4().hex[:8]
    spam = mint(JWT_SECRET, f"spam-{tag}", "customer", name="Cheap Watches", email=f"spam-{tag}@buyers.test")
    doomed = [
        ask(stack, spam, "product", product, f"Buy watches at a discount {tag}")["thread"]["id"]
        for product in ("101", "201")
    ]

    admin = open_page("/ui/demo/admin")
    center = admin.locator("mc-message-center")
    center.get_by_label("Search messages").fill(tag)
    center.get_by_role("button", name="Search", exact=True).click()
    rows = center.locator(".thread-row")
    expect(rows).to_have_count(2)
    for thread in doomed:
        center.locator(f".thread-row[data-thread-id='{thread}']").get_by_role("checkbox").check()
    center.get_by_role("button", name="Delete selected").click()
    confirm = center.get_by_role("dialog", name="Delete 2 conversations?")
    confirm.get_by_role("button", name="Delete").click()
    expect(rows).to_have_count(0)
    for thread in doomed:
        assert stack.call("GET", f"/v1/threads/{thread}", demo["admin"]).json()["status"] == "deleted"
        assert stack.call("GET", f"/v1/threads/{thread}", spam).status_code == 404
    center.get_by_label("Status").select_option(label="Deleted")
    center.get_by_role("button", name="Apply").click()
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text(re.compile("Deleted"))
