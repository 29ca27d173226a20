"""The conversation rules through the public API: read state per side, awaiting reply,
pagination while messages arrive, search, bulk actions, announcements, idempotent retries,
cascading deletes and the vendors' response figures."""

from datetime import datetime, timedelta, timezone


def test_read_state_is_kept_per_side_and_awaiting_reply_follows_who_owes_an_answer(world):
    shop = world.vendor("shop")
    customer, _ = world.customer("ann")
    vendor, admin = world.staff(shop), world.admin()
    thread = world.ask(customer, "product", world.product("p", shop), "First question")

    def state(token):
        found = world.summary(token, thread)
        return found["unread_count"], found["awaiting_reply_from"]

    assert state(customer) == (0, "vendor") and state(vendor) == (1, "vendor") and state(admin) == (1, "vendor")
    since = world.summary(vendor, thread)["awaiting_since"]
    assert world.post(customer, thread, "Second question").status_code == 201
    assert state(vendor) == (2, "vendor") and world.summary(vendor, thread)["awaiting_since"] == since

    # the administration reading does not hide the new messages from the vendor
    world.stack.call("POST", f"/v1/threads/{thread}/read", admin)
    assert state(admin)[0] == 0 and state(vendor)[0] == 2
    assert [item["id"] for item in world.inbox(vendor, awaiting_reply="true")["items"]] == [thread]

    assert world.post(vendor, thread, "An answer").status_code == 201
    assert state(vendor) == (0, None) and state(customer) == (1, None) and state(admin) == (1, None)
    assert world.inbox(vendor, awaiting_reply="true")["items"] == []
    assert [item["id"] for item in world.inbox(customer, unread="true")["items"]] == [thread]
    assert world.stack.call("GET", "/v1/unread", customer).json() == {"total": 1, "by_type": {"vendor_to_customer": 1}}

    # between a vendor and the administration, each owes the other
    talk = world.ask(vendor, "none", None, type="vendor_to_admin", subject="Payout date")
    assert world.summary(vendor, talk)["awaiting_reply_from"] == "admin"
    world.post(admin, talk, "On Friday.")
    assert world.summary(vendor, talk)["awaiting_reply_from"] == "vendor"
    assert world.stack.call("GET", "/v1/unread", vendor).json()["by_type"]["vendor_to_admin"] == 1


def test_paging_never_repeats_or_skips_a_thread_while_messages_arrive(world):
    shop = world.vendor("shop")
    vendor = world.staff(shop)
    threads = [world.ask(world.customer(f"c{n}")[0], "company", shop, f"Question {n}") for n in range(7)]
    first = world.inbox(vendor, limit=3)
    assert [item["id"] for item in first["items"]] == threads[::-1][:3]
    # new messages in a thread already seen, and in two not yet seen
    for thread in (threads[6], threads[2], threads[0]):
        world.post(vendor, thread, "News")
    seen = [item["id"] for item in first["items"]]
    cursor = first["next_cursor"]
    while cursor:
        page = world.inbox(vendor, limit=3, cursor=cursor)
        seen += [item["id"] for item in page["items"]]
        cursor = page["next_cursor"]
    assert sorted(seen) == sorted(threads) and len(seen) == len(set(seen))
    # a fresh first page shows the new activity first
    assert [item["id"] for item in world.inbox(vendor, limit=3)["items"]] == [threads[0], threads[2], threads[6]]


def test_other_sorts_and_filters(world):
    shop = world.vendor("shop")
    vendor = world.staff(shop)
    ann, _ = world.customer("ann")
    bea, bea_id = world.customer("bea")
    a = world.ask(ann, "company", shop, "from Ann")
    b = world.ask(bea, "product", world.product("p", shop), "from Bea")
    assert [i["id"] for i in world.inbox(vendor, sort="created_at", order="asc")["items"]] == [a, b]
    assert [i["id"] for i in world.inbox(vendor, customer="customer BEA")["items"]] == [b]
    assert [i["id"] for i in world.inbox(vendor, customer_id=bea_id)["items"]] == [b]
    assert [i["id"] for i in world.inbox(vendor, object_type="company")["items"]] == [a]
    later = (datetime.now(timezone.utc) + timedelta(minutes=5)).isoformat()
    assert world.inbox(vendor, created_from=later)["items"] == []
    page = world.inbox(vendor, sort="id", limit=1)
    assert len(page["items"]) == 1 and page["next_cursor"]
    bad = world.stack.call("GET", "/v1/threads", vendor, params={"limit": 500, "sort": "size"})
    assert bad.status_code == 422 and {"limit", "sort"} <= set(bad.json()["error"]["details"])


def test_search_finds_threads_whose_messages_hold_every_word_case_and_accent_blind(world):
    shop, rival = world.vendor("shop"), world.vendor("rival")
    vendor = world.staff(shop)
    customer, _ = world.customer("ann")
    dessert = world.ask(customer, "company", shop, "Do you ship the Crème Brûlée torch?")
    world.post(vendor, dessert, "Yes, to Zürich too.")
    world.ask(world.customer("bob")[0], "company", shop, "Do you ship lamps?")
    assert [i["id"] for i in world.inbox(vendor, q="creme BRULEE zurich")["items"]] == [dessert]
    assert len(world.inbox(vendor, q="ship")["items"]) == 2
    assert world.inbox(vendor, q="brulee piano")["items"] == []
    assert world.inbox(world.staff(rival), q="brulee")["items"] == []
    assert [i["id"] for i in world.inbox(customer, q="zurich")["items"]] == [dessert]


def test_a_thread_page_pages_its_messages(world):
    shop = world.vendor("shop")
    customer, _ = world.customer("ann")
    thread = world.ask(customer, "company", shop, "message 0")
    for n in range(1, 8):
        world.post(customer, thread, f"message {n}")
    latest = world.stack.call("GET", f"/v1/threads/{thread}/messages", customer, params={"limit": 3}).json()
    assert [m["text"] for m in latest["items"]] == ["message 5", "message 6", "message 7"]
    older = world.stack.call(
        "GET", f"/v1/threads/{thread}/messages", customer, params={"limit": 5, "before": latest["next_before"]}
    ).json()
    assert [m["text"] for m in older["items"]] == [f"message {n}" for n in range(0, 5)]
    assert older["next_before"] is None


def test_starting_again_appends_to_the_open_thread_and_posting_reopens_a_closed_one(world):
    shop = world.vendor("shop")
    customer, _ = world.customer("ann")
    vendor = world.staff(shop)
    product = world.product("p", shop)
    first = world.stack.call(
        "POST",
        "/v1/threads",
        customer,
        json={"type": "vendor_to_customer", "object": {"type": "product", "id": product}, "message": "One"},
    )
    again = world.stack.call(
        "POST",
        "/v1/threads",
        customer,
        json={"type": "vendor_to_customer", "object": {"type": "product", "id": product}, "message": "Two"},
    )
    assert (first.status_code, again.status_code) == (201, 200)
    thread = first.json()["thread"]["id"]
    assert again.json()["thread"]["id"] == thread
    closed = world.stack.call("PATCH", f"/v1/threads/{thread}", vendor, json={"status": "closed"})
    assert closed.json()["status"] == "closed"
    assert world.post(customer, thread, "Three").status_code == 201
    assert world.summary(vendor, thread)["status"] == "open"
    # once closed, a new question opens a new thread
    world.stack.call("PATCH", f"/v1/threads/{thread}", vendor, json={"status": "closed"})
    fresh = world.ask(customer, "product", product, "Four")
    assert fresh != thread


def test_a_retry_with_the_same_idempotency_key_creates_nothing_new(world):
    shop = world.vendor("shop")
    customer, _ = world.customer("ann")
    ask = {"type": "vendor_to_customer", "object": {"type": "company", "id": shop}, "message": "Once"}
    key = {"Idempotency-Key": f"ask-{world.tag}"}
    first = world.stack.call("POST", "/v1/threads", customer, json=ask, headers=dict(key))
    retry = world.stack.call("POST", "/v1/threads", customer, json=ask, headers=dict(key))
    assert (first.status_code, retry.status_code) == (201, 201)
    assert retry.json()["message"]["id"] == first.json()["message"]["id"]
    thread = first.json()["thread"]["id"]
    post_key = {"Idempotency-Key": f"post-{world.tag}"}
    one = world.post(customer, thread, "Again", headers=dict(post_key))
    two = world.post(customer, thread, "Again", headers=dict(post_key))
    assert one.json()["id"] == two.json()["id"]
    different = world.post(customer, thread, "Something else", headers=dict(post_key))
    assert different.status_code == 409 and different.json()["error"]["code"] == "conflict"
    messages = world.stack.call("GET", f"/v1/threads/{thread}/messages", customer).json()["items"]
    assert [m["text"] for m in messages] == ["Once", "Again"]


def test_bulk_reply_and_delete_say_what_happened_to_each_thread(world):
    shop, rival = world.vendor("shop"), world.vendor("rival")
    vendor = world.staff(shop)
    mine = [world.ask(world.customer(f"c{n}")[0], "company", shop) for n in range(2)]
    theirs = world.ask(world.customer("x")[0], "company", rival)
    answer = world.stack.call(
        "POST",
        "/v1/threads/bulk",
        vendor,
        json={"action": "reply", "thread_ids": mine + [theirs, "missing"], "body": "We are on holiday until Monday."},
    )
    assert [(r["thread_id"], r["status"]) for r in answer.json()["results"]] == [
        (mine[0], 201),
        (mine[1], 201),
        (theirs, 404),
        ("missing", 404),
    ]
    assert all(world.summary(vendor, t)["last_message"]["preview"].startswith("We are on holiday") for t in mine)
    refused = world.stack.call("POST", "/v1/threads/bulk", vendor, json={"action": "delete", "thread_ids": mine})
    assert {r["status"] for r in refused.json()["results"]} == {403}
    deleted = world.stack.call("POST", "/v1/threads/bulk", world.admin(), json={"action": "delete", "thread_ids": mine})
    assert {r["status"] for r in deleted.json()["results"]} == {200}
    assert world.inbox(vendor)["items"] == []
    admin_view = world.inbox(world.admin(), status="deleted", company_id=shop)["items"]
    assert sorted(i["id"] for i in admin_view) == sorted(mine)
    assert world.stack.call("GET", "/v1/threads", vendor, params={"status": "deleted"}).status_code == 403


def test_an_announcement_gives_each_vendor_its_own_thread_and_the_admin_sees_who_read_it(world):
    first, second = world.vendor("one"), world.vendor("two")
    disabled = world.vendor("off", status="D")
    admin = world.admin()
    sent = world.stack.call(
        "POST",
        "/v1/broadcasts",
        admin,
        json={"company_ids": [first, second], "subject": "New fees", "message": "Fees change on the 1st."},
    )
    assert sent.status_code == 202 and sent.json()["thread_count"] == 2
    broadcast = sent.json()["id"]
    world.wait(lambda: world.stack.call("GET", f"/v1/broadcasts/{broadcast}", admin).json()["status"] == "sent")
    thread = world.inbox(world.staff(first))["items"][0]
    assert thread["subject"] == "New fees" and thread["unread_count"] == 1 and thread["awaiting_reply_from"] is None
    assert world.inbox(world.staff(second))["items"][0]["id"] != thread["id"]
    world.stack.call("POST", f"/v1/threads/{thread['id']}/read", world.staff(first))
    status = world.stack.call("GET", f"/v1/broadcasts/{broadcast}", admin).json()
    assert status["thread_count"] == 2 and status["read_count"] == 1
    assert {v["company_id"]: v["read"] for v in status["vendors"]} == {first: True, second: False}
    everyone = world.stack.call(
        "POST", "/v1/broadcasts", admin, json={"company_ids": "all", "subject": "Hello all", "message": "Welcome."}
    ).json()
    world.wait(lambda: world.stack.call("GET", f"/v1/broadcasts/{everyone['id']}", admin).json()["status"] == "sent")
    reached = {
        v["company_id"] for v in world.stack.call("GET", f"/v1/broadcasts/{everyone['id']}", admin).json()["vendors"]
    }
    assert {first, second} <= reached and disabled not in reached
    assert (
        world.stack.call(
            "POST", "/v1/broadcasts", world.staff(first), json={"company_ids": "all", "subject": "x", "message": "y"}
        ).status_code
        == 403
    )
    assert world.stack.call("GET", f"/v1/broadcasts/{broadcast}", world.staff(first)).status_code == 404


def test_deleting_a_vendor_or_a_customer_in_the_catalog_soft_deletes_their_threads(world):
    shop, other = world.vendor("shop"), world.vendor("other")
    customer, customer_id = world.customer("ann")
    admin = world.admin()
    with_shop = world.ask(customer, "company", shop)
    with_other = world.ask(customer, "company", other)
    assert world.stack.call("DELETE", f"/v1/catalog/vendors/{shop}", world.system).status_code in (200, 204)
    world.wait(lambda: world.summary(customer, with_shop) is None)
    assert world.summary(customer, with_other) is not None
    assert [i["id"] for i in world.inbox(admin, status="deleted", company_id=shop)["items"]] == [with_shop]
    assert world.stack.call("DELETE", f"/v1/catalog/customers/{customer_id}", world.system).status_code in (200, 204)
    world.wait(lambda: world.summary(world.staff(other), with_other) is None)


def test_vendors_response_figures(world):
    fast, slow = world.vendor("fast"), world.vendor("slow")
    customer, _ = world.customer("ann")
    for shop in (fast, slow):
        world.ask(customer, "company", shop, "Anyone there?")
    answered = world.inbox(world.staff(fast))["items"][0]["id"]
    world.post(world.staff(fast), answered, "Yes!")
    now = datetime.now(timezone.utc)
    params = {"from": (now - timedelta(hours=1)).isoformat(), "to": (now + timedelta(hours=1)).isoformat()}
    figures = {}
    for shop in (fast, slow):
        answer = world.stack.call(
            "GET", "/v1/reports/response-times", world.admin(), params={**params, "company_id": shop}
        )
        assert answer.status_code == 200, answer.text
        figures[shop] = answer.json()["vendors"][0]
    assert figures[fast]["answered"] == 1 and figures[fast]["answered_within_24h_share"] == 1.0
    assert figures[fast]["median_first_reply_seconds"] < 60
    assert figures[slow]["answered"] == 0 and figures[slow]["answered_within_24h_share"] == 0.0
    assert figures[slow]["median_first_reply_seconds"] is None
    assert world.stack.call("GET", "/v1/reports/response-times", world.staff(fast), params=params).status_code == 403


def test_message_bodies_are_sanitised_and_sized(world):
    shop = world.vendor("shop")
    customer, _ = world.customer("ann")
    thread = world.ask(
        customer,
        "company",
        shop,
        'Look <script>alert(1)</script><a href="javascript:x()">here</a> https://shop.test/item\nthanks',
    )
    message = world.stack.call("GET", f"/v1/threads/{thread}/messages", customer).json()["items"][0]
    assert "<script" not in message["body"] and "javascript:" not in message["body"]
    assert '<a href="https://shop.test/item" rel="nofollow noreferrer noopener">' in message["body"]
    assert "<br>" in message["body"] and message["text"].endswith("https://shop.test/item\nthanks")
    assert world.post(customer, thread, "x" * 10_001).status_code == 422
    assert world.post(customer, thread, "  " + "x" * 10_000 + "  ").status_code == 201


def test_the_administration_speaks_as_the_marketplace_and_previews_are_255_characters(world):
    shop = world.vendor("shop")
    customer, _ = world.customer("ann")
    thread = world.ask(customer, "company", shop, "word " * 100)
    assert len(world.summary(customer, thread)["last_message"]["preview"]) == 255
    assert world.post(world.admin(), thread, "The marketplace here: we can help.").status_code == 201
    message = world.stack.call("GET", f"/v1/threads/{thread}/messages", customer).json()["items"][-1]
    assert message["author"]["side"] == "admin" and message["author"]["name"] == "Marketplace"


def test_a_communication_type_turned_off_in_settings_cannot_be_started(world):
    admin, vendor = world.admin(), world.staff(world.vendor("shop"))
    call = world.stack.call
    assert call("GET", "/v1/settings/public").json()["vendor_to_admin_enabled"] is True
    assert call("PUT", "/v1/settings", vendor, json={"vendor_to_admin_enabled": False}).status_code == 403
    assert (
        call("PUT", "/v1/settings", admin, json={"vendor_to_admin_enabled": False, "show_on_order": False}).status_code
        == 200
    )
    try:
        public = call("GET", "/v1/settings/public").json()
        assert public["vendor_to_admin_enabled"] is False and public["show_on_order"] is False
        refused = call(
            "POST",
            "/v1/threads",
            vendor,
            json={"type": "vendor_to_admin", "object": {"type": "none"}, "subject": "Hi", "message": "Hello"},
        )
        assert refused.status_code == 403 and "turned off" in refused.json()["error"]["message"]
        assert call("PUT", "/v1/settings", admin, json={"show_on_order": "maybe"}).status_code == 422
    finally:
        call("PUT", "/v1/settings", admin, json={"vendor_to_admin_enabled": True, "show_on_order": True})
    assert call("GET", "/v1/settings", admin).json()["notifications"]["rules"]
