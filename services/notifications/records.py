"""What the notifications service keeps, as the domain sees it: the `NotificationRecords`
port. The MongoDB adapter (store.py) and the in-memory fake of the tests implement it and pass
the same contract tests (tests/notifications/test_store.py).

Work is claimed with a lease: a worker that dies mid-way gives it back when the lease runs
out (`release_stale`), and a mail batch left mid-send is sent again as itself. Every planned
delivery has a unique key, so planning it again plans nothing: (message, address) for mail,
(audience, message) for the bell, (endpoint, event) for webhooks. A mail and a bell item cross
the port as the records below, whose id is `id` (the MongoDB adapter alone calls it `_id`);
the others are dicts whose `_id` is their id (the answers' schemas read it so).
"""

from datetime import datetime
from typing import Any, Generic, NamedTuple, Protocol, Required, TypedDict, TypeVar

Item = TypeVar("Item")


class Mail(TypedDict, total=False):
    """One mail to one address about one message (or a reminder: `notice`), sent in a batch
    with the others due to the same address about the same thread."""

    id: Required[str]
    message_id: str  # the message's, or the reminder's
    thread_id: str
    kind: str  # the event's kind (rules.event_kind)
    notice: str  # a reminder's reason: about no new message
    address: str
    address_key: str  # the address as compared (lower case)
    side: str
    user_id: str | None
    recipient_name: str
    company_id: str | None
    thread: dict[str, Any]  # {title, subject, link}
    message: dict[str, Any]  # {author_name, author_side, excerpt, created_at, files}
    correlation_id: str | None
    created_at: datetime
    send_after: datetime
    # pending, sending (a batch_id and a lease), sent, failed
    status: str
    batch_id: str
    lease_until: datetime
    attempts: int
    last_error: str
    sent_at: datetime
    failed_at: datetime


class BellItem(TypedDict, total=False):
    """One line of an audience's bell: a message, or a reminder, in one of its threads."""

    id: Required[str]
    audience: str  # whose bell (rules.audience_of_side)
    kind: str
    reason: str  # a reminder's
    message_id: str
    thread_id: str
    title: str
    author: dict[str, Any]  # {side, name}
    preview: str
    url: str
    created_at: datetime
    read: bool
    read_at: datetime | None


class Page(NamedTuple, Generic[Item]):
    """One page, newest first, and the cursor of the next one (None on the last)."""

    items: list[Item]
    next_cursor: str | None


class NotificationRecords(Protocol):
    def ping(self) -> None: ...

    # the administration's rules ------------------------------------------------------------
    def settings(self) -> dict[str, Any]:
        """The stored settings over the defaults (rules.default_settings)."""

    def save_settings(self, settings: dict[str, Any]) -> None: ...

    # received events -----------------------------------------------------------------------
    def record_event(self, event_id: str, event: dict[str, Any]) -> bool:
        """Keep an event whose deliveries could not be planned, for the timer; False when it was
        kept before."""

    def claim_event(self, event_id: str, now: datetime, lease_until: datetime) -> dict[str, Any] | None:
        """This pending event, now this worker's; None when it is not due or another has it."""

    def claim_due_event(self, now: datetime, lease_until: datetime) -> dict[str, Any] | None:
        """The pending event that has waited longest, now this worker's."""

    def event_done(self, event_id: str, now: datetime) -> None: ...

    def event_failed_attempt(
        self, event_id: str, attempts: int, status: str, process_after: datetime | None, error: str
    ) -> None: ...

    def release_stale(self, now: datetime) -> None:
        """Events and webhook calls whose lease ran out go back to pending."""

    # people --------------------------------------------------------------------------------
    def add_vendor_staff(self, thread_id: str, person: dict[str, Any]) -> None:
        """A vendor's employee who wrote in the thread ({user_id, name, email}); the newest
        name wins."""

    def vendor_staff(self, thread_id: str) -> list[dict[str, Any]]: ...

    def opted_out(
        self, communication_type: str, address_keys: list[str], user_ids: list[str]
    ) -> tuple[set[str], set[str]]:
        """(addresses, user ids) among those given that want no mail of this type."""

    def email_opt_outs(self, user_id: str) -> list[str]: ...

    def save_email_opt_outs(self, user_id: str, address_key: str | None, opt_outs: list[str]) -> None: ...

    # mail ----------------------------------------------------------------------------------
    def latest_mail_time(self, thread_id: str, address_key: str) -> datetime | None:
        """When the newest mail (not failed) to this address about this thread goes or went."""

    def plan_mail(self, mail: Mail) -> bool:
        """False when a mail for this message and address was planned before. A mail may be
        written already claimed (`sending`, with its batch and lease): planning.keep_mail."""

    def due_mail_groups(self, now: datetime, limit: int = 200) -> list[tuple[str, str]]:
        """(thread, address) pairs with mail due, oldest first."""

    def claim_mail_batch(
        self, thread_id: str, address_key: str, now: datetime, batch_id: str, lease_until: datetime
    ) -> list[Mail]:
        """Every due mail of one (thread, address), now one batch of this worker's; [] when
        another worker took them first."""

    def stale_mail_batches(self, now: datetime, limit: int = 100) -> list[str]:
        """Batches whose worker died while sending (the server may have taken them)."""

    def retake_mail_batch(self, batch_id: str, now: datetime, lease_until: datetime) -> list[Mail]:
        """The stale batch's mails, now this worker's; [] when another retook it first."""

    def release_mail_batch(self, batch_id: str) -> None:
        """The batch's mails, claimed and not yet sent, back to pending (for the next claim)."""

    def record_mail_delivered(self, batch_id: str, now: datetime) -> None: ...

    def batch_failed_attempt(
        self, batch_id: str, attempts: int, status: str, send_after: datetime | None, error: str, now: datetime
    ) -> None: ...

    def failed_mails(self, cursor: str | None, limit: int) -> Page[Mail]:
        """Mail given up on, newest first; ValidationFailed for a cursor we did not make."""

    # reply by mail -------------------------------------------------------------------------
    def reply_address_id(self, recipient: dict[str, Any]) -> str:
        """The id of the reply address of one person in one thread (`recipient`: thread_id,
        address, address_key, side, user_id, name, company_id), made the first time it is
        asked for: every mail to that person about that thread carries the same one."""

    def reply_address(self, address_id: str) -> dict[str, Any] | None:
        """The recipient a reply address was made for; None for an id we never gave out."""

    def latest_message_mailed(self, thread_id: str, address_key: str) -> datetime | None:
        """When the message of the newest mail to this address about this thread was written
        (reminders, which are about no new message, left out); None when none was mailed."""

    # the in-app bell -----------------------------------------------------------------------
    def ring(self, notifications: list[BellItem]) -> int:
        """Put the items in their audiences' bells; how many were new (an audience told of a
        message before is not told again)."""

    def bell_items(
        self, audience: str, kinds: list[str], unread: bool | None, cursor: str | None, limit: int
    ) -> Page[BellItem]: ...

    def unread_count(self, audience: str, kinds: list[str]) -> int: ...

    def mark_read(self, audience: str, kinds: list[str], ids: list[str] | None, now: datetime) -> int:
        """Mark these items (every unread one for None) read; how many were unread."""

    def thread_read(self, audience: str, thread_id: str, read_at: datetime) -> int:
        """The audience read the thread up to `read_at`: mark its items of the thread written
        until then read, and keep the mark; how many were unread."""

    def read_marks(self, pairs: set[tuple[str, str]]) -> dict[tuple[str, str], datetime]:
        """(audience, thread id) → up to when that audience read that thread, for those it has."""

    # webhooks ------------------------------------------------------------------------------
    def add_webhook(self, webhook: dict[str, Any]) -> None: ...

    def all_webhooks(self) -> list[dict[str, Any]]: ...

    def count_webhooks(self) -> int: ...

    def webhooks_for(self, event: str) -> list[dict[str, Any]]:
        """The endpoints that asked to hear of this event."""

    def delete_webhook(self, webhook_id: str) -> bool:
        """False when there is none; its calls not yet made are dropped with it."""

    def plan_webhook_delivery(self, delivery: dict[str, Any]) -> bool:
        """False when this endpoint was to be told of this event before."""

    def claim_due_webhook_delivery(
        self, now: datetime, lease_until: datetime, webhook_id: str
    ) -> dict[str, Any] | None:
        """The endpoint's oldest due call, taken for this worker until `lease_until`."""

    def webhook_attempted(
        self, delivery: dict[str, Any], status: str, attempts: int, send_after: datetime | None, result: dict[str, Any]
    ) -> None:
        """One attempt on the delivery, kept also as the endpoint's last result."""

    def recent_webhook_deliveries(self, webhook_id: str, limit: int = 10) -> list[dict[str, Any]]:
        """The endpoint's latest attempted deliveries, newest first."""

    # a customer's data and a thread's records (privacy.py) ------------------------------------
    # Reads go oldest id first, after the id `after`, `limit` at most: one bounded query a page.
    def customer_mails(self, customer_id: str, after: str | None, limit: int) -> list[Mail]:
        """The mails planned or sent to the customer (the customer's side, their user id)."""

    def audience_bell_items(self, audience: str, after: str | None, limit: int) -> list[BellItem]:
        """Every item of the audience's bell, whatever its kind."""

    def customer_reply_addresses(self, customer_id: str, after: str | None, limit: int) -> list[dict[str, Any]]:
        """The reply addresses made for the customer (`created_at`: absent from older ones)."""

    # Erasing and forgetting answer how many records went (a second call finds none), and each
    # command is bounded: a customer's records go 1,000 ids at a time, a thread's by `$in` on
    # at most 1,000 thread ids.
    def erase_customer_mails(self, customer_id: str) -> int: ...

    def erase_bell_items_of(self, audience: str) -> int: ...

    def erase_read_marks_of(self, audience: str) -> int: ...

    def erase_preferences_of(self, user_id: str, address_keys: list[str]) -> int:
        """The person's preferences, and any kept with one of these addresses (lower case)."""

    def erase_reply_addresses_of(self, user_id: str, address_keys: list[str]) -> int:
        """The reply addresses made for the customer, and any made for one of these addresses."""

    def erase_vendor_staff_known_as(self, thread_ids: list[str], names: list[str], address_keys: list[str]) -> int:
        """Leave out of these threads' staff anyone of these names or addresses (any case); how
        many threads' lists changed."""

    def erase_webhook_deliveries_holding(self, address_keys: list[str]) -> int:
        """Webhook calls whose body holds one of these addresses as a value (any case)."""

    def forget_thread_mails(self, thread_ids: list[str]) -> int: ...

    def forget_thread_bell_items(self, thread_ids: list[str]) -> int: ...

    def forget_thread_read_marks(self, thread_ids: list[str]) -> int: ...

    def forget_thread_participants(self, thread_ids: list[str]) -> int: ...

    def forget_thread_reply_addresses(self, thread_ids: list[str]) -> int: ...

    def forget_thread_webhook_deliveries(self, thread_ids: list[str]) -> int: ...

    def forget_thread_events(self, thread_ids: list[str]) -> int:
        """The kept events (delivery.py's, waiting for another try) about these threads."""
