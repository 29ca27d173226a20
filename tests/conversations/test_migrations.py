"""What a database written by an earlier version holds is read by this one (mongo_migrations):
search words sit beside their message (mongo_words.split_words), so a message's document can be
written again without writing its words' index entries again; and a question waiting from before
reminders is reminded."""

from services.conversations import inbox, mongo_inbox
from services.common.mongo import document_of
from services.conversations.mongo_store import MongoThreads
from services.common.loading import load
from services.contracts import conversations as contract
from tests.conversations.test_store_contract import VENDOR, a_message, a_thread


def found(store, q):
    wanted = inbox.inbox_filter(VENDOR, load(contract.InboxQuery(), {"q": q, "limit": 10}))
    items, _ = store.inbox(wanted, "last_message_at", "desc", 10, None)
    return [thread["id"] for thread in items]


def test_a_message_written_again_keeps_its_words_and_stores_them_once(mongo_db):
    MongoThreads.create_indexes(mongo_db)
    store = MongoThreads(mongo_db)
    thread = a_thread()
    message = a_message(thread, words=("brass", "lamp"), pending_events=["message_posted"])
    store.insert_threads([thread], [])
    assert store.insert_message(message)
    assert not store.insert_message(message)  # a request done again writes nothing twice
    store.mark_published([message["id"]])
    assert "words" not in mongo_db.messages.find_one({"_id": message["id"]})
    assert mongo_db.message_words.count_documents({"_id": message["id"]}) == 1
    assert found(store, "brass") == [thread["id"]]
    store.remove_message(message["id"])
    assert found(store, "brass") == []


def test_messages_written_before_the_words_moved_are_found_after_a_start(mongo_db):
    threads = [a_thread(number) for number in range(3)]
    mongo_db.threads.insert_many([document_of(thread) for thread in threads])
    # As the store wrote them before: the words inside each message.
    mongo_db.messages.insert_many(
        [document_of(a_message(thread, words=("walnut", f"code{n}"))) for n, thread in enumerate(threads)]
    )
    for reader in ("plain", "windowed"):
        MongoThreads.create_indexes(mongo_db)  # each start; the move happens once
        store = MongoThreads(mongo_db, mongo_inbox.reader(reader, mongo_db))
        assert sorted(found(store, "walnut")) == sorted(thread["id"] for thread in threads)
        assert found(store, "code1") == [threads[1]["id"]]
    assert mongo_db.messages.count_documents({"words": {"$exists": True}}) == 0
    assert mongo_db.message_words.count_documents({}) == 3


def test_a_question_waiting_from_before_reminders_is_reminded(mongo_db):
    from datetime import timedelta

    from services.common.clock import now

    waiting = a_thread(awaiting_reply_from="vendor", awaiting_since=now() - timedelta(hours=30))
    mongo_db.threads.insert_one(document_of(waiting))  # as written before reminders: no reminded_level
    MongoThreads.create_indexes(mongo_db)
    store = MongoThreads(mongo_db)
    assert [thread["id"] for thread in store.due_reminders(1, now() - timedelta(hours=24), 10)] == [waiting["id"]]


def test_the_word_indexes_from_before_are_replaced_by_one(mongo_db):
    from pymongo import ASCENDING

    # As a database from before has them: two indexes on the words, both written by every post.
    mongo_db.message_words.create_index([("thread_id", ASCENDING), ("words", ASCENDING)])
    mongo_db.message_words.create_index("words")
    thread = a_thread()
    mongo_db.threads.insert_one(document_of(thread))
    MongoThreads.create_indexes(mongo_db)
    store = MongoThreads(mongo_db)
    store.insert_message(a_message(thread, words=("brass", "lamp")))
    keys = [
        [field for field, _ in index["key"]]
        for name, index in mongo_db.message_words.index_information().items()
        if name != "_id_"
    ]
    assert keys == [["words", "thread_id"]]
    assert found(store, "brass") == [thread["id"]]
