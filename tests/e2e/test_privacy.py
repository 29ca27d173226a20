"""A customer's data on request, through every real process (issue 25): a customer who asks with
a file, gets answers, mails and bell items, replies by mail, is held by moderation once, and is
sent to a webhook, is exported whole, then erased; afterwards neither their name nor their
address is in any collection of the system's database, files included, and the webhook was
told. Who may export and erase is checked at the gateway's door and in the services."""

import json
import uuid

import pytest

from tests.e2e.test_attachments import png, upload
from tests.e2e.test_moderation import ALLOW
from tests.fixtures.world import World
from tests.inbound_mail.test_reply_by_mail import reply, send
from tests.notifications.conftest import eventually
from tests.notifications.receiver import Receiver


@pytest.fixture
def people(stack):
    world = World(stack)
    shop = world.vendor("shop", "Lumen Lamps")
    customer_id = world.id("zelda")
    # A name and an address nobody else in the suite has: found anywhere afterwards, it is a leak.
    name = f"Zelda Quixote{uuid.uuid4().hex[:6]}"
    email = f"zelda.{customer_id}@buyers.test"
    return {
        "world": world,
        "shop": shop,
        "product": world.product("lamp", shop, "Brass Desk Lamp"),
        "order": world.order("order", shop, customer_id),
        "customer_id": customer_id,
        "name": name,
        "email": email,
        "customer": stack.token("customer", sub=customer_id, name=name, email=email),
        "other_customer": world.customer("other")[0],
        "vendor": world.staff(shop, "mark"),
        "shop_email": f"sales-{shop}@vendors.test",
        "admin": world.admin(),
        "clerk": world.admin("pia", permissions=["manage_privacy"]),
        "reviewer": world.admin("rita", permissions=["moderate_messages", "view_vendor_communication"]),
        "support": world.admin("sam", permissions=["view_vendor_communication", "manage_vendor_communication"]),
    }


def finished(stack, token, erasure_id):
    """The erasure once it is done; None while it runs, or while the service asked is still
    starting (a 503 then is the gateway's honest answer)."""
    answer = stack.call("GET", f"/v1/privacy/erasures/{erasure_id}", token)
    assert answer.status_code in (200, 503), answer.text
    return answer.json() if answer.status_code == 200 and answer.json()["status"] == "done" else None


def export_pages(stack, token, path):
    pages, cursor = [], None
    while True:
        answer = stack.call("GET", path, token, params={"limit": 3, **({"cursor": cursor} if cursor else {})})
        assert answer.status_code == 200, answer.text
        pages.append(answer.json())
        cursor = pages[-1]["next_cursor"]
        if cursor is None:
            return pages


def traces_of(stack, *words):
    """(collection, field path) of every stored document that holds one of `words`, any case."""
    found = []
    for name in stack.db.list_collection_names():
        for document in stack.db[name].find():
            flat = json.dumps(document, default=str).casefold()
            if any(word.casefold() in flat for word in words):
                found.append((name, document.get("_id")))
    return found


def test_a_customer_is_exported_whole_then_erased_everywhere(stack, people):
    world, customer, vendor = people["world"], people["customer"], people["vendor"]
    receiver = Receiver()
    receiver.start()
    hook = stack.call(
        "POST",
        "/v1/webhooks",
        people["admin"],
        json={"url": receiver.url, "events": ["message_posted", "customer_erased"], "secret": "s" * 32},
    )
    assert hook.status_code == 201, hook.text
    bell = {"notifications": {"rules": {"customer_vendor_message": {"customer": ["email", "in_app"]}}}}
    assert stack.call("PUT", "/v1/settings", people["admin"], json=bell).ok  # the customer's bell rings too
    try:
        # asks with a file; is answered by name, and mailed and belled about it
        photo = upload(world, customer, "zelda-lamp.png", png(), "image/png")
        assert photo.status_code == 201, photo.text
        thread_id = world.ask(
            customer, "product", people["product"], "Does it fit my desk?", attachments=[photo.json()["id"]]
        )
        assert world.post(vendor, thread_id, f"Hi {people['name'].split()[0]}, it does.").status_code == 201
        [mail] = stack.mail.wait_for_to(people["email"], 1)
        # held by moderation once, then approved
        assert stack.call("PUT", "/v1/settings", people["admin"], json={"moderation_customer_to_vendor": "hold"}).ok
        try:
            held = world.post(customer, thread_id, f"Call {people['name']} on +1 415 555 2671")
            assert held.status_code == 201, held.text
            assert held.json()["moderation"]["state"] == "held"
        finally:
            assert stack.call("PUT", "/v1/settings", people["admin"], json=ALLOW).ok
        approved = stack.call(
            "POST", f"/v1/moderation/{held.json()['id']}", people["reviewer"], json={"decision": "approve"}
        )
        assert approved.status_code == 200, approved.text
        # replies by mail, from their own address to the mail's reply address
        code, _ = send(
            stack,
            reply(f"{people['name']} <{people['email']}>", mail["Reply-To"], "Lovely, thanks!"),
            people["email"],
            mail["Reply-To"],
        )
        assert code == 250
        # and asks about their order (the catalog keeps their name and address on it)
        order_thread = world.ask(customer, "order", people["order"], "When does it ship?")
        world.wait(
            lambda: len(stack.call("GET", f"/v1/threads/{thread_id}/messages", vendor).json()["items"]) == 4,
            timeout=30,
        )
        eventually(
            lambda: any(people["email"] in call["body"].decode() for call in receiver.calls),
            timeout=30,
            what="the webhook call",
        )

        # the export: everything, page by page, for the privacy clerk and for the customer alike
        path = f"/v1/privacy/customers/{people['customer_id']}"
        pages = export_pages(stack, people["clerk"], path)
        assert pages[0]["customer"]["names"] and people["email"] in pages[0]["customer"]["emails"]
        conversations = [c for page in pages for c in page["conversations"]]
        assert {c["id"] for c in conversations} == {thread_id, order_thread}
        texts = [m["text"] for c in conversations for m in c["messages"]]
        assert "Does it fit my desk?" in texts and "Lovely, thanks!" in texts
        assert f"Hi {people['name'].split()[0]}, it does." in texts
        files = [f for c in conversations for m in c["messages"] for f in m["attachments"]]
        assert [f["name"] for f in files] == ["zelda-lamp.png"]
        assert stack.call("GET", files[0]["url"]).status_code == 200  # a link that opens
        notes = [item for page in pages for item in page["notifications"]]
        assert any(item["kind"] == "mail" and item["to"] == people["email"] for item in notes)
        assert any(item["kind"] == "bell_item" and item["thread_id"] == thread_id for item in notes), notes
        assert any(page["preferences"] for page in pages)
        mine = export_pages(stack, customer, "/v1/privacy/me")
        assert {c["id"] for page in mine for c in page["conversations"]} == {thread_id, order_thread}

        assert traces_of(stack, people["name"], people["email"])  # there is something to erase
        # the erasure: 202 running, then done with its counts
        asked = stack.call("DELETE", path, people["clerk"])
        assert asked.status_code == 202, asked.text
        assert asked.json()["status"] == "running"
        again = stack.call("DELETE", path, people["clerk"])
        assert again.status_code == 202 and again.json()["id"] == asked.json()["id"]
        done = eventually(
            lambda: finished(stack, people["clerk"], asked.json()["id"]),
            timeout=30,
            what="the erasure",
        )
        counts = done["counts"]
        assert counts["threads"] == 2 and counts["files"] >= 1 and counts["mails"] >= 1 and counts["orders"] == 1
        assert people["customer_id"] not in json.dumps(done)

        assert traces_of(stack, people["name"], people["email"], people["name"].split()[1]) == []
        # the vendor keeps its side of the record, with a former customer
        thread = stack.call("GET", f"/v1/threads/{thread_id}", vendor).json()
        assert thread["customer_name"] == "Former customer"
        kept = [m["text"] for m in thread["messages"]["items"]]
        assert "Hi Former customer, it does." in kept and "Does it fit my desk?" not in kept
        assert stack.call("GET", files[0]["url"]).status_code == 404  # their file is gone
        told = eventually(
            lambda: [json.loads(c["body"]) for c in receiver.calls if b"customer_erased" in c["body"]],
            timeout=30,
            what="the customer_erased call",
        )
        assert told[0]["data"] == {"customer_id": people["customer_id"], "erasure_id": asked.json()["id"]}
    finally:
        bell["notifications"]["rules"]["customer_vendor_message"]["customer"] = ["email"]
        stack.call("PUT", "/v1/settings", people["admin"], json=bell)
        stack.call("DELETE", f"/v1/webhooks/{hook.json()['id']}", people["admin"])
        receiver.stop()


def test_only_the_customer_themself_and_privacy_staff_export_and_only_those_staff_erase(stack, people):
    path = f"/v1/privacy/customers/{people['customer_id']}"
    people["world"].ask(people["customer"], "product", people["product"], "Is it brass?")
    assert stack.call("GET", path, people["other_customer"]).status_code == 403
    assert stack.call("GET", path, people["vendor"]).status_code == 403
    for method in ("GET", "DELETE"):
        refused = stack.call(method, path, people["support"])
        assert refused.status_code == 403, refused.text
        assert refused.json()["error"]["code"] == "forbidden"
    assert stack.call("GET", path, people["customer"]).status_code == 200
    assert stack.call("DELETE", path, people["customer"]).status_code == 403
    assert stack.call("GET", "/v1/privacy/me", people["vendor"]).status_code == 403
    assert stack.call("GET", "/v1/privacy/erasures/nope", people["support"]).status_code == 403
    assert stack.call("GET", "/v1/privacy/erasures/nope", people["clerk"]).status_code == 404
    assert stack.call("GET", path, people["clerk"], params={"cursor": "garbage"}).status_code == 422
    assert stack.call("GET", path, None).status_code == 401


def test_an_erasure_killed_half_way_finishes_when_the_process_is_back(stack, people):
    """kill -9 of the conversations service while it rewrites a long conversation: the erasure
    stays `running`, and the process started again takes it up once its lease runs out."""
    world = people["world"]
    thread_id = world.ask(people["customer"], "product", people["product"], f"I am {people['name']}")
    first = stack.db.messages.find_one({"thread_id": thread_id}, {"pending_events": 0, "relay_after": 0})
    # A long history, written as the service writes messages (posting 1,000 would take a minute).
    stack.db.messages.insert_many(
        [{**first, "_id": f"{first['_id']}-{number:05d}", "text": f"{people['name']} again"} for number in range(1000)]
    )
    asked = stack.call("DELETE", f"/v1/privacy/customers/{people['customer_id']}", people["clerk"])
    assert asked.status_code == 202, asked.text

    def rewriting():
        return stack.db.messages.count_documents({"thread_id": thread_id, "text": {"$regex": "^This message was"}})

    eventually(lambda: rewriting() > 0, timeout=30, what="the erasure's start")
    stack.kill("conversations")
    try:
        half = rewriting()
        assert 0 < half < 1001  # it stopped half-way
        erasure = stack.db.privacy_erasures.find_one({"_id": asked.json()["id"]})
        assert erasure["status"] == "running"
    finally:
        stack.start("conversations")
        stack.wait_ready()
    try:
        done = eventually(
            lambda: finished(stack, people["clerk"], asked.json()["id"]),
            timeout=150,
            what="the erasure taken up again",
        )
    except AssertionError as late:
        stored = stack.db.privacy_erasures.find_one({"_id": asked.json()["id"]}, {"forgotten": 0})
        raise AssertionError(f"{late}: {stored}, {rewriting()} rewritten") from None
    assert done["counts"]["threads"] == 1
    assert rewriting() == 1001
    assert traces_of(stack, people["name"], people["email"]) == []
