"""What the conversations' use cases ask of storage, in the marketplace's words.

The use cases hold a `Threads` store and never see a query language: an inbox is asked for by
an `InboxFilter`, what a message does to its thread is a `MessageEffect`. Two adapters answer:
`mongo_store.MongoThreads` (MongoDB, and any MongoDB-wire server) and the in-memory fake
`tests/conversations/memory_store.MemoryThreads` (the use-case tests). tests/conversations/test_store_contract.py holds both to the same verbs.

Threads and messages travel as records (records.py: `Thread`, `Message`, made by `model.py`),
whose id is `id` whatever the adapter calls it; announcements, reviews, saved replies and
settings as plain dicts. The store keeps them, it does not decide anything about them.
"""

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any, Iterable, Protocol

from .records import Message, Thread


# What an erasure record holds while it runs (whom it erases, and how far it got), and not after.
WHILE_RUNNING = ("customer_id", "forgotten", "running_subject", "lease_until", "step", "thread_after", "ids_after")


@dataclass(frozen=True)
class InboxFilter:
    """Which threads an inbox shows. Every field narrows; None (or empty) leaves it open."""

    company_id: str | None = None  # the vendor's threads
    customer_id: str | None = None  # the customer's threads
    types: tuple[str, ...] | None = None  # vendor_to_customer, vendor_to_admin
    groups: tuple[str, ...] | None = None  # the permission groups the reader may see
    statuses: tuple[str, ...] = ("open", "closed")
    object_type: str | None = None
    object_id: str | None = None
    customer_text: str | None = None  # part of the customer's name or email, any case
    created_from: datetime | None = None  # from (inclusive) ... to (exclusive)
    created_to: datetime | None = None
    active_from: datetime | None = None  # the last message's time
    active_to: datetime | None = None
    # whose unread count `unread` speaks of; threads hidden from this side (a first message
    # waiting for review: moderation.py) are left out
    reader_side: str | None = None
    unread: bool | None = None  # True: unread messages for reader_side; False: none
    awaiting_reply_from: str | None = None
    overdue: bool | None = None  # True: escalated, still unanswered; False: not so
    words: tuple[str, ...] = ()  # every word in the thread's messages
    nothing: bool = False  # outside the reader's reach: no thread at all

    def narrowed(self, **changes: Any) -> "InboxFilter":
        return replace(self, **changes)


@dataclass(frozen=True)
class MessageEffect:
    """What one new message does to its thread."""

    at: datetime
    author_side: str  # has read the thread as it writes: unread 0, read at `at`
    notified_sides: tuple[str, ...]  # each has one more unread message
    awaiting_reply_from: str | None
    awaiting_since: datetime | None
    first_customer_message_at: datetime | None = None  # set when this is the customer's first
    first_reply_at: datetime | None = None  # set when this is the vendor's first answer
    # An automatic message (the away message) is written by nobody who read the thread: the
    # author's side keeps its unread messages and its read time.
    author_reads: bool = True
    # The wait for a reply starts again (or ends): the reminders of the last wait are spent and
    # the thread is no longer overdue (reminders.py).
    restarts_wait: bool = False

    def apply_to(self, thread: Thread, message: Message) -> None:
        """Move a thread held in memory on (a new thread before it is stored; the fake store)."""
        thread.update(
            {
                "last_message_at": self.at,
                "updated_at": self.at,
                "awaiting_reply_from": self.awaiting_reply_from,
                "awaiting_since": self.awaiting_since,
                "last_message": last_message(message),
            }
        )
        thread["message_count"] = thread.get("message_count", 0) + 1
        unread = thread.setdefault("unread", {})
        if self.author_reads:
            unread[self.author_side] = 0
        for side in self.notified_sides:
            unread[side] = unread.get(side, 0) + 1
        if self.author_reads:
            thread.setdefault("read_at", {})[self.author_side] = self.at
        if self.first_customer_message_at is not None:
            thread["first_customer_message_at"] = self.first_customer_message_at
        if self.first_reply_at is not None:
            thread["first_reply_at"] = self.first_reply_at
        if self.restarts_wait:
            thread.update({"reminded_level": 0, "overdue": False})


def last_message(message: Message) -> dict[str, Any]:
    """What a thread keeps of its newest message, for the inbox's line."""
    return {"id": message["id"], "author": message["author"], "preview": message["preview"]}


class Threads(Protocol):
    """Threads, messages, announcements, idempotency keys, rate counters and settings."""

    # threads
    def insert_thread(self, thread: Thread) -> bool:
        """False when an open thread of the same parties and object (its open key) exists."""

    def find_open(self, open_key: str) -> Thread | None: ...
    def get(self, thread_id: str) -> Thread | None: ...
    def get_many(self, thread_ids: list[str]) -> list[Thread]: ...

    def add_message(self, thread: Thread, message: Message, effect: MessageEffect) -> Thread | None:
        """The thread moved on by a stored message; None when it was deleted meanwhile."""

    def reopen(self, thread: Thread, open_key: str | None) -> None:
        """A closed thread that receives a message is open again, with its open key unless a
        newer open thread holds it; a deleted one stays deleted."""

    def set_status(self, thread_id: str, status: str, open_key: str | None) -> Thread | None:
        """The thread as it is now; None when it is deleted (and stays so)."""

    def mark_read(self, thread_id: str, side: str, at: datetime) -> Thread | None: ...
    def delete_vendor_threads(self, company_id: str) -> int: ...
    def delete_customer_threads(self, customer_id: str) -> int: ...
    def refresh_context(self, target: dict[str, Any], summary: dict[str, Any]) -> int: ...

    # the inbox
    def inbox(
        self, wanted: InboxFilter, sort: str, order: str, limit: int, cursor: str | None
    ) -> tuple[list[Thread], str | None]:
        """One page, and the cursor of the next (None on the last). A thread that moves after the
        first page was read keeps its place: every thread appears once, in order."""

    def count_unread(self, wanted: InboxFilter, side: str) -> dict[str, int]:
        """Threads with unread messages for `side`, by thread type."""

    # messages
    def insert_message(self, message: Message) -> bool:
        """False when it is stored already (a request done again writes the same ids)."""

    def remove_message(self, message_id: str) -> None: ...
    def get_message(self, message_id: str) -> Message | None: ...

    def messages_page(
        self, thread_id: str, before: str | None, limit: int, reader_side: str | None = None
    ) -> tuple[list[Message], str | None]:
        """The `limit` messages before `before` (the newest when None), oldest first; those
        hidden from `reader_side` (held for review, or rejected) left out."""

    # the outbox
    def unpublished_messages(self, at: datetime, limit: int) -> list[Message]: ...
    def relay_soon(self, message_ids: list[str], at: datetime) -> None: ...
    def mark_published(self, message_ids: list[str]) -> None: ...

    # rate limits
    def count_toward(self, key: str, allowed: float, until: datetime) -> bool: ...
    def limit_reached(self, key: str, allowed: int) -> bool: ...

    # idempotency keys
    def claim_key(self, key: str, fingerprint: str, at: datetime, ids: dict[str, Any]) -> dict[str, Any] | None: ...
    def retake_key(self, key: str, claimed_at: datetime, at: datetime) -> bool: ...
    def complete_key(self, key: str, result: dict[str, Any]) -> None: ...
    def release_key(self, key: str) -> None: ...

    # announcements
    def insert_broadcast(self, broadcast: dict[str, Any]) -> None: ...
    def get_broadcast(self, broadcast_id: str) -> dict[str, Any] | None: ...
    def hold_broadcast(self, broadcast_id: str, until: datetime) -> None: ...
    def broadcast_sent(self, broadcast_id: str, at: datetime) -> None: ...
    def stalled_broadcasts(self, at: datetime, lease: timedelta) -> Iterable[dict[str, Any]]: ...
    def insert_threads(self, threads: list[Thread], messages: list[Message]) -> None: ...
    def broadcast_threads(self, broadcast_id: str) -> list[Thread]: ...

    # saved replies (an owner is "vendor:<company_id>" or "admin": access.saved_replies_owner)
    def insert_saved_reply(self, reply: dict[str, Any], most: int) -> bool:
        """False when its owner keeps `most` replies already."""

    def saved_replies(self, owner: str) -> list[dict[str, Any]]:
        """The owner's replies, by title."""

    def get_saved_reply(self, reply_id: str, owner: str) -> dict[str, Any] | None: ...

    def update_saved_reply(self, reply_id: str, owner: str, changes: dict[str, Any]) -> dict[str, Any] | None:
        """The reply as it is now; None when the owner has no such reply."""

    def delete_saved_reply(self, reply_id: str, owner: str) -> bool: ...

    def count_reply_use(self, reply_id: str, message_id: str, at: datetime) -> bool:
        """Count one use of the reply, by the message it was sent as: False (nothing counted)
        when that message was counted already (a request done again)."""

    # away messages (one per vendor)
    def get_away_message(self, company_id: str) -> dict[str, Any] | None: ...
    def put_away_message(self, away: dict[str, Any]) -> dict[str, Any]: ...
    def delete_away_message(self, company_id: str) -> bool: ...

    def claim_away_reply(self, thread_id: str, period: str, message_id: str) -> str | None:
        """The id of the thread's automatic reply in this away period: `message_id` when it had
        none yet (and now has), else the one it had; None when there is no such thread."""

    # history brought in (imports.py)
    def import_history(self, threads: list[Thread], messages: list[Message]) -> None:
        """Store the messages (those stored already are left as they are), then each thread
        whole, as the import folded its messages into it."""

    # reminders and escalation (reminders.py)
    def due_reminders(self, level: int, awaiting_since_before: datetime, limit: int) -> list[Thread]:
        """Customer threads open and awaiting the vendor since before that moment, whose
        reminders have reached `level - 1` and no further."""

    def claim_reminder(self, thread: Thread, reminder: dict[str, Any]) -> Thread | None:
        """Move the thread to the reminder's level and keep the reminder to publish, in one
        conditional write: only while it still awaits the vendor since the same moment and
        stands at the level before (another replica, or a reply, got there first: None)."""

    def unpublished_reminders(self, at: datetime, limit: int) -> list[Thread]:
        """Threads holding reminders whose relay time has come."""

    def reminder_published(self, thread_id: str, reminder_id: str) -> None: ...

    # attachments: the uploads the gateway kept (services/common/attachment_files.py)
    def attach_uploads(self, upload_ids: list[str], owner: dict[str, Any], message: Message) -> list[dict[str, Any]]:
        """Give `owner`'s uploads to `message` (they stop expiring) and describe each
        (attachment_files.described), in the order asked. An upload that is someone else's,
        another message's or expired is left as it is and not described: the caller compares."""

    def release_uploads(self, message_id: str, expires_at: datetime) -> None:
        """The message was not kept after all: its uploads are free again until `expires_at`."""

    def held_upload_bytes(self, owner: dict[str, Any], at: datetime) -> int:
        """The bytes of `owner`'s uploads no message carries and not expired at `at` (the files
        kept, not their thumbnails)."""

    def get_attachment(self, attachment_id: str) -> dict[str, Any] | None:
        """A file a message uses: described, with its `thread_id` and `thumbnail_id`."""

    def expire_attachments(
        self, at: datetime, thread_id: str | None = None, company_id: str | None = None, customer_id: str | None = None
    ) -> int:
        """The files of a thread, a vendor's or a customer's threads go at `at`."""

    def delete_expired_attachments(self, at: datetime, limit: int) -> int:
        """Remove up to `limit` files (with their thumbnails) whose time is past."""

    # moderation (moderation.py): a review per moderated message, keyed by the message's id
    def insert_review(self, review: dict[str, Any]) -> bool:
        """False when the message has one already (a request done again)."""

    def get_review(self, message_id: str) -> dict[str, Any] | None: ...

    def reviews(self, state: str, newest_first: bool, after: str | None, limit: int) -> list[dict[str, Any]]:
        """Reviews in `state` by message id, from the one after `after` on."""

    def count_reviews(self, state: str) -> int: ...

    def decide_review(self, message_id: str, state: str, decision: dict[str, Any]) -> dict[str, Any] | None:
        """A held review decided (`state`: approved or rejected), the decision kept on it; None
        when it is not held (decided already, or none)."""

    def decisions(self, before: tuple[datetime, str] | None, limit: int) -> list[dict[str, Any]]:
        """Decided reviews, the newest decision first, from the one after `before` (its time and id)."""

    def release_message(
        self, message_id: str, words: list[str], events: list[str], relay_after: datetime
    ) -> Message | None:
        """A held message approved: seen by every side of its thread, found by its `words`, its
        `events` to publish (the outbox). The message as it is now; None when it is not held."""

    def reject_message(self, message_id: str, reason: str) -> Message | None:
        """A held message rejected: still hidden from the sides it was hidden from, with the
        reason for its author. None when it is not held."""

    def reveal_thread(self, thread_id: str, open_key: str | None) -> Thread | None:
        """A thread whose first message was approved: seen by every side, with its open key
        unless another open thread of the same parties holds it. None when there is no such thread."""

    def reject_thread(self, thread_id: str, reason: str) -> None:
        """A thread whose first message was rejected: it stays its author's side's alone."""

    # a customer's data (privacy.py): the export reads, the erasure rewrites, retention removes
    def customer_threads(self, customer_id: str, after: str | None, limit: int) -> list[Thread]:
        """The customer's threads, any status, by id from the one after `after` on."""

    def thread_messages(self, thread_id: str, after: str | None, limit: int) -> list[Message]:
        """A thread's messages, any state, oldest first, from the one after `after` on."""

    def rewrite_thread(self, thread: Thread) -> None: ...

    def rewrite_messages(self, messages: list[Message]) -> None:
        """The messages stored as they are now, their search words with them."""

    def reviews_of(self, message_ids: list[str]) -> list[dict[str, Any]]:
        """The moderation's reviews of those messages (most have none)."""

    def rewrite_review(self, review: dict[str, Any]) -> None: ...

    def expire_person_files(self, role: str, user_id: str, at: datetime) -> int:
        """Every file a person uploaded, on a message or not, goes at `at` (the sweep removes it)."""

    def forget_person_keys(self, person: str, thread_ids: list[str]) -> int:
        """The Idempotency-Keys and rate counters of `person` ("role|company|user"), and the keys
        of requests about those threads (their answers hold what the threads held)."""

    def start_erasure(self, erasure: dict[str, Any]) -> dict[str, Any]:
        """The erasure stored; the one already running for the same subject when there is one."""

    def get_erasure(self, erasure_id: str) -> dict[str, Any] | None: ...

    def erasure_progress(self, erasure_id: str, changes: dict[str, Any], until: datetime) -> None:
        """Keep how far the erasure got, and hold its lease until `until`."""

    def finish_erasure(self, erasure_id: str, counts: dict[str, int], at: datetime) -> None:
        """Done: the counts kept, and whom it was about (the customer's id, names and
        addresses) no longer."""

    def stalled_erasures(self, at: datetime, lease: timedelta) -> Iterable[dict[str, Any]]:
        """Erasures still running whose lease ran out, each taken by this caller alone."""

    def retired_threads(self, before: datetime, limit: int) -> list[Thread]:
        """Threads closed or deleted, untouched since before `before`."""

    def remove_threads(self, thread_ids: list[str]) -> dict[str, int]:
        """The threads gone whole, with their messages, search words, reviews and files."""

    def take_turn(self, name: str, at: datetime, until: datetime) -> bool:
        """True for one caller among the replicas until `until`: a timer's work done once."""

    # figures and settings
    def first_replies(self, start: datetime, end: datetime, company_id: str | None) -> list[Thread]: ...
    def get_settings(self) -> dict[str, Any]: ...
    def put_settings(self, values: dict[str, Any]) -> dict[str, Any]: ...
