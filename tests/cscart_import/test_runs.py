"""The import as an operator runs it more than once: a dry run, broken rows, the cut-over's
second run, and a run killed with -9 half-way (tests/cscart_import/test_import.py has the rest)."""

import random
import signal
import time

from tests.cscart_import.cscart_db import scratch
from tests.cscart_import.test_import import T0, fill, inbox, people, run_import


def imported(stack, base):
    """What the system holds of this test's CS-Cart store: its threads and messages."""
    threads = list(stack.db.threads.find({"cscart.thread_id": {"$gt": base, "$lt": base + 1000}}))
    messages = stack.db.messages.count_documents({"thread_id": {"$in": [t["_id"] for t in threads]}})
    return threads, messages


def test_a_dry_run_writes_nothing_and_broken_rows_are_reported_and_skipped(stack):
    base = random.randrange(1, 8000) * 1000
    with scratch("4.13") as store:
        fill(store, base)
        store.add(
            "vendor_communication_messages",
            message_id=base + 900,
            thread_id=base + 777,
            user_id=1,
            user_type="C",
            timestamp=T0,
            message="my thread is gone",
        )
        store.add(
            "vendor_communication_messages",
            message_id=base + 901,
            thread_id=base + 1,
            user_id=1,
            user_type="X",
            timestamp=T0 + 9000,
            message="who wrote this?",
        )
        store.add("vendor_communications", thread_id=base + 6, company_id=0, user_id=base + 10, created_at=T0)
        store.add(
            "vendor_communication_messages",
            thread_id=base + 6,
            user_id=base + 10,
            user_type="C",
            timestamp=T0,
            message="to nobody",
        )

        status, out, err = run_import(stack, store, "--dry-run")
        assert status == 1, out + err
        assert "Dry run (nothing written): 5 threads and 9 messages read" in out
        assert f"skipped (error): 1 vendor_communication_messages rows: its thread is missing (ids {base + 900})" in out
        assert f"unknown author type 'X' (ids {base + 901})" in out
        assert f"names no vendor (company_id 0) (ids {base + 6})" in out
        assert imported(stack, base) == ([], 0)

        status, out, err = run_import(stack, store)
        assert status == 1, out + err
        threads, messages = imported(stack, base)
        assert (len(threads), messages) == (5, 9)
        who = people(stack, fill_ids(base))
        question = [t for t in inbox(stack, who["ann"]) if t["object"]["type"] == "product"][0]
        page = stack.call("GET", f"/v1/threads/{question['id']}", who["ann"]).json()
        assert "who wrote this?" not in [m["text"] for m in page["messages"]["items"]]


def fill_ids(base):
    return {"ann": str(base + 10), "bob": str(base + 11), "staff": str(base + 20), "acme": str(base + 1)}


def test_the_cut_over_run_brings_only_what_came_since(stack):
    base = random.randrange(1, 8000) * 1000
    with scratch("4.13") as store:
        ids = fill(store, base)
        assert run_import(stack, store)[0] == 0
        who = people(stack, ids)
        # CS-Cart goes on meanwhile: the vendor answers the lid question, Bob asks a new one.
        store.add(
            "vendor_communication_messages",
            thread_id=base + 1,
            user_id=base + 20,
            user_type="V",
            timestamp=T0 + 10_000,
            message="The lid is glass.",
        )
        store.execute(
            "UPDATE {prefix}vendor_communications SET status='N', last_message_user_type='V', "
            "last_updated=%s WHERE thread_id=%s",
            (T0 + 10_000, base + 1),
        )
        store.add(
            "vendor_communications",
            thread_id=base + 7,
            status="N",
            user_id=base + 11,
            company_id=base + 1,
            object_type="P",
            object_id=base + 101,
            created_at=T0 + 20_000,
            last_message_user_type="C",
            last_updated=T0 + 20_000,
            communication_type="vendor_to_customer",
        )
        store.add(
            "vendor_communication_messages",
            thread_id=base + 7,
            user_id=base + 11,
            user_type="C",
            timestamp=T0 + 20_000,
            message="Is the blue one in stock?",
        )

        status, out, err = run_import(stack, store)
        assert status == 0, out + err
        assert "threads: 1 new, 1 moved on; messages: 2 new" in out
        question = [t for t in inbox(stack, who["ann"]) if t["object"]["type"] == "product"][0]
        assert question["unread_count"] == 1 and question["awaiting_reply_from"] is None
        assert question["last_message"]["preview"] == "The lid is glass."
        assert [t["subject"] for t in inbox(stack, who["bob"]) if t["object"]["type"] == "product"] == [
            "Product: Blue Kettle"
        ]
        threads, messages = imported(stack, base)
        assert (len(threads), messages) == (6, 11)


def test_killed_half_way_a_second_run_finishes_with_exactly_the_source(stack):
    base = random.randrange(1, 8000) * 1000
    per_thread, thread_count = 12, 300
    with scratch("4.13") as store:
        store.add("companies", company_id=base + 1, company="Acme", email="a@acme.test", status="A")
        store.add_many(
            "vendor_communications",
            [
                dict(
                    thread_id=base + n,
                    status="N",
                    user_id=base + 500,
                    company_id=base + 1,
                    object_type="C",
                    object_id=base + 1,
                    created_at=T0 + n * 100,
                    last_message_user_type="V",
                    last_updated=T0 + n * 100 + 50,
                    communication_type="vendor_to_customer",
                )
                for n in range(1, thread_count + 1)
            ],
        )
        store.execute("ALTER TABLE {prefix}vendor_communication_messages AUTO_INCREMENT = %s" % (base + 1))
        store.add_many(
            "vendor_communication_messages",
            [
                dict(
                    thread_id=base + n,
                    user_id=base + 500,
                    user_type="CV"[k % 2],
                    timestamp=T0 + n * 100 + k,
                    message=f"message {k} of thread {n}",
                )
                for n in range(1, thread_count + 1)
                for k in range(per_thread)
            ],
        )

        # Batches that split threads, so the kill may fall inside one.
        running = run_import(stack, store, "--batch", "35", wait=False)
        deadline = time.monotonic() + 120
        customer = stack.token("customer", sub=str(base + 500))
        while imported(stack, base)[1] < 400 and time.monotonic() < deadline and running.poll() is None:
            # The live system answers meanwhile: the import's batches take no one's place.
            asked = time.monotonic()
            assert stack.call("GET", "/v1/threads", customer).status_code == 200
            assert time.monotonic() - asked < 5
            time.sleep(0.05)
        running.send_signal(signal.SIGKILL)
        running.wait()
        threads, messages = imported(stack, base)
        assert 0 < messages < thread_count * per_thread, "the kill came before or after the import"

        status, out, err = run_import(stack, store, "--batch", "35")
        assert status == 0, out + err
        threads, messages = imported(stack, base)
        assert (len(threads), messages) == (thread_count, thread_count * per_thread)
        assert {t["message_count"] for t in threads} == {per_thread}
        # The last message of each is the vendor's, and CS-Cart says it is new to the customer.
        assert {(t["unread"]["customer"], t["unread"]["vendor"]) for t in threads} == {(1, 0)}
        assert run_import(stack, store)[1].count("0 new, 0 moved on; messages: 0 new") == 1
