"""Whatever a customer types, and whatever name their token carries, the pages show it as
text: nothing in a message, a subject or a name runs or turns into markup."""

import uuid

from playwright.sync_api import expect

from dev.tokens import mint
from tests.fixtures.stack import JWT_SECRET

# Written escaped, the API keeps it as text: `text` and the preview then hold a raw tag.
ESCAPED_TAG = '&lt;img src=x onerror="window.__xss=1"&gt;'
SHOWN_TAG = '<img src=x onerror="window.__xss=1">'
RAW_MARKUP = '<img src=x onerror="window.__xss=2"><script>window.__xss=3</script><b>bold</b>'
HOSTILE_NAME = '<img src=x onerror="window.__xss=4">'
HOSTILE_SUBJECT = '<svg onload="window.__xss=5"> lamp'


def test_a_hostile_message_name_and_subject_render_as_text(open_page, stack):
    tag = uuid.uuid4().hex[:6]
    customer = mint(JWT_SECRET, f"hostile-{tag}", "customer", name=HOSTILE_NAME, email=f"h-{tag}@buyers.test")
    asked = stack.call(
        "POST",
        "/v1/threads",
        customer,
        json={
            "type": "vendor_to_customer",
            "object": {"type": "product", "id": "102"},
            "subject": HOSTILE_SUBJECT,
            "message": f"{ESCAPED_TAG} {RAW_MARKUP} see https://shade.example.test/care ({tag})",
        },
    )
    assert asked.status_code == 201, asked.text

    vendor = open_page("/ui/demo/vendor")
    center = vendor.locator("mc-message-center")
    row = center.locator(".thread-row").filter(has_text=tag)
    expect(row).to_contain_text(HOSTILE_SUBJECT)
    expect(row).to_contain_text(f"{HOSTILE_NAME}: {SHOWN_TAG}")  # the preview, as text
    row.get_by_role("button").click()

    message = center.locator(".message").filter(has_text=tag)
    expect(message).to_contain_text(SHOWN_TAG)
    expect(message.locator(".author")).to_have_text(HOSTILE_NAME)
    expect(center.get_by_role("heading", name=HOSTILE_SUBJECT)).to_be_visible()
    link = message.get_by_role("link", name="https://shade.example.test/care")
    expect(link).to_have_attribute("rel", "nofollow noreferrer noopener")
    expect(message.locator("img, script, svg, b")).to_have_count(0)
    expect(center.locator(".thread-row img, .thread-row svg, .conv-head svg")).to_have_count(0)
    assert vendor.evaluate("window.__xss") is None, "a script from the message ran"
