"""What each MongoDB inbox reader does beyond the store contract (test_store_contract.py pages
through both): a search answers from the newest threads holding its words; the windowed reader
looks a rare word up by itself, and remembers how far back an inbox's pages reach: its own
memory, bounded, in which only a first page may say an inbox is read at once."""

from datetime import timedelta

import pytest

from services.common.clock import now
from services.conversations import mongo_inbox
from services.conversations.mongo_inbox import AT_ONCE, PlainInbox, WindowedInbox
from services.conversations.mongo_store import MongoThreads
from services.conversations.ports import InboxFilter
from tests.conversations.test_store_contract import a_message, a_thread, ms

VENDOR_INBOX = InboxFilter(company_id="10", reader_side="vendor")


@pytest.fixture
def db(mongo_db):
    MongoThreads.create_indexes(mongo_db)
    return mongo_db


def spread(db, count: int, words=("lamp",)) -> list[dict]:
    """`count` threads of vendor 10, an hour apart, newest first."""
    at = ms(now())
    threads = [a_thread(number, at - timedelta(hours=number)) for number in range(count)]
    MongoThreads(db).insert_threads(threads, [a_message(thread, words=words) for thread in threads])
    return threads


def every_page(store, wanted, limit):
    seen, cursor = [], None
    while True:
        items, cursor = store.inbox(wanted, "last_message_at", "desc", limit, cursor)
        seen += [item["id"] for item in items]
        if cursor is None:
            return seen


def test_the_reader_is_chosen_by_name(db):
    assert type(mongo_inbox.reader("plain", db)) is PlainInbox
    assert type(mongo_inbox.reader("windowed", db)) is WindowedInbox
    with pytest.raises(ValueError):
        mongo_inbox.reader("fast", db)


@pytest.mark.parametrize("reader", [PlainInbox, WindowedInbox])
def test_a_search_answers_from_its_newest_threads(db, reader):
    threads = spread(db, 9)
    store = MongoThreads(db, reader(db, search_threads=5, **({"search_budget": 0} if reader is WindowedInbox else {})))
    found = every_page(store, VENDOR_INBOX.narrowed(words=("lamp",)), 2)
    assert found == [thread["id"] for thread in threads[:5]]


def test_a_rare_word_is_looked_up_by_itself_and_pages_the_same(db):
    threads = spread(db, 6, words=("lamp",)) + spread(db, 1, words=("lamp", "brass"))
    store = MongoThreads(db, WindowedInbox(db, search_budget=0))
    brass = VENDOR_INBOX.narrowed(words=("brass",))
    assert every_page(store, brass, 2) == [threads[-1]["id"]]
    assert every_page(store, brass, 2) == [threads[-1]["id"]]  # now remembered: by word at once
    lamp = [thread["id"] for thread in sorted(threads, key=lambda t: (t["last_message_at"], t["id"]), reverse=True)]
    assert every_page(store, VENDOR_INBOX.narrowed(words=("lamp",)), 2) == lamp


def test_only_a_first_page_says_an_inbox_is_read_at_once(db):
    """Reading an inbox's last, short page says where the inbox ends, not that it is short:
    it must not make every first page of that inbox read all of it at once."""
    reader = WindowedInbox(db)
    store = MongoThreads(db, reader)
    threads = spread(db, 5)
    assert every_page(store, VENDOR_INBOX, 2) == [thread["id"] for thread in threads]  # the last page holds 1
    assert AT_ONCE not in reader.spans.spans.values()
    assert isinstance(next(iter(reader.spans.spans.values())), timedelta)

    short = WindowedInbox(db)
    MongoThreads(db, short).inbox(VENDOR_INBOX, "last_message_at", "desc", 20, None)  # a first page holds it all
    assert list(short.spans.spans.values()) == [AT_ONCE]


def test_the_memory_of_page_spans_is_bounded_and_each_readers_own(db):
    spread(db, 5)
    reader = WindowedInbox(db, remembered_inboxes=2)
    store = MongoThreads(db, reader)
    for unread in (None, True, False):
        store.inbox(VENDOR_INBOX.narrowed(unread=unread), "last_message_at", "desc", 2, None)
    assert len(reader.spans) == 2
    assert len(WindowedInbox(db).spans) == 0
