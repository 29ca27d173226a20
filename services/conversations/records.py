"""A thread and a message as they cross the store's port (ports.Threads), field by field.

`model.py` makes them, the use cases read them, the adapters keep them. Their id is `id`: the
MongoDB adapter alone calls it `_id` (mongo_records.py). Only `id` is always there; the rest
depends on the record's age and story (a thread before its first message has no
`last_message`, one written before reminders no `reminded_level`), so the other fields are
optional and a reader that may meet an older record asks with `.get`.
"""

from datetime import datetime
from typing import Any, Required, TypedDict


class Thread(TypedDict, total=False):
    id: Required[str]
    type: str  # vendor_to_customer, vendor_to_admin
    group: str  # the permission group that may read it (rules.group_of)
    object: dict[str, Any]  # what it is about: {type, id}
    company_id: str | None
    customer_id: str | None
    customer: dict[str, Any] | None  # {id, name, email}
    subject: str
    status: str  # open, closed, deleted
    # One open thread per parties and object holds it (rules.open_key); gone once closed.
    open_key: str
    created_at: datetime
    updated_at: datetime
    last_message_at: datetime
    last_message: dict[str, Any]  # {id, author, preview}: ports.last_message
    context: dict[str, Any] | None  # the catalog's summary of the object
    context_snapshot: dict[str, Any] | None
    unread: dict[str, int]  # by side
    read_at: dict[str, datetime]  # by side
    message_count: int
    awaiting_reply_from: str | None
    awaiting_since: datetime | None
    first_customer_message_at: datetime
    first_reply_at: datetime
    reminded_level: int
    overdue: bool
    pending_reminders: list[dict[str, Any]]  # reminders still to publish (reminders.py)
    hidden_from: list[str]  # a first message held for review (moderation.py)
    review: dict[str, Any]
    broadcast_id: str  # written by an announcement (broadcasts.py)
    away_reply: dict[str, Any]  # {period, message_id}: the away message's one reply a period (away.py)
    cscart: dict[str, Any]  # brought in from CS-Cart (imports.py)
    erased_at: datetime  # its customer asked to be forgotten (privacy.py, forgetting.py)


class Message(TypedDict, total=False):
    id: Required[str]
    thread_id: str
    created_at: datetime
    # The thread's owners, so that a search reads only the messages in the caller's reach.
    company_id: str | None
    customer_id: str | None
    author: dict[str, Any]  # {side, user_id, name, email}
    body: str
    text: str
    preview: str
    words: list[str]  # what a search finds it by
    attachments: list[dict[str, Any]]  # attachment_files.described
    # The outbox: the events still to publish, and when the relay takes them.
    pending_events: list[str]
    relay_after: datetime
    moderation: dict[str, Any]  # {state, reason}
    hidden_from: list[str]
    automatic: bool  # written by nobody: the away message (away.py)
    cscart: dict[str, Any]
