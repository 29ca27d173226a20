"""A customer's data on request (issue 25), as far as the notifications service holds it.

- Export: the mails planned or sent to the customer, the items of their bell and the reply
  addresses made for them, in that order, page by page (each page a few queries of at most
  `limit` + 1 records: a customer with 20,000 mails is read a page at a time), with their mail
  preferences on the first page. For the customer themself, or the administration's staff
  holding manage_privacy.
- Erasure, asked by the conversations service (its persisted job calls again after a crash,
  and each step then finds only what is left). What is about the customer's threads goes
  whole, whoever it was for, because it quotes their name and words: the mails (planned ones
  too, so none goes out with the name), the bell items, the webhook calls and the kept events.
  What is theirs goes wherever it is: their mails and bell, their read marks, preferences and
  reply addresses, a staff entry of their threads with their name or address, and any webhook
  call holding their address. Then the webhooks that asked for `customer_erased` are told,
  once per erasure.
- Retention: threads the conversations service removes whole are forgotten here whole.

Other people's bell items about the customer's threads are deleted, not rewritten with
"Former customer": an item only points to a message, its preview quotes the customer's own
words (which may name them in ways we are not given: a nickname, a signature), and the thread
itself stays in the reader's inbox, where the conversations service shows the former customer.

Names are matched through the threads they were written in, not searched for in texts: a name
("Ann") also belongs to other people, whose records a text search would take. An address names
one person, so a webhook call holding one is deleted wherever it is.
"""

import hashlib
from collections import Counter
from collections.abc import Callable, Iterator
from typing import Any

from services.common import cursors
from services.common.access import may_export_customer
from services.common.caller import CONVERSATIONS_SERVICE, Caller
from services.common.clock import now
from services.common.errors import Forbidden
from services.contracts.notifications import CUSTOMER_ERASED, EXPORT_KINDS

from . import bell, rules
from .records import NotificationRecords
from .webhooks import planned_call

# Thread ids one command names at most (a `$in`): an erasure of a few thousand threads is a
# few commands a kind of record.
THREADS_AT_ONCE = 1000
FORGOTTEN = ("mails", "bell_items", "read_marks", "participants", "reply_addresses", "webhook_deliveries", "events")
ERASED = FORGOTTEN + ("preferences", "webhooks_told")


def from_conversations(caller: Caller) -> None:
    """Erasing and forgetting are the conversations service's: it decides what goes (issue 25)."""
    if not (caller.role == "system" and caller.user_id == CONVERSATIONS_SERVICE.user_id):
        raise Forbidden("Only the conversations service erases a customer's data or forgets threads.")


# export ------------------------------------------------------------------------------------


def export(store: NotificationRecords, caller: Caller, query: dict[str, Any]) -> dict[str, Any]:
    """One page: {preferences (first page only, else None), items, next_cursor}."""
    customer_id = query["customer_id"]
    if not may_export_customer(caller, customer_id):
        raise Forbidden("A customer's data is exported for the customer, or by staff with manage_privacy.")
    kind, after = _position(query["cursor"])
    items: list[dict[str, Any]] = []
    room, next_cursor = query["limit"], None
    for reading in EXPORT_KINDS[EXPORT_KINDS.index(kind) :]:
        read, present = KINDS[reading]
        # One more than there is room for tells whether the page ends inside this kind.
        found = read(store, customer_id, after, room + 1)
        taken = found[:room]
        items += [present(record) for record in taken]
        if len(found) > room:
            next_cursor = cursors.encode(reading, _id_of(taken[-1]) if taken else after or "")
            break
        room -= len(taken)
        after = None
    return {
        "preferences": bell.preferences_of(store, customer_id) if query["cursor"] is None else None,
        "items": items,
        "next_cursor": next_cursor,
    }


def _position(cursor: str | None) -> tuple[str, str | None]:
    """(the kind the page starts in, the last id seen of it)."""
    if cursor is None:
        return EXPORT_KINDS[0], None
    kind, after = cursors.decode(cursor, 2)
    if kind not in EXPORT_KINDS:
        raise cursors.invalid()
    return kind, after or None


def _id_of(record: dict[str, Any]) -> str:
    # Mails and bell items cross the port as records (`id`), reply addresses as documents (`_id`).
    return str(record["id"] if "id" in record else record["_id"])


def _mails(store: NotificationRecords, customer_id: str, after: str | None, limit: int) -> list[Any]:
    return list(store.customer_mails(customer_id, after, limit))


def _bell_items(store: NotificationRecords, customer_id: str, after: str | None, limit: int) -> list[Any]:
    return list(store.audience_bell_items(_audience(customer_id), after, limit))


def _reply_addresses(store: NotificationRecords, customer_id: str, after: str | None, limit: int) -> list[Any]:
    return store.customer_reply_addresses(customer_id, after, limit)


def _mail_item(mail: dict[str, Any]) -> dict[str, Any]:
    thread, message = mail.get("thread") or {}, mail.get("message") or {}
    title = thread.get("title") or thread.get("subject") or ""
    # The subject it had sent alone (mail.compose); a batch of several said "N new messages".
    subject = (
        rules.reminder_subject(title)
        if mail.get("notice")
        else rules.mail_subject([message.get("author_name") or "Someone"], title)
    )
    return {
        "kind": "mail",
        "id": mail["id"],
        "thread_id": mail["thread_id"],
        "subject": subject,
        "to": mail["address"],
        "planned_at": mail.get("created_at") or mail.get("send_after"),
        "sent_at": mail.get("sent_at"),
        "status": mail.get("status", "pending"),
    }


def _bell_item(item: dict[str, Any]) -> dict[str, Any]:
    return {
        "kind": "bell_item",
        "id": item["id"],
        "thread_id": item["thread_id"],
        "at": item["created_at"],
        "title": item.get("title") or "",
        "text": item.get("preview") or "",
        "read": bool(item.get("read")),
    }


def _reply_address(given: dict[str, Any]) -> dict[str, Any]:
    # Not its id: with the signing key it is the reply address, which posts as the customer.
    return {
        "kind": "reply_address",
        "thread_id": given["thread_id"],
        "address": given["address"],
        "name": given.get("name") or "",
        "made_at": given.get("created_at"),
    }


Reader = Callable[[NotificationRecords, str, str | None, int], list[Any]]
KINDS: dict[str, tuple[Reader, Callable[[dict[str, Any]], dict[str, Any]]]] = {
    "mail": (_mails, _mail_item),
    "bell_item": (_bell_items, _bell_item),
    "reply_address": (_reply_addresses, _reply_address),
}


# erasure and retention -----------------------------------------------------------------------


def erase(store: NotificationRecords, erasure: dict[str, Any]) -> dict[str, int]:
    """Erase what is held of the customer (see the module's note); how many records went."""
    customer_id = erasure["customer_id"]
    names = sorted({name.strip() for name in erasure["names"] if name.strip()})
    address_keys = sorted({email.strip().lower() for email in erasure["emails"] if email.strip()})
    audience = _audience(customer_id)
    removed: Counter[str] = Counter()
    for thread_ids in _batches(erasure["thread_ids"]):
        removed += _forget_what_quotes(store, thread_ids)
        removed["participants"] += store.erase_vendor_staff_known_as(thread_ids, names, address_keys)
    removed["mails"] += store.erase_customer_mails(customer_id)
    removed["bell_items"] += store.erase_bell_items_of(audience)
    removed["read_marks"] += store.erase_read_marks_of(audience)
    removed["preferences"] += store.erase_preferences_of(customer_id, address_keys)
    removed["reply_addresses"] += store.erase_reply_addresses_of(customer_id, address_keys)
    removed["webhook_deliveries"] += store.erase_webhook_deliveries_holding(address_keys)
    # Last: a receiver told deletes its copies once ours are gone.
    removed["webhooks_told"] = _tell_webhooks(store, customer_id, erasure["erasure_id"])
    return {key: removed[key] for key in ERASED}


def forget_threads(store: NotificationRecords, thread_ids: list[str]) -> dict[str, int]:
    """Everything kept about these threads; how many records went."""
    removed: Counter[str] = Counter()
    for batch in _batches(thread_ids):
        removed += _forget_what_quotes(store, batch)
        removed["read_marks"] += store.forget_thread_read_marks(batch)
        removed["participants"] += store.forget_thread_participants(batch)
        removed["reply_addresses"] += store.forget_thread_reply_addresses(batch)
    return {key: removed[key] for key in FORGOTTEN}


def _forget_what_quotes(store: NotificationRecords, thread_ids: list[str]) -> Counter[str]:
    """The records that quote the threads' messages: their mails to anyone, bell items on
    anyone's bell, webhook calls and kept events."""
    return Counter(
        mails=store.forget_thread_mails(thread_ids),
        bell_items=store.forget_thread_bell_items(thread_ids),
        webhook_deliveries=store.forget_thread_webhook_deliveries(thread_ids),
        events=store.forget_thread_events(thread_ids),
    )


def _tell_webhooks(store: NotificationRecords, customer_id: str, erasure_id: str) -> int:
    """Plan one `customer_erased` call to each endpoint that asked for it; how many were new.
    The delivery's id is derived from the erasure and the endpoint, and the endpoint and the
    event are its unique key, so an erasure asked again plans nothing."""
    event_key = f"{CUSTOMER_ERASED}:{erasure_id}"
    at = now()
    told = 0
    for webhook in store.webhooks_for(CUSTOMER_ERASED):
        delivery_id = hashlib.sha256(f"{event_key}\n{webhook['_id']}".encode()).hexdigest()[:24]
        data = {"customer_id": customer_id, "erasure_id": erasure_id}
        told += store.plan_webhook_delivery(
            planned_call(delivery_id, webhook["_id"], CUSTOMER_ERASED, event_key, data, None, occurred_at=at, at=at)
        )
    return told


def _audience(customer_id: str) -> str:
    audience = rules.audience_of(Caller(user_id=customer_id, role="customer"))
    assert audience is not None  # a customer always has a bell of their own
    return audience


def _batches(thread_ids: list[str]) -> Iterator[list[str]]:
    unique = list(dict.fromkeys(thread_ids))
    for start in range(0, len(unique), THREADS_AT_ONCE):
        yield unique[start : start + THREADS_AT_ONCE]
