"""Contact details and moderation through real processes: the gateway, the conversations and
notifications services, RabbitMQ, the MongoDB-wire server and a real SMTP server.

A masked question reaches the vendor, and its mail, without the address; a held one reaches
nobody until an admin with moderate_messages approves it, and then the vendor's mail arrives
once; a rejected reply shows its author the reason and never reaches the customer; and every
decision is on the record. Everything a customer writes reaches the vendor screened: the
subject, the names of the files, a message of files alone; and the vendor's away message
reaches the customer screened, disguises and all (issue 21)."""

import json
from datetime import datetime, timedelta, timezone

import pytest

from tests.e2e.test_attachments import png

REMOVED = "[contact details removed]"
ALLOW = {
    "moderation_customer_to_vendor": "allow",
    "moderation_vendor_to_customer": "allow",
    "moderation_phone_region": "US",
    "moderation_allowed_domains": [],
    "moderation_blocked_words": [],
}


@pytest.fixture
def shop(stack, world):
    company = world.vendor("shop", "Lamp Shop")
    token, customer_id = world.customer("ann")
    admin = world.admin()
    yield {
        "company": company,
        "product": world.product("lamp", company, "Brass Desk Lamp"),
        "customer": token,
        "customer_email": f"{customer_id}@buyers.test",
        "vendor": world.staff(company, "bob"),
        "shop_email": f"sales-{company}@vendors.test",
        "admin": admin,
        "reviewer": world.admin("rita", permissions=["moderate_messages"]),
        "support": world.admin("sam", permissions=["view_vendor_communication", "manage_vendor_communication"]),
    }
    # The stack serves the whole session: the marketplace goes back to delivering as written.
    assert stack.call("PUT", "/v1/settings", admin, json=ALLOW).status_code == 200


def moderate(stack, shop, **settings):
    changed = stack.call("PUT", "/v1/settings", shop["admin"], json=settings)
    assert changed.status_code == 200, changed.text
    return changed.json()


def ask(stack, shop, message):
    answer = stack.call(
        "POST",
        "/v1/threads",
        shop["customer"],
        json={"type": "vendor_to_customer", "object": {"type": "product", "id": shop["product"]}, "message": message},
    )
    assert answer.status_code == 201, answer.text
    return answer.json()


def held_ids(stack, token):
    answer = stack.call("GET", "/v1/moderation", token, params={"limit": 100})
    assert answer.status_code == 200, answer.text
    return [item["message_id"] for item in answer.json()["items"]]


def test_a_masked_question_reaches_the_vendor_and_its_mail_without_the_address(stack, shop):
    settings = moderate(stack, shop, moderation_customer_to_vendor="mask")
    assert settings["moderation_customer_to_vendor"] == "mask"
    public = stack.call("GET", "/v1/settings/public").json()
    assert not any(name.startswith("moderation") for name in public)
    started = ask(stack, shop, "Is it brass? Mail me at ann.lee@mail.example")
    assert started["message"]["text"] == f"Is it brass? Mail me at {REMOVED}"
    page = stack.call("GET", f"/v1/threads/{started['thread']['id']}", shop["vendor"]).json()
    assert [message["text"] for message in page["messages"]["items"]] == [f"Is it brass? Mail me at {REMOVED}"]
    [mail] = stack.mail.wait_for_to(shop["shop_email"], 1)
    content = mail.get_body(("plain",)).get_content()
    assert REMOVED in content and "ann.lee@mail.example" not in content
    masked = stack.call("GET", "/v1/moderation", shop["reviewer"], params={"state": "masked", "limit": 100}).json()
    [original] = [item for item in masked["items"] if item["message_id"] == started["message"]["id"]]
    assert original["text"] == "Is it brass? Mail me at ann.lee@mail.example"
    assert [original["text"][f["start"] : f["end"]] for f in original["found"]] == ["ann.lee@mail.example"]


def test_a_held_question_is_mailed_once_and_only_after_its_approval(stack, world, shop):
    moderate(stack, shop, moderation_customer_to_vendor="hold")
    started = ask(stack, shop, "Cheaper if you call me: +1 415 555 2671")
    thread_id, message_id = started["thread"]["id"], started["message"]["id"]
    assert started["message"]["moderation"]["state"] == "held" and started["thread"]["moderation"]["state"] == "held"
    assert stack.call("GET", f"/v1/threads/{thread_id}", shop["vendor"]).status_code == 404
    assert world.summary(shop["vendor"], thread_id) is None
    assert world.summary(shop["customer"], thread_id)["moderation"]["state"] == "held"
    assert stack.call("GET", "/v1/unread", shop["vendor"]).json()["total"] == 0
    assert world.post(shop["customer"], thread_id, "Hello?").status_code == 409

    queue = stack.call("GET", "/v1/moderation", shop["reviewer"]).json()
    assert message_id in [item["message_id"] for item in queue["items"]] and queue["held_count"] >= 1
    [item] = [item for item in queue["items"] if item["message_id"] == message_id]
    assert [(item["text"][f["start"] : f["end"]], f["kind"]) for f in item["found"]] == [("+1 415 555 2671", "phone")]
    stack.mail.settle()
    assert stack.mail.to(shop["shop_email"]) == []

    approved = stack.call("POST", f"/v1/moderation/{message_id}", shop["reviewer"], json={"decision": "approve"})
    assert approved.status_code == 200, approved.text
    assert approved.json()["state"] == "approved" and approved.json()["decision"]["by"]["name"] == "Admin"
    [mail] = stack.mail.wait_for_to(shop["shop_email"], 1)
    assert "+1 415 555 2671" in mail.get_body(("plain",)).get_content()
    line = world.summary(shop["vendor"], thread_id)
    assert line["unread_count"] == 1 and line["awaiting_reply_from"] == "vendor" and line["moderation"] is None
    again = stack.call("POST", f"/v1/moderation/{message_id}", shop["reviewer"], json={"decision": "approve"})
    assert again.status_code == 200
    refused = stack.call(
        "POST", f"/v1/moderation/{message_id}", shop["reviewer"], json={"decision": "reject", "reason": "Too late."}
    )
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "conflict"
    stack.mail.settle()
    assert len(stack.mail.to(shop["shop_email"])) == 1
    assert message_id not in held_ids(stack, shop["reviewer"])


def test_a_rejected_reply_shows_its_author_why_and_never_reaches_the_customer(stack, world, shop):
    thread_id = ask(stack, shop, "Does it take LED bulbs?")["thread"]["id"]
    moderate(stack, shop, moderation_vendor_to_customer="hold")
    reply = world.post(shop["vendor"], thread_id, "Yes. Order cheaper at https://lamps-direct.example/brass")
    assert reply.status_code == 201 and reply.json()["moderation"]["state"] == "held"
    message_id = reply.json()["id"]
    customer_view = stack.call("GET", f"/v1/threads/{thread_id}", shop["customer"]).json()
    assert message_id not in [message["id"] for message in customer_view["messages"]["items"]]
    assert customer_view["unread_count"] == 0

    rejected = stack.call(
        "POST",
        f"/v1/moderation/{message_id}",
        shop["reviewer"],
        json={"decision": "reject", "reason": "Links to other shops are not allowed."},
    )
    assert rejected.status_code == 200, rejected.text
    mine = stack.call("GET", f"/v1/threads/{thread_id}/messages", shop["vendor"]).json()["items"]
    assert mine[-1]["id"] == message_id
    assert mine[-1]["moderation"] == {"state": "rejected", "reason": "Links to other shops are not allowed."}
    theirs = stack.call("GET", f"/v1/threads/{thread_id}/messages", shop["customer"]).json()["items"]
    assert [message["text"] for message in theirs] == ["Does it take LED bulbs?"]
    record = stack.call("GET", "/v1/moderation/decisions", shop["reviewer"], params={"limit": 100}).json()
    [decision] = [item for item in record["items"] if item["message_id"] == message_id]
    assert decision["decision"]["decision"] == "reject" and decision["decision"]["by"]["name"] == "Admin"
    assert decision["decision"]["reason"] == "Links to other shops are not allowed." and decision["decision"]["at"]
    stack.mail.settle()
    assert stack.mail.to(shop["customer_email"]) == []


def test_only_admins_with_moderate_messages_review_and_bad_input_is_a_4xx(stack, shop):
    for token in (shop["support"], shop["vendor"], shop["customer"]):
        for method, path, body in (
            ("GET", "/v1/moderation", None),
            ("GET", "/v1/moderation/decisions", None),
            ("POST", "/v1/moderation/some-message", {"decision": "approve"}),
        ):
            answer = stack.call(method, path, token, json=body)
            assert answer.status_code == 403 and answer.json()["error"]["code"] == "forbidden", (method, path)
    assert stack.call("GET", "/v1/moderation").status_code == 401
    assert (
        stack.call("POST", "/v1/moderation/nothing-here", shop["reviewer"], json={"decision": "approve"}).status_code
        == 404
    )
    for body in ({"decision": "reject"}, {"decision": "reject", "reason": "x" * 501}, {"decision": "maybe"}):
        answer = stack.call("POST", "/v1/moderation/nothing-here", shop["reviewer"], json=body)
        assert answer.status_code == 422, body
    for query in ({"state": "lost"}, {"limit": 0}, {"cursor": "garbage"}):
        assert stack.call("GET", "/v1/moderation", shop["reviewer"], params=query).status_code == 422, query
    assert (
        stack.call("GET", "/v1/moderation/decisions", shop["reviewer"], params={"cursor": "garbage"}).status_code == 422
    )
    for settings in (
        {"moderation_customer_to_vendor": "block"},
        {"moderation_phone_region": "XX"},
        {"moderation_phone_region": "usa"},
        {"moderation_blocked_words": ["w"] * 101},
        {"moderation_blocked_words": ["x" * 61]},
        {"moderation_allowed_domains": ["not a domain"]},
    ):
        answer = stack.call("PUT", "/v1/settings", shop["admin"], json=settings)
        assert answer.status_code == 422, settings
    assert (
        stack.call("PUT", "/v1/settings", shop["reviewer"], json={"moderation_customer_to_vendor": "allow"}).status_code
        == 403
    )


NUMBER = "+1 415 555 2671"


def upload(stack, token, name):
    answer = stack.call("POST", "/v1/uploads", token, files={"file": (name, png(), "image/png")})
    assert answer.status_code == 201, answer.text
    return answer.json()["id"]


def everything_in(mail) -> str:
    return " ".join(
        [str(mail["Subject"]), mail.get_body(("plain",)).get_content(), mail.get_body(("html",)).get_content()]
    )


def shown_to(stack, world, token, thread_id) -> str:
    """All a reader is shown of a thread: its inbox line, the thread and its messages."""
    return json.dumps(
        [world.summary(token, thread_id), stack.call("GET", f"/v1/threads/{thread_id}", token).json()],
        ensure_ascii=False,
    )


def test_a_subject_and_a_file_name_reach_the_vendor_masked_in_the_inbox_the_thread_and_the_mail(stack, world, shop):
    moderate(stack, shop, moderation_customer_to_vendor="mask")
    photo = upload(stack, shop["customer"], f"WhatsApp {NUMBER}.png")
    answer = stack.call(
        "POST",
        "/v1/threads",
        shop["customer"],
        json={
            "type": "vendor_to_customer",
            "object": {"type": "product", "id": shop["product"]},
            "subject": f"Call me on {NUMBER}",
            "message": "Is it brass?",
            "attachments": [photo],
        },
    )
    assert answer.status_code == 201, answer.text
    thread_id = answer.json()["thread"]["id"]
    shown = shown_to(stack, world, shop["vendor"], thread_id)
    assert "555 2671" not in shown and f"Call me on {REMOVED}" in shown and f"WhatsApp {REMOVED}.png" in shown
    [mail] = stack.mail.wait_for_to(shop["shop_email"], 1)
    assert "555 2671" not in everything_in(mail) and REMOVED in everything_in(mail)


def test_a_message_of_files_alone_is_screened(stack, world, shop):
    moderate(stack, shop, moderation_customer_to_vendor="mask")
    photo = upload(stack, shop["customer"], f"call {NUMBER} WhatsApp.png")
    answer = stack.call(
        "POST",
        "/v1/threads",
        shop["customer"],
        json={
            "type": "vendor_to_customer",
            "object": {"type": "product", "id": shop["product"]},
            "message": "",
            "attachments": [photo],
        },
    )
    assert answer.status_code == 201, answer.text
    assert answer.json()["message"]["moderation"]["state"] == "masked"
    shown = shown_to(stack, world, shop["vendor"], answer.json()["thread"]["id"])
    assert "555 2671" not in shown and REMOVED in shown
    [mail] = stack.mail.wait_for_to(shop["shop_email"], 1)
    assert "555 2671" not in everything_in(mail)


def test_a_disguised_detail_in_the_away_message_reaches_the_customer_masked(stack, world, shop):
    moderate(stack, shop, moderation_vendor_to_customer="mask")
    start = datetime.now(timezone.utc) - timedelta(hours=1)
    away = stack.call(
        "PUT",
        "/v1/away-message",
        shop["vendor"],
        json={
            "body": "Away until Monday. Urgent: t\u200b.me/johnny or 4I5 555 267I",
            "from": start.isoformat(),
            "to": (start + timedelta(days=1)).isoformat(),
        },
    )
    assert away.status_code == 200, away.text
    try:
        thread_id = ask(stack, shop, "Is it brass?")["thread"]["id"]
        shown = shown_to(stack, world, shop["customer"], thread_id)
        assert f"Away until Monday. Urgent: {REMOVED}" in shown
        assert "johnny" not in shown and "267I" not in shown
        [mail] = stack.mail.wait_for_to(shop["customer_email"], 1)
        assert "johnny" not in everything_in(mail) and "267I" not in everything_in(mail)
    finally:
        assert stack.call("DELETE", "/v1/away-message", shop["vendor"]).status_code == 204
