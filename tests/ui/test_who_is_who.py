"""Who is who, at a glance: the customer's conversations name their vendor (with its logo when
the catalog has one), the vendor's list keeps the customer's name after the vendor replied,
and a store question is a "Store question" in the vendor's own inbox."""

import uuid

import pytest
from playwright.sync_api import expect

from tests.ui.conftest import screenshot
from tests.ui.asking import ask


@pytest.fixture
def glowing(stack, demo):
    """A vendor of its own with a logo, a product, and the demo customer's question about it."""
    tag = uuid.uuid4().hex[:6]
    company = f"glow{tag}"
    name = f"Glow Works {tag}"
    for kind, record_id, record in (
        (
            "vendors",
            company,
            {
                "company": name,
                "email": f"{company}@vendors.example",
                "status": "A",
                "logos": {"theme": {"image": {"image_path": f"https://cdn.example/{company}.png"}}},
            },
        ),
        ("products", f"p{tag}", {"product": "Glow Bulb", "price": "4.50", "company_id": company, "status": "A"}),
    ):
        answer = stack.call("PUT", f"/v1/catalog/{kind}/{record_id}", demo["system"], json=record)
        assert answer.status_code == 200, answer.text
    asked = ask(stack, demo["customer"], "product", f"p{tag}", f"Warm white? ({tag})", statuses=(201,))
    return {"company": company, "name": name, "tag": tag, "thread": asked["thread"]["id"]}


@pytest.mark.parametrize("width", [390, 1440])
def test_the_customers_conversations_name_their_vendor_with_its_logo(open_page, glowing, width):
    customer = open_page("/ui/demo/storefront", width=width)
    row = customer.locator("mc-messages .thread-row").filter(has_text=f"({glowing['tag']})")
    expect(row).to_contain_text(f"Glow Bulb · with {glowing['name']}")
    logo = row.locator("img.vendor-logo")
    expect(logo).to_have_attribute("src", f"https://cdn.example/{glowing['company']}.png")
    expect(logo).to_have_attribute("alt", "")  # the name beside it says who it is
    row.get_by_role("button").click()
    party = customer.locator("mc-messages .conv-head .party")
    expect(party).to_have_text(f"with {glowing['name']}")
    expect(party.locator("img.vendor-logo")).to_have_attribute("src", f"https://cdn.example/{glowing['company']}.png")
    screenshot(customer, "who-customer-conversation")
    screenshot(customer, "who-customer-list")


def test_the_vendors_list_keeps_the_customers_name_and_reads_store_question(open_page, stack, demo):
    tag = uuid.uuid4().hex[:6]
    thread = ask(stack, demo["customer"], "company", "2", f"Do you ship oak? ({tag})")["thread"]["id"]
    replied = stack.call(
        "POST", f"/v1/threads/{thread}/messages", demo["vendor 2 (Oak & Thread)"], json={"body": f"We do ({tag})."}
    )
    assert replied.status_code == 201, replied.text

    vendor = open_page("/ui/demo/vendor?vendor=2", width=1440)
    row = vendor.locator("mc-message-center .thread-row").filter(has_text=f"We do ({tag})")
    expect(row.locator(".subject")).to_have_text("Store question")
    expect(row.locator(".about")).to_contain_text("Ann Lee")
    expect(row.locator(".preview")).to_contain_text("You")
    row.get_by_role("button").click()
    expect(vendor.locator("mc-message-center .conv-head .party")).to_have_text("with Ann Lee")
    screenshot(vendor, "who-vendor-list")
    customer = open_page("/ui/demo/storefront", width=390)
    expect(
        customer.locator("mc-messages .thread-row").filter(has_text=f"We do ({tag})").locator(".subject")
    ).to_contain_text("Vendor: Oak & Thread")


def test_prices_are_written_in_the_marketplaces_currency(open_page, stack, demo):
    tag = uuid.uuid4().hex[:6]
    ask(stack, demo["customer"], "product", "101", f"Dimmable? ({tag})")
    vendor = open_page("/ui/demo/vendor", width=1440)
    center = vendor.locator("mc-message-center")
    center.locator(".thread-row").filter(has_text=f"({tag})").get_by_role("button").click()
    # CURRENCY is USD in the demo: the reader's browser writes it (en-US here).
    expect(center.locator("section.product")).to_contain_text("$89.00")
