"""The notifications' use cases on fakes: the in-memory records, a catalog that answers from a
dict, an outbox and webhook endpoints that keep what they are given (SMTP and HTTP are not
ours). Who is told, by which channel, coalescing, retries, the bell, preferences and webhook
selection, in milliseconds; the real services prove the wiring (test_service.py)."""

from datetime import datetime, timedelta

import pytest

from services.common.caller import Caller
from services.common.clock import now as real_now
from services.common.config import load_settings
from services.common.errors import NotFound, Unavailable, ValidationFailed
from services.common.events import BELL_CHANGED, MESSAGE_POSTED, THREAD_STARTED
from services.notifications import bell, delivery, webhooks
from services.notifications.mail import MailNotSent
from services.notifications.webhooks import SIGNATURE_HEADER, Outcome, sign

from .conversation import ADMIN, ADMIN_EMAILS, ANN, BOB, SHOP_EMAIL, SHOP_ID, message, thread
from .memory_store import MemoryNotificationStore

SETTINGS = load_settings(
    {
        "ADMIN_EMAILS": ", ".join(ADMIN_EMAILS),
        "PORTAL_URL": "https://portal.test",
        "STOREFRONT_URL": "https://shop.test/",
    }
)
VENDOR_BOB = Caller(user_id=BOB["user_id"], role="vendor", company_id=SHOP_ID, name="Bob", email=BOB["email"])
CUSTOMER_ANN = Caller(user_id=ANN["user_id"], role="customer", name="Ann Lee", email=ANN["email"])
ADMINISTRATION = Caller(user_id="a1", role="admin")


class Clock:
    """The delivery's clock, moved on by the test (coalescing windows, retries, leases)."""

    def __init__(self):
        self.at = real_now()

    def __call__(self):
        return self.at

    def wait(self, seconds):
        self.at += timedelta(seconds=seconds)


class Catalog:
    """The catalog's vendor look-up, as the shared catalog client answers it."""

    def __init__(self):
        self.vendors = {SHOP_ID: {"company_id": SHOP_ID, "name": "Lamp Shop", "email": SHOP_EMAIL}}
        self.away = False

    def get_vendor(self, company_id):
        if self.away:
            raise Unavailable("The catalog service did not answer in time; try again shortly.")
        if company_id not in self.vendors:
            raise NotFound(f"No company {company_id} is known")
        return self.vendors[company_id]


class Sender:
    """A sender that sends in the caller's own thread, so a test reads what was sent at once."""

    def start(self, work):
        work()

    def release(self):
        pass


class Outbox:
    def __init__(self):
        self.sent = []
        self.refusing = False
        self.has_room = True  # a free sender: every one is busy with a slow mail server when False

    def sender(self, wait=0.0):
        return Sender() if self.has_room else None

    def send(self, mail):
        if self.refusing:
            raise MailNotSent("SMTPServerDisconnected: Connection unexpectedly closed")
        self.sent.append(mail)

    def to(self, address):
        return [mail for mail in self.sent if mail["To"] == address]


class Endpoints:
    def __init__(self):
        self.calls = []
        self.status_code = 204

    def post(self, url, body, headers):
        self.calls.append((url, body, headers))
        return Outcome(self.status_code)


class Notifications:
    """The service's two ways in (an event, the timer) on the fakes."""

    def __init__(self, clock):
        self.store = MemoryNotificationStore()
        self.catalog = Catalog()
        self.outbox = Outbox()
        self.endpoints = Endpoints()
        self.news = []  # the bell's news, as push would hear it
        self.clock = clock
        self.coalesce(0)

    def coalesce(self, seconds):
        self.store.save_settings(
            {
                **self.store.settings(),
                "coalesce_seconds": seconds,
                "retry": {"attempts": 3, "first_delay_seconds": 30, "max_delay_seconds": 60},
            }
        )

    def receive(self, payload, event=MESSAGE_POSTED):
        delivery.on_event(self.store, self.catalog, self.outbox, SETTINGS, event, payload, self.dispatch)
        return payload

    def dispatch(self, name, payload):
        assert name == BELL_CHANGED
        self.news.append(payload)

    def read(self, thread, side, at):
        """What the service does with the conversations service's thread_read."""
        self.news += bell.thread_read(self.store, {"thread": thread, "side": side, "read_at": at.isoformat()})

    def tick(self):
        """Both of the service's timers: mail and events, then a round of webhook calls."""
        delivery.on_tick(self.store, self.catalog, self.outbox, SETTINGS, self.dispatch)
        delivery.call_due_webhooks(self.store, self.endpoints, calls_at_once=2)


@pytest.fixture
def clock(monkeypatch):
    clock = Clock()
    monkeypatch.setattr(delivery, "now", clock)
    return clock


@pytest.fixture
def notifications(clock):
    return Notifications(clock)


def text_of(mail):
    return mail.get_body(("plain",)).get_content()


def bell_of(notifications, caller):
    return bell.page(notifications.store, caller, None, None, 20)


# who is told ------------------------------------------------------------------------------------


def test_a_customers_question_is_mailed_to_the_vendor_and_rings_the_vendors_and_the_admins_bell(notifications):
    notifications.receive(message(thread(), ANN, "Does the lamp take LED bulbs?"))
    [mail] = notifications.outbox.sent
    assert (mail["To"], mail["Subject"]) == (SHOP_EMAIL, "New message from Ann Lee about Brass Desk Lamp")
    assert "Does the lamp take LED bulbs?" in text_of(mail)
    assert [item["preview"] for item in bell_of(notifications, VENDOR_BOB)["items"]] == [
        "Does the lamp take LED bulbs?"
    ]
    assert bell_of(notifications, ADMINISTRATION)["unread_count"] == 1
    assert bell_of(notifications, CUSTOMER_ANN)["items"] == []


def test_the_vendors_answer_goes_to_the_customer_and_later_questions_to_the_staff_who_answered(notifications):
    lamp = thread()
    notifications.receive(message(lamp, ANN, "Is it brass?"))
    notifications.receive(message(lamp, BOB, "Solid brass."))
    assert [mail["To"] for mail in notifications.outbox.sent] == [SHOP_EMAIL, ANN["email"]]
    notifications.receive(message(lamp, ANN, "And the cable length?"))
    assert sorted(mail["To"] for mail in notifications.outbox.sent[2:]) == [BOB["email"], SHOP_EMAIL]


def test_between_vendor_and_administration_the_admins_hear_by_the_bell_unless_mail_is_turned_on(notifications):
    payouts = thread("vendor_to_admin", "none", title="Payouts", customer=None)
    notifications.receive(message(payouts, BOB, "When are payouts?"))
    assert notifications.outbox.sent == []
    settings = notifications.store.settings()
    settings["rules"]["vendor_admin_message"]["admin"] = ["email", "in_app"]
    notifications.store.save_settings(settings)
    notifications.receive(message(payouts, BOB, "Any news?"))
    assert sorted(mail["To"] for mail in notifications.outbox.sent) == sorted(ADMIN_EMAILS)


def test_a_vendor_the_catalog_does_not_know_gets_no_mail_but_its_bell_rings(notifications):
    notifications.catalog.vendors.clear()
    notifications.receive(message(thread(), ANN, "Hello?"))
    assert notifications.outbox.sent == []
    assert bell_of(notifications, VENDOR_BOB)["unread_count"] == 1


# preferences ------------------------------------------------------------------------------------


def test_opted_out_people_get_no_mail_but_announcements_reach_every_vendor(notifications):
    moved = Caller(user_id=ANN["user_id"], role="customer", email="ann.new@buyers.test")
    assert bell.set_preferences(notifications.store, moved, {"email": {"vendor_to_customer": False}}) == {
        "email": {"vendor_to_customer": False, "vendor_to_admin": True}
    }
    owner = Caller(user_id="v0", role="vendor", company_id=SHOP_ID, email=SHOP_EMAIL.upper())
    bell.set_preferences(notifications.store, owner, {"email": {"vendor_to_admin": False}})

    notifications.receive(message(thread(), BOB, "Solid brass."))
    notifications.receive(message(thread("vendor_to_admin", "none", "Fees", None), ADMIN, "New fees."))
    assert notifications.outbox.sent == []
    notifications.receive(
        message(thread("vendor_to_admin", "none", "Holidays", None), ADMIN, "Closed Monday.", broadcast_id="b1")
    )
    assert [mail["To"] for mail in notifications.outbox.sent] == [SHOP_EMAIL]


# never twice, never lost ------------------------------------------------------------------------


def test_a_redelivered_event_sends_nothing_twice(notifications):
    asked = message(thread(), ANN, "Is it brass?")
    for event in (MESSAGE_POSTED, THREAD_STARTED, MESSAGE_POSTED):
        notifications.receive(asked, event)
    notifications.tick()
    assert len(notifications.outbox.sent) == 1
    assert bell_of(notifications, VENDOR_BOB)["unread_count"] == 1


def test_a_question_asked_while_the_catalog_is_away_is_mailed_once_it_is_back(notifications, clock):
    notifications.catalog.away = True
    notifications.receive(message(thread(), ANN, "Is it brass?"))
    notifications.tick()
    assert notifications.outbox.sent == []
    notifications.catalog.away = False
    clock.wait(5)
    notifications.tick()
    assert [mail["To"] for mail in notifications.outbox.sent] == [SHOP_EMAIL]


def test_mail_that_meets_a_refusing_server_is_retried_then_kept_as_failed(notifications, clock):
    notifications.outbox.refusing = True
    notifications.receive(message(thread(), ANN, "Is it brass?"))
    clock.wait(30)
    notifications.tick()
    clock.wait(60)
    notifications.tick()
    [failed] = notifications.store.failed_mails(None, 10).items
    assert (failed["address"], failed["attempts"]) == (SHOP_EMAIL, 3)
    notifications.outbox.refusing = False
    clock.wait(3600)
    notifications.tick()
    assert notifications.outbox.sent == []


def test_mail_a_busy_outbox_has_no_room_for_goes_with_the_next_tick_once(notifications):
    """Every sender already waits on the mail server: this event's mail waits for the timer."""
    notifications.outbox.has_room = False
    asked = notifications.receive(message(thread(), ANN, "Is it brass?"))
    assert notifications.outbox.sent == []
    assert bell_of(notifications, VENDOR_BOB)["unread_count"] == 1
    notifications.outbox.has_room = True
    notifications.receive(asked)  # redelivered: still planned once
    notifications.tick()
    notifications.tick()
    [mail] = notifications.outbox.sent
    assert mail["To"] == SHOP_EMAIL and "Is it brass?" in text_of(mail)


def test_a_batch_whose_worker_died_mid_send_goes_again_as_itself(notifications, clock):
    store = notifications.store
    notifications.outbox.refusing = True
    notifications.receive(message(thread(), ANN, "Is it brass?"))
    [planned] = store.mails.values()
    planned.update(status="sending", batch_id="b1", lease_until=clock() + timedelta(seconds=60))  # as left
    notifications.outbox.refusing = False
    notifications.tick()
    assert notifications.outbox.sent == []
    clock.wait(61)
    notifications.tick()
    [mail] = notifications.outbox.sent
    assert mail["Message-ID"] == "<b1@message-center>"


# coalescing -------------------------------------------------------------------------------------


def test_a_burst_becomes_one_mail_after_the_first(notifications, clock):
    notifications.coalesce(120)
    lamp = thread()
    notifications.receive(message(lamp, ANN, "First question?"))
    notifications.receive(message(lamp, ANN, "Second question?"))
    clock.wait(60)
    notifications.receive(message(lamp, ANN, "Third question?"))
    notifications.tick()
    assert len(notifications.outbox.sent) == 1
    clock.wait(60)
    notifications.tick()
    first, second = notifications.outbox.sent
    assert "First question?" in text_of(first)
    assert second["Subject"] == "2 new messages about Brass Desk Lamp"
    assert "Second question?" in text_of(second) and "Third question?" in text_of(second)


def test_each_recipient_and_thread_has_its_own_window(notifications):
    notifications.coalesce(120)
    lamp, kettle = thread(), thread(title="Kettle")
    notifications.receive(message(lamp, ANN, "About the lamp?"))
    notifications.receive(message(kettle, ANN, "About the kettle?"))
    assert len(notifications.outbox.sent) == 2


# the bell ---------------------------------------------------------------------------------------


def test_the_bell_is_paged_and_marked_read_for_the_whole_company(notifications):
    lamp = thread()
    for number in range(3):
        notifications.receive(message(lamp, ANN, f"Question {number}?"))
    page = bell.page(notifications.store, VENDOR_BOB, None, None, 2)
    assert [item["preview"] for item in page["items"]] == ["Question 2?", "Question 1?"]
    assert page["unread_count"] == 3
    rest = bell.page(notifications.store, VENDOR_BOB, None, page["next_cursor"], 2)
    assert [item["preview"] for item in rest["items"]] == ["Question 0?"]
    eve = Caller(user_id="v2", role="vendor", company_id=SHOP_ID)
    assert bell.mark_read(notifications.store, eve, [page["items"][0]["id"]], False) == {
        "marked": 1,
        "unread_count": 2,
    }
    assert bell.mark_read(notifications.store, VENDOR_BOB, None, True) == {"marked": 2, "unread_count": 0}


def later(payload, seconds=1):
    """A moment after the message of `payload` was written."""
    return datetime.fromisoformat(payload["message"]["created_at"]) + timedelta(seconds=seconds)


def test_reading_a_thread_reads_its_items_on_the_readers_side_only_and_is_news(notifications):
    lamp, kettle = thread(), thread(title="Kettle")
    about_lamp = notifications.receive(message(lamp, ANN, "Is it brass?"))
    notifications.receive(message(kettle, ANN, "Is it steel?"))
    rung = [(news["audience"], news["thread_id"], news["change"]) for news in notifications.news]
    assert rung == [
        ("admin", lamp["id"], "rung"),
        ("vendor:10", lamp["id"], "rung"),
        ("admin", kettle["id"], "rung"),
        ("vendor:10", kettle["id"], "rung"),
    ]
    assert {news["group"] for news in notifications.news} == {"vendor"}
    del notifications.news[:]

    # Eve reads the lamp's thread: the company's bell (Bob's too) keeps the kettle's item only.
    notifications.read(lamp, "vendor", later(about_lamp))
    assert notifications.news == [
        {"audience": "vendor:10", "group": "vendor", "thread_id": lamp["id"], "change": "read"}
    ]
    unread = bell.page(notifications.store, VENDOR_BOB, True, None, 20)
    assert [item["thread_id"] for item in unread["items"]] == [kettle["id"]] and unread["unread_count"] == 1
    assert bell_of(notifications, ADMINISTRATION)["unread_count"] == 2  # the administration has not read it

    notifications.read(lamp, "vendor", later(about_lamp, 2))  # nothing left to read: no news
    assert len(notifications.news) == 1


def test_a_read_heard_before_the_item_it_covers_leaves_that_item_read(notifications):
    lamp = thread()
    asked = message(lamp, ANN, "Is it brass?")
    notifications.read(lamp, "vendor", later(asked))  # the vendor's page read it before the bell was written
    notifications.receive(asked)
    assert bell_of(notifications, VENDOR_BOB)["unread_count"] == 0
    assert [news["audience"] for news in notifications.news] == ["admin"]  # the company's bell did not change
    after = message(lamp, ANN, "And the cable?")
    after["message"]["created_at"] = later(asked, 5).isoformat()
    notifications.receive(after)  # written after the read: unread
    assert bell_of(notifications, VENDOR_BOB)["unread_count"] == 1


def test_permissions_narrow_the_bell(notifications):
    notifications.receive(message(thread(), ANN, "Customer question?"))
    notifications.receive(message(thread("vendor_to_admin", "none", "Fees", None), BOB, "Vendor question?"))
    orders_only = Caller(user_id="a2", role="admin", permissions=("view_order_communication",))
    assert bell_of(notifications, ADMINISTRATION)["unread_count"] == 2
    assert bell_of(notifications, orders_only)["unread_count"] == 0


# webhooks ---------------------------------------------------------------------------------------


class Addresses:
    def checked(self, scheme, host, port):
        return "203.0.113.7"


def test_webhooks_are_called_signed_for_the_events_they_chose_and_once(notifications):
    store = notifications.store
    only_messages = webhooks.register(
        store, Addresses(), {"url": "https://hooks.test/messages", "events": [MESSAGE_POSTED], "secret": "s1"}, most=20
    )
    webhooks.register(
        store, Addresses(), {"url": "https://hooks.test/threads", "events": [THREAD_STARTED], "secret": "s2"}, most=20
    )
    asked = message(thread(), ANN, "Is it brass?")
    notifications.receive(asked, MESSAGE_POSTED)
    notifications.receive(asked, MESSAGE_POSTED)
    notifications.tick()
    notifications.tick()
    [(url, body, headers)] = notifications.endpoints.calls
    assert url == "https://hooks.test/messages"
    assert headers[SIGNATURE_HEADER] == sign("s1", body)
    assert headers["X-MessageCenter-Event"] == MESSAGE_POSTED
    [listed] = [hook for hook in webhooks.listing(store) if hook["_id"] == only_messages["_id"]]
    assert listed["last_result"]["status"] == "delivered"


def test_an_endpoint_that_fails_is_tried_again_later(notifications, clock):
    webhooks.register(
        notifications.store,
        Addresses(),
        {"url": "https://hooks.test/in", "events": [MESSAGE_POSTED], "secret": "s"},
        most=20,
    )
    notifications.endpoints.status_code = 500
    notifications.receive(message(thread(), ANN, "Is it brass?"))
    notifications.tick()
    notifications.endpoints.status_code = 200
    notifications.tick()
    assert len(notifications.endpoints.calls) == 1
    clock.wait(30)
    notifications.tick()
    assert len(notifications.endpoints.calls) == 2
    assert webhooks.listing(notifications.store)[0]["last_result"]["status"] == "delivered"


def test_the_marketplace_keeps_a_bounded_number_of_endpoints(notifications):
    """Each endpoint is called for every message: past the limit, one must go first."""
    store = notifications.store
    hook = {"url": "https://hooks.test/in", "events": [MESSAGE_POSTED], "secret": None}
    first = webhooks.register(store, Addresses(), hook, most=2)
    webhooks.register(store, Addresses(), hook, most=2)
    with pytest.raises(ValidationFailed) as refused:
        webhooks.register(store, Addresses(), hook, most=2)
    assert "At most 2 webhook endpoints" in refused.value.message
    webhooks.remove(store, first["_id"])
    webhooks.register(store, Addresses(), hook, most=2)
    assert len(webhooks.listing(store)) == 2
