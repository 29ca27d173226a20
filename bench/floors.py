"""The floors the system is measured against: the least a database must be asked to give the
same answer, on a structure built for that answer alone.

A floor is fair when it does what the system's operation must do and nothing more: the same
documents written with the same write concern, the same threads returned. Each floor here
says what it does; the bench checks that its answer is the system's.
"""

from datetime import timedelta

from pymongo import ASCENDING, DESCENDING

from services.common.clock import new_id, now
from services.common.events import MESSAGE_POSTED
from services.common.mongo import document_of
from services.conversations import model, text
from services.conversations.mongo_words import split_words

from . import dataset

# The floor's messages belong to no thread and are removed after.
FLOOR_THREAD = "bench-floor"

# The search floor's word-to-thread index: one document a (vendor, word, thread).
SEARCH_FLOOR = "bench_floor_words"
PAGE = 20

NOT_THE_RELAYS = timedelta(days=1)

_prepared: dict[str, dict] = {}


def message_document(thread_id: str, body: str) -> dict:
    """The very document the conversations service inserts for a vendor's reply, but for
    when the relay may take it: a day on, not 10 s (the floor publishes nothing, and its
    messages are removed before the relay would look)."""
    if body not in _prepared:
        _prepared[body] = text.prepare(body)
    at = now()
    stored, _ = split_words(
        document_of(
            model.new_message({"id": thread_id}, dataset.VENDOR, _prepared[body], at, [MESSAGE_POSTED], new_id())
        )
    )
    stored["relay_after"] = at + NOT_THE_RELAYS
    return stored


class SearchFloor:
    """The cheapest lookup of "the vendor's newest 20 threads holding a word": an index of
    (vendor, word, the thread's last message time) built for it, read for 20 thread ids, then
    the 20 thread documents by id. The system's search cannot keep such an index current at
    no cost (every post would rewrite an entry a word of the thread); the floor is what the
    answer costs when someone already paid for that."""

    def __init__(self, db, company_id: str):
        self.db = db
        self.company_id = company_id
        self.index = db[SEARCH_FLOOR]
        self.bounds: dict = {}  # by word: a moment just before its page's last thread

    def build(self, words: list[str]) -> None:
        """Index the vendor's threads holding each of `words`, as they stand now."""
        self.index.drop()
        self.index.create_index(
            [("company_id", ASCENDING), ("word", ASCENDING), ("last_message_at", DESCENDING), ("thread_id", DESCENDING)]
        )
        for word in words:
            holding = {
                row["thread_id"]
                for row in self.db.message_words.find(
                    {"company_id": self.company_id, "words": word}, {"thread_id": 1, "_id": 0}
                )
            }
            # By _id alone, a thousand at a time: SecantusDB serves a filter by index only when
            # each of its fields leads one, and matches an $in by walking its list, so
            # {_id: {$in: 64,000 ids}, company_id} read 100,000 threads against each id at 1M.
            ordered = sorted(holding)
            rows = [
                {
                    "company_id": self.company_id,
                    "word": word,
                    "thread_id": thread["_id"],
                    "last_message_at": thread["last_message_at"],
                }
                for first in range(0, len(ordered), 1000)
                for thread in self.db.threads.find(
                    {"_id": {"$in": ordered[first : first + 1000]}}, {"last_message_at": 1}
                )
            ]
            for first in range(0, len(rows), 10_000):
                self.index.insert_many(rows[first : first + 10_000], ordered=False)
            newest = sorted(rows, key=lambda row: (row["last_message_at"], row["thread_id"]), reverse=True)[:PAGE]
            if len(newest) == PAGE:
                self.bounds[word] = newest[-1]["last_message_at"] - timedelta(milliseconds=1)

    def page(self, word: str, limit: int = PAGE) -> list[dict]:
        """The vendor's `limit` newest threads holding `word`. Bounded below by the 20th
        one's time (less a millisecond), as the inbox's floor is: SecantusDB applies a find's
        limit only after reading and sorting every entry its index lookup gives, so an
        unbounded find would read the word's every thread (a broad word: most of them), and
        the floor would be dearer than the cheapest query that gives the same threads."""
        criteria = {"company_id": self.company_id, "word": word}
        if word in self.bounds:
            criteria["last_message_at"] = {"$gte": self.bounds[word]}
        newest = (
            self.index.find(criteria, {"thread_id": 1, "_id": 0})
            .sort([("last_message_at", DESCENDING), ("thread_id", DESCENDING)])
            .limit(limit)
        )
        ids = [row["thread_id"] for row in newest]
        found = {thread["_id"]: thread for thread in self.db.threads.find({"_id": {"$in": ids}})}
        return [found[thread_id] for thread_id in ids if thread_id in found]

    def drop(self) -> None:
        self.index.drop()


def announcement_documents(vendors: int, request: dict) -> dict[str, list[dict]]:
    """What an announcement to `vendors` vendors writes, by collection (threads, message_words,
    messages), made by the service's own functions; the floor inserts them as the store does."""
    threads, messages = dataset.announcement_threads(vendors, dataset.ADMIN, request)
    split = [split_words(message) for message in messages]
    return {
        "threads": threads,
        "message_words": [words for _, words in split],
        "messages": [stored for stored, _ in split],
    }
