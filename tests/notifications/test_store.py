"""The `NotificationRecords` contract: the MongoDB adapter (on the MongoDB-wire server) and
the in-memory fake answer the same, so use cases tested on the fake hold on the database."""

from datetime import timedelta

import pytest

from services.common.clock import new_id, now
from services.common.errors import ValidationFailed
from services.notifications import rules
from services.notifications.store import NotificationStore

from .memory_store import MemoryNotificationStore

LEASE = timedelta(seconds=60)
KINDS = [rules.CUSTOMER_VENDOR, rules.ORDER]


@pytest.fixture(params=["mongo", "memory"])
def store(request):
    if request.param == "memory":
        return MemoryNotificationStore()
    mongo_db = request.getfixturevalue("mongo_db")
    NotificationStore.create_indexes(mongo_db)
    return NotificationStore(mongo_db)


def mail(message_id, thread_id="t1", address="shop@vendors.test", send_after=None, **extra):
    return {
        "id": new_id(),
        "message_id": message_id,
        "thread_id": thread_id,
        "address": address,
        "address_key": address.lower(),
        "status": "pending",
        "attempts": 0,
        "send_after": send_after or now(),
        **extra,
    }


def bell_item(message_id, audience="vendor:10", kind=rules.CUSTOMER_VENDOR):
    return {
        "id": new_id(),
        "audience": audience,
        "kind": kind,
        "message_id": message_id,
        "read": False,
        "read_at": None,
    }


# settings and events -------------------------------------------------------------------------


def test_settings_are_the_defaults_until_saved(store):
    assert store.settings() == rules.default_settings()
    changed = rules.merge_settings(rules.default_settings(), {"coalesce_seconds": 0})
    store.save_settings(changed)
    assert store.settings() == changed


def test_an_event_is_kept_once_and_claimed_by_one_worker(store):
    at = now()
    assert store.record_event(
        "e1", {"event": "message_posted", "status": "pending", "attempts": 0, "process_after": at}
    )
    assert not store.record_event("e1", {"event": "message_posted", "status": "pending", "process_after": at})
    claimed = store.claim_event("e1", at, at + LEASE)
    assert (claimed["_id"], claimed["status"]) == ("e1", "processing")
    assert store.claim_event("e1", at, at + LEASE) is None
    assert store.claim_due_event(at, at + LEASE) is None
    store.event_done("e1", at)
    assert store.claim_due_event(at + LEASE * 2, at + LEASE * 3) is None


def test_a_failed_event_waits_its_turn_and_the_oldest_due_comes_first(store):
    at = now()
    for name, wait in (("later", 20), ("sooner", 10)):
        store.record_event(name, {"status": "pending", "attempts": 0, "process_after": at + timedelta(seconds=wait)})
    assert store.claim_due_event(at, at + LEASE) is None
    assert store.claim_due_event(at + timedelta(seconds=30), at + LEASE)["_id"] == "sooner"
    store.event_failed_attempt("sooner", 1, "pending", at + timedelta(seconds=40), "catalog away")
    assert store.claim_due_event(at + timedelta(seconds=30), at + LEASE)["_id"] == "later"
    assert store.claim_due_event(at + timedelta(seconds=30), at + LEASE) is None


def test_work_whose_lease_ran_out_goes_back_to_the_queue(store):
    at = now()
    store.record_event("e1", {"status": "pending", "attempts": 0, "process_after": at})
    store.claim_event("e1", at, at + LEASE)
    store.release_stale(at + LEASE / 2)
    assert store.claim_due_event(at + LEASE / 2, at + LEASE) is None
    store.release_stale(at + LEASE * 2)
    assert store.claim_due_event(at + LEASE * 2, at + LEASE * 3)["_id"] == "e1"


# people ----------------------------------------------------------------------------------------


def test_vendor_staff_are_remembered_once_with_their_newest_name(store):
    store.add_vendor_staff("t1", {"user_id": "v1", "name": "Bob", "email": "bob@shop.test"})
    store.add_vendor_staff("t1", {"user_id": "v2", "name": "Eve", "email": "eve@shop.test"})
    store.add_vendor_staff("t1", {"user_id": "v1", "name": "Robert", "email": "bob@shop.test"})
    assert sorted(person["name"] for person in store.vendor_staff("t1")) == ["Eve", "Robert"]
    assert store.vendor_staff("t2") == []


def test_opt_outs_are_found_by_address_or_by_user(store):
    store.save_email_opt_outs("c1", "ann@buyers.test", ["vendor_to_customer"])
    store.save_email_opt_outs("v0", "shop@vendors.test", ["vendor_to_admin"])
    assert store.email_opt_outs("c1") == ["vendor_to_customer"] and store.email_opt_outs("nobody") == []
    assert store.opted_out("vendor_to_customer", ["ann@buyers.test"], []) == ({"ann@buyers.test"}, {"c1"})
    assert store.opted_out("vendor_to_customer", ["ann.new@buyers.test"], ["c1"]) == (set(), {"c1"})
    assert store.opted_out("vendor_to_customer", ["shop@vendors.test"], ["v0"]) == (set(), set())


# mail ------------------------------------------------------------------------------------------


def test_one_mail_per_message_and_address(store):
    assert store.plan_mail(mail("m1"))
    assert not store.plan_mail(mail("m1"))
    assert store.plan_mail(mail("m1", address="bob@shop.test"))


def test_the_latest_mail_time_leaves_out_failed_mail(store):
    at = now()
    assert store.latest_mail_time("t1", "shop@vendors.test") is None
    store.plan_mail(mail("m1", send_after=at))
    store.plan_mail(mail("m2", send_after=at + timedelta(seconds=120), status="failed"))
    assert store.latest_mail_time("t1", "shop@vendors.test") == at


def test_the_message_of_the_newest_mail_to_an_address_says_when_its_thread_last_moved_at_least(store):
    at = now().replace(microsecond=0)
    assert store.latest_message_mailed("t1", "shop@vendors.test") is None
    store.plan_mail(mail("m1", send_after=at, message={"created_at": at - timedelta(days=3)}))
    store.plan_mail(mail("m2", send_after=at + timedelta(seconds=120), message={"created_at": at - timedelta(days=1)}))
    store.plan_mail(mail("m3", address="bob@shop.test", send_after=at + timedelta(days=1), message={"created_at": at}))
    # a reminder's time is its own, not the thread's
    store.plan_mail(mail("r1", send_after=at + timedelta(days=1), message={"created_at": at}, notice="overdue"))
    assert store.latest_message_mailed("t1", "shop@vendors.test") == at - timedelta(days=1)


def test_due_mail_is_claimed_as_one_batch_per_thread_and_address(store):
    at = now()
    store.plan_mail(mail("m1", send_after=at))
    store.plan_mail(mail("m2", send_after=at))
    store.plan_mail(mail("m3", address="bob@shop.test", send_after=at))
    store.plan_mail(mail("m4", send_after=at + timedelta(seconds=60)))
    assert sorted(store.due_mail_groups(at)) == [("t1", "bob@shop.test"), ("t1", "shop@vendors.test")]

    batch = store.claim_mail_batch("t1", "shop@vendors.test", at, "b1", at + LEASE)
    assert sorted(m["message_id"] for m in batch) == ["m1", "m2"]
    assert all("_id" not in m and m["id"] for m in batch)  # a record's id is `id`, whatever the adapter keeps
    assert store.claim_mail_batch("t1", "shop@vendors.test", at, "b2", at + LEASE) == []
    store.record_mail_delivered("b1", at)
    assert store.due_mail_groups(at) == [("t1", "bob@shop.test")]
    assert store.latest_mail_time("t1", "shop@vendors.test") == at + timedelta(seconds=60)


def test_a_batch_left_mid_send_is_retaken_once_as_itself(store):
    at = now()
    store.plan_mail(mail("m1", send_after=at))
    store.claim_mail_batch("t1", "shop@vendors.test", at, "b1", at + LEASE)
    assert store.stale_mail_batches(at) == []
    later = at + LEASE * 2
    assert store.stale_mail_batches(later) == ["b1"]
    assert [m["message_id"] for m in store.retake_mail_batch("b1", later, later + LEASE)] == ["m1"]
    assert store.retake_mail_batch("b1", later, later + LEASE) == []
    assert store.stale_mail_batches(later) == []


def test_a_batch_no_sender_was_free_for_is_claimed_again_by_the_next(store):
    at = now()
    store.plan_mail({**mail("m1", send_after=at), "status": "sending", "batch_id": "b1", "lease_until": at + LEASE})
    store.release_mail_batch("b1")
    assert store.stale_mail_batches(at + LEASE * 2) == []  # not left to its lease
    assert store.due_mail_groups(at) == [("t1", "shop@vendors.test")]
    assert [m["message_id"] for m in store.claim_mail_batch("t1", "shop@vendors.test", at, "b2", at + LEASE)] == ["m1"]


def test_a_failed_attempt_waits_then_after_the_last_the_mail_is_listed_as_failed(store):
    at = now()
    store.plan_mail(mail("m1", send_after=at))
    store.claim_mail_batch("t1", "shop@vendors.test", at, "b1", at + LEASE)
    store.batch_failed_attempt("b1", 1, "pending", at + timedelta(seconds=30), "refused", at)
    assert store.due_mail_groups(at) == []
    assert store.due_mail_groups(at + timedelta(seconds=30)) == [("t1", "shop@vendors.test")]
    store.claim_mail_batch("t1", "shop@vendors.test", at + timedelta(seconds=30), "b2", at + LEASE)
    store.batch_failed_attempt("b2", 2, "failed", None, "refused", at)
    [failed] = store.failed_mails(None, 10).items
    assert (failed["message_id"], failed["attempts"], failed["last_error"]) == ("m1", 2, "refused")


def test_failed_mail_is_paged_newest_first_and_the_cursor_is_checked(store):
    at = now()
    for number in range(5):
        store.plan_mail(mail(f"m{number}", send_after=at, status="failed"))
    first = store.failed_mails(None, 3)
    assert [m["message_id"] for m in first.items] == ["m4", "m3", "m2"]
    rest = store.failed_mails(first.next_cursor, 3)
    assert ([m["message_id"] for m in rest.items], rest.next_cursor) == (["m1", "m0"], None)
    with pytest.raises(ValidationFailed):
        store.failed_mails("not-a-cursor", 3)


# reply by mail ---------------------------------------------------------------------------------


def recipient(thread_id="t1", address="Ann@Buyers.test", side="customer", user_id="c1"):
    return {
        "thread_id": thread_id,
        "address": address,
        "address_key": address.lower(),
        "side": side,
        "user_id": user_id,
        "name": "Ann",
        "company_id": "10",
    }


def test_a_person_keeps_one_reply_address_per_thread(store):
    first = store.reply_address_id(recipient())
    assert store.reply_address_id(recipient(address="ann@buyers.test")) == first  # the same person
    assert store.reply_address_id(recipient(thread_id="t2")) != first
    assert store.reply_address_id(recipient(address="shop@vendors.test", side="vendor", user_id=None)) != first
    given = store.reply_address(first)
    assert {key: given[key] for key in recipient()} == recipient()
    assert given["_id"] == first


def test_an_id_never_given_out_names_nobody(store):
    assert store.reply_address(new_id()) is None


# the bell --------------------------------------------------------------------------------------


def test_an_audience_is_told_of_a_message_once(store):
    assert store.ring([bell_item("m1")]) == 1
    assert store.ring([bell_item("m1")]) == 0
    # Several audiences at once, one of them told before: the others are still told.
    assert store.ring([bell_item("m1", audience="admin"), bell_item("m1"), bell_item("m1", audience="vendor:20")]) == 2
    assert store.unread_count("admin", KINDS) == store.unread_count("vendor:20", KINDS) == 1
    assert store.ring([]) == 0


def test_bell_items_are_an_audiences_of_the_kinds_it_may_see_newest_first(store):
    for number in range(4):
        store.ring([bell_item(f"m{number}")])
    store.ring([bell_item("m9", kind=rules.VENDOR_ADMIN)])
    store.ring([bell_item("m8", audience="vendor:20")])
    page = store.bell_items("vendor:10", KINDS, None, None, 3)
    assert [item["message_id"] for item in page.items] == ["m3", "m2", "m1"]
    assert all("_id" not in item and item["id"] for item in page.items)
    assert [item["message_id"] for item in store.bell_items("vendor:10", KINDS, None, page.next_cursor, 3).items] == [
        "m0"
    ]
    assert store.unread_count("vendor:10", KINDS) == 4


def test_marking_read_by_id_or_all(store):
    items = [bell_item(f"m{number}") for number in range(3)]
    store.ring(items)
    store.ring([bell_item("m9", kind=rules.VENDOR_ADMIN)])
    assert store.mark_read("vendor:10", KINDS, [items[0]["id"]], now()) == 1
    assert [item["message_id"] for item in store.bell_items("vendor:10", KINDS, True, None, 10).items] == ["m2", "m1"]
    assert [item["message_id"] for item in store.bell_items("vendor:10", KINDS, False, None, 10).items] == ["m0"]
    assert store.mark_read("vendor:10", KINDS, None, now()) == 2
    assert store.unread_count("vendor:10", KINDS) == 0
    assert store.unread_count("vendor:10", [rules.VENDOR_ADMIN]) == 1


def test_reading_a_thread_reads_an_audiences_items_of_it_written_until_then(store):
    at = now().replace(microsecond=0)

    def item(message_id, thread_id, seconds, audience="vendor:10"):
        return {
            **bell_item(message_id, audience),
            "thread_id": thread_id,
            "created_at": at + timedelta(seconds=seconds),
        }

    store.ring([item("m1", "t1", 0), item("m2", "t1", 5), item("m3", "t2", 0), item("m1", "t1", 0, "admin")])
    assert store.read_marks({("vendor:10", "t1")}) == {}
    assert store.thread_read("vendor:10", "t1", at + timedelta(seconds=1)) == 1
    assert [i["message_id"] for i in store.bell_items("vendor:10", KINDS, True, None, 10).items] == ["m3", "m2"]
    assert store.unread_count("admin", KINDS) == 1  # another audience's bell: as it was
    store.thread_read("vendor:10", "t1", at)  # an older read does not move the mark back
    assert store.read_marks({("vendor:10", "t1"), ("vendor:10", "t2"), ("admin", "t1")}) == {
        ("vendor:10", "t1"): at + timedelta(seconds=1)
    }


# webhooks --------------------------------------------------------------------------------------


def webhook(webhook_id, events):
    return {"_id": webhook_id, "url": "https://hooks.test/in", "events": events, "secret": "s", "last_result": None}


def delivery(webhook_id, event_key, send_after=None):
    return {
        "_id": new_id(),
        "webhook_id": webhook_id,
        "event_key": event_key,
        "event": "message_posted",
        "body": "{}",
        "status": "pending",
        "attempts": 0,
        "send_after": send_after or now(),
    }


def test_webhooks_are_chosen_by_the_event_they_asked_for(store):
    store.add_webhook(webhook("w1", ["message_posted"]))
    store.add_webhook(webhook("w2", ["message_posted", "thread_started"]))
    assert sorted(w["_id"] for w in store.webhooks_for("message_posted")) == ["w1", "w2"]
    assert [w["_id"] for w in store.webhooks_for("thread_started")] == ["w2"]
    assert [w["_id"] for w in store.all_webhooks()] == ["w1", "w2"]
    assert [w["url"] for w in store.all_webhooks()] == ["https://hooks.test/in"] * 2
    assert store.count_webhooks() == 2


def test_a_webhook_delivery_is_planned_once_claimed_once_and_its_result_kept(store):
    store.add_webhook(webhook("w1", ["message_posted"]))
    planned = delivery("w1", "message_posted:m1")
    assert store.plan_webhook_delivery(planned)
    assert not store.plan_webhook_delivery(delivery("w1", "message_posted:m1"))
    later = delivery("w1", "message_posted:m2", send_after=now() + timedelta(seconds=1))
    store.plan_webhook_delivery(later)
    at = now() + timedelta(seconds=2)
    assert store.claim_due_webhook_delivery(at, at + LEASE, "w2") is None  # each endpoint its own
    claimed = store.claim_due_webhook_delivery(at, at + LEASE, "w1")
    assert claimed["_id"] == planned["_id"]  # oldest first
    assert store.claim_due_webhook_delivery(at, at + LEASE, "w1")["_id"] == later["_id"]
    assert store.claim_due_webhook_delivery(at, at + LEASE, "w1") is None
    result = {"at": at, "status": "delivered", "attempts": 1, "status_code": 204, "error": None}
    store.webhook_attempted(claimed, "delivered", 1, None, result)
    assert [w["last_result"] for w in store.all_webhooks()] == [result]
    assert [d["last_result"] for d in store.recent_webhook_deliveries("w1")] == [result]


def test_a_removed_webhook_takes_its_waiting_calls_with_it(store):
    store.add_webhook(webhook("w1", ["message_posted"]))
    store.plan_webhook_delivery(delivery("w1", "message_posted:m1"))
    assert store.delete_webhook("w1")
    assert not store.delete_webhook("w1")
    assert store.claim_due_webhook_delivery(now(), now() + LEASE, "w1") is None


def test_a_webhook_call_whose_lease_ran_out_is_made_again(store):
    store.add_webhook(webhook("w1", ["message_posted"]))
    store.plan_webhook_delivery(delivery("w1", "message_posted:m1"))
    at = now()
    store.claim_due_webhook_delivery(at, at + LEASE, "w1")
    store.release_stale(at + LEASE * 2)
    assert store.claim_due_webhook_delivery(at + LEASE * 2, at + LEASE * 3, "w1") is not None


# a customer's data and a thread's records ---------------------------------------------------------


def to_customer(message_id, thread_id="t1", customer_id="c1", address="Ann@Buyers.test"):
    return mail(message_id, thread_id, address, side="customer", user_id=customer_id)


def test_a_customers_mails_bell_items_and_reply_addresses_are_read_oldest_first_a_page_at_a_time(store):
    for number in range(5):
        store.plan_mail(to_customer(f"m{number}"))
    store.plan_mail(to_customer("m9", customer_id="c2", address="bea@buyers.test"))
    store.plan_mail(mail("m0", address="shop@vendors.test", side="vendor", user_id="c1"))  # another side's c1
    first = store.customer_mails("c1", None, 3)
    assert [m["message_id"] for m in first] == ["m0", "m1", "m2"] and all("_id" not in m for m in first)
    assert [m["message_id"] for m in store.customer_mails("c1", first[-1]["id"], 3)] == ["m3", "m4"]

    for number in range(3):
        store.ring([bell_item(f"m{number}", audience="customer:c1", kind=rules.ORDER)])
    store.ring([bell_item("m0")])
    items = store.audience_bell_items("customer:c1", None, 2)
    assert [i["message_id"] for i in items] == ["m0", "m1"]
    assert [i["message_id"] for i in store.audience_bell_items("customer:c1", items[-1]["id"], 2)] == ["m2"]

    made = [store.reply_address_id(recipient(thread_id=f"t{number}")) for number in range(3)]
    store.reply_address_id(recipient(address="shop@vendors.test", side="vendor", user_id=None))
    given = store.customer_reply_addresses("c1", None, 2)
    assert [g["_id"] for g in given] == sorted(made)[:2]
    assert [g["_id"] for g in store.customer_reply_addresses("c1", given[-1]["_id"], 2)] == sorted(made)[2:]
    assert given[0]["created_at"] is not None and given[0]["address"] == "Ann@Buyers.test"


def test_erasing_a_customers_own_records_goes_in_bounded_batches_and_a_second_time_finds_none(store, monkeypatch):
    monkeypatch.setattr("services.notifications.store.AT_ONCE", 2)  # several batches, with a few records
    for number in range(5):
        store.plan_mail(to_customer(f"m{number}"))
    store.plan_mail(to_customer("m9", customer_id="c2", address="bea@buyers.test"))
    items = [bell_item(f"m{number}", audience="customer:c1") for number in range(3)] + [bell_item("m0")]
    store.ring([{**item, "thread_id": "t9", "created_at": now()} for item in items])
    store.thread_read("customer:c1", "t1", now())
    store.thread_read("customer:c10", "t1", now())  # an audience whose name begins the same
    store.thread_read("vendor:10", "t1", now())
    store.save_email_opt_outs("c1", "ann@buyers.test", ["vendor_to_customer"])
    store.save_email_opt_outs("c7", "ann@buyers.test", [])  # the same address, under another account
    store.save_email_opt_outs("c2", "bea@buyers.test", [])
    for number in range(3):
        store.reply_address_id(recipient(thread_id=f"t{number}"))
    store.reply_address_id(recipient(thread_id="t9", user_id=None))  # made for the address alone
    store.reply_address_id(recipient(address="shop@vendors.test", side="vendor", user_id=None))

    def erase():
        return (
            store.erase_customer_mails("c1"),
            store.erase_bell_items_of("customer:c1"),
            store.erase_read_marks_of("customer:c1"),
            store.erase_preferences_of("c1", ["ann@buyers.test"]),
            store.erase_reply_addresses_of("c1", ["ann@buyers.test"]),
        )

    assert erase() == (5, 3, 1, 2, 4)
    assert erase() == (0, 0, 0, 0, 0)
    assert [m["message_id"] for m in store.customer_mails("c2", None, 10)] == ["m9"]
    assert store.unread_count("vendor:10", KINDS) == 1
    assert set(store.read_marks({("customer:c10", "t1"), ("vendor:10", "t1")})) == {
        ("customer:c10", "t1"),
        ("vendor:10", "t1"),
    }
    assert store.email_opt_outs("c1") == [] and store.opted_out("vendor_to_customer", ["bea@buyers.test"], ["c2"]) == (
        set(),
        set(),
    )
    assert store.customer_reply_addresses("c1", None, 10) == []
    vendors = store.reply_address_id(recipient(address="shop@vendors.test", side="vendor", user_id=None))
    assert store.reply_address(vendors) is not None


def test_a_customers_name_and_address_leave_the_staff_lists_and_the_webhook_calls_of_any_case(store):
    store.add_vendor_staff("t1", {"user_id": "v1", "name": "Bob", "email": "bob@shop.test"})
    store.add_vendor_staff("t1", {"user_id": "c1", "name": "ANN LEE", "email": "x@shop.test"})
    store.add_vendor_staff("t2", {"user_id": "v3", "name": "Eve", "email": "Ann@Buyers.test"})
    store.add_vendor_staff("t3", {"user_id": "v4", "name": "Ann Lee", "email": "ann@shop.test"})  # not named
    assert store.erase_vendor_staff_known_as(["t1", "t2"], ["Ann Lee"], ["ann@buyers.test"]) == 2
    assert [p["user_id"] for p in store.vendor_staff("t1")] == ["v1"] and store.vendor_staff("t2") == []
    assert store.erase_vendor_staff_known_as(["t1", "t2"], ["Ann Lee"], ["ann@buyers.test"]) == 0
    assert len(store.vendor_staff("t3")) == 1

    holding = {**delivery("w1", "message_posted:m1"), "body": '{"data":{"author":{"email":"ANN@buyers.test"}}}'}
    longer = {**delivery("w1", "message_posted:m2"), "body": '{"data":{"author":{"email":"jo.ann@buyers.test"}}}'}
    store.plan_webhook_delivery(holding)
    store.plan_webhook_delivery(longer)
    assert store.erase_webhook_deliveries_holding(["ann@buyers.test"]) == 1
    assert store.erase_webhook_deliveries_holding(["ann@buyers.test"]) == 0
    assert store.erase_webhook_deliveries_holding([]) == 0
    assert store.claim_due_webhook_delivery(now(), now() + LEASE, "w1")["_id"] == longer["_id"]


def test_forgetting_threads_removes_every_record_about_them_and_no_other(store):
    at = now()
    for thread_id in ("t1", "t2", "t3"):
        store.plan_mail(mail(f"m-{thread_id}", thread_id))
        store.ring([{**bell_item(f"m-{thread_id}"), "thread_id": thread_id, "created_at": at}])
        store.thread_read("vendor:10", thread_id, at)
        store.add_vendor_staff(thread_id, {"user_id": "v1", "name": "Bob", "email": "bob@shop.test"})
        store.reply_address_id(recipient(thread_id=thread_id))
        store.plan_webhook_delivery({**delivery("w1", f"message_posted:m-{thread_id}"), "thread_id": thread_id})
        store.record_event(
            f"message_posted:m-{thread_id}",
            {"status": "pending", "attempts": 1, "process_after": at, "payload": {"thread": {"id": thread_id}}},
        )

    def forget(thread_ids):
        return (
            store.forget_thread_mails(thread_ids),
            store.forget_thread_bell_items(thread_ids),
            store.forget_thread_read_marks(thread_ids),
            store.forget_thread_participants(thread_ids),
            store.forget_thread_reply_addresses(thread_ids),
            store.forget_thread_webhook_deliveries(thread_ids),
            store.forget_thread_events(thread_ids),
        )

    assert forget(["t1", "t2", "t9"]) == (2,) * 7
    assert forget(["t1", "t2", "t9"]) == (0,) * 7
    assert store.latest_mail_time("t3", "shop@vendors.test") is not None
    assert [i["thread_id"] for i in store.bell_items("vendor:10", KINDS, None, None, 10).items] == ["t3"]
    assert set(store.read_marks({("vendor:10", thread_id) for thread_id in ("t1", "t2", "t3")})) == {
        ("vendor:10", "t3")
    }
    assert [thread_id for thread_id in ("t1", "t2", "t3") if store.vendor_staff(thread_id)] == ["t3"]
    assert [g["thread_id"] for g in store.customer_reply_addresses("c1", None, 10)] == ["t3"]
    assert store.claim_due_webhook_delivery(now(), now() + LEASE, "w1")["thread_id"] == "t3"
    assert store.claim_due_event(at, at + LEASE)["_id"] == "message_posted:m-t3"


def test_read_marks_and_webhook_calls_kept_before_they_named_their_thread_are_forgotten_with_it(mongo_db):
    """The MongoDB adapter's own: records an earlier version wrote are given their thread at
    the first start on the database, and never looked for again."""
    mongo_db.notification_reads.insert_one({"_id": "vendor:10|t1", "read_at": now()})
    body = '{"data":{"thread":{"id":"t1"}},"event":"message_posted","id":"d1","occurred_at":"2026-01-01T00:00:00.000Z"}'
    mongo_db.webhook_deliveries.insert_one({**delivery("w1", "message_posted:m1"), "body": body})
    mongo_db.webhook_deliveries.insert_one({**delivery("w1", "ping:1"), "body": "{}"})
    NotificationStore.create_indexes(mongo_db)
    store = NotificationStore(mongo_db)
    assert store.forget_thread_read_marks(["t1"]) == 1
    assert store.forget_thread_webhook_deliveries(["t1"]) == 1
    assert mongo_db.webhook_deliveries.find_one({"event_key": "ping:1"})["thread_id"] is None

    mongo_db.notification_reads.insert_one({"_id": "vendor:10|t2", "read_at": now()})
    NotificationStore.create_indexes(mongo_db)  # a later start: done once, never again
    assert "thread_id" not in mongo_db.notification_reads.find_one({"_id": "vendor:10|t2"})
