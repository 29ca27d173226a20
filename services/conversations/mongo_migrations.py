"""What a database written by an earlier version needs to be read by this one: each step done
once per database (a marker in `migrations`), so a start never scans a collection again.
Every step is safe to run twice (a process stopped halfway starts it over)."""

from pymongo.errors import BulkWriteError

from services.common.clock import now

from .mongo_words import split_words

DUPLICATE_KEY = 11000


def run(db) -> None:
    for step in (move_words_off_messages, remind_threads_from_before_reminders, drop_thread_led_word_indexes):
        if db.migrations.find_one({"_id": step.__name__}) is None:
            step(db)
            db.migrations.update_one({"_id": step.__name__}, {"$set": {"at": now()}}, upsert=True)


def move_words_off_messages(db, batch: int = 500) -> None:
    """The words of messages written before they had a collection of their own move there
    (mongo_words.split_words)."""
    while True:
        older = list(db.messages.find({"words": {"$exists": True}}).limit(batch))
        if not older:
            return
        try:
            db.message_words.insert_many([split_words(message)[1] for message in older], ordered=False)
        except BulkWriteError as error:
            if any(failure["code"] != DUPLICATE_KEY for failure in error.details["writeErrors"]):
                raise
        db.messages.update_many({"_id": {"$in": [message["_id"] for message in older]}}, {"$unset": {"words": ""}})


def remind_threads_from_before_reminders(db) -> None:
    """Threads written before reminders have no level: the reminders (which look for level 0)
    would never see a question already waiting for its vendor."""
    db.threads.update_many({"reminded_level": {"$exists": False}}, {"$set": {"reminded_level": 0}})


def drop_thread_led_word_indexes(db) -> None:
    """The words' indexes before (thread_id, words) and (words) gave way to one (words,
    thread_id) (mongo_store.create_indexes): the old two only cost every post their writes."""
    for name in ("thread_id_1_words_1", "words_1"):
        if name in db.message_words.index_information():
            db.message_words.drop_index(name)
