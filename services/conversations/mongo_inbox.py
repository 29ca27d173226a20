"""Reading one page of an inbox from MongoDB: two readers behind one verb, `page`.

- `PlainInbox`, the default: one indexed query per page. MongoDB stops its index walk at the
  page's limit, so a page of 20 reads about 20 threads however many the owner has.
- `WindowedInbox`, for a server that reads, filters and sorts every document an index gives
  before it applies a limit (the embedded development database, SecantusDB): a page of 20 cost
  all 100,000 of a vendor's threads there. It asks for windows of time instead.

INBOX_READER (services/common/config.py) chooses; `make run`, the test stack, the fault suite
and the bench set `windowed` beside the embedded database. Both page exactly as one sorted
query would (tests/conversations/test_store_contract.py).

Both take the filter already in MongoDB's words (mongo_store.criteria) and keep the cursor's
promise: a thread that received a message after the first page was read keeps the place its
last message before that moment gave it (`_moved_since`), so paging never repeats or skips one.
"""

import copy
import json
from collections import OrderedDict
from datetime import datetime, timedelta

from pymongo import ASCENDING, DESCENDING

from services.common.clock import now

from . import pagination
from .mongo_records import thread_of
from .records import Thread

SORT_FIELDS = {"last_message_at": "last_message_at", "created_at": "created_at", "id": "_id"}
MOVED_LIMIT = 1000
# A search looked up by word answers from the newest this many threads holding its words.
SEARCH_THREADS = 2000


class PlainInbox:
    """One indexed find per page; a search looks its words up among the messages first."""

    def __init__(self, db, search_threads: int = SEARCH_THREADS):
        self.threads = db.threads
        self.messages = db.messages
        self.words = db.message_words  # mongo_words.split_words
        self.search_threads = search_threads

    def page(
        self, criteria: dict, sort: str, order: str, limit: int, cursor: str | None
    ) -> tuple[list[Thread], str | None]:
        field = SORT_FIELDS[sort]
        direction = DESCENDING if order == "desc" else ASCENDING
        before = "$lt" if direction == DESCENDING else "$gt"
        as_of = now()
        moved = []
        query = copy.deepcopy(criteria)
        if cursor:
            value, last_id, as_of = pagination.decode(cursor, sort_is_time=field != "_id")
            _after(query, field, before, value, last_id)
            if field == "last_message_at":
                moved = self._moved_since(criteria, as_of, before, value, last_id)
        if field == "last_message_at":
            narrow(query, "last_message_at", "$lte", as_of)
        order_by = [(field, direction)] + ([("_id", direction)] if field != "_id" else [])
        page = self._first(query, field, order_by, limit + 1, as_of, first_page=cursor is None)
        if moved:
            page = sorted(
                page + moved, key=lambda t: (t.get("_position") or t[field], t["_id"]), reverse=direction == DESCENDING
            )
        items, more = page[:limit], len(page) > limit
        next_cursor = None
        if more and items:
            last = items[-1]
            next_cursor = pagination.encode(last.get("_position") or last[field], last["_id"], as_of)
        for item in items:
            item.pop("_position", None)
        return [thread_of(item) for item in items], next_cursor

    def _first(
        self, query: dict, field: str, order_by: list, limit: int, as_of: datetime, first_page: bool
    ) -> list[dict]:
        """The first `limit` threads matching `query` in `order_by`."""
        if "words" in query:
            return self._by_words(query, order_by, limit)
        return self._select({}, query, order_by, limit)

    def _select(self, leading: dict, rest: dict, order_by: list, limit: int | None) -> list[dict]:
        """find({**leading, **rest}).sort(order_by).limit(limit): `leading` is what an index
        serves (WindowedInbox asks for it alone first)."""
        found = self.threads.find({**leading, **rest}).sort(order_by)
        return list(found.limit(limit) if limit is not None else found)

    def _moved_since(self, criteria, as_of, before, value, last_id):
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
        positions = self.messages.aggregate(
            [
                {"$match": {"thread_id": {"$in": list(moved)}, "created_at": {"$lte": as_of}}},
                {"$group": {"_id": "$thread_id", "at": {"$max": "$created_at"}}},
            ]
        )
        placed = []
        for row in positions:
            position = (row["at"], row["_id"])
            beyond_cursor = position < (value, last_id) if before == "$lt" else position > (value, last_id)
            if beyond_cursor:
                thread = moved[row["_id"]]
                thread["_position"] = row["at"]
                placed.append(thread)
        return placed

    def _holding(self, thread_ids: list[str], words: list[str]) -> set[str]:
        """Of these threads, those among whose messages every word appears (in one message or
        spread over several).

        One find a word, each asking only among the threads the words before it left: an
        equality on the word and an $in on the thread, which the `(words, thread_id)` index
        serves as one exact key a thread, the entries of the messages holding that word and no
        other. ({thread_id: {$in}, words: {$in}} was served by the thread alone on the
        development database: every word of every message of the threads, 6,353 index entries
        and 558 documents for 50 threads to keep 61, 50-65 ms against 6.)"""
        held = list(dict.fromkeys(thread_ids))
        for word in dict.fromkeys(words):
            if not held:
                break
            found = {
                row["thread_id"]
                for row in self.words.find({"words": word, "thread_id": {"$in": held}}, {"thread_id": 1, "_id": 0})
            }
            held = [thread_id for thread_id in held if thread_id in found]
        return set(held)

    def _by_words(self, query: dict, order_by: list, limit: int) -> list[dict]:
        """The threads matching `query` looked up by their words: of the newest
        `search_threads` threads whose messages hold every word, in the caller's reach."""
        rest = dict(query)
        words = rest.pop("words")["$all"]
        rows = self.words.aggregate(
            [
                {"$match": {"words": {"$in": words}}},
                {"$match": {**_owner(query)}},  # separate: see WindowedInbox._select
            ]
            + _every_word(words)
            + [{"$sort": {"at": DESCENDING}}, {"$limit": self.search_threads}]
        )
        holding = [row["_id"] for row in rows]
        reach = rest.get("_id", {}).get("$in")
        if reach is not None:  # the criteria allow some threads only (or none)
            allowed = set(reach)
            holding = [thread_id for thread_id in holding if thread_id in allowed]
        return self._select({"_id": {**rest.get("_id", {}), "$in": holding}}, rest, order_by, limit)


class WindowedInbox(PlainInbox):
    """The inbox read in windows of time walking back from the newest, for a server that cannot
    stop an index walk at the limit. It remembers how far back each inbox's pages reached
    (`spans`, its own, bounded), so an inbox opened again and again costs one query."""

    FIRST_WINDOW = timedelta(seconds=1)
    WINDOWS = 10
    HOLDING_CHUNK = 50
    WIDEST_WINDOW = timedelta(days=3650)

    def __init__(
        self, db, search_threads: int = SEARCH_THREADS, search_budget: int = 500, remembered_inboxes: int = 10_000
    ):
        super().__init__(db, search_threads)
        # A search reads at most this many threads by window before it looks its words up instead.
        self.search_budget = search_budget
        self.spans = PageSpans(remembered_inboxes)

    def _first(self, query, field, order_by, limit, as_of, first_page):
        if field != "_id" and order_by[0][1] == DESCENDING:
            return self._newest(query, field, order_by, limit, as_of, first_page)
        return super()._first(query, field, order_by, limit, as_of, first_page)

    def _select(self, leading: dict, rest: dict, order_by: list, limit: int | None) -> list[dict]:
        """Written as an aggregate whose first $match is what an index serves. MongoDB merges
        the two $match stages into one indexed query; the development database looks the
        first up in its index and filters the rest itself, where a find with both read every
        thread (it plans a filter by index only when every field of it leads an index)."""
        return list(
            self.threads.aggregate(
                [{"$match": leading}, {"$match": rest}, {"$sort": dict(order_by)}]
                + ([{"$limit": limit}] if limit is not None else [])
            )
        )

    def _newest(
        self, query: dict, field: str, order_by: list, limit: int, as_of: datetime, first_page: bool
    ) -> list[dict]:
        """The first `limit` threads matching `query`, newest `field` first, read in windows.

        Each window asks the inbox index for a bounded range of one owner's threads, so a page
        reads about the threads it shows. The first window is a second wide; after an empty one
        the next is 4 times wider, after one with threads as wide as their density says the
        missing ones need. After a few windows, one query reads everything older: a quiet
        inbox is small or has nothing recent.

        A search keeps, of each window's threads, those whose messages hold its words
        (_holding). It counts the threads its windows read against those that matched: once
        finding the missing ones that way would read more than `search_budget` threads, the
        word is rare in this inbox, and the threads are looked up by word instead (_by_words),
        as they are for what the windows leave.

        What a page spanned is remembered: the next page of the same inbox starts with one
        window that wide. So is an inbox that its first page holds whole (read at once next
        time, as a customer's is at first); a later page that comes up short says only that
        the inbox ends there, not that it is short.
        """
        bounds = query.get(field, {})
        upper = min([bounds[op] for op in ("$lt", "$lte") if op in bounds] or [as_of])
        lows = [bounds[op] for op in ("$gt", "$gte") if op in bounds]
        lower = max(lows) if lows else None
        owner = _owner(query)
        inbox = self.spans.key(query, field)
        words = (query.get("words") or {}).get("$all")
        rest = {name: value for name, value in query.items() if name != "words"}
        # A customer's inbox holds a few threads: read at once until it proves longer than a page.
        remembered = self.spans.get(inbox) or (AT_ONCE if "customer_id" in owner else None)
        found: list[dict] = []
        read, high = 0, upper
        width = max(remembered * 1.25, self.FIRST_WINDOW) if isinstance(remembered, timedelta) else self.FIRST_WINDOW

        def rare() -> bool:
            """Finding the missing threads by window would read more than the search budget."""
            return bool(words and read) and (limit - len(found)) * read / max(len(found), 0.5) > self.search_budget

        for _ in range(0 if remembered in (BY_WORD, AT_ONCE) else self.WINDOWS):
            low = high - width
            last = False
            if lower is not None and low <= lower:
                last, low = True, lower - MILLISECOND  # times are whole milliseconds: `> lower - 1 ms` is `>= lower`
            bounded = {**owner, field: {"$gt": low, "$lte": high}}
            if words:
                window, checked = self._holding_in_order(
                    self._select(bounded, rest, order_by, None), words, limit - len(found)
                )
                read += checked
            else:
                window = self._select(bounded, query, order_by, limit - len(found))
            found += window
            high = low
            if len(found) >= limit:
                self.spans.put(inbox, upper - found[-1][field])
                return found
            if last:
                return found
            if rare():
                break
            growth = (limit - len(found)) / len(window) * 1.5 if window else 4
            width = min(width * min(max(growth, 2), 1000), self.WIDEST_WINDOW)
        older = copy.deepcopy(query)
        narrow(older, field, "$lte", high)
        if words:
            if remembered == BY_WORD or rare():
                self.spans.put(inbox, BY_WORD)
            return found + self._by_words(older, order_by, limit - len(found))
        page = found + self._select({**owner, field: {"$lte": high}}, older, order_by, limit - len(found))
        if len(page) >= limit:
            self.spans.put(inbox, upper - page[-1][field])
        elif first_page:
            self.spans.put(inbox, AT_ONCE)  # the whole inbox fits in a page: read it at once next time
        return page

    def _holding_in_order(self, candidates: list[dict], words: list[str], wanted: int) -> tuple[list[dict], int]:
        """The first `wanted` of the candidates (in page order) whose messages hold the words,
        and how many candidates that checked. They are checked a few at a time: the server
        looks each thread up in the messages' index apart (about 1 ms each on the development
        database), and a window of recent activity can hold a thousand threads."""
        held: list[dict] = []
        checked = 0
        while checked < len(candidates) and len(held) < wanted:
            chunk = candidates[checked : checked + self.HOLDING_CHUNK]
            checked += len(chunk)
            holding = self._holding([thread["_id"] for thread in chunk], words)
            held += [thread for thread in chunk if thread["_id"] in holding]
        return held[:wanted], checked


BY_WORD = "by word"
AT_ONCE = "at once"
MILLISECOND = timedelta(milliseconds=1)


class PageSpans:
    """How far back in time the last page of each inbox (an owner and its filters) reached,
    for the least recently used `size` inboxes; or BY_WORD for a search that was last answered
    by looking its word up; or AT_ONCE for an inbox its first page holds whole."""

    def __init__(self, size: int):
        self.size = size
        self.spans: OrderedDict = OrderedDict()

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

    def __len__(self) -> int:
        return len(self.spans)


READERS = {"plain": PlainInbox, "windowed": WindowedInbox}


def reader(name: str, db) -> PlainInbox:
    """The reader INBOX_READER names."""
    if name not in READERS:
        raise ValueError(f"INBOX_READER must be one of {', '.join(READERS)}, not {name!r}")
    return READERS[name](db)


def _after(query, field, before, value, last_id):
    """Past the cursor: (field, _id) beyond (value, last_id), written as a range on the sort
    field plus a $nor, so the inbox index serves it (an $or would not be)."""
    if field == "_id":
        narrow(query, "_id", before, last_id)
        return
    narrow(query, field, before + "e", value)
    query["$nor"] = [{field: value, "_id": {"$gte" if before == "$lt" else "$lte": last_id}}]


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
