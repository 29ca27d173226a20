"""The conversations' store (ports.Threads) in MongoDB, and on any MongoDB-wire server.

The one place that speaks MongoDB's language: an InboxFilter becomes a filter document
(`as_query`), a MessageEffect an update (`_update_for`). Every verb is one domain action;
nothing here decides who may do what (services/common/access.py, rules.py). How a page of an
inbox is read is the reader's (mongo_inbox.py), chosen by INBOX_READER.
"""

import copy
import re
from datetime import datetime, timedelta, timezone

import pymongo
from pymongo import ASCENDING, DESCENDING, ReplaceOne, ReturnDocument
from pymongo.errors import BulkWriteError, DuplicateKeyError, PyMongoError

from services.common import attachment_files
from services.common.clock import now
from services.common.mongo import document_of, insert_once, update_by_id
from services.common.remembered import Memory

from . import mongo_migrations
from .mongo_inbox import PlainInbox, _owner
from .mongo_records import maybe_message, maybe_thread, message_of, thread_of
from .mongo_privacy import MongoPrivacy
from .mongo_replies import MongoSavedReplies
from .mongo_words import split_words
from .ports import InboxFilter, MessageEffect, last_message
from .records import Message, Thread

DUPLICATE_KEY = 11000
REMEMBER_SECONDS = 5.0
# The claim time of an Idempotency-Key whose attempt failed: long enough ago to retake at once.
RELEASED = datetime(2000, 1, 1, tzinfo=timezone.utc)
# Nothing but an undelete (there is none) moves a thread out of "deleted".
NOT_DELETED = {"status": {"$ne": "deleted"}}
# Releasing a key is worth a short wait only: the caller is waiting for its 503.
RELEASE_SECONDS = 0.5
# Documents in one write of an import (import_history).
IMPORT_SLICE = 250


class MongoThreads(MongoSavedReplies, MongoPrivacy):
    def __init__(self, db, reader=None, memory: Memory | None = None):
        self.db = db
        self.reader = reader or PlainInbox(db)
        memory = memory or Memory()
        # Read for every post (moderation's rules, the vendor's away message) and rarely changed:
        # a change through another replica applies there within this time, through this one at once.
        self.remembered_settings = memory.of("settings", REMEMBER_SECONDS, size=1)
        self.remembered_away = memory.of("away messages", REMEMBER_SECONDS, size=10_000)
        self.threads = db.threads
        self.messages = db.messages
        self.words = db.message_words
        self.broadcasts = db.broadcasts
        self.idempotency = db.idempotency
        self.settings = db.settings
        self.rate_limits = db.rate_limits
        self.files = db[attachment_files.FILES]
        self.message_reviews = db.message_reviews

    @staticmethod
    def create_indexes(db):
        threads = db.threads
        # The inbox of each kind of caller, newest activity first, with a tie-break on _id.
        for owner in ("company_id", "customer_id"):
            threads.create_index([(owner, ASCENDING), ("last_message_at", DESCENDING), ("_id", DESCENDING)])
            threads.create_index([(owner, ASCENDING), ("created_at", DESCENDING), ("_id", DESCENDING)])
        threads.create_index([("last_message_at", DESCENDING), ("_id", DESCENDING)])
        threads.create_index([("created_at", DESCENDING), ("_id", DESCENDING)])
        # A catalog record that changed refreshes the threads about it (refresh_context): without
        # this every change read every thread, and an import's thousands of records each did.
        threads.create_index([("object.type", ASCENDING), ("object.id", ASCENDING)])
        # A CS-Cart link names its thread by CS-Cart's number (imports.py); only imported threads hold one.
        threads.create_index([("cscart.thread_id", ASCENDING)], sparse=True)
        # One open thread per parties and object; the key is removed when the thread closes.
        threads.create_index("open_key", unique=True, sparse=True)
        threads.create_index("broadcast_id", sparse=True)
        db.messages.create_index([("thread_id", ASCENDING), ("_id", DESCENDING)])
        # Search: the words of each message, in a document of their own beside it (MessageWords).
        # The windows of a search ask which of a few threads hold a word ({words: w, thread_id:
        # {$in}}: one exact key a thread); a rare word is looked up by itself (the same index's
        # leading field).
        db.message_words.create_index([("words", ASCENDING), ("thread_id", ASCENDING)])
        db.messages.create_index([("thread_id", ASCENDING), ("created_at", DESCENDING)])
        # The outbox: messages whose events are not out yet carry `relay_after`.
        db.messages.create_index("relay_after", sparse=True)
        db.idempotency.create_index("created_at", expireAfterSeconds=24 * 3600)
        db.rate_limits.create_index("expires_at", expireAfterSeconds=0)
        # Only announcements still being delivered have a lease.
        db.broadcasts.create_index("lease_until", sparse=True)
        MongoSavedReplies.create_reply_indexes(db)
        MongoPrivacy.create_privacy_indexes(db)
        mongo_migrations.run(db)
        # Reminders: the threads due for the next level, by equality on the first two fields and
        # a range on the third, so a thread whose reminders are spent is never read again.
        threads.create_index(
            [("awaiting_reply_from", ASCENDING), ("reminded_level", ASCENDING), ("awaiting_since", ASCENDING)]
        )
        # The reminders' outbox: only threads holding an unpublished reminder have an entry.
        threads.create_index("pending_reminders.relay_after", sparse=True)
        # Attachments: the sweep reads what expired; deletes find a thread's, vendor's or customer's.
        files = db[attachment_files.FILES]
        for field in ("expires_at", "thread_id", "company_id", "customer_id", "message_id"):
            files.create_index(f"metadata.{field}")
        # A person's uploads, for the quota asked before each upload is kept.
        files.create_index([("metadata.owner.user_id", ASCENDING), ("metadata.message_id", ASCENDING)])
        # Moderation: the queue (held, oldest first) and the other states by message id, and the
        # decisions newest first. A review exists only for a message the moderation acted on.
        db.message_reviews.create_index([("state", ASCENDING), ("_id", ASCENDING)])
        db.message_reviews.create_index([("decided_at", DESCENDING), ("_id", DESCENDING)])

    # threads --------------------------------------------------------------------------

    def insert_thread(self, thread: Thread) -> bool:
        """False when an open thread of the same parties and object already exists."""
        return insert_once(self.threads, document_of(thread))

    def find_open(self, open_key: str) -> Thread | None:
        return maybe_thread(self.threads.find_one({"open_key": open_key}))

    def get(self, thread_id: str) -> Thread | None:
        return maybe_thread(self.threads.find_one({"_id": thread_id}))

    def get_many(self, thread_ids: list[str]) -> list[Thread]:
        return [thread_of(document) for document in self.threads.find({"_id": {"$in": thread_ids}})]

    def insert_message(self, message: Message) -> bool:
        """False when it is stored already (a request done again writes the same ids)."""
        document, words = split_words(document_of(message))
        # The words first: a process stopped between the two leaves a thread found by a word of
        # a message not written yet (its retry writes it), never a message search cannot find.
        insert_once(self.words, words)
        return insert_once(self.messages, document)

    def remove_message(self, message_id: str) -> None:
        self.messages.delete_one({"_id": message_id})
        self.words.delete_one({"_id": message_id})

    def add_message(self, thread: Thread, message: Message, effect: MessageEffect) -> Thread | None:
        """Move the thread on for a stored message: last message, counters. None when
        the thread was deleted meanwhile: a deleted thread stays deleted.

        One write, no read-back: the thread answered is the one the post read, moved on in
        memory as the write moved the stored one (a read-back cost every post a command, and
        what another post wrote in between is that post's to tell)."""
        written = self.threads.update_one({"_id": thread["id"], **NOT_DELETED}, _update_for(effect, message))
        if written.matched_count == 0:
            return None
        moved = copy.deepcopy(thread)
        effect.apply_to(moved, message)
        return moved

    def reopen(self, thread: Thread, open_key: str | None) -> None:
        """A closed thread that receives a message is open again (a deleted one is not); it
        takes back its open key unless a newer open thread of the same parties holds it."""
        self.threads.update_one({"_id": thread["id"], "status": "closed"}, {"$set": {"status": "open"}})
        if open_key:
            try:
                self.threads.update_one({"_id": thread["id"], "status": "open"}, {"$set": {"open_key": open_key}})
            except DuplicateKeyError:
                pass

    def set_status(self, thread_id: str, status: str, open_key: str | None) -> Thread | None:
        """The thread as it is now; None when it is deleted (and stays so)."""
        if status == "open" and open_key:
            try:
                return maybe_thread(
                    update_by_id(
                        self.threads,
                        thread_id,
                        {"$set": {"status": status, "open_key": open_key, "updated_at": now()}},
                        NOT_DELETED,
                    )
                )
            except DuplicateKeyError:
                pass
        update = {"$set": {"status": status, "updated_at": now()}}
        if status != "open":
            update["$unset"] = {"open_key": ""}
        return maybe_thread(update_by_id(self.threads, thread_id, update, NOT_DELETED))

    def mark_read(self, thread_id: str, side: str, at: datetime) -> Thread | None:
        return maybe_thread(
            update_by_id(self.threads, thread_id, {"$set": {f"unread.{side}": 0, f"read_at.{side}": at}})
        )

    def delete_vendor_threads(self, company_id: str) -> int:
        return self._soft_delete({"company_id": company_id})

    def delete_customer_threads(self, customer_id: str) -> int:
        return self._soft_delete({"customer_id": customer_id})

    def _soft_delete(self, criteria: dict) -> int:
        result = self.threads.update_many(
            {**criteria, "status": {"$ne": "deleted"}},
            {"$set": {"status": "deleted", "updated_at": now()}, "$unset": {"open_key": ""}},
        )
        return result.modified_count

    def refresh_context(self, target: dict, summary: dict) -> int:
        result = self.threads.update_many(
            {"object.type": target["type"], "object.id": target["id"]}, {"$set": {"context": summary}}
        )
        return result.modified_count

    # inbox ----------------------------------------------------------------------------

    def inbox(
        self, wanted: InboxFilter, sort: str, order: str, limit: int, cursor: str | None
    ) -> tuple[list[Thread], str | None]:
        return self.reader.page(as_query(wanted), sort, order, limit, cursor)

    def count_unread(self, wanted: InboxFilter, side: str) -> dict:
        criteria = as_query(wanted)
        rows = self.threads.aggregate(
            [
                {"$match": _owner(criteria)},  # an index serves it alone first (WindowedInbox._select)
                {"$match": {**criteria, f"unread.{side}": {"$gt": 0}}},
                {"$group": {"_id": "$type", "count": {"$sum": 1}}},
            ]
        )
        return {row["_id"]: row["count"] for row in rows}

    # messages -------------------------------------------------------------------------

    def messages_page(
        self, thread_id: str, before: str | None, limit: int, reader_side: str | None = None
    ) -> tuple[list[Message], str | None]:
        """The `limit` messages before `before` (newest page when None), oldest first."""
        query: dict[str, object] = {"thread_id": thread_id}
        if before:
            query["_id"] = {"$lt": before}
        if reader_side:
            query["hidden_from"] = {"$ne": reader_side}
        newest_first = list(self.messages.find(query).sort("_id", DESCENDING).limit(limit + 1))
        more = len(newest_first) > limit
        page = [message_of(document) for document in reversed(newest_first[:limit])]
        return page, (page[0]["id"] if more and page else None)

    def get_message(self, message_id: str) -> Message | None:
        return maybe_message(self.messages.find_one({"_id": message_id}))

    # the outbox: events not yet published ---------------------------------------------

    def unpublished_messages(self, at: datetime, limit: int) -> list[Message]:
        due = self.messages.find({"relay_after": {"$lte": at}}).sort("relay_after", ASCENDING).limit(limit)
        return [message_of(document) for document in due]

    def relay_soon(self, message_ids: list[str], at: datetime) -> None:
        self.messages.update_many(
            {"_id": {"$in": message_ids}, "relay_after": {"$exists": True}}, {"$set": {"relay_after": at}}
        )

    def mark_published(self, message_ids: list[str]) -> None:
        self.messages.update_many({"_id": {"$in": message_ids}}, {"$unset": {"pending_events": "", "relay_after": ""}})

    # rate limits ----------------------------------------------------------------------

    def count_toward(self, key: str, allowed: float, until: datetime) -> bool:
        """Count one more under `key` if fewer than `allowed` are counted; False when the limit
        is reached. One write: a full window's document no longer matches the filter, and the
        upsert that follows collides with it on _id."""
        try:
            self.rate_limits.update_one(
                {"_id": key, "count": {"$lt": allowed}},
                {"$inc": {"count": 1}, "$setOnInsert": {"expires_at": until}},
                upsert=True,
            )
            return True
        except DuplicateKeyError:
            return False

    def limit_reached(self, key: str, allowed: int) -> bool:
        return self.rate_limits.count_documents({"_id": key, "count": {"$gte": allowed}}, limit=1) > 0

    # idempotency keys -----------------------------------------------------------------

    def claim_key(self, key: str, fingerprint: str, at: datetime, ids: dict) -> dict | None:
        """None when the key is new (and now ours, with the ids its work writes); else what was
        stored under it."""
        try:
            self.idempotency.insert_one(
                {
                    "_id": key,
                    "fingerprint": fingerprint,
                    "state": "pending",
                    "created_at": at,
                    "claimed_at": at,
                    "ids": ids,
                }
            )
            return None
        except DuplicateKeyError:
            return self.idempotency.find_one({"_id": key})

    def retake_key(self, key: str, claimed_at: datetime, at: datetime) -> bool:
        """Take over a pending key whose attempt was given up; False if another retry took it."""
        taken = self.idempotency.update_one(
            {"_id": key, "state": "pending", "claimed_at": claimed_at}, {"$set": {"claimed_at": at}}
        )
        return taken.matched_count == 1

    def complete_key(self, key: str, result: dict) -> None:
        self.idempotency.update_one({"_id": key}, {"$set": {"state": "done", "result": result}})

    def release_key(self, key: str) -> None:
        """The attempt failed: a retry may take the key over at once. The key stays, with its
        ids, because the attempt may have written part of its work."""
        try:
            with pymongo.timeout(RELEASE_SECONDS):
                self.idempotency.update_one({"_id": key, "state": "pending"}, {"$set": {"claimed_at": RELEASED}})
        except PyMongoError:
            pass  # the database is away (hence the failure): the key is retaken after its grace

    # announcements --------------------------------------------------------------------

    def insert_broadcast(self, broadcast: dict) -> None:
        self.broadcasts.insert_one(broadcast)

    def get_broadcast(self, broadcast_id: str) -> dict | None:
        return self.broadcasts.find_one({"_id": broadcast_id}, {"vendors": 0, "message": 0})

    def hold_broadcast(self, broadcast_id: str, until: datetime) -> None:
        self.broadcasts.update_one({"_id": broadcast_id}, {"$set": {"lease_until": until}})

    def broadcast_sent(self, broadcast_id: str, at: datetime) -> None:
        self.broadcasts.update_one(
            {"_id": broadcast_id}, {"$set": {"status": "sent", "sent_at": at}, "$unset": {"lease_until": ""}}
        )

    def stalled_broadcasts(self, at: datetime, lease: timedelta):
        """Announcements still being delivered whose lease ran out, each taken (its lease
        renewed) by this caller; another process that looks at the same moment gets none."""
        for stalled in self.broadcasts.find({"lease_until": {"$lt": at}}, {"lease_until": 1}):
            taken = update_by_id(
                self.broadcasts,
                stalled["_id"],
                {"$set": {"lease_until": at + lease}},
                {"lease_until": stalled["lease_until"]},
            )
            if taken is not None:
                yield taken

    def insert_threads(self, threads: list[Thread], messages: list[Message]) -> None:
        """Threads first: the relay may pick a message up at once, and must find its thread.
        Documents already there (a delivery run again) are left as they are."""
        split = [split_words(document_of(message)) for message in messages]
        kept, words = [pair[0] for pair in split], [pair[1] for pair in split]
        written = [document_of(thread) for thread in threads]
        for collection, documents in ((self.threads, written), (self.words, words), (self.messages, kept)):
            if not documents:
                continue
            try:
                collection.insert_many(documents, ordered=False)
            except BulkWriteError as error:
                if any(failure["code"] != DUPLICATE_KEY for failure in error.details["writeErrors"]):
                    raise

    def broadcast_threads(self, broadcast_id: str) -> list[Thread]:
        found = self.threads.find({"broadcast_id": broadcast_id}, {"company_id": 1, "read_at": 1, "status": 1})
        return [thread_of(document) for document in found]

    # reminders and escalation ---------------------------------------------------------

    def due_reminders(self, level: int, awaiting_since_before: datetime, limit: int) -> list[Thread]:
        # Two $match stages, the first exactly the reminders index's (see WindowedInbox._select).
        return [
            thread_of(document)
            for document in self.threads.aggregate(
                [
                    {
                        "$match": {
                            "awaiting_reply_from": "vendor",
                            "reminded_level": level - 1,
                            "awaiting_since": {"$lte": awaiting_since_before},
                        }
                    },
                    {"$match": {"type": "vendor_to_customer", "status": "open"}},
                    {"$limit": limit},
                ]
            )
        ]

    def claim_reminder(self, thread: Thread, reminder: dict) -> Thread | None:
        level = reminder["level"]
        changes = {"reminded_level": level}
        if reminder["overdue"]:
            changes["overdue"] = True
        return maybe_thread(
            update_by_id(
                self.threads,
                thread["id"],
                {"$set": changes, "$push": {"pending_reminders": reminder}},
                {
                    "awaiting_reply_from": "vendor",
                    "awaiting_since": thread["awaiting_since"],
                    "reminded_level": level - 1,
                    "status": "open",
                },
            )
        )

    def unpublished_reminders(self, at: datetime, limit: int) -> list[Thread]:
        due = self.threads.find({"pending_reminders.relay_after": {"$lte": at}}).limit(limit)
        return [thread_of(document) for document in due]

    def reminder_published(self, thread_id: str, reminder_id: str) -> None:
        self.threads.update_one({"_id": thread_id}, {"$pull": {"pending_reminders": {"id": reminder_id}}})

    # attachments ----------------------------------------------------------------------

    def attach_uploads(self, upload_ids: list[str], owner: dict, message: Message) -> list[dict]:
        """Each upload is taken by one message at most: the filter and the change are one
        atomic update per file, so two messages naming the same upload cannot both get it. The
        message's own earlier attempt (same id) takes it again."""
        mine = {
            "_id": {"$in": upload_ids},
            "metadata.variant": "original",
            "metadata.owner.role": owner["role"],
            "metadata.owner.user_id": owner["user_id"],
        }
        self.files.update_many(
            {**mine, "metadata.message_id": None, "metadata.expires_at": {"$gt": message["created_at"]}},
            {
                "$set": {
                    "metadata.message_id": message["id"],
                    "metadata.thread_id": message["thread_id"],
                    "metadata.company_id": message.get("company_id"),
                    "metadata.customer_id": message.get("customer_id"),
                    "metadata.expires_at": None,
                }
            },
        )
        taken = {doc["_id"]: doc for doc in self.files.find({**mine, "metadata.message_id": message["id"]})}
        return [attachment_files.described(taken[upload_id]) for upload_id in upload_ids if upload_id in taken]

    def release_uploads(self, message_id: str, expires_at: datetime) -> None:
        self.files.update_many(
            {"metadata.message_id": message_id, "metadata.variant": "original"},
            {"$set": {"metadata.message_id": None, "metadata.thread_id": None, "metadata.expires_at": expires_at}},
        )

    def held_upload_bytes(self, owner: dict, at: datetime) -> int:
        held = self.files.aggregate(
            [
                {
                    "$match": {
                        "metadata.owner.user_id": owner["user_id"],
                        "metadata.owner.role": owner["role"],
                        "metadata.variant": "original",
                        "metadata.message_id": None,
                        "metadata.expires_at": {"$gt": at},
                    }
                },
                {"$group": {"_id": None, "bytes": {"$sum": "$length"}}},
            ]
        )
        return next((int(group["bytes"]) for group in held), 0)

    def get_attachment(self, attachment_id: str) -> dict | None:
        found = self.files.find_one(
            {"_id": attachment_id, "metadata.variant": "original", "metadata.message_id": {"$ne": None}}
        )
        if found is None:
            return None
        return {
            **attachment_files.described(found),
            "thread_id": found["metadata"]["thread_id"],
            "message_id": found["metadata"]["message_id"],
            "thumbnail_id": found["metadata"].get("thumbnail_id"),
        }

    def expire_attachments(
        self, at: datetime, thread_id: str | None = None, company_id: str | None = None, customer_id: str | None = None
    ) -> int:
        whose = {
            f"metadata.{name}": value
            for name, value in (("thread_id", thread_id), ("company_id", company_id), ("customer_id", customer_id))
            if value is not None
        }
        if not whose:
            return 0
        return self.files.update_many(
            {**whose, "metadata.variant": "original"}, {"$set": {"metadata.expires_at": at}}
        ).modified_count

    def delete_expired_attachments(self, at: datetime, limit: int) -> int:
        return attachment_files.delete_kept(self.db, {"metadata.expires_at": {"$ne": None, "$lte": at}}, limit)

    # moderation -----------------------------------------------------------------------

    def insert_review(self, review: dict) -> bool:
        return insert_once(self.message_reviews, review)

    def get_review(self, message_id: str) -> dict | None:
        return self.message_reviews.find_one({"_id": message_id})

    def reviews(self, state: str, newest_first: bool, after: str | None, limit: int) -> list[dict]:
        query: dict[str, object] = {"state": state}
        if after:
            query["_id"] = {"$lt" if newest_first else "$gt": after}
        order = DESCENDING if newest_first else ASCENDING
        return list(self.message_reviews.find(query).sort([("state", ASCENDING), ("_id", order)]).limit(limit))

    def count_reviews(self, state: str) -> int:
        return self.message_reviews.count_documents({"state": state})

    def decide_review(self, message_id: str, state: str, decision: dict) -> dict | None:
        return update_by_id(
            self.message_reviews,
            message_id,
            {"$set": {"state": state, "decision": decision, "decided_at": decision["at"]}},
            {"state": "held"},
        )

    def decisions(self, before: tuple[datetime, str] | None, limit: int) -> list[dict]:
        query: dict[str, object] = {"decided_at": {"$ne": None}}
        if before:
            at, last_id = before
            query = {"decided_at": {"$lte": at}, "$nor": [{"decided_at": at, "_id": {"$gte": last_id}}]}
        return list(
            self.message_reviews.find(query).sort([("decided_at", DESCENDING), ("_id", DESCENDING)]).limit(limit)
        )

    def release_message(
        self, message_id: str, words: list[str], events: list[str], relay_after: datetime
    ) -> Message | None:
        released = update_by_id(
            self.messages,
            message_id,
            {
                "$set": {"moderation.state": "approved", "pending_events": events, "relay_after": relay_after},
                "$unset": {"hidden_from": ""},
            },
            {"moderation.state": "held"},
        )
        if released is not None:
            # Search finds it from now on (its words were kept back while it was held).
            self.words.replace_one({"_id": message_id}, split_words({**released, "words": words})[1], upsert=True)
        return maybe_message(released)

    def reject_message(self, message_id: str, reason: str) -> Message | None:
        return maybe_message(
            update_by_id(
                self.messages,
                message_id,
                {"$set": {"moderation.state": "rejected", "moderation.reason": reason}},
                {"moderation.state": "held"},
            )
        )

    def reveal_thread(self, thread_id: str, open_key: str | None) -> Thread | None:
        revealed = update_by_id(self.threads, thread_id, {"$unset": {"hidden_from": "", "review": ""}})
        if revealed is not None and open_key and revealed["status"] == "open":
            try:
                revealed = update_by_id(self.threads, thread_id, {"$set": {"open_key": open_key}}) or revealed
            except DuplicateKeyError:
                pass  # another open thread of the same parties and object holds it
        return maybe_thread(revealed)

    def reject_thread(self, thread_id: str, reason: str) -> None:
        self.threads.update_one({"_id": thread_id}, {"$set": {"review": {"state": "rejected", "reason": reason}}})

    # history brought in (imports.py) --------------------------------------------------

    def import_history(self, threads: list[Thread], messages: list[Message]) -> None:
        """Messages first (with their words), then their threads as they now stand, in one
        write each: a run stopped between the two writes the messages again, ignored, and the
        threads then. A thread is written whole: the import folded its messages into it."""
        # In slices: one long write keeps the server from answering the driver's heartbeat,
        # which then gives the server up and cancels every operation in flight (the embedded
        # server took over 2 s for 2,000 messages and their words).
        for start in range(0, len(messages), IMPORT_SLICE):
            self.insert_threads([], messages[start : start + IMPORT_SLICE])
        for start in range(0, len(threads), IMPORT_SLICE):
            self.threads.bulk_write(
                [
                    ReplaceOne({"_id": thread["id"]}, document_of(thread), upsert=True)
                    for thread in threads[start : start + IMPORT_SLICE]
                ],
                ordered=False,
            )

    # figures --------------------------------------------------------------------------

    def first_replies(self, start: datetime, end: datetime, company_id: str | None) -> list[Thread]:
        query = {
            "type": "vendor_to_customer",
            "status": {"$ne": "deleted"},
            "first_customer_message_at": {"$gte": start, "$lt": end},
        }
        if company_id:
            query["company_id"] = company_id
        found = self.threads.find(
            query, {"company_id": 1, "first_customer_message_at": 1, "first_reply_at": 1, "overdue": 1}
        )
        return [thread_of(document) for document in found]

    # settings -------------------------------------------------------------------------

    def get_settings(self) -> dict:
        return self.remembered_settings.get(
            "conversations", lambda: self.settings.find_one({"_id": "conversations"}) or {}
        )

    def put_settings(self, values: dict) -> dict:
        saved = self.settings.find_one_and_update(
            {"_id": "conversations"}, {"$set": values}, upsert=True, return_document=ReturnDocument.AFTER
        )
        self.remembered_settings.forget()
        return saved


def as_query(wanted: InboxFilter) -> dict:
    """An inbox filter in MongoDB's words: flat (see mongo_inbox.narrow), owner first."""
    if wanted.nothing:
        return {"_id": {"$in": []}}
    found = {}
    for name in ("company_id", "customer_id"):
        if getattr(wanted, name) is not None:
            found[name] = getattr(wanted, name)
    if wanted.types is not None:
        found["type"] = wanted.types[0] if len(wanted.types) == 1 else {"$in": list(wanted.types)}
    if wanted.groups is not None:
        found["group"] = {"$in": list(wanted.groups)}
    found["status"] = wanted.statuses[0] if len(wanted.statuses) == 1 else {"$in": list(wanted.statuses)}
    if wanted.object_type:
        found["object.type"] = wanted.object_type
    if wanted.object_id:
        found["object.id"] = wanted.object_id
    if wanted.customer_text:
        pattern = {"$regex": re.escape(wanted.customer_text), "$options": "i"}
        found["$or"] = [{"customer.name": pattern}, {"customer.email": pattern}]
    for value, field, operator in (
        (wanted.created_from, "created_at", "$gte"),
        (wanted.created_to, "created_at", "$lt"),
        (wanted.active_from, "last_message_at", "$gte"),
        (wanted.active_to, "last_message_at", "$lt"),
    ):
        if value is not None:
            found.setdefault(field, {})[operator] = value
    if wanted.unread is True:
        found[f"unread.{wanted.reader_side}"] = {"$gt": 0}
    elif wanted.unread is False:
        found[f"unread.{wanted.reader_side}"] = {"$in": [0, None]}
    if wanted.reader_side:
        found["hidden_from"] = {"$ne": wanted.reader_side}
    if wanted.awaiting_reply_from:
        found["awaiting_reply_from"] = wanted.awaiting_reply_from
    if wanted.overdue is True:
        found["overdue"] = True
    elif wanted.overdue is False:
        found["overdue"] = {"$ne": True}  # threads from before reminders have no flag
    if wanted.words:
        found["words"] = {"$all": list(wanted.words)}
    return found


def _update_for(effect: MessageEffect, message: Message) -> dict:
    """A message's effect on its thread as one update."""
    changes = {
        "last_message_at": effect.at,
        "updated_at": effect.at,
        "last_message": last_message(message),
        "awaiting_reply_from": effect.awaiting_reply_from,
        "awaiting_since": effect.awaiting_since,
    }
    if effect.author_reads:
        changes.update({f"unread.{effect.author_side}": 0, f"read_at.{effect.author_side}": effect.at})
    for name in ("first_customer_message_at", "first_reply_at"):
        if getattr(effect, name) is not None:
            changes[name] = getattr(effect, name)
    if effect.restarts_wait:
        changes.update(reminded_level=0, overdue=False)
    counters = {f"unread.{side}": 1 for side in effect.notified_sides}
    counters["message_count"] = 1
    return {"$set": changes, "$inc": counters}
