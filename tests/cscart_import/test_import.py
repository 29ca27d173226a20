"""`make import-cscart` against real parts: a scratch CS-Cart database in MariaDB (4.13's
tables and 4.10's older shape), the whole system running (tests/fixtures/stack.py), and the
command run as an operator runs it. What is asserted is what people see through the API."""

import os
import random
import subprocess
import sys

import pytest

from tests.cscart_import.cscart_db import scratch

T0 = 1_560_000_000  # June 2019


def run_import(stack, store, *extra, wait=True):
    env = {**os.environ, **stack.env, "CSCART_TABLE_PREFIX": store.prefix}
    command = [sys.executable, "-m", "cscart_import", store.url, "--quiet", *extra]
    if not wait:
        return subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
    return done.returncode, done.stdout, done.stderr


def fill(store, base: int):
    """A small marketplace: a vendor and its staff, a disabled vendor, two customers, a product,
    an order, and threads of every kind CS-Cart has (ids offset by `base`: the stack is shared)."""
    newer = store.version >= "4.11"
    # Message ids too: an imported message's id is made of its time and CS-Cart's number.
    store.execute("ALTER TABLE {prefix}vendor_communication_messages AUTO_INCREMENT = %s" % (base + 1))
    acme, bolt = base + 1, base + 2
    ann, bob, staff, admin, gone = base + 10, base + 11, base + 20, base + 1, base + 99
    store.add("companies", company_id=acme, company="Acme Kettles", email="sales@acme.test", status="A")
    store.add("companies", company_id=bolt, company="Bolt Tools", email="hi@bolt.test", status="D")
    for user_id, kind, company, first, last in (
        (ann, "C", 0, "Ann", "Smith"),
        (bob, "C", 0, "Bob", "Jones"),
        (staff, "V", acme, "Vera", "Staff"),
        (admin, "A", 0, "Root", ""),
    ):
        store.add(
            "users",
            user_id=user_id,
            user_type=kind,
            company_id=company,
            firstname=first,
            lastname=last,
            email=f"{first.lower()}@people.test",
        )
    kettle = base + 101
    store.add("products", product_id=kettle, company_id=acme, product_code="K-1", status="A")
    store.add("product_descriptions", product_id=kettle, lang_code="en", product="Blue Kettle")
    store.add("product_prices", product_id=kettle, price="30.00", lower_limit=1)
    order = base + 5001
    store.add(
        "orders",
        order_id=order,
        company_id=acme,
        user_id=ann,
        total="45.50",
        status="P",
        timestamp=T0,
        firstname="Ann",
        lastname="Smith",
        email="ann@people.test",
    )

    def thread(thread_id, status, user_id, company_id, object_type, object_id, messages, subject="", kind=""):
        row = dict(
            thread_id=thread_id,
            status=status,
            user_id=user_id,
            company_id=company_id,
            object_type=object_type,
            object_id=object_id,
            created_at=messages[0][2],
            last_message_user_type=messages[-1][1],
            last_updated=messages[-1][2],
        )
        if newer:
            row.update(subject=subject, communication_type=kind)
        store.add("vendor_communications", **row)
        for author, user_type, at, text in messages:
            store.add(
                "vendor_communication_messages",
                thread_id=thread_id,
                user_id=author,
                user_type=user_type,
                timestamp=at,
                message=text,
            )

    ids = {
        "acme": str(acme),
        "bolt": str(bolt),
        "ann": str(ann),
        "bob": str(bob),
        "staff": str(staff),
        "kettle": str(kettle),
        "order": str(order),
    }
    v2c = "vendor_to_customer" if newer else ""
    # A question, its answer, a follow-up the vendor has not read.
    thread(
        base + 1,
        "N",
        ann,
        acme,
        "P",
        kettle,
        [
            (ann, "C", T0, "Is it <b>stainless</b> steel?"),
            (staff, "V", T0 + 3600, "Yes, 18/10 steel."),
            (ann, "C", T0 + 7200, "Great, and the lid?"),
        ],
        kind=v2c,
    )
    # About an order, every message seen.
    thread(
        base + 2,
        "V",
        ann,
        acme,
        "O",
        order,
        [(ann, "C", T0 + 100, "Where is my parcel?"), (staff, "V", T0 + 200, "Sent today.")],
        subject="Parcel" if newer else "",
        kind=v2c,
    )
    # Deleted, from a customer who is gone, about a product that is gone.
    thread(
        base + 3,
        "D",
        gone,
        acme,
        "P",
        base + 999,
        [(gone, "C", T0 + 300, "<script>alert(1)</script>Hello <a href='http://x.test' onclick='y()'>there</a>")],
        kind=v2c,
    )
    # About another add-on's object, with the disabled vendor.
    thread(base + 4, "V", bob, bolt, "F", 7, [(bob, "C", T0 + 400, "A question about a gift certificate")], kind=v2c)
    if newer:
        thread(
            base + 5,
            "N",
            staff,
            acme,
            "",
            0,
            [(staff, "V", T0 + 500, "When is my payout?"), (admin, "A", T0 + 600, "On Friday.")],
            subject="Payout",
            kind="vendor_to_admin",
        )
    return ids


def people(stack, ids):
    return {
        "ann": stack.token("customer", sub=ids["ann"]),
        "bob": stack.token("customer", sub=ids["bob"]),
        "vendor": stack.token("vendor", sub=ids["staff"], company_id=ids["acme"]),
        "admin": stack.token("admin", sub="admin-import"),
    }


def inbox(stack, token, **query):
    answer = stack.call("GET", "/v1/threads", token, params={"limit": 100, **query})
    assert answer.status_code == 200, answer.text
    return answer.json()["items"]


@pytest.mark.parametrize("version", ["4.13", "4.10"])
def test_people_see_their_conversations_as_in_cscart(stack, version):
    base = random.randrange(1, 8000) * 1000
    with scratch(version) as store:
        ids = fill(store, base)

        status, out, err = run_import(stack, store)
        assert status == 0, out + err
        assert "threads: " in out and "skipped" not in out.replace("has no messages", ""), out
        who = people(stack, ids)

        ann = inbox(stack, who["ann"])
        assert [(t["object"], t["unread_count"]) for t in ann] == [
            ({"type": "product", "id": ids["kettle"]}, 0),
            ({"type": "order", "id": ids["order"]}, 0),
        ]
        question = ann[0]
        assert question["subject"] == "Product: Blue Kettle"
        assert question["last_message"]["preview"] == "Great, and the lid?"
        assert question["awaiting_reply_from"] == "vendor"
        assert question["created_at"].startswith("2019-06-08T13:20:00")
        page = stack.call("GET", f"/v1/threads/{question['id']}", who["ann"]).json()
        assert [(m["author"]["side"], m["text"]) for m in page["messages"]["items"]] == [
            ("customer", "Is it stainless steel?"),
            ("vendor", "Yes, 18/10 steel."),
            ("customer", "Great, and the lid?"),
        ]
        assert page["context"]["name"] == "Blue Kettle" and page["context"]["code"] == "K-1"
        assert ann[1]["subject"] == ("Parcel" if version == "4.13" else f"Order #{ids['order']}")

        vendor = {t["object"]["type"]: t for t in inbox(stack, who["vendor"], type="vendor_to_customer")}
        assert vendor["product"]["unread_count"] == 1 and vendor["order"]["unread_count"] == 0
        # The deleted thread is the administration's only.
        assert set(vendor) == {"product", "order"}
        deleted = inbox(stack, who["admin"], status="deleted", company_id=ids["acme"])
        assert len(deleted) == 1 and deleted[0]["subject"] == f"Product #{base + 999}"
        shown = stack.call("GET", f"/v1/threads/{deleted[0]['id']}", who["admin"]).json()["messages"]["items"][0]
        assert "script" not in shown["body"] and "onclick" not in shown["body"]
        assert 'rel="nofollow noreferrer noopener"' in shown["body"]

        bob = inbox(stack, who["bob"])
        assert [(t["object"]["type"], t["subject"], t["company_id"]) for t in bob] == [
            ("none", f"Conversation #{base + 4}", ids["bolt"])
        ]

        if version == "4.13":
            staff_talk = inbox(stack, who["vendor"], type="vendor_to_admin")
            assert [(t["subject"], t["unread_count"], t["awaiting_reply_from"]) for t in staff_talk] == [
                ("Payout", 1, "vendor")
            ]

        # Search finds imported words; the vendor's figures count the imported answer (1 h).
        found = inbox(stack, who["vendor"], q="lid")
        assert [t["id"] for t in found] == [question["id"]]
        figures = stack.call(
            "GET",
            "/v1/reports/response-times",
            who["admin"],
            params={"from": "2019-06-01T00:00:00Z", "to": "2019-07-01T00:00:00Z", "company_id": ids["acme"]},
        ).json()
        assert figures["vendors"][0]["answered"] == 2
        assert figures["vendors"][0]["median_first_reply_seconds"] in (100.0, 1850.0, 3600.0)

        # A second run adds nothing, and nothing was mailed for history.
        status, again, err = run_import(stack, store)
        assert status == 0, again + err
        assert "0 new, 0 moved on; messages: 0 new" in again
        assert len(inbox(stack, who["ann"])) == 2
        stack.mail.settle()
        assert stack.mail.to("ann@people.test") == [] and stack.mail.to("sales@acme.test") == []
