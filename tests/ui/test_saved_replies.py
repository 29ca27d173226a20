"""The reply box's saved replies: `/` opens the list, the keyboard picks one, its placeholders
arrive filled, and sending it counts the use."""
import uuid

from playwright.sync_api import expect

from dev.tokens import mint
from tests.fixtures.stack import JWT_SECRET


def test_the_vendor_inserts_a_saved_reply_with_the_keyboard(open_page, stack, demo):
    tag = uuid.uuid4().hex[:8]
    vendor = demo["vendor 1 (Lumen Lamps)"]
    zoe = mint(JWT_SECRET, f"zoe-{tag}", "customer", name=f"Zoe {tag}", email=f"zoe-{tag}@buyers.test")
    asked = stack.call("POST", "/v1/threads", zoe, json={
        "type": "vendor_to_customer", "object": {"type": "product", "id": "101"}, "message": f"Dimmable? ({tag})"})
    assert asked.status_code == 201, asked.text
    thread_id = asked.json()["thread"]["id"]
    for title, body in ((f"Other {tag}", "Nothing to see"),
                        (f"Thanks {tag}", "Thank you {customer_name}, the {product_name} is dimmable.")):
        saved = stack.call("POST", "/v1/saved-replies", vendor, json={"title": title, "body": body})
        assert saved.status_code == 201, saved.text
    reply_id = saved.json()["id"]

    page = open_page("/ui/demo/vendor")
    center = page.locator("mc-message-center")
    center.locator(f".thread-row[data-thread-id='{thread_id}']").get_by_role("button").click()
    box = center.get_by_label("Your reply")
    box.click()
    box.press("/")
    search = center.get_by_role("combobox", name="Search saved replies")
    expect(search).to_be_focused()
    search.press("Escape")  # closes the list, gives the box its focus back, types nothing
    expect(box).to_be_focused()
    expect(search).to_have_count(0)
    expect(box).to_have_value("")

    box.press("/")
    expect(search).to_be_focused()
    search.fill(tag)
    options = center.get_by_role("listbox", name="Saved replies").get_by_role("option")
    expect(options).to_have_count(2)
    expect(options.nth(0)).to_have_attribute("aria-selected", "true")
    search.press("ArrowDown")
    expect(options.nth(1)).to_have_attribute("aria-selected", "true")
    search.press("Enter")
    expect(box).to_have_value(f"Thank you Zoe {tag}, the Brass Desk Lamp is dimmable.")
    expect(box).to_be_focused()
    box.press("End")
    box.type(" /")  # a slash inside a sentence is a slash
    expect(search).to_have_count(0)
    box.press("Backspace")
    box.press("Backspace")

    center.get_by_role("button", name="Send reply").click()
    expect(box).to_have_value("")
    messages = stack.call("GET", f"/v1/threads/{thread_id}", zoe).json()["messages"]["items"]
    assert messages[-1]["text"] == f"Thank you Zoe {tag}, the Brass Desk Lamp is dimmable."
    used = {item["id"]: item for item in stack.call("GET", "/v1/saved-replies", vendor).json()["items"]}
    assert used[reply_id]["use_count"] == 1


def test_the_vendor_manages_saved_replies_and_the_away_message(open_page, stack, demo):
    tag = uuid.uuid4().hex[:8]
    page = open_page("/ui/demo/vendor?vendor=2")
    center = page.locator("mc-message-center")
    center.get_by_role("button", name="Saved replies and away message").click()
    panel = center.locator("section.saved-replies")
    panel.get_by_label("Title").fill(f"Typo {tag}")
    panel.get_by_label("Reply", exact=True).fill("Hi {custmer_name}")
    panel.get_by_role("button", name="Save reply").click()
    expect(panel.get_by_role("alert")).to_contain_text("{custmer_name}")
    panel.get_by_label("Reply", exact=True).fill("Hi {customer_name}")
    panel.get_by_role("button", name="Save reply").click()
    expect(panel.get_by_text(f"Typo {tag}")).to_be_visible()
    expect(panel.get_by_text("used 0 times").first).to_be_visible()

    panel.get_by_label("Automatic reply to a customer’s first message").fill(f"Closed for stocktaking ({tag}).")
    panel.get_by_label("Away from").fill("2020-01-01T09:00")
    panel.get_by_label("Away until").fill("2099-01-01T09:00")
    panel.get_by_role("button", name="Save away message").click()
    expect(panel.get_by_text("On now.")).to_be_visible()
    vendor = demo["vendor 2 (Oak & Thread)"]
    assert stack.call("GET", "/v1/away-message", vendor).json()["body"] == f"Closed for stocktaking ({tag})."
    panel.get_by_role("button", name="Turn off").click()
    expect(panel.get_by_text("No away message.")).to_be_visible()
    assert stack.call("GET", "/v1/away-message", vendor).json() is None  # none: 200 with null
    saved = [item for item in stack.call("GET", "/v1/saved-replies", vendor).json()["items"] if tag in item["title"]]
    assert len(saved) == 1
    stack.call("DELETE", f"/v1/saved-replies/{saved[0]['id']}", vendor)
