"""Threads, messages, announcements, idempotency keys and settings in MongoDB.

Every verb is one domain action; nothing here decides who may do what (services/common/access.py, rules.py).
"""
import copy
import json
import re
from collections import OrderedDict
from datetime import datetime, timedelta, timezone

import pymongo
from pymongo import ASCENDING, DESCENDING, ReturnDocument
from pymongo.errors import BulkWriteError, DuplicateKeyError, PyMongoError

from services.common.clock import now
from services.common.mongo import update_by_id

from . import pagination

SORT_FIELDS = {"last_message_at": "last_message_at", "created_at": "created_at", "id": "_id"}
MOVED_LIMIT = 1000
# The inbox's windows of time (ThreadStore._newest).
FIRST_WINDOW = timedelta(seconds=1)
WINDOWS = 10
SEARCH_BUDGET = 500
# A search looked up by word answers from the newest this many threads holding its words.
SEARCH_THREADS = 2000
WIDEST_WINDOW = timedelta(days=3650)
MILLISECOND = timedelta(milliseconds=1)
DUPLICATE_KEY = 11000
# The claim time of an Idempotency-Key whose attempt failed: long enough ago to retake at once.
RELEASED = datetime(2000, 1, 1, tzinfo=timezone.utc)
# Nothing but an undelete (there is none) moves a thread out of "deleted".
NOT_DELETED = {"status": {"$ne": "deleted"}}
# Releasing a key is worth a short wait only: the caller is waiting for its 503.
RELEASE_SECONDS = 0.5


class ThreadStore:
    def __init__(self, db):
        self.db = db
        self.threads = db.threads
        self.messages = db.messages
        self.broadcasts = db.broadcasts
        self.idempotency = db.idempotency
        self.settings = db.settings
        self.rate_limits = db.rate_limits

    @staticmethod
    def create_indexes(db):
        threads = db.threads
        # The inbox of each kind of caller, newest activity first, with a tie-break on _id.
        for owner in ("company_id", "customer_id"):
            threads.create_index([(owner, ASCENDING), ("last_message_at", DESCENDING), ("_id", DESCENDING)])
            threads.create_index([(owner, ASCENDING), ("created_at", DESCENDING), ("_id", DESCENDING)])
        threads.create_index([("last_message_at", DESCENDING), ("_id", DESCENDING)])
        threads.create_index([("created_at", DESCENDING), ("_id", DESCENDING)])
        # One open thread per parties and object; the key is removed when the thread closes.
        threads.create_index("open_key", unique=True, sparse=True)
        threads.create_index("broadcast_id", sparse=True)
        db.messages.create_index([("thread_id", ASCENDING), ("_id", DESCENDING)])
        # Search: the words of each message, on the message. Never on the thread: nothing
        # stored in a thread grows with its number of messages, and a message's index entries
        # are written once, with it.
        # The windows of a search ask which of a few threads hold the words; a rare word is
        # looked up by itself.
        db.messages.create_index([("thread_id", ASCENDING), ("words", ASCENDING)])
        db.messages.create_index("words")
        db.messages.create_index([("thread_id", ASCENDING), ("created_at", DESCENDING)])
        # The outbox: messages whose events are not out yet carry `relay_after`.
        db.messages.create_index("relay_after", sparse=True)
        db.idempotency.create_index("created_at", expireAfterSeconds=24 * 3600)
        db.rate_limits.create_index("expires_at", expireAfterSeconds=0)
        # Only announcements still being delivered have a lease.
        db.broadcasts.create_index("lease_until", sparse=True)

    # threads --------------------------------------------------------------------------

    def insert_thread(self, thread: dict) -> bool:
        """False when an open thread of the same parties and object already exists."""
        try:
            self.threads.insert_one(thread)
            return True
        except DuplicateKeyError:
            return False

    def find_open(self, open_key: str) -> dict | None:
        return self.threads.find_one({"open_key": open_key})

    def get(self, thread_id: str) -> dict | None:
        return self.threads.find_one({"_id": thread_id})

    def get_many(self, thread_ids: list[str]) -> list[dict]:
        return list(self.threads.find({"_id": {"$in": thread_ids}}))

    def insert_message(self, message: dict) -> bool:
        """False when it is stored already (a request done again writes the same ids)."""
        try:
            self.messages.insert_one(message)
            return True
        except DuplicateKeyError:
            return False

    def remove_message(self, message_id: str) -> None:
        self.messages.delete_one({"_id": message_id})

    def add_message(self, thread: dict, message: dict, changes: dict) -> dict | None:
        """Move the thread on for a stored message: last message, counters. None when
        the thread was deleted meanwhile: a deleted thread stays deleted."""
        update = {
            "$set": {**changes["$set"],
                     "last_message": {"id": message["_id"], "author": message["author"],
                                      "preview": message["preview"]}},
            "$inc": changes["$inc"],
        }
        return update_by_id(self.threads, thread["_id"], update, NOT_DELETED)

    def reopen(self, thread: dict, open_key: str | None) -> None:
        """A closed thread that receives a message is open again (a deleted one is not); it
        takes back its open key unless a newer open thread of the same parties holds it."""
        self.threads.update_one({"_id": thread["_id"], "status": "closed"}, {"$set": {"status": "open"}})
        if open_key:
            try:
                self.threads.update_one({"_id": thread["_id"], "status": "open"}, {"$set": {"open_key": open_key}})
            except DuplicateKeyError:
                pass

    def set_status(self, thread_id: str, status: str, open_key: str | None) -> dict | None:
        """The thread as it is now; None when it is deleted (and stays so)."""
        if status == "open" and open_key:
            try:
                return update_by_id(self.threads, thread_id,
                                    {"$set": {"status": status, "open_key": open_key, "updated_at": now()}},
                                    NOT_DELETED)
            except DuplicateKeyError:
                pass
        update = {"$set": {"status": status, "updated_at": now()}}
        if status != "open":
            update["$unset"] = {"open_key": ""}
        return update_by_id(self.threads, thread_id, update, NOT_DELETED)

    def mark_read(self, thread_id: str, side: str, at: datetime) -> dict | None:
        return update_by_id(self.threads, thread_id, {"$set": {f"unread.{side}": 0, f"read_at.{side}": at}})

    def soft_delete_where(self, criteria: dict) -> int:
        result = self.threads.update_many({**criteria, "status": {"$ne": "deleted"}},
                                          {"$set": {"status": "deleted", "updated_at": now()},
                                           "$unset": {"open_key": ""}})
        return result.modified_count

    def refresh_context(self, target: dict, summary: dict) -> int:
        result = self.threads.update_many({"object.type": target["type"], "object.id": target["id"]},
                                          {"$set": {"context": summary}})
        return result.modified_count

    # inbox ----------------------------------------------------------------------------

    def inbox(self, criteria: dict, sort: str, order: str, limit: int, cursor: str | None) -> tuple[list, str | None]:
        field = SORT_FIELDS[sort]
        direction = DESCENDING if order == "desc" else ASCENDING
        before = "$lt" if direction == DESCENDING else "$gt"
        as_of = now()
        moved = []
        query = copy.deepcopy(criteria)
        if cursor:
            value, last_id, as_of = pagination.decode(cursor, sort_is_time=field != "_id")
            self._after(query, field, before, value, last_id)
            if field == "last_message_at":
                moved = self._moved_since(criteria, as_of, before, value, last_id, limit + 1)
        if field == "last_message_at":
            narrow(query, "last_message_at", "$lte", as_of)
        order_by = [(field, direction)] + ([("_id", direction)] if field != "_id" else [])
        if field != "_id" and direction == DESCENDING:
            page = self._newest(query, field, order_by, limit + 1, as_of)
        elif "words" in query:
            page = self._by_words(query, order_by, limit + 1)
        else:
            page = list(self.threads.find(query).sort(order_by).limit(limit + 1))
        if moved:
            page = sorted(page + moved, key=lambda t: (t.get("_position") or t[field], t["_id"]),
                          reverse=direction == DESCENDING)
        items, more = page[:limit], len(page) > limit
        next_cursor = None
        if more and items:
            last = items[-1]
            next_cursor = pagination.encode(last.get("_position") or last[field], last["_id"], as_of)
        for item in items:
            item.pop("_position", None)
        return items, next_cursor

    @staticmethod
    def _after(query, field, before, value, last_id):
        """Past the cursor: (field, _id) beyond (value, last_id), written as a range on the
        sort field plus a $nor, so the inbox index serves it (an $or would not be)."""
        if field == "_id":
            narrow(query, "_id", before, last_id)
            return
        narrow(query, field, before + "e", value)
        query["$nor"] = [{field: value, "_id": {"$gte" if before == "$lt" else "$lte": last_id}}]

    def _moved_since(self, criteria, as_of, before, value, last_id, limit):
        """Threads that received a message after the first page was read, placed where their
        last message before that moment put them (threads newer than it are left out)."""
        later = copy.deepcopy(criteria)
        narrow(later, "last_message_at", "$gt", as_of)
        recent = {**_owner(criteria), "last_message_at": {"$gt": as_of}}
        words = later.pop("words", {}).get("$all")
        moved = {t["_id"]: t for t in self._select(recent, later, [("last_message_at", DESCENDING)], MOVED_LIMIT)}
        if words:
            held = self._holding(list(moved), words)
            moved = {thread_id: thread for thread_id, thread in moved.items() if thread_id in held}
        if not moved:
            return []
        positions = self.messages.aggregate([
            {"$match": {"thread_id": {"$in": list(moved)}, "created_at": {"$lte": as_of}}},
            {"$group": {"_id": "$thread_id", "at": {"$max": "$created_at"}}},
        ])
        placed = []
        for row in positions:
            position = (row["at"], row["_id"])
            beyond_cursor = position < (value, last_id) if before == "$lt" else position > (value, last_id)
            if beyond_cursor:
                thread = moved[row["_id"]]
                thread["_position"] = row["at"]
                placed.append(thread)
        return placed

    def _newest(self, query: dict, field: str, order_by: list, limit: int, as_of: datetime) -> list[dict]:
        """The first `limit` threads matching `query`, newest `field` first, read in windows of
        time walking back from the newest.

        Each window asks the inbox index for a bounded range of one owner's threads, so a page
        reads about the threads it shows, however many the owner has. MongoDB would stop its
        index walk at the limit anyway; the development database reads, filters and sorts every
        document the index gives before it applies a limit (a page of 20 cost all 100,000 of a
        vendor's threads). The first window is a second wide; after an empty one the next is
        4 times wider, after one with threads as wide as their density says the missing ones
        need. After a few windows, one query reads everything older: a quiet inbox is small or
        has nothing recent.

        A search keeps, of each window's threads, those whose messages hold its words
        (_holding). It counts the threads its windows read against those that matched: once
        finding the missing ones that way would read more than SEARCH_BUDGET threads, the word
        is rare in this inbox, and the threads are looked up by word instead (_by_words), as
        they are for what the windows leave.

        What a page spanned is remembered (PAGE_SPANS): the next page of the same inbox starts
        with one window that wide, so an inbox opened again and again costs one query. So is
        an inbox shorter than a page (read at once next time, as a customer's is at first).
        """
        bounds = query.get(field, {})
        upper = min([bounds[op] for op in ("$lt", "$lte") if op in bounds] or [as_of])
        lows = [bounds[op] for op in ("$gt", "$gte") if op in bounds]
        lower = max(lows) if lows else None
        owner = _owner(query)
        inbox = PAGE_SPANS.key(query, field)
        words = (query.get("words") or {}).get("$all")
        rest = {name: value for name, value in query.items() if name != "words"}
        # A customer's inbox holds a few threads: read at once until it proves longer than a page.
        remembered = PAGE_SPANS.get(inbox) or (AT_ONCE if "customer_id" in owner else None)
        found, read, high = [], 0, upper
        width = max(remembered * 1.25, FIRST_WINDOW) if isinstance(remembered, timedelta) else FIRST_WINDOW

        def rare() -> bool:
            """Finding the missing threads by window would read more than SEARCH_BUDGET."""
            return bool(words and read) and (limit - len(found)) * read / max(len(found), 0.5) > SEARCH_BUDGET

        for _ in range(0 if remembered in (BY_WORD, AT_ONCE) else WINDOWS):
            low = high - width
            last = lower is not None and low <= lower
            if last:
                low = lower - MILLISECOND  # times are whole milliseconds: `> lower - 1 ms` is `>= lower`
            bounded = {**owner, field: {"$gt": low, "$lte": high}}
            if words:
                candidates = self._select(bounded, rest, order_by, None)
                read += len(candidates)
                held = self._holding([thread["_id"] for thread in candidates], words)
                window = [thread for thread in candidates if thread["_id"] in held][:limit - len(found)]
            else:
                window = self._select(bounded, query, order_by, limit - len(found))
            found += window
            high = low
            if len(found) >= limit:
                PAGE_SPANS.put(inbox, upper - found[-1][field])
                return found
            if last:
                return found
            if rare():
                break
            growth = (limit - len(found)) / len(window) * 1.5 if window else 4
            width = min(width * min(max(growth, 2), 1000), WIDEST_WINDOW)
        older = copy.deepcopy(query)
        narrow(older, field, "$lte", high)
        if words:
            if remembered == BY_WORD or rare():
                PAGE_SPANS.put(inbox, BY_WORD)
            return found + self._by_words(older, order_by, limit - len(found))
        page = found + self._select({**owner, field: {"$lte": high}}, older, order_by, limit - len(found))
        # An inbox shorter than a page is read at once next time; a longer one by windows.
        PAGE_SPANS.put(inbox, upper - page[-1][field] if len(page) >= limit else AT_ONCE)
        return page

    def _select(self, leading: dict, rest: dict, order_by: list, limit: int | None) -> list[dict]:
        """find({**leading, **rest}).sort(order_by).limit(limit), written as an aggregate whose
        first $match is what an index serves. MongoDB merges the two $match stages into one
        indexed query; the development database looks the first up in its index and filters
        the rest itself, where a find with both read every thread (it plans a filter by index
        only when every field of it leads an index)."""
        return list(self.threads.aggregate([{"$match": leading}, {"$match": rest}, {"$sort": dict(order_by)}]
                                           + ([{"$limit": limit}] if limit is not None else [])))

    def _holding(self, thread_ids: list[str], words: list[str]) -> set[str]:
        """Of these threads, those among whose messages every word appears (in one message or
        spread over several)."""
        if not thread_ids:
            return set()
        return {row["_id"] for row in self.messages.aggregate(
            [{"$match": {"thread_id": {"$in": thread_ids}, "words": {"$in": words}}}] + _every_word(words))}

    def _by_words(self, query: dict, order_by: list, limit: int) -> list[dict]:
        """The threads matching `query` looked up by their words: of the newest SEARCH_THREADS
        threads whose messages hold every word, in the caller's reach."""
        rest = dict(query)
        words = rest.pop("words")["$all"]
        rows = self.messages.aggregate([
            {"$match": {"words": {"$in": words}}},  # see _select
            {"$match": {**_owner(query)}},
        ] + _every_word(words) + [{"$sort": {"at": DESCENDING}}, {"$limit": SEARCH_THREADS}])
        holding = [row["_id"] for row in rows]
        reach = rest.get("_id", {}).get("$in")
        if reach is not None:  # the criteria allow some threads only (or none)
            allowed = set(reach)
            holding = [thread_id for thread_id in holding if thread_id in allowed]
        return self._select({"_id": {**rest.get("_id", {}), "$in": holding}}, rest, order_by, limit)

    def count_unread(self, criteria: dict, side: str) -> dict:
        rows = self.threads.aggregate([
            {"$match": _owner(criteria)},  # see _select
            {"$match": {**criteria, f"unread.{side}": {"$gt": 0}}},
            {"$group": {"_id": "$type", "count": {"$sum": 1}}},
        ])
        return {row["_id"]: row["count"] for row in rows}

    # messages -------------------------------------------------------------------------

    def messages_page(self, thread_id: str, before: str | None, limit: int) -> tuple[list, str | None]:
        """The `limit` messages before `before` (newest page when None), oldest first."""
        query = {"thread_id": thread_id}
        if before:
            query["_id"] = {"$lt": before}
        newest_first = list(self.messages.find(query).sort("_id", DESCENDING).limit(limit + 1))
        more = len(newest_first) > limit
        page = list(reversed(newest_first[:limit]))
        return page, (page[0]["_id"] if more and page else None)

    def get_message(self, message_id: str) -> dict | None:
        return self.messages.find_one({"_id": message_id})

    # the outbox: events not yet published ---------------------------------------------

    def unpublished_messages(self, at: datetime, limit: int) -> list[dict]:
        return list(self.messages.find({"relay_after": {"$lte": at}}).sort("relay_after", ASCENDING).limit(limit))

    def relay_soon(self, message_ids: list[str], at: datetime) -> None:
        self.messages.update_many({"_id": {"$in": message_ids}, "relay_after": {"$exists": True}},
                                  {"$set": {"relay_after": at}})

    def mark_published(self, message_ids: list[str]) -> None:
        self.messages.update_many({"_id": {"$in": message_ids}}, {"$unset": {"pending_events": "", "relay_after": ""}})

    # rate limits ----------------------------------------------------------------------

    def count_toward(self, key: str, allowed: float, until: datetime) -> bool:
        """Count one more under `key` if fewer than `allowed` are counted; False when the limit
        is reached. One write: a full window's document no longer matches the filter, and the
        upsert that follows collides with it on _id."""
        try:
            self.rate_limits.update_one({"_id": key, "count": {"$lt": allowed}},
                                        {"$inc": {"count": 1}, "$setOnInsert": {"expires_at": until}},
                                        upsert=True)
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
            self.idempotency.insert_one({"_id": key, "fingerprint": fingerprint, "state": "pending",
                                         "created_at": at, "claimed_at": at, "ids": ids})
            return None
        except DuplicateKeyError:
            return self.idempotency.find_one({"_id": key})

    def retake_key(self, key: str, claimed_at: datetime, at: datetime) -> bool:
        """Take over a pending key whose attempt was given up; False if another retry took it."""
        taken = self.idempotency.update_one({"_id": key, "state": "pending", "claimed_at": claimed_at},
                                            {"$set": {"claimed_at": at}})
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
        self.broadcasts.update_one({"_id": broadcast_id}, {"$set": {"status": "sent", "sent_at": at},
                                                           "$unset": {"lease_until": ""}})

    def stalled_broadcasts(self, at: datetime, lease: timedelta):
        """Announcements still being delivered whose lease ran out, each taken (its lease
        renewed) by this caller; another process that looks at the same moment gets none."""
        for stalled in self.broadcasts.find({"lease_until": {"$lt": at}}, {"lease_until": 1}):
            taken = update_by_id(self.broadcasts, stalled["_id"], {"$set": {"lease_until": at + lease}},
                                 {"lease_until": stalled["lease_until"]})
            if taken is not None:
                yield taken

    def insert_threads(self, threads: list[dict], messages: list[dict]) -> None:
        """Threads first: the relay may pick a message up at once, and must find its thread.
        Documents already there (a delivery run again) are left as they are."""
        for collection, documents in ((self.threads, threads), (self.messages, messages)):
            if not documents:
                continue
            try:
                collection.insert_many(documents, ordered=False)
            except BulkWriteError as error:
                if any(failure["code"] != DUPLICATE_KEY for failure in error.details["writeErrors"]):
                    raise

    def broadcast_threads(self, broadcast_id: str) -> list[dict]:
        return list(self.threads.find({"broadcast_id": broadcast_id},
                                      {"company_id": 1, "read_at": 1, "status": 1}))

    # figures --------------------------------------------------------------------------

    def first_replies(self, start: datetime, end: datetime, company_id: str | None) -> list[dict]:
        query = {"type": "vendor_to_customer", "status": {"$ne": "deleted"},
                 "first_customer_message_at": {"$gte": start, "$lt": end}}
        if company_id:
            query["company_id"] = company_id
        return list(self.threads.find(query, {"company_id": 1, "first_customer_message_at": 1,
                                              "first_reply_at": 1}))

    # settings -------------------------------------------------------------------------

    def get_settings(self) -> dict:
        return self.settings.find_one({"_id": "conversations"}) or {}

    def put_settings(self, values: dict) -> dict:
        return self.settings.find_one_and_update({"_id": "conversations"}, {"$set": values}, upsert=True,
                                                 return_document=ReturnDocument.AFTER)


class PageSpans:
    """How far back in time the last page of each inbox (an owner and its filters) reached,
    kept by the process for the least recently used 10,000 inboxes; or BY_WORD for a search
    that was last answered by looking its word up; or AT_ONCE for an inbox shorter than its
    page, read in one query."""

    def __init__(self, size: int = 10_000):
        self.size = size
        self.spans = OrderedDict()

    @staticmethod
    def key(query: dict, field: str) -> str:
        # The position (the time bounds and the cursor's $nor) is not part of an inbox's name.
        named = {name: value for name, value in query.items() if name not in (field, "$nor")}
        return field + json.dumps(named, sort_keys=True, default=str)

    def get(self, key: str):
        if key in self.spans:
            self.spans.move_to_end(key)
        return self.spans.get(key)

    def put(self, key: str, span) -> None:
        self.spans[key] = span
        self.spans.move_to_end(key)
        if len(self.spans) > self.size:
            self.spans.popitem(last=False)


BY_WORD = "by word"
AT_ONCE = "at once"
PAGE_SPANS = PageSpans()


def _every_word(words: list[str]) -> list[dict]:
    """Stages that group matching messages by thread and keep the threads holding every word,
    each with the time of its newest such message."""
    return [
        {"$project": {"thread_id": 1, "created_at": 1, "found": {"$setIntersection": ["$words", words]}}},
        {"$unwind": "$found"},
        {"$group": {"_id": "$thread_id", "found": {"$addToSet": "$found"}, "at": {"$max": "$created_at"}}},
        {"$match": {"found": {"$size": len(words)}}},
    ]


def _owner(criteria: dict) -> dict:
    """The filter's equality on the field that leads an inbox index (the vendor's or the
    customer's id), or nothing (the administration's inbox: indexed by time alone)."""
    for name in ("company_id", "customer_id"):
        if isinstance(criteria.get(name), str):
            return {name: criteria[name]}
    return {}


def narrow(query: dict, field: str, operator: str, value) -> None:
    """Add a range bound to a flat filter, keeping the tighter of two bounds of one kind.

    Filters stay flat (no top-level $and) because a flat filter is what every MongoDB-wire
    server matches against its indexes; the development database scans on an $and.
    """
    bounds = query.setdefault(field, {})
    if operator in bounds:
        tighter = min if operator in ("$lt", "$lte") else max
        value = tighter(bounds[operator], value)
    bounds[operator] = value


def substring(text: str) -> dict:
    return {"$regex": re.escape(text), "$options": "i"}
