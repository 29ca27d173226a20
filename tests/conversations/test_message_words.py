"""Search words sit beside their message (mongo_store.split_words): a message's document can be
written again (its events marked published) without writing its words' index entries again, and
a database from before finds its old messages by word once the service has started on it."""
from services.conversations import inbox, mongo_inbox
from services.conversations.mongo_store import MongoThreads
from services.common.loading import load
from services.contracts import conversations as contract
from tests.conversations.test_store_contract import VENDOR, a_message, a_thread


def found(store, q):
    wanted = inbox.inbox_filter(VENDOR, load(contract.InboxQuery(), {"q": q, "limit": 10}))
    items, _ = store.inbox(wanted, "last_message_at", "desc", 10, None)
    return [thread["_id"] for thread in items]


def test_a_message_written_again_keeps_its_words_and_stores_them_once(mongo_db):
    MongoThreads.create_indexes(mongo_db)
    store = MongoThreads(mongo_db)
    thread = a_thread()
    message = a_message(thread, words=("brass", "lamp"), pending_events=["message_posted"])
    store.insert_threads([thread], [])
    assert store.insert_message(message)
    assert not store.insert_message(message)  # a request done again writes nothing twice
    store.mark_published([message["_id"]])
    assert "words" not in mongo_db.messages.find_one({"_id": message["_id"]})
    assert mongo_db.message_words.count_documents({"_id": message["_id"]}) == 1
    assert found(store, "brass") == [thread["_id"]]
    store.remove_message(message["_id"])
    assert found(store, "brass") == []


def test_messages_written_before_the_words_moved_are_found_after_a_start(mongo_db):
    threads = [a_thread(number) for number in range(3)]
    mongo_db.threads.insert_many(threads)
    # As the store wrote them before: the words inside each message.
    mongo_db.messages.insert_many([a_message(thread, words=("walnut", f"code{n}")) for n, thread in enumerate(threads)])
    for reader in ("plain", "windowed"):
        MongoThreads.create_indexes(mongo_db)  # each start; the move happens once
        store = MongoThreads(mongo_db, mongo_inbox.reader(reader, mongo_db))
        assert sorted(found(store, "walnut")) == sorted(thread["_id"] for thread in threads)
        assert found(store, "code1") == [threads[1]["_id"]]
    assert mongo_db.messages.count_documents({"words": {"$exists": True}}) == 0
    assert mongo_db.message_words.count_documents({}) == 3
