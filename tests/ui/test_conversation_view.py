"""The conversation view people know from Intercom or Zendesk, at phone (390 px) and desktop
(1440 px) width: the messages scroll in an area of their own that opens at the newest, older
ones load at its top when it is scrolled there, the reply box stays in view under them, and
Ctrl+Enter sends; on a phone the messages come first and the context opens from a button.
Asking and answering by keyboard alone; "Seen" under the last message the other side read; and
axe-core finds nothing on the demo pages, the ask dialog and an open conversation."""

import uuid

import pytest
from playwright.sync_api import expect

from tests.ui.accessibility import assert_accessible
from tests.ui.conftest import is_elsewhere, screenshot
from tests.ui.asking import ask

PHONE, DESKTOP = 390, 1440
WIDTHS = [PHONE, DESKTOP]
# The thread's first answer carries 50 messages (GET /v1/threads/{id}); the rest are "earlier".
FIRST_PAGE = 50


def focused(locator) -> bool:
    """The element has the keyboard's focus (inside a shadow root too)."""
    return locator.evaluate("element => element.matches(':focus')")


def tab_to(page, locator, presses: int = 60):
    """Tab, as a person does, until `locator` has the focus."""
    for _ in range(presses):
        page.keyboard.press("Tab")
        if locator.count() and focused(locator):
            return
    raise AssertionError(f"{presses} Tabs never reached {locator}")


def in_view(page, locator) -> bool:
    """All of the element is inside the window."""
    box = locator.bounding_box()
    size = page.viewport_size
    return (
        box is not None
        and box["y"] >= 0
        and box["y"] + box["height"] <= size["height"] + 1
        and box["x"] >= 0
        and box["x"] + box["width"] <= size["width"] + 1
    )


@pytest.fixture
def long_conversation(stack, demo):
    """A customer's question to Lumen Lamps and 55 answers: more than the first page holds (in the
    customer's open conversation about the lamp, which asking again continues)."""
    tag = uuid.uuid4().hex[:6]
    thread_id = ask(stack, demo["customer"], "product", "101", f"The first question about the lamp ({tag})")["thread"][
        "id"
    ]
    vendor = demo["vendor 1 (Lumen Lamps)"]
    for number in range(1, FIRST_PAGE + 6):
        posted = stack.call(
            "POST", f"/v1/threads/{thread_id}/messages", vendor, json={"body": f"Answer number {number} ({tag})"}
        )
        assert posted.status_code == 201, posted.text
    return {"tag": tag, "thread_id": thread_id}


@pytest.mark.parametrize("width", WIDTHS)
def test_a_long_conversation_opens_at_the_newest_and_loads_earlier_messages_at_the_top(
    open_page, long_conversation, width
):
    tag = long_conversation["tag"]
    page = open_page(f"/ui/demo/storefront#mc-thread={long_conversation['thread_id']}", width)
    inbox = page.locator("mc-messages")
    scroller = inbox.locator(".scroller")
    newest = inbox.locator(".message").filter(has_text=f"Answer number {FIRST_PAGE + 5} ({tag})")
    expect(newest).to_be_visible()
    expect(inbox.locator(".message")).to_have_count(FIRST_PAGE)

    # The messages scroll, not the page: it opens at the newest, with the reply box under it.
    assert scroller.evaluate("s => s.scrollHeight > s.clientHeight + 200")
    assert scroller.evaluate("s => s.scrollHeight - s.scrollTop - s.clientHeight") < 5
    reply_box = inbox.get_by_label("Your reply")
    reply_box.scroll_into_view_if_needed()
    assert in_view(page, reply_box) and in_view(page, newest)
    page_height = page.evaluate("document.documentElement.scrollHeight")
    assert page_height < 2600, f"the page grew to {page_height}px"

    # Scrolled to its top, the earlier messages come, and the reader keeps their place.
    first_shown = inbox.locator(".message").filter(has_text=f"Answer number 6 ({tag})")
    scroller.evaluate("s => { s.scrollTop = 0; }")
    expect(inbox.locator(".message").filter(has_text=f"The first question about the lamp ({tag})")).to_have_count(1)
    expect(inbox.locator(".message").filter(has_text=f"Answer number 1 ({tag})")).to_have_count(1)
    assert inbox.locator(".message").count() > FIRST_PAGE
    assert scroller.evaluate("s => s.scrollTop") > 0  # not thrown back to the very top
    expect(first_shown).to_be_visible()
    assert in_view(page, first_shown) or first_shown.evaluate(
        "(m, s) => { const a = m.getBoundingClientRect(), b = s.getBoundingClientRect();"
        " return a.top < b.bottom && a.bottom > b.top; }",
        scroller.element_handle(),
    )
    screenshot(page, "conversation-view-long")


@pytest.mark.parametrize("width", WIDTHS)
def test_asked_and_answered_by_keyboard_alone_and_each_side_sees_seen(open_page, stack, demo, width):
    tag = uuid.uuid4().hex[:6]
    question = f"Is the shade washable? ({tag})"
    answer = f"Yes, by hand at 30 degrees. ({tag})"

    # The customer asks: Tab to the button, Enter, type, Ctrl+Enter.
    customer = open_page("/ui/demo/storefront?product_id=102", width)
    ask = customer.locator("mc-ask-question[product-id='102']")
    ask_button = ask.get_by_role("button", name="Ask a question")
    tab_to(customer, ask_button)
    customer.keyboard.press("Enter")
    dialog = ask.get_by_role("dialog", name="Ask the vendor about this product")
    expect(dialog.get_by_label("Your question")).to_be_focused()
    assert_accessible(customer)  # the ask dialog, open
    customer.keyboard.type(question)
    customer.keyboard.press("Control+Enter")
    expect(dialog.get_by_role("heading", name="Your question was sent")).to_be_visible()
    customer.keyboard.press("Escape")
    expect(dialog).to_be_hidden()

    # The vendor answers: Tab to the conversation, Enter, Tab to the reply box, Ctrl+Enter.
    vendor = open_page("/ui/demo/vendor", width)
    center = vendor.locator("mc-message-center")
    row = center.locator(".thread-row").filter(has_text=question)
    expect(row).to_have_count(1)
    thread_id = row.get_attribute("data-thread-id")
    tab_to(vendor, row.get_by_role("button"), presses=120)
    vendor.keyboard.press("Enter")
    expect(center.get_by_role("heading", name="Product: Linen Lamp Shade")).to_be_focused()
    reply_box = center.get_by_label("Your reply")
    tab_to(vendor, reply_box)
    vendor.keyboard.type(answer)
    vendor.keyboard.press("Control+Enter")
    sent = center.locator(".message").filter(has_text=answer)
    expect(sent).to_be_visible()
    expect(reply_box).to_have_value("")
    expect(reply_box).to_be_focused()
    # The customer's question was read when the vendor opened it: the customer sees it "Seen".
    assert stack.call("GET", f"/v1/threads/{thread_id}", demo["customer"]).json()["read_at"].get("vendor")

    if width == PHONE:
        # Messages first; the product opens from a button, and closes again.
        context = center.get_by_role("complementary", name="About this conversation")
        expect(context).to_be_hidden()
        toggle = center.get_by_role("button", name="About this conversation")
        expect(toggle).to_have_attribute("aria-expanded", "false")
        toggle.focus()
        vendor.keyboard.press("Enter")
        expect(context).to_be_visible()
        expect(context).to_contain_text("Linen Lamp Shade")
        expect(toggle).to_have_attribute("aria-expanded", "true")
        assert center.evaluate("""center => center.shadowRoot.querySelector('.context').getBoundingClientRect().top
            > center.shadowRoot.querySelector('.scroller').getBoundingClientRect().top""")  # after the messages
        vendor.keyboard.press("Enter")
        expect(context).to_be_hidden()
    else:
        expect(center.get_by_role("complementary", name="About this conversation")).to_contain_text("Linen Lamp Shade")
        expect(center.get_by_role("button", name="About this conversation")).to_be_hidden()
    assert_accessible(vendor)  # an open conversation
    screenshot(vendor, "conversation-view-vendor")

    # The customer opens it: the question shows "Seen", and reading the answer shows it to the vendor.
    customer.reload()
    inbox = customer.locator("mc-messages")
    inbox.locator(".thread-row").filter(has_text=tag).get_by_role("button").click()
    mine = inbox.locator(".message").filter(has_text=question)
    expect(mine.locator(".seen")).to_contain_text("Seen")
    expect(inbox.locator(".seen")).to_have_count(1)
    expect(inbox.locator(".message").filter(has_text=answer)).to_be_visible()
    assert_accessible(customer)
    screenshot(customer, "conversation-view-customer")

    vendor.reload()
    center = vendor.locator("mc-message-center")
    center.locator(f".thread-row[data-thread-id='{thread_id}']").get_by_role("button").click()
    expect(center.locator(".message").filter(has_text=answer).locator(".seen")).to_contain_text("Seen")
    expect(center.locator(".message").filter(has_text=question).locator(".seen")).to_have_count(0)


@pytest.mark.parametrize("path", ["/ui/demo", "/ui/demo/", "/ui/demo/storefront", "/ui/demo/vendor", "/ui/demo/admin"])
@pytest.mark.parametrize("width", WIDTHS)
def test_the_demo_pages_have_a_title_a_heading_landmarks_and_a_skip_link(open_page, path, width):
    page = open_page(path, width)
    expect(page.locator("html")).to_have_attribute("lang", "en")
    assert page.title()
    expect(page.locator("h1")).to_have_count(1)
    expect(page.get_by_role("main")).to_have_count(1)
    expect(page.get_by_role("navigation", name="Demo pages")).to_be_visible()
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to main content")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    page.keyboard.press("Enter")
    expect(page.get_by_role("main")).to_be_focused()
    if path != "/ui/demo":
        page.wait_for_load_state("networkidle")
    assert_accessible(page)


def test_the_demo_shows_its_own_pictures_and_icon_with_nothing_from_outside(open_page, stack):
    asked_elsewhere = []
    page = open_page("/ui/demo/storefront?product_id=201")
    page.context.on("request", lambda request: is_elsewhere(request.url) and asked_elsewhere.append(request.url))
    page.reload()
    picture = page.get_by_role("img", name="Oak Side Table")
    expect(picture).to_be_visible()
    assert picture.evaluate("img => img.complete && img.naturalWidth") > 0
    assert picture.get_attribute("src") == "/ui/demo/pictures/table.svg"
    icon = page.locator("link[rel=icon]").get_attribute("href")
    assert page.request.get(stack.url + icon).headers["content-type"].startswith("image/svg+xml")
    page.wait_for_load_state("networkidle")
    assert page.evaluate("[...document.images].every(img => img.src.startsWith(location.origin))")
    # Other tests' vendors have logos on cdn.example (test_who_is_who); the demo's own come from here.
    assert [url for url in asked_elsewhere if not url.startswith("https://cdn.example/")] == []


@pytest.mark.parametrize("width", WIDTHS)
def test_a_long_link_wraps_in_the_bell_the_list_and_the_messages(open_page, stack, demo, width):
    tag = uuid.uuid4().hex[:6]
    link = f"https://oak-and-thread.example.test/care/{tag}/" + "oil-and-wax-finish-" * 8
    ask(stack, demo["customer"], "company", "2", f"Is this the right care guide? {link}")

    page = open_page("/ui/demo/vendor?vendor=2", width)
    center = page.locator("mc-message-center")
    center.get_by_role("button", name="Notifications").click()
    item = center.locator(".bell-panel li").filter(has_text=tag)
    expect(item).to_have_count(1, timeout=20_000)
    panel = center.locator(".bell-panel")
    assert panel.evaluate("p => p.scrollWidth <= p.clientWidth"), "the bell's panel scrolls sideways"
    assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")
    page.keyboard.press("Escape")
    row = center.locator(".thread-row").filter(has_text=tag)
    row.get_by_role("button").click()
    message = center.locator(".message").filter(has_text=tag)
    expect(message).to_be_visible()
    assert message.evaluate("m => m.scrollWidth <= m.clientWidth"), "the message runs off its bubble"
    assert center.locator(".scroller").evaluate("s => s.scrollWidth <= s.clientWidth")
    assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")
