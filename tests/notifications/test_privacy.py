"""A customer's data (issue 25), the notifications' part: the export, the erasure the
conversations service asks for, and retention's forgetting of whole threads. The records are
made as the service makes them (events worked through on fakes of the catalog and the mail
server), on the in-memory records and on the MongoDB adapter alike; after the erasure every
document of every collection is read for the customer's name and address."""

import json
from datetime import timedelta

import pytest

from services.common.caller import CONVERSATIONS_SERVICE, STOREFRONT_SYNC, Caller
from services.common.clock import isoformat, new_id, now
from services.common.config import load_settings
from services.common.errors import Forbidden, ValidationFailed
from services.common.events import MESSAGE_POSTED, REPLY_OVERDUE
from services.contracts.notifications import CUSTOMER_ERASED
from services.notifications import bell, delivery, privacy

from .conversation import ANN, BOB, SHOP_ID, message, thread
from .memory_store import MemoryNotificationStore
from .test_delivery import Catalog, Outbox
from .test_store import store  # noqa: F401 (a fixture: the MongoDB adapter and the in-memory records)

SETTINGS = load_settings(
    {
        "ADMIN_EMAILS": "ops@marketplace.test",
        "PORTAL_URL": "https://portal.test",
        "STOREFRONT_URL": "https://shop.test/",
        "REPLY_DOMAIN": "reply.shop.test",
        "REPLY_SIGNING_KEY": "reply-signing-key-for-the-tests-" + "r" * 32,
    }
)
CUSTOMER_ANN = Caller(user_id=ANN["user_id"], role="customer", name=ANN["name"], email=ANN["email"])
BEA = {"side": "customer", "user_id": "c2", "name": "Bea Stone", "email": "bea@buyers.test"}
# How the conversations service names Ann in its request: any case, as it has them.
FORGET_ANN = {"names": ["Ann Lee"], "emails": ["ANN@Buyers.test"]}


class Marketplace:
    """Ann's and Bea's conversations with the lamp shop, as the notifications service heard them."""

    def __init__(self, store):
        self.store = store
        self.catalog = Catalog()
        self.outbox = Outbox()
        settings = store.settings()
        # Customers hear by the bell too, so that Ann has one.
        settings["rules"]["customer_vendor_message"]["customer"] = ["email", "in_app"]
        store.save_settings(settings)
        for webhook_id, events in (("w-messages", [MESSAGE_POSTED]), ("w-erasures", [CUSTOMER_ERASED])):
            store.add_webhook({"_id": webhook_id, "url": "https://hooks.test/in", "events": events, "secret": "s" * 16})

    def receive(self, payload, event=MESSAGE_POSTED):
        delivery.on_event(self.store, self.catalog, self.outbox, SETTINGS, event, payload, lambda *_: None)
        return payload

    def anns_story(self):
        """Ann asks, the shop answers (a mail to her, with a reply address), she asks again
        within the coalescing window (a planned mail, quoting her, not sent yet), the shop is
        reminded; she asks about a clock while the catalog is away (an event kept for later);
        she set her preferences and read her bell."""
        lamp, clock = thread(), thread(title="Wall Clock")
        self.receive(message(lamp, ANN, "Does the lamp take LED bulbs? Write to ann@buyers.test, Ann Lee"))
        self.receive(message(lamp, BOB, "Yes, Ann Lee: any E27 bulb."))
        self.receive(message(lamp, ANN, "Thanks! And the cable length?"))
        at = now()
        reminder = {
            "id": new_id(),
            "level": 1,
            "at": isoformat(at),
            "awaiting_since": isoformat(at - timedelta(days=1)),
        }
        self.receive({"thread": lamp, "reminder": reminder}, REPLY_OVERDUE)
        bell.set_preferences(self.store, CUSTOMER_ANN, {"email": {"vendor_to_customer": True}})
        bell.thread_read(self.store, {"thread": lamp, "side": "customer", "read_at": isoformat(now())})
        self.catalog.away = True
        self.receive(message(clock, ANN, "Is the clock silent?"))
        self.catalog.away = False
        return [lamp["id"], clock["id"]]

    def beas_story(self):
        vase = thread(title="Blue Vase", customer=BEA)
        self.receive(message(vase, BEA, "Is the vase glazed inside?"))
        self.receive(message(vase, BOB, "It is, Bea."))
        return vase["id"]


@pytest.fixture
def marketplace(store):
    return Marketplace(store)


def everything_kept(store) -> list[str]:
    """Every record the store holds, as text: every document of every collection of its
    database (the MongoDB adapter), or every record of the fake."""
    if isinstance(store, MemoryNotificationStore):
        return [repr(value) for value in vars(store).values()]
    return [
        json.dumps(document, default=str)
        for name in store.db.list_collection_names()
        for document in store.db[name].find()
    ]


def naming_ann(store) -> list[str]:
    return [text for text in everything_kept(store) if "ann lee" in text.lower() or "ann@buyers.test" in text.lower()]


def export_all(store, caller, customer_id, limit):
    pages = [privacy.export(store, caller, {"customer_id": customer_id, "cursor": None, "limit": limit})]
    while pages[-1]["next_cursor"]:
        cursor = pages[-1]["next_cursor"]
        pages.append(privacy.export(store, caller, {"customer_id": customer_id, "cursor": cursor, "limit": limit}))
    return pages


def erasure(thread_ids, erasure_id="e1"):
    return {"erasure_id": erasure_id, "customer_id": ANN["user_id"], "thread_ids": thread_ids, **FORGET_ANN}


# the export -----------------------------------------------------------------------------------


def test_the_export_holds_the_mails_to_the_customer_their_bell_and_reply_addresses_page_by_page(marketplace, store):
    [lamp, _] = marketplace.anns_story()
    marketplace.beas_story()
    pages = export_all(store, CUSTOMER_ANN, ANN["user_id"], limit=2)
    assert pages[0]["preferences"] == {"email": {"vendor_to_customer": True, "vendor_to_admin": True}}
    assert all(page["preferences"] is None for page in pages[1:])
    assert all(len(page["items"]) <= 2 for page in pages) and all(page["items"] for page in pages)
    items = [item for page in pages for item in page["items"]]
    assert [item["kind"] for item in items] == ["mail", "bell_item", "reply_address"]
    mail, bell_item, reply_address = items
    assert mail == {
        "kind": "mail",
        "id": mail["id"],
        "thread_id": lamp,
        "subject": "New message from Bob about Brass Desk Lamp",
        "to": ANN["email"],
        "planned_at": mail["planned_at"],
        "sent_at": mail["sent_at"],
        "status": "sent",
    }
    assert mail["sent_at"] >= mail["planned_at"]
    assert (bell_item["thread_id"], bell_item["title"], bell_item["text"], bell_item["read"]) == (
        lamp,
        "Brass Desk Lamp",
        "Yes, Ann Lee: any E27 bulb.",
        True,
    )
    assert reply_address == {
        "kind": "reply_address",
        "thread_id": lamp,
        "address": ANN["email"],
        "name": "Ann Lee",
        "made_at": reply_address["made_at"],
    }
    assert reply_address["made_at"] is not None


def test_a_customer_with_20000_mails_is_exported_a_bounded_page_at_a_time():
    store = MemoryNotificationStore()
    at = now()
    for number in range(20_000):  # written as the records are kept: planning each would take minutes
        mail_id = new_id()
        store.mails[mail_id] = {
            "id": mail_id,
            "message_id": f"m{number}",
            "thread_id": f"t{number % 50}",
            "address": ANN["email"],
            "address_key": ANN["email"],
            "side": "customer",
            "user_id": ANN["user_id"],
            "thread": {"title": "Lamp", "subject": "", "link": ""},
            "message": {"author_name": "Bob", "author_side": "vendor", "excerpt": "", "created_at": at},
            "created_at": at,
            "send_after": at,
            "status": "sent",
            "sent_at": at,
        }
    pages = export_all(store, CUSTOMER_ANN, ANN["user_id"], limit=1000)
    assert len(pages) == 20 and all(len(page["items"]) == 1000 for page in pages)
    assert len({item["id"] for page in pages for item in page["items"]}) == 20_000


def test_the_export_is_the_customers_own_or_the_administrations_with_manage_privacy(marketplace, store):
    marketplace.anns_story()
    query = {"customer_id": ANN["user_id"], "cursor": None, "limit": 10}
    assert privacy.export(store, CUSTOMER_ANN, query)["items"]
    assert privacy.export(store, Caller(user_id="a1", role="admin"), query)["items"]
    assert privacy.export(store, Caller(user_id="a2", role="admin", permissions=("manage_privacy",)), query)["items"]
    for stranger in (
        Caller(user_id=BEA["user_id"], role="customer"),
        Caller(user_id="a3", role="admin", permissions=("manage_settings", "manage_webhooks")),
        Caller(user_id=BOB["user_id"], role="vendor", company_id=SHOP_ID),
        CONVERSATIONS_SERVICE,
        STOREFRONT_SYNC,
    ):
        with pytest.raises(Forbidden):
            privacy.export(store, stranger, query)


def test_a_cursor_the_export_did_not_make_is_refused(store):
    for cursor in ("not-a-cursor", "WyJ0aHJlYWQiLCIiXQ"):  # the second: ["thread", ""], a kind it has not
        with pytest.raises(ValidationFailed):
            privacy.export(store, CUSTOMER_ANN, {"customer_id": ANN["user_id"], "cursor": cursor, "limit": 10})


# the erasure ------------------------------------------------------------------------------------


def test_after_the_erasure_no_record_holds_the_customers_name_or_address(marketplace, store):
    ann_threads = marketplace.anns_story()
    vase = marketplace.beas_story()
    assert len(naming_ann(store)) > 5  # mails both ways, bells, a reply address, calls, an event, preferences
    bea_before = export_all(store, Caller(user_id="a1", role="admin"), BEA["user_id"], limit=100)

    erased = privacy.erase(store, erasure(ann_threads))

    assert naming_ann(store) == []
    assert erased == {
        "mails": 5,  # to the shop (her question, its follow-up, the reminder), to Bob (the follow-up), to her
        "bell_items": 7,  # the lamp's three messages on two bells each, and the shop's reminder
        "read_marks": 1,
        "participants": 0,  # the shop's staff are not her
        "preferences": 1,
        "reply_addresses": 1,
        "webhook_deliveries": 3,  # the lamp's three messages
        "events": 1,  # the clock question, kept while the catalog was away
        "webhooks_told": 1,
    }
    # Bea's records, and the shop's about Bea, are as they were.
    assert export_all(store, Caller(user_id="a1", role="admin"), BEA["user_id"], limit=100) == bea_before
    assert store.vendor_staff(vase) and store.vendor_staff(ann_threads[0])


def test_an_erasure_asked_again_finds_nothing_and_tells_the_webhooks_once(marketplace, store):
    ann_threads = marketplace.anns_story()
    privacy.erase(store, erasure(ann_threads))
    again = privacy.erase(store, erasure(ann_threads))
    assert set(again.values()) == {0}
    at = now() + timedelta(seconds=1)
    told = store.claim_due_webhook_delivery(at, at + timedelta(seconds=60), "w-erasures")
    assert json.loads(told["body"])["data"] == {"customer_id": ANN["user_id"], "erasure_id": "e1"}
    assert (told["event"], json.loads(told["body"])["event"]) == (CUSTOMER_ERASED, CUSTOMER_ERASED)
    assert store.claim_due_webhook_delivery(at, at + timedelta(seconds=60), "w-erasures") is None
    # Another erasure of the same customer is told of its own.
    assert privacy.erase(store, erasure([], erasure_id="e2"))["webhooks_told"] == 1


def test_a_planned_mail_about_an_erased_thread_never_goes_out(marketplace, store):
    ann_threads = marketplace.anns_story()
    sent = len(marketplace.outbox.sent)
    privacy.erase(store, erasure(ann_threads))
    delivery.send_due_mails(store, marketplace.outbox, SETTINGS, store.settings())
    later = now() + timedelta(hours=1)
    assert store.due_mail_groups(later) == [] and len(marketplace.outbox.sent) == sent


def test_only_the_conversations_service_erases_and_forgets():
    privacy.from_conversations(CONVERSATIONS_SERVICE)
    for stranger in (
        Caller(user_id="a1", role="admin"),
        Caller(user_id="a2", role="admin", permissions=("manage_privacy",)),
        STOREFRONT_SYNC,
        Caller(user_id=CONVERSATIONS_SERVICE.user_id, role="admin"),
        Caller(user_id=ANN["user_id"], role="customer"),
    ):
        with pytest.raises(Forbidden):
            privacy.from_conversations(stranger)


# retention -----------------------------------------------------------------------------------------


def test_forgotten_threads_leave_nothing_behind_and_forgetting_them_again_finds_nothing(marketplace, store):
    ann_threads = marketplace.anns_story()
    vase = marketplace.beas_story()
    forgotten = privacy.forget_threads(store, ann_threads + ["never-heard-of"])
    assert forgotten == {
        "mails": 5,
        "bell_items": 7,
        "read_marks": 1,
        "participants": 1,  # Bob, who answered about the lamp
        "reply_addresses": 3,  # Ann's, the shop's and Bob's
        "webhook_deliveries": 3,
        "events": 1,
    }
    assert set(privacy.forget_threads(store, ann_threads).values()) == {0}
    kept = "\n".join(everything_kept(store))
    assert not [thread_id for thread_id in ann_threads if thread_id in kept]
    assert vase in kept
