"""The privacy part of the conversations' store (ports.Threads) in MongoDB: what a customer's
export reads, what their erasure rewrites and records (`privacy_erasures`), what retention
removes. Mixed into mongo_store.MongoThreads, kept apart as mongo_replies.py is."""

import re
from datetime import datetime, timedelta
from typing import Any, Iterable

from pymongo import ASCENDING, DeleteOne, ReplaceOne
from pymongo.errors import DuplicateKeyError

from services.common import attachment_files
from services.common.mongo import document_of, record_of, update_by_id

from .mongo_records import message_of, thread_of
from .ports import WHILE_RUNNING
from .mongo_words import split_words
from .records import Message, Thread

# Ids in one `$in` of a removal: a retention round's threads are removed a slice at a time.
REMOVAL_SLICE = 500


class MongoPrivacy:
    db: Any = None  # MongoThreads sets it

    @staticmethod
    def create_privacy_indexes(db):
        # One erasure runs per customer: the field exists only while it runs.
        db.privacy_erasures.create_index("running_subject", unique=True, sparse=True)
        db.privacy_erasures.create_index("lease_until", sparse=True)

    # the export and the erasure -------------------------------------------------------------

    def customer_threads(self, customer_id: str, after: str | None, limit: int) -> list[Thread]:
        query: dict[str, Any] = {"customer_id": customer_id}
        if after is not None:
            query["_id"] = {"$gt": after}
        return [thread_of(doc) for doc in self.db.threads.find(query).sort("_id", ASCENDING).limit(limit)]

    def thread_messages(self, thread_id: str, after: str | None, limit: int) -> list[Message]:
        query: dict[str, Any] = {"thread_id": thread_id}
        if after is not None:
            query["_id"] = {"$gt": after}
        return [message_of(doc) for doc in self.db.messages.find(query).sort("_id", ASCENDING).limit(limit)]

    def rewrite_thread(self, thread: Thread) -> None:
        self.db.threads.replace_one({"_id": thread["id"]}, document_of(thread))

    def rewrite_messages(self, messages: list[Message]) -> None:
        if not messages:
            return
        stored, words = zip(*(split_words(document_of(message)) for message in messages))
        self.db.messages.bulk_write([ReplaceOne({"_id": doc["_id"]}, doc) for doc in stored], ordered=False)
        self.db.message_words.bulk_write(
            [
                ReplaceOne({"_id": doc["_id"]}, doc, upsert=True)
                if doc["words"]
                else DeleteOne({"_id": doc["_id"]})  # nothing left to find it by (a text removed)
                for doc in words
            ],
            ordered=False,
        )

    def reviews_of(self, message_ids: list[str]) -> list[dict]:
        return list(self.db.message_reviews.find({"_id": {"$in": message_ids}}))

    def rewrite_review(self, review: dict) -> None:
        self.db.message_reviews.replace_one({"_id": review["_id"]}, review)

    def expire_person_files(self, role: str, user_id: str, at: datetime) -> int:
        return (
            self.db[attachment_files.FILES]
            .update_many(
                {"metadata.owner.user_id": user_id, "metadata.owner.role": role, "metadata.variant": "original"},
                {"$set": {"metadata.expires_at": at}},
            )
            .matched_count
        )

    def forget_person_keys(self, person: str, thread_ids: list[str]) -> int:
        # A key begins with its person (idempotency.once); a rate counter holds it between bars
        # (limits._key). Both collections expire within a day: read whole, they stay small.
        mine = {"_id": {"$regex": "^" + re.escape(person + "|")}}
        gone = self.db.idempotency.delete_many(
            {"$or": [mine, {"ids.thread": {"$in": thread_ids}}]} if thread_ids else mine
        ).deleted_count
        return gone + self.db.rate_limits.delete_many({"_id": {"$regex": re.escape(f"|{person}|")}}).deleted_count

    def start_erasure(self, erasure: dict) -> dict:
        try:
            self.db.privacy_erasures.insert_one(document_of(erasure))
            return erasure
        except DuplicateKeyError:
            running = self.db.privacy_erasures.find_one({"running_subject": erasure["running_subject"]})
            return record_of(running) if running is not None else self.start_erasure(erasure)

    def get_erasure(self, erasure_id: str) -> dict | None:
        found = self.db.privacy_erasures.find_one({"_id": erasure_id})
        return record_of(found) if found is not None else None

    def erasure_progress(self, erasure_id: str, changes: dict, until: datetime) -> None:
        self.db.privacy_erasures.update_one(
            {"_id": erasure_id, "status": "running"}, {"$set": {**changes, "lease_until": until}}
        )

    def finish_erasure(self, erasure_id: str, counts: dict, at: datetime) -> None:
        self.db.privacy_erasures.update_one(
            {"_id": erasure_id},
            {
                "$set": {"status": "done", "counts": counts, "finished_at": at},
                "$unset": {name: "" for name in WHILE_RUNNING},
            },
        )

    def stalled_erasures(self, at: datetime, lease: timedelta) -> Iterable[dict]:
        for stalled in self.db.privacy_erasures.find({"lease_until": {"$lte": at}}, {"lease_until": 1}):
            taken = update_by_id(
                self.db.privacy_erasures,
                stalled["_id"],
                {"$set": {"lease_until": at + lease}},
                {"lease_until": stalled["lease_until"], "status": "running"},
            )
            if taken is not None:
                yield record_of(taken)

    # retention ------------------------------------------------------------------------------

    def retired_threads(self, before: datetime, limit: int) -> list[Thread]:
        # The last message's index bounds the read to old threads; the rest is a filter on them.
        query = {
            "last_message_at": {"$lt": before},
            "updated_at": {"$lt": before},
            "status": {"$in": ["closed", "deleted"]},
        }
        return [thread_of(doc) for doc in self.db.threads.find(query).limit(limit)]

    def remove_threads(self, thread_ids: list[str]) -> dict[str, int]:
        counts = {"threads": 0, "messages": 0, "files": 0}
        for start in range(0, len(thread_ids), REMOVAL_SLICE):
            ids = {"$in": thread_ids[start : start + REMOVAL_SLICE]}
            message_ids = [doc["_id"] for doc in self.db.messages.find({"thread_id": ids}, {"_id": 1})]
            counts["files"] += attachment_files.delete_kept(self.db, {"metadata.thread_id": ids})
            for slice_start in range(0, len(message_ids), REMOVAL_SLICE):
                mine = {"_id": {"$in": message_ids[slice_start : slice_start + REMOVAL_SLICE]}}
                self.db.message_words.delete_many(mine)
                self.db.message_reviews.delete_many(mine)
                counts["messages"] += self.db.messages.delete_many(mine).deleted_count
            self.db.idempotency.delete_many({"ids.thread": ids})
            counts["threads"] += self.db.threads.delete_many({"_id": ids}).deleted_count
        return counts

    def take_turn(self, name: str, at: datetime, until: datetime) -> bool:
        try:
            taken = self.db.timer_turns.update_one(
                {"_id": name, "until": {"$lte": at}}, {"$set": {"until": until}}, upsert=True
            )
        except DuplicateKeyError:  # another replica holds the turn
            return False
        return bool(taken.matched_count or taken.upserted_id is not None)
