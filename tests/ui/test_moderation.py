"""Moderation in the pages: a customer's question with a phone number waits for review (the
ask dialog and the Messages tab say so), the administration's Review tab counts it and marks
the number, approving it puts it in the vendor's Message Center, and a rejected one shows its
author the reason."""

import re
import uuid

from playwright.sync_api import expect

from tests.ui.accessibility import assert_accessible
from tests.ui.conftest import screenshot

ALLOW = {"moderation_customer_to_vendor": "allow", "moderation_vendor_to_customer": "allow"}


def test_a_held_question_is_reviewed_in_the_admins_review_tab(open_page, demo, stack):
    tag = "q" + uuid.uuid4().hex[:6]  # never digits alone: six of them are a phone number to the detector
    question = f"Cheaper if I call you on +1 415 555 2671? ({tag})"

    def settings(**values):
        answer = stack.call("PUT", "/v1/settings", demo["admin"], json=values)
        assert answer.status_code == 200, answer.text

    try:
        settings(moderation_customer_to_vendor="hold")
        customer = open_page("/ui/demo/storefront")
        ask = customer.locator("mc-ask-question[product-id='101']")
        ask.get_by_role("button", name="Ask a question").click()
        dialog = ask.get_by_role("dialog", name="Ask the vendor about this product")
        dialog.get_by_label("Your question").fill(question)
        dialog.get_by_role("button", name="Send question").click()
        expect(dialog.get_by_role("heading", name="Your question is waiting for review")).to_be_visible()
        dialog.get_by_role("link", name="Open the conversation").click()
        mine = customer.locator("mc-messages .message").filter(has_text=tag)
        expect(mine).to_contain_text("Waiting for review")

        admin = open_page("/ui/demo/admin")
        center = admin.locator("mc-message-center")
        tab = center.get_by_role("tab", name=re.compile(r"^Review \([1-9]\d*\)$"))
        tab.click()
        held = center.locator(".review").filter(has_text=tag)
        expect(held.locator("mark")).to_have_text("+1 415 555 2671 (phone number)")
        expect(held).to_contain_text("From the customer Ann Lee to the vendor")
        screenshot(admin, "admin-review")
        assert_accessible(admin)  # the review tab, with a held message in it

        vendor = open_page("/ui/demo/vendor")
        expect(vendor.locator("mc-message-center")).to_have_attribute("live", "stream")
        expect(vendor.locator("mc-message-center .thread-row").filter(has_text=tag)).to_have_count(0)
        held.get_by_role("button", name="Approve").click()
        expect(held).to_have_count(0)
        expect(vendor.locator("mc-message-center .thread-row").filter(has_text=tag)).to_have_count(1)

        # A second one is rejected: the reason is needed, and its author reads it.
        again = stack.call(
            "POST",
            "/v1/threads",
            demo["customer"],
            json={
                "type": "vendor_to_customer",
                "object": {"type": "product", "id": "101"},
                "message": f"Or mail me: ann.lee@mail.example ({tag}-2)",
            },
        )
        assert again.status_code in (200, 201), again.text
        thread_id = again.json()["thread"]["id"]
        center.get_by_role("button", name="Refresh").first.click()
        second = center.locator(".review").filter(has_text=f"{tag}-2")
        second.get_by_role("button", name="Reject").click()
        expect(second.get_by_role("alert")).to_have_text("Write the reason the author will read.")
        second.get_by_label("Reason for the author (needed to reject)").fill("Please keep in touch here.")
        second.get_by_role("button", name="Reject").click()
        expect(second).to_have_count(0)
        customer.reload()
        customer.locator("mc-messages .thread-row").filter(has_text="Brass Desk Lamp").first.get_by_role(
            "button"
        ).click()
        rejected = customer.locator("mc-messages .message").filter(has_text=f"{tag}-2")
        expect(rejected).to_contain_text("Not delivered: Please keep in touch here.")
        # The demo's people are shared: the vendor has read the approved question, as a later test expects.
        assert stack.call("POST", f"/v1/threads/{thread_id}/read", demo["vendor 1 (Lumen Lamps)"]).status_code == 200
    finally:
        settings(**ALLOW)
