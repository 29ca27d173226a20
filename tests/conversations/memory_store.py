"""The conversations' store (ports.Threads) held in memory: the use-case tests' store, held to
the same contract as the MongoDB adapter (tests/conversations/test_store_contract.py).

Plain dicts and sorted lists; every verb answers copies, as a database would, so a use case
that changes what it read changes nothing stored.
"""

import copy
from datetime import datetime, timedelta, timezone

from services.common import attachment_files
from services.common.clock import now

from services.conversations import pagination
from services.conversations.ports import InboxFilter, MessageEffect
from tests.conversations.memory_privacy import MemoryPrivacy
from tests.conversations.memory_replies import MemorySavedReplies

SORT_FIELDS = {"last_message_at": "last_message_at", "created_at": "created_at", "id": "id"}
RELEASED = datetime(2000, 1, 1, tzinfo=timezone.utc)


class MemoryThreads(MemorySavedReplies, MemoryPrivacy):
    def __init__(self):
        self.threads: dict[str, dict] = {}
        self.messages: dict[str, dict] = {}
        self.broadcasts: dict[str, dict] = {}
        self.keys: dict[str, dict] = {}
        self.counters: dict[str, dict] = {}
        self.settings: dict = {}
        # Attachments as the gateway keeps them (their `attachments.files` documents, no bytes).
        self.files: dict[str, dict] = {}
        self.message_reviews: dict[str, dict] = {}

    # threads --------------------------------------------------------------------------

    def insert_thread(self, thread: dict) -> bool:
        key = thread.get("open_key")
        if thread["id"] in self.threads or (key and self._holder_of(key)):
            return False
        self.threads[thread["id"]] = copy.deepcopy(thread)
        return True

    def _holder_of(self, open_key: str) -> dict | None:
        return next((t for t in self.threads.values() if t.get("open_key") == open_key), None)

    def find_open(self, open_key: str) -> dict | None:
        return copy.deepcopy(self._holder_of(open_key))

    def get(self, thread_id: str) -> dict | None:
        return copy.deepcopy(self.threads.get(thread_id))

    def get_many(self, thread_ids: list[str]) -> list[dict]:
        return [copy.deepcopy(self.threads[i]) for i in thread_ids if i in self.threads]

    def add_message(self, thread: dict, message: dict, effect: MessageEffect) -> dict | None:
        stored = self.threads.get(thread["id"])
        if stored is None or stored["status"] == "deleted":
            return None
        effect.apply_to(stored, message)
        return copy.deepcopy(stored)

    def reopen(self, thread: dict, open_key: str | None) -> None:
        stored = self.threads.get(thread["id"])
        if stored is None or stored["status"] == "deleted":
            return
        stored["status"] = "open"
        if open_key and not self._holder_of(open_key):
            stored["open_key"] = open_key

    def set_status(self, thread_id: str, status: str, open_key: str | None) -> dict | None:
        stored = self.threads.get(thread_id)
        if stored is None or stored["status"] == "deleted":
            return None
        stored.update(status=status, updated_at=now())
        if status != "open":
            stored.pop("open_key", None)
        elif open_key and not self._holder_of(open_key):
            stored["open_key"] = open_key
        return copy.deepcopy(stored)

    def mark_read(self, thread_id: str, side: str, at: datetime) -> dict | None:
        stored = self.threads.get(thread_id)
        if stored is None:
            return None
        stored.setdefault("unread", {})[side] = 0
        stored.setdefault("read_at", {})[side] = at
        return copy.deepcopy(stored)

    def delete_vendor_threads(self, company_id: str) -> int:
        return self._soft_delete(lambda t: t.get("company_id") == company_id)

    def delete_customer_threads(self, customer_id: str) -> int:
        return self._soft_delete(lambda t: t.get("customer_id") == customer_id)

    def _soft_delete(self, whose) -> int:
        deleted = 0
        for thread in self.threads.values():
            if whose(thread) and thread["status"] != "deleted":
                thread.update(status="deleted", updated_at=now())
                thread.pop("open_key", None)
                deleted += 1
        return deleted

    def refresh_context(self, target: dict, summary: dict) -> int:
        about = [
            t
            for t in self.threads.values()
            if t["object"]["type"] == target["type"] and t["object"].get("id") == target["id"]
        ]
        for thread in about:
            thread["context"] = copy.deepcopy(summary)
        return len(about)

    # the inbox ------------------------------------------------------------------------

    def inbox(
        self, wanted: InboxFilter, sort: str, order: str, limit: int, cursor: str | None
    ) -> tuple[list, str | None]:
        """Every matching thread at its place as of the first page: a thread that moved since
        stands where its last message before that moment put it."""
        field = SORT_FIELDS[sort]
        as_of, past = now(), None
        if cursor:
            value, last_id, as_of = pagination.decode(cursor, sort_is_time=field != "id")
            past = (value, last_id)
        placed = []
        for thread in self.threads.values():
            if not self._matches(thread, wanted):
                continue
            position = self._position(thread, field, as_of)
            if position is not None:
                placed.append((position, thread["id"], thread))
        descending = order == "desc"
        placed.sort(key=lambda row: (row[0], row[1]), reverse=descending)
        if past is not None:
            placed = [row for row in placed if ((row[0], row[1]) < past if descending else (row[0], row[1]) > past)]
        page = placed[:limit]
        more = len(placed) > limit
        next_cursor = pagination.encode(page[-1][0], page[-1][1], as_of) if more and page else None
        return [copy.deepcopy(thread) for _, _, thread in page], next_cursor

    def _position(self, thread: dict, field: str, as_of: datetime):
        if field == "id":
            return thread["id"]
        if field != "last_message_at" or thread["last_message_at"] <= as_of:
            return thread[field]
        earlier = [
            m["created_at"]
            for m in self.messages.values()
            if m["thread_id"] == thread["id"] and m["created_at"] <= as_of
        ]
        return max(earlier) if earlier else None  # newer than the first page: not in this listing

    def _matches(self, thread: dict, wanted: InboxFilter) -> bool:
        if wanted.nothing or thread["status"] not in wanted.statuses:
            return False
        for name in ("company_id", "customer_id"):
            if getattr(wanted, name) is not None and thread.get(name) != getattr(wanted, name):
                return False
        if wanted.types is not None and thread["type"] not in wanted.types:
            return False
        if wanted.groups is not None and thread["group"] not in wanted.groups:
            return False
        if wanted.object_type and thread["object"]["type"] != wanted.object_type:
            return False
        if wanted.object_id and thread["object"].get("id") != wanted.object_id:
            return False
        if wanted.customer_text:
            customer = thread.get("customer") or {}
            needle = wanted.customer_text.casefold()
            if not any(needle in (customer.get(part) or "").casefold() for part in ("name", "email")):
                return False
        for value, field, starts in (
            (wanted.created_from, "created_at", True),
            (wanted.created_to, "created_at", False),
            (wanted.active_from, "last_message_at", True),
            (wanted.active_to, "last_message_at", False),
        ):
            if value is not None and (thread[field] < value if starts else thread[field] >= value):
                return False
        if wanted.unread is not None:
            if ((thread.get("unread", {}).get(wanted.reader_side) or 0) > 0) != wanted.unread:
                return False
        if wanted.reader_side and wanted.reader_side in (thread.get("hidden_from") or ()):
            return False
        if wanted.awaiting_reply_from and thread.get("awaiting_reply_from") != wanted.awaiting_reply_from:
            return False
        if wanted.overdue is not None and bool(thread.get("overdue")) != wanted.overdue:
            return False
        if wanted.words:
            held = {word for m in self.messages.values() if m["thread_id"] == thread["id"] for word in m["words"]}
            if not set(wanted.words) <= held:
                return False
        return True

    def count_unread(self, wanted: InboxFilter, side: str) -> dict:
        counts: dict[str, int] = {}
        for thread in self.threads.values():
            if self._matches(thread, wanted) and (thread.get("unread", {}).get(side) or 0) > 0:
                counts[thread["type"]] = counts.get(thread["type"], 0) + 1
        return counts

    # messages -------------------------------------------------------------------------

    def insert_message(self, message: dict) -> bool:
        if message["id"] in self.messages:
            return False
        self.messages[message["id"]] = copy.deepcopy(message)
        return True

    def remove_message(self, message_id: str) -> None:
        self.messages.pop(message_id, None)

    def get_message(self, message_id: str) -> dict | None:
        return copy.deepcopy(self.messages.get(message_id))

    def messages_page(
        self, thread_id: str, before: str | None, limit: int, reader_side: str | None = None
    ) -> tuple[list, str | None]:
        newest_first = sorted(
            (
                m
                for m in self.messages.values()
                if m["thread_id"] == thread_id
                and (before is None or m["id"] < before)
                and not (reader_side and reader_side in (m.get("hidden_from") or ()))
            ),
            key=lambda m: m["id"],
            reverse=True,
        )
        page = [copy.deepcopy(m) for m in reversed(newest_first[:limit])]
        return page, (page[0]["id"] if len(newest_first) > limit and page else None)

    # the outbox -----------------------------------------------------------------------

    def unpublished_messages(self, at: datetime, limit: int) -> list[dict]:
        due = sorted(
            (m for m in self.messages.values() if m.get("relay_after") and m["relay_after"] <= at),
            key=lambda m: m["relay_after"],
        )
        return [copy.deepcopy(m) for m in due[:limit]]

    def relay_soon(self, message_ids: list[str], at: datetime) -> None:
        for message_id in message_ids:
            message = self.messages.get(message_id)
            if message is not None and "relay_after" in message:
                message["relay_after"] = at

    def mark_published(self, message_ids: list[str]) -> None:
        for message_id in message_ids:
            message = self.messages.get(message_id)
            if message is not None:
                message.pop("pending_events", None)
                message.pop("relay_after", None)

    # rate limits ----------------------------------------------------------------------

    def count_toward(self, key: str, allowed: float, until: datetime) -> bool:
        counter = self.counters.get(key)
        if counter is not None and counter["expires_at"] <= now():
            counter = None  # the window is over (MongoDB's TTL index drops it within a minute)
        if counter is None:
            counter = self.counters[key] = {"count": 0, "expires_at": until}
        if counter["count"] >= allowed:
            return False
        counter["count"] += 1
        return True

    def limit_reached(self, key: str, allowed: int) -> bool:
        counter = self.counters.get(key)
        return counter is not None and counter["count"] >= allowed

    # idempotency keys -----------------------------------------------------------------

    def claim_key(self, key: str, fingerprint: str, at: datetime, ids: dict) -> dict | None:
        if key in self.keys:
            return copy.deepcopy(self.keys[key])
        self.keys[key] = {
            "_id": key,
            "fingerprint": fingerprint,
            "state": "pending",
            "created_at": at,
            "claimed_at": at,
            "ids": copy.deepcopy(ids),
        }
        return None

    def retake_key(self, key: str, claimed_at: datetime, at: datetime) -> bool:
        stored = self.keys.get(key)
        if stored is None or stored["state"] != "pending" or stored["claimed_at"] != claimed_at:
            return False
        stored["claimed_at"] = at
        return True

    def complete_key(self, key: str, result: dict) -> None:
        self.keys[key].update(state="done", result=copy.deepcopy(result))

    def release_key(self, key: str) -> None:
        if key in self.keys and self.keys[key]["state"] == "pending":
            self.keys[key]["claimed_at"] = RELEASED

    # announcements --------------------------------------------------------------------

    def insert_broadcast(self, broadcast: dict) -> None:
        self.broadcasts[broadcast["_id"]] = copy.deepcopy(broadcast)

    def get_broadcast(self, broadcast_id: str) -> dict | None:
        found = self.broadcasts.get(broadcast_id)
        if found is None:
            return None
        return {name: copy.deepcopy(value) for name, value in found.items() if name not in ("vendors", "message")}

    def hold_broadcast(self, broadcast_id: str, until: datetime) -> None:
        self.broadcasts[broadcast_id]["lease_until"] = until

    def broadcast_sent(self, broadcast_id: str, at: datetime) -> None:
        self.broadcasts[broadcast_id].update(status="sent", sent_at=at)
        self.broadcasts[broadcast_id].pop("lease_until", None)

    def stalled_broadcasts(self, at: datetime, lease: timedelta):
        for broadcast in list(self.broadcasts.values()):
            if broadcast.get("lease_until") is not None and broadcast["lease_until"] < at:
                broadcast["lease_until"] = at + lease
                yield copy.deepcopy(broadcast)

    def insert_threads(self, threads: list[dict], messages: list[dict]) -> None:
        for thread in threads:
            self.threads.setdefault(thread["id"], copy.deepcopy(thread))
        for message in messages:
            self.messages.setdefault(message["id"], copy.deepcopy(message))

    def broadcast_threads(self, broadcast_id: str) -> list[dict]:
        return [
            {
                "id": t["id"],
                "company_id": t.get("company_id"),
                "read_at": copy.deepcopy(t.get("read_at")),
                "status": t["status"],
            }
            for t in self.threads.values()
            if t.get("broadcast_id") == broadcast_id
        ]

    # reminders and escalation ---------------------------------------------------------

    def due_reminders(self, level: int, awaiting_since_before: datetime, limit: int) -> list[dict]:
        due = [
            t
            for t in self.threads.values()
            if t["type"] == "vendor_to_customer"
            and t["status"] == "open"
            and t.get("awaiting_reply_from") == "vendor"
            and t.get("reminded_level") == level - 1
            and t["awaiting_since"] <= awaiting_since_before
        ]
        return [copy.deepcopy(t) for t in due[:limit]]

    def claim_reminder(self, thread: dict, reminder: dict) -> dict | None:
        stored = self.threads.get(thread["id"])
        if (
            stored is None
            or stored["status"] != "open"
            or stored.get("awaiting_reply_from") != "vendor"
            or stored.get("awaiting_since") != thread["awaiting_since"]
            or stored.get("reminded_level") != reminder["level"] - 1
        ):
            return None
        stored["reminded_level"] = reminder["level"]
        if reminder["overdue"]:
            stored["overdue"] = True
        stored.setdefault("pending_reminders", []).append(copy.deepcopy(reminder))
        return copy.deepcopy(stored)

    def unpublished_reminders(self, at: datetime, limit: int) -> list[dict]:
        due = [t for t in self.threads.values() if any(r["relay_after"] <= at for r in t.get("pending_reminders", []))]
        return [copy.deepcopy(t) for t in due[:limit]]

    def reminder_published(self, thread_id: str, reminder_id: str) -> None:
        stored = self.threads.get(thread_id)
        if stored is not None:
            stored["pending_reminders"] = [r for r in stored.get("pending_reminders", []) if r["id"] != reminder_id]

    # history brought in (imports.py)

    def import_history(self, threads: list[dict], messages: list[dict]) -> None:
        self.insert_threads([], messages)
        for thread in threads:
            self.threads[thread["id"]] = copy.deepcopy(thread)

    # figures and settings -------------------------------------------------------------

    def first_replies(self, start: datetime, end: datetime, company_id: str | None) -> list[dict]:
        return [
            {
                "id": t["id"],
                "company_id": t["company_id"],
                "first_customer_message_at": t["first_customer_message_at"],
                **({"overdue": t["overdue"]} if "overdue" in t else {}),
                **({"first_reply_at": t["first_reply_at"]} if t.get("first_reply_at") else {}),
            }
            for t in self.threads.values()
            if t["type"] == "vendor_to_customer"
            and t["status"] != "deleted"
            and t.get("first_customer_message_at")
            and start <= t["first_customer_message_at"] < end
            and (company_id is None or t["company_id"] == company_id)
        ]

    # attachments ----------------------------------------------------------------------

    def attach_uploads(self, upload_ids: list[str], owner: dict, message: dict) -> list[dict]:
        described = []
        for upload_id in upload_ids:
            doc = self.files.get(upload_id)
            if doc is None:
                continue
            meta = doc["metadata"]
            if meta["variant"] != "original" or meta["owner"] != {"role": owner["role"], "user_id": owner["user_id"]}:
                continue
            free = (
                meta["message_id"] is None
                and meta["expires_at"] is not None
                and meta["expires_at"] > message["created_at"]
            )
            if not free and meta["message_id"] != message["id"]:
                continue
            meta.update(
                message_id=message["id"],
                thread_id=message["thread_id"],
                expires_at=None,
                company_id=message.get("company_id"),
                customer_id=message.get("customer_id"),
            )
            described.append(attachment_files.described(doc))
        return copy.deepcopy(described)

    def release_uploads(self, message_id: str, expires_at: datetime) -> None:
        for doc in self.files.values():
            if doc["metadata"]["message_id"] == message_id and doc["metadata"]["variant"] == "original":
                doc["metadata"].update(message_id=None, thread_id=None, expires_at=expires_at)

    def held_upload_bytes(self, owner: dict, at: datetime) -> int:
        return sum(
            doc["length"]
            for doc in self.files.values()
            if doc["metadata"]["variant"] == "original"
            and doc["metadata"]["message_id"] is None
            and doc["metadata"]["owner"] == {"role": owner["role"], "user_id": owner["user_id"]}
            and doc["metadata"]["expires_at"] is not None
            and doc["metadata"]["expires_at"] > at
        )

    def get_attachment(self, attachment_id: str) -> dict | None:
        doc = self.files.get(attachment_id)
        if doc is None or doc["metadata"]["variant"] != "original" or doc["metadata"]["message_id"] is None:
            return None
        return {
            **attachment_files.described(doc),
            "thread_id": doc["metadata"]["thread_id"],
            "message_id": doc["metadata"]["message_id"],
            "thumbnail_id": doc["metadata"].get("thumbnail_id"),
        }

    def expire_attachments(
        self, at: datetime, thread_id: str | None = None, company_id: str | None = None, customer_id: str | None = None
    ) -> int:
        whose = {
            name: value
            for name, value in (("thread_id", thread_id), ("company_id", company_id), ("customer_id", customer_id))
            if value is not None
        }
        if not whose:
            return 0
        changed = 0
        for doc in self.files.values():
            meta = doc["metadata"]
            if meta["variant"] == "original" and all(meta.get(name) == value for name, value in whose.items()):
                changed += meta["expires_at"] != at
                meta["expires_at"] = at
        return changed

    def delete_expired_attachments(self, at: datetime, limit: int) -> int:
        due = [
            doc
            for doc in self.files.values()
            if doc["metadata"].get("expires_at") is not None and doc["metadata"]["expires_at"] <= at
        ][:limit]
        for doc in due:
            self.files.pop(doc["_id"], None)
            self.files.pop(doc["metadata"].get("thumbnail_id"), None)
        return len(due)

    # moderation -----------------------------------------------------------------------

    def insert_review(self, review: dict) -> bool:
        if review["_id"] in self.message_reviews:
            return False
        self.message_reviews[review["_id"]] = copy.deepcopy(review)
        return True

    def get_review(self, message_id: str) -> dict | None:
        return copy.deepcopy(self.message_reviews.get(message_id))

    def reviews(self, state: str, newest_first: bool, after: str | None, limit: int) -> list[dict]:
        found = sorted(
            (
                r
                for r in self.message_reviews.values()
                if r["state"] == state and (after is None or (r["_id"] < after if newest_first else r["_id"] > after))
            ),
            key=lambda r: r["_id"],
            reverse=newest_first,
        )
        return copy.deepcopy(found[:limit])

    def count_reviews(self, state: str) -> int:
        return sum(1 for review in self.message_reviews.values() if review["state"] == state)

    def decide_review(self, message_id: str, state: str, decision: dict) -> dict | None:
        review = self.message_reviews.get(message_id)
        if review is None or review["state"] != "held":
            return None
        review.update(state=state, decision=copy.deepcopy(decision), decided_at=decision["at"])
        return copy.deepcopy(review)

    def decisions(self, before, limit: int) -> list[dict]:
        found = sorted(
            (
                r
                for r in self.message_reviews.values()
                if r.get("decided_at") is not None and (before is None or (r["decided_at"], r["_id"]) < before)
            ),
            key=lambda r: (r["decided_at"], r["_id"]),
            reverse=True,
        )
        return copy.deepcopy(found[:limit])

    def release_message(
        self, message_id: str, words: list[str], events: list[str], relay_after: datetime
    ) -> dict | None:
        message = self.messages.get(message_id)
        if message is None or (message.get("moderation") or {}).get("state") != "held":
            return None
        message["moderation"]["state"] = "approved"
        message.update(pending_events=list(events), relay_after=relay_after, words=list(words))
        message.pop("hidden_from", None)
        return copy.deepcopy(message)

    def reject_message(self, message_id: str, reason: str) -> dict | None:
        message = self.messages.get(message_id)
        if message is None or (message.get("moderation") or {}).get("state") != "held":
            return None
        message["moderation"].update(state="rejected", reason=reason)
        return copy.deepcopy(message)

    def reveal_thread(self, thread_id: str, open_key: str | None) -> dict | None:
        thread = self.threads.get(thread_id)
        if thread is None:
            return None
        thread.pop("hidden_from", None)
        thread.pop("review", None)
        if open_key and thread["status"] == "open" and not self._holder_of(open_key):
            thread["open_key"] = open_key
        return copy.deepcopy(thread)

    def reject_thread(self, thread_id: str, reason: str) -> None:
        if thread_id in self.threads:
            self.threads[thread_id]["review"] = {"state": "rejected", "reason": reason}

    def get_settings(self) -> dict:
        return copy.deepcopy(self.settings)

    def put_settings(self, values: dict) -> dict:
        self.settings.update(copy.deepcopy(values))
        return {"_id": "conversations", **copy.deepcopy(self.settings)}
