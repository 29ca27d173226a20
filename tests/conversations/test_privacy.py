"""A customer's data on request (services/conversations/privacy.py) against the in-memory store:
the export's pages, the erasure's steps done again after a stop, retention. The whole system,
every collection of every service read after an erasure: tests/e2e/test_privacy.py."""

import json
from datetime import timedelta

import pytest

from services.common.caller import Caller
from services.common.clock import now
from services.common.errors import Forbidden
from services.conversations import forgetting, privacy, settings, threads
from services.conversations.forgetting import FORMER_CUSTOMER, REMOVED_TEXT
from tests.conversations.test_use_cases import ADMIN, CUSTOMER, OTHER_CUSTOMER, VENDOR, World

POLICY = privacy.Policy(key="k" * 32)
PRIVACY_CLERK = Caller("a9", "admin", name="Pia", permissions=("manage_privacy",))
MODERATOR = Caller("a8", "admin", name="Rita", permissions=("moderate_messages",))


class Others:
    """The notifications and catalog services as an erasure asks them; what they were asked."""

    def __init__(self):
        self.told, self.catalog_told, self.down = [], [], False

    def notifications(self, request):
        if self.down:
            raise ConnectionError("the notifications service is away")
        self.told.append(request)
        return {"mails": 1}

    def catalog(self, customer_id):
        self.catalog_told.append(customer_id)
        return {"orders": 2}

    def as_others(self):
        return privacy.Others(self.notifications, self.catalog)


@pytest.fixture
def world():
    world = World()
    first = world.start(message="Is it brass? Write to ann@buyers.test")["thread"]
    world.post(VENDOR, first["id"], "Hi Ann Lee, yes it is. Regards, Bob")
    world.post(CUSTOMER, first["id"], "Thanks Ann")
    second = world.start(object={"type": "order", "id": "7"}, message="Where is my order?")["thread"]
    world.post(VENDOR, second["id"], "On its way, Ann.")
    world.start(OTHER_CUSTOMER, message="Dan asks")
    world.first, world.second = first, second
    return world


def everything_of(world) -> str:
    store = world.store
    return json.dumps(
        [store.threads, store.messages, store.message_reviews, store.keys, store.counters, store.files], default=str
    )


def erase(world, customer_id="c1", others=None):
    erasure = privacy.request_erasure(world.store, PRIVACY_CLERK, customer_id, POLICY)
    privacy.resume(world.store, (others or Others()).as_others(), POLICY)
    return world.store.get_erasure(erasure["id"])


def test_the_export_holds_every_conversation_with_every_message_in_pages(world):
    pages, cursor = [], None
    while True:
        page = privacy.export_page(world.store, CUSTOMER, "c1", cursor, 2)
        pages.append(page)
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert pages[0]["customer"] == {"id": "c1", "names": ["Ann Lee"], "emails": ["ann@buyers.test"]}
    assert all(page["customer"] is None for page in pages[1:])
    # a page holds at most `limit` items: conversations begun on it, and messages
    assert all(
        sum(1 + len(c["messages"]) - bool(c.get("continued")) for c in page["conversations"]) <= 2 for page in pages
    )
    texts = [m["text"] for page in pages for c in page["conversations"] for m in c["messages"]]
    assert texts == [
        "Is it brass? Write to ann@buyers.test",
        "Hi Ann Lee, yes it is. Regards, Bob",
        "Thanks Ann",
        "Where is my order?",
        "On its way, Ann.",
    ]
    ids = {c["id"] for page in pages for c in page["conversations"]}
    assert ids == {world.first["id"], world.second["id"]}  # never Dan's


def test_only_the_customer_themself_or_privacy_staff_export(world):
    with pytest.raises(Forbidden):
        privacy.export_page(world.store, OTHER_CUSTOMER, "c1", None, 10)
    with pytest.raises(Forbidden):
        privacy.export_page(world.store, MODERATOR, "c1", None, 10)
    with pytest.raises(Forbidden):
        privacy.export_page(world.store, VENDOR, "c1", None, 10)
    assert privacy.export_page(world.store, ADMIN, "c1", None, 10)["conversations"]
    assert privacy.export_page(world.store, PRIVACY_CLERK, "c1", None, 10)["conversations"]


def test_only_privacy_staff_erase_and_read_erasures(world):
    for caller in (CUSTOMER, VENDOR, MODERATOR):
        with pytest.raises(Forbidden):
            privacy.request_erasure(world.store, caller, "c1", POLICY)
    erasure = privacy.request_erasure(world.store, PRIVACY_CLERK, "c1", POLICY)
    with pytest.raises(Forbidden):
        privacy.erasure_status(world.store, MODERATOR, erasure["id"])


def test_an_erasure_leaves_neither_name_nor_address_and_keeps_the_vendors_side(world):
    others = Others()
    done = erase(world, others=others)
    assert done["status"] == "done"
    assert done["counts"]["threads"] == 2 and done["counts"]["orders"] == 2 and done["counts"]["mails"] >= 1
    kept = everything_of(world)
    for trace in ("Ann Lee", "ann@buyers.test", "Ann"):
        assert trace not in kept
    assert "Dan asks" in kept  # another customer's conversation is untouched
    first = world.store.get(world.first["id"])
    assert first["customer"]["name"] == FORMER_CUSTOMER
    texts = [m["text"] for m in world.store.thread_messages(world.first["id"], None, 10)]
    assert texts == [REMOVED_TEXT, f"Hi {FORMER_CUSTOMER}, yes it is. Regards, Bob", REMOVED_TEXT]
    # the erasure's record holds nobody: a keyed hash, who asked, when, the counts
    assert set(done) == {"id", "subject", "status", "asked_by", "asked_at", "finished_at", "counts"}
    assert done["subject"] == forgetting.subject_of(POLICY.key, "c1")
    assert done["asked_by"] == {"role": "admin", "user_id": "a9"}
    # the other services were told whom and which threads to forget
    assert others.told[0]["names"] == ["Ann Lee"] and set(others.told[0]["thread_ids"]) == {
        world.first["id"],
        world.second["id"],
    }
    assert others.catalog_told == ["c1"]


def test_kept_texts_are_masked_instead_when_the_marketplace_must_keep_a_record(world):
    policy = privacy.Policy(key="k" * 32, keeps_text=True)
    privacy.request_erasure(world.store, PRIVACY_CLERK, "c1", policy)
    privacy.resume(world.store, Others().as_others(), policy)
    texts = [m["text"] for m in world.store.thread_messages(world.first["id"], None, 10)]
    assert texts[0] == "Is it brass? Write to [contact details removed]"
    assert texts[2] == f"Thanks {FORMER_CUSTOMER}"
    assert "Ann" not in everything_of(world)


def test_asking_twice_is_harmless(world):
    first = privacy.request_erasure(world.store, PRIVACY_CLERK, "c1", POLICY)
    again = privacy.request_erasure(world.store, PRIVACY_CLERK, "c1", POLICY)
    assert again["id"] == first["id"]  # the one running
    privacy.resume(world.store, Others().as_others(), POLICY)
    later = erase(world)
    assert later["id"] != first["id"] and later["status"] == "done"
    assert later["counts"].get("threads", 0) == 0 and later["counts"].get("messages", 0) == 0


def test_a_stopped_erasure_is_taken_up_where_it_stood_once_its_lease_runs_out(world):
    others = Others()
    others.down = True  # it stops at the other services' step, after the threads were rewritten
    erasure = privacy.request_erasure(world.store, PRIVACY_CLERK, "c1", POLICY)
    with pytest.raises(ConnectionError):
        privacy.resume(world.store, others.as_others(), POLICY)
    stopped = world.store.get_erasure(erasure["id"])
    assert stopped["status"] == "running" and stopped["step"] == "elsewhere"
    assert privacy.resume(world.store, others.as_others(), POLICY) == 0  # its lease holds it
    world.store._erasures[erasure["id"]]["lease_until"] = now() - timedelta(seconds=1)
    others.down = False
    privacy.resume(world.store, others.as_others(), POLICY)
    done = world.store.get_erasure(erasure["id"])
    assert done["status"] == "done" and done["counts"]["threads"] == 2


def test_a_held_message_review_forgets_the_customer_too(world):
    settings.update(world.store, ADMIN, {"moderation_customer_to_vendor": "hold"})
    held = world.post(CUSTOMER, world.first["id"], "Call me on +44 20 7946 0958, Ann Lee")
    assert held["moderation"]["state"] == "held"
    erase(world)
    review = world.store.get_review(held["id"])
    assert review["text"] == REMOVED_TEXT and review["found"] == [] and "original" not in review
    assert "7946" not in everything_of(world)


def test_retention_removes_old_closed_conversations_whole_once_across_replicas(world):
    policy = privacy.Policy(key="k" * 32, retention_days=30)
    threads.set_status(world.store, VENDOR, world.first["id"], "closed")
    later = now() + timedelta(days=31)
    forgotten = []
    assert privacy.retire(world.store, forgotten.append, privacy.Policy(key="k" * 32), later) == 0  # 0 keeps all
    assert privacy.retire(world.store, forgotten.append, policy, later) == 1
    assert forgotten == [[world.first["id"]]]
    assert world.store.get(world.first["id"]) is None
    assert world.store.thread_messages(world.first["id"], None, 10) == []
    assert world.store.get(world.second["id"]) is not None  # open: kept
    threads.set_status(world.store, VENDOR, world.second["id"], "closed")
    assert privacy.retire(world.store, forgotten.append, policy, later) == 0  # another replica's turn
    assert privacy.retire(world.store, forgotten.append, policy, later + timedelta(minutes=1)) == 1
