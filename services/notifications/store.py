"""What the notifications service keeps, in MongoDB: the `NotificationRecords` port of
records.py. The MongoDB queries and updates live here and nowhere else.

- `notification_events`: the events whose deliveries could not be planned when they came (the
  catalog was away), kept for the timer to try again (delivery.py);
- `notification_mails`: one planned mail per (message, address), unique: the record of what
  is to be sent and what was, which makes a redelivered event send nothing twice;
- `notifications`: the in-app bell, one item per (audience, message), unique;
- `notification_reads`: up to when each audience has read each thread (its items until then are read);
- `notification_participants`: the vendor's staff who have written in each thread;
- `notification_preferences`, `notification_settings`, `webhooks`, `webhook_deliveries`;
- `reply_addresses`: whom each reply address was given to (one per person and thread, unique);
- `migrations`: a marker for each step done once per database (`_name_threads`), shared with
  the conversations service's own steps.

A customer's records (their side and user id, their bell's audience) and a thread's are found
by index, for the export, the erasure and retention (privacy.py).

Work is claimed with a lease (`status` → `sending`/`processing`, `lease_until`): a worker
that dies mid-way gives it back when the lease runs out. Nothing here decides who is told
what (rules.py, delivery.py).
"""

import hashlib
import json
import re
from datetime import datetime
from typing import cast

from bson import ObjectId
from pymongo import ASCENDING, DESCENDING, UpdateOne
from pymongo.errors import BulkWriteError, DuplicateKeyError

from services.common import clock
from services.common.errors import ValidationFailed
from services.common.mongo import document_of, insert_once, record_of, update_by_id
from services.common.remembered import Memory

from . import rules
from .records import BellItem, Mail, Page

SETTINGS_ID = "current"
# The settings and the webhooks are read for every event; a change made through another replica
# applies there within this many seconds (at once through this one).
REMEMBER_SECONDS = 5.0
DUPLICATE_KEY = 11000
# Ids one delete names at most: a customer's 20,000 mails go in twenty bounded commands.
AT_ONCE = 1000


def _page_after(cursor: str | None) -> dict:
    """Newest first by id (ids sort by creation): the cursor is the last id seen."""
    if not cursor:
        return {}
    if not ObjectId.is_valid(cursor):
        raise ValidationFailed("The cursor is not valid.", {"cursor": ["Use next_cursor from a previous page."]})
    return {"_id": {"$lt": cursor}}


def _take_first(collection, conditions: dict, oldest: str, changes: dict, tries: int = 5) -> dict | None:
    """Take the document meeting `conditions` with the smallest `oldest`; the next one when
    another worker was quicker. None when there is none."""
    for candidate in collection.find(conditions, {"_id": 1}).sort(oldest, ASCENDING).limit(tries):
        taken = update_by_id(collection, candidate["_id"], {"$set": changes}, conditions)
        if taken is not None:
            return taken
    return None


def _after(after: str | None) -> dict:
    """Oldest first by id: the records after the last id seen."""
    return {"_id": {"$gt": after}} if after else {}


def _oldest_first(collection, query: dict, after: str | None, limit: int) -> list[dict]:
    return list(collection.find({**query, **_after(after)}).sort("_id", ASCENDING).limit(limit))


def _delete_in_batches(collection, query: dict) -> int:
    """Delete what meets `query`, AT_ONCE ids a command; how many went."""
    removed = 0
    while True:
        ids = [document["_id"] for document in collection.find(query, {"_id": 1}).limit(AT_ONCE)]
        if not ids:
            return removed
        removed += collection.delete_many({"_id": {"$in": ids}}).deleted_count


def _read_marks_of(audience: str) -> dict:
    # A mark's id is "<audience>|<thread>": the audience's are the ids from "<audience>|" up to
    # "<audience>}" ("}" is the character after "|"), a range of the _id index.
    return {"_id": {"$gte": f"{audience}|", "$lt": f"{audience}}}"}}


def _thread_of_mark(mark: dict) -> dict:
    audience, _, thread_id = mark["_id"].rpartition("|")
    return {"audience": audience, "thread_id": thread_id}


def _thread_of_call(call: dict) -> dict:
    """The thread a webhook call's body is about; None for one about no thread."""
    try:
        return {"thread_id": str(json.loads(call.get("body") or "")["data"]["thread"]["id"])}
    except (ValueError, TypeError, KeyError):
        return {"thread_id": None}


def _name_threads(db) -> None:
    """Read marks and webhook calls written before they named their thread are given it, once
    per database (a marker in `migrations`, so a start never scans them again): a thread's are
    then found by index when it is forgotten or its customer erased. Safe to run twice."""
    step = "notifications_name_threads"
    if db.migrations.find_one({"_id": step}) is not None:
        return
    for collection, thread_of in ((db.notification_reads, _thread_of_mark), (db.webhook_deliveries, _thread_of_call)):
        while True:
            older = list(collection.find({"thread_id": {"$exists": False}}).limit(500))
            if not older:
                break
            collection.bulk_write([UpdateOne({"_id": each["_id"]}, {"$set": thread_of(each)}) for each in older])
    db.migrations.update_one({"_id": step}, {"$set": {"at": clock.now()}}, upsert=True)


def _mail(document: dict) -> Mail:
    return cast(Mail, record_of(document))


def _bell_item(document: dict) -> BellItem:
    return cast(BellItem, record_of(document))


def _read_mark_id(audience: str, thread_id: str) -> str:
    return f"{audience}|{thread_id}"


class NotificationStore:
    def __init__(self, db, memory: Memory | None = None):
        self.db = db
        memory = memory or Memory()
        self.remembered_settings = memory.of("settings", REMEMBER_SECONDS, size=1)
        self.remembered_webhooks = memory.of("webhooks", REMEMBER_SECONDS, size=16)
        # A reply address's record never changes once made: which exist, by (thread, address).
        self.remembered_reply_ids = memory.of("reply addresses", 3600.0, size=10_000)
        self.events = db.notification_events
        self.mails = db.notification_mails
        self.bell = db.notifications
        self.bell_reads = db.notification_reads
        self.participants = db.notification_participants
        self.preferences = db.notification_preferences
        self.settings_collection = db.notification_settings
        self.webhooks = db.webhooks
        self.webhook_deliveries = db.webhook_deliveries
        self.reply_addresses = db.reply_addresses

    @staticmethod
    def create_indexes(db):
        db.notification_events.create_index([("status", ASCENDING), ("process_after", ASCENDING)])
        # A worked-through event is kept a week to look into; a later redelivery is still
        # harmless, as what it caused (mails, bell items, webhook calls) keeps its unique keys.
        db.notification_events.create_index("done_at", expireAfterSeconds=7 * 24 * 3600)
        # The kept events are few (those that could not be planned when they came, worked ones
        # gone within a week): a thread's are found without an index of their own.
        mails = db.notification_mails
        # The idempotency key: one mail per message and address, ever.
        mails.create_index([("message_id", ASCENDING), ("address_key", ASCENDING)], unique=True)
        mails.create_index([("status", ASCENDING), ("send_after", ASCENDING)])
        mails.create_index([("thread_id", ASCENDING), ("address_key", ASCENDING), ("send_after", DESCENDING)])
        mails.create_index("batch_id", sparse=True)
        # A customer's mails, page by page (export) and for their erasure.
        mails.create_index([("user_id", ASCENDING), ("side", ASCENDING), ("_id", ASCENDING)])
        db.notifications.create_index([("audience", ASCENDING), ("message_id", ASCENDING)], unique=True)
        db.notifications.create_index([("audience", ASCENDING), ("_id", DESCENDING)])
        db.notifications.create_index([("audience", ASCENDING), ("read", ASCENDING), ("_id", DESCENDING)])
        db.notifications.create_index([("audience", ASCENDING), ("thread_id", ASCENDING), ("read", ASCENDING)])
        # A thread's items and read marks, on every audience's bell: its customer erased, or the
        # thread forgotten at the end of retention.
        db.notifications.create_index("thread_id")
        db.notification_reads.create_index("thread_id")
        db.notification_preferences.create_index("email")
        deliveries = db.webhook_deliveries
        deliveries.create_index([("webhook_id", ASCENDING), ("event_key", ASCENDING)], unique=True)
        deliveries.create_index([("status", ASCENDING), ("send_after", ASCENDING)])
        deliveries.create_index([("webhook_id", ASCENDING), ("status", ASCENDING), ("send_after", ASCENDING)])
        deliveries.create_index([("webhook_id", ASCENDING), ("_id", DESCENDING)])
        deliveries.create_index("thread_id")  # as the bell's, above
        db.reply_addresses.create_index([("thread_id", ASCENDING), ("address_key", ASCENDING)], unique=True)
        # Written once and never updated, so these cost an insert only: a customer's addresses.
        db.reply_addresses.create_index([("user_id", ASCENDING), ("side", ASCENDING), ("_id", ASCENDING)])
        db.reply_addresses.create_index("address_key")
        _name_threads(db)

    def ping(self) -> None:
        self.db.command("ping")

    # settings ---------------------------------------------------------------------------

    def settings(self) -> dict:
        return self.remembered_settings.get(SETTINGS_ID, self._stored_settings)

    def _stored_settings(self) -> dict:
        stored = self.settings_collection.find_one({"_id": SETTINGS_ID}) or {}
        stored.pop("_id", None)
        return rules.merge_settings(rules.default_settings(), stored)

    def save_settings(self, settings: dict) -> None:
        self.settings_collection.replace_one({"_id": SETTINGS_ID}, {"_id": SETTINGS_ID, **settings}, upsert=True)
        self.remembered_settings.forget()

    # received events --------------------------------------------------------------------

    def record_event(self, event_id: str, event: dict) -> bool:
        """Keep an event whose deliveries could not be planned, for the timer; False when it
        was kept before."""
        return insert_once(self.events, {"_id": event_id, **event})

    def claim_event(self, event_id: str, now: datetime, lease_until: datetime) -> dict | None:
        return update_by_id(
            self.events,
            event_id,
            {"$set": {"status": "processing", "lease_until": lease_until}},
            {"status": "pending", "process_after": {"$lte": now}},
        )

    def claim_due_event(self, now: datetime, lease_until: datetime) -> dict | None:
        return _take_first(
            self.events,
            {"status": "pending", "process_after": {"$lte": now}},
            "process_after",
            {"status": "processing", "lease_until": lease_until},
        )

    def event_done(self, event_id: str, now: datetime) -> None:
        self.events.update_one(
            {"_id": event_id}, {"$set": {"status": "done", "done_at": now}, "$unset": {"lease_until": ""}}
        )

    def event_failed_attempt(
        self, event_id: str, attempts: int, status: str, process_after: datetime | None, error: str
    ) -> None:
        self.events.update_one(
            {"_id": event_id},
            {
                "$set": {"status": status, "attempts": attempts, "process_after": process_after, "last_error": error},
                "$unset": {"lease_until": ""},
            },
        )

    def release_stale(self, now: datetime) -> None:
        """Work whose worker died (its lease ran out) goes back to the queue; a mail batch is
        sent again as itself instead (stale_mail_batches)."""
        stale = {"lease_until": {"$lt": now}}
        self.events.update_many({"status": "processing", **stale}, {"$set": {"status": "pending"}})
        self.webhook_deliveries.update_many({"status": "sending", **stale}, {"$set": {"status": "pending"}})

    # people -----------------------------------------------------------------------------

    def add_vendor_staff(self, thread_id: str, person: dict) -> None:
        """Remember a vendor's employee who wrote in the thread; the newest name wins."""
        if person in self.vendor_staff(thread_id):
            return  # the usual case, a read: a staff member writes in a thread many times
        self.participants.update_one({"_id": thread_id}, {"$pull": {"vendor_staff": {"user_id": person["user_id"]}}})
        self.participants.update_one({"_id": thread_id}, {"$push": {"vendor_staff": person}}, upsert=True)

    def vendor_staff(self, thread_id: str) -> list[dict]:
        found = self.participants.find_one({"_id": thread_id}) or {}
        return found.get("vendor_staff", [])

    def opted_out(
        self, communication_type: str, address_keys: list[str], user_ids: list[str]
    ) -> tuple[set[str], set[str]]:
        """(addresses, user ids) among those given that want no mail of this type."""
        found = self.preferences.find(
            {"email_opt_out": communication_type, "$or": [{"email": {"$in": address_keys}}, {"_id": {"$in": user_ids}}]}
        )
        addresses, users = set(), set()
        for person in found:
            users.add(person["_id"])
            if person.get("email"):
                addresses.add(person["email"])
        return addresses & set(address_keys), users

    def email_opt_outs(self, user_id: str) -> list[str]:
        found = self.preferences.find_one({"_id": user_id}) or {}
        return found.get("email_opt_out", [])

    def save_email_opt_outs(self, user_id: str, address_key: str | None, opt_outs: list[str]) -> None:
        self.preferences.update_one(
            {"_id": user_id}, {"$set": {"email": address_key, "email_opt_out": opt_outs}}, upsert=True
        )

    # mail -------------------------------------------------------------------------------

    def latest_mail_time(self, thread_id: str, address_key: str) -> datetime | None:
        """When the newest mail planned to this address about this thread goes (or went)."""
        found = self.mails.find_one(
            {"thread_id": thread_id, "address_key": address_key, "status": {"$ne": "failed"}},
            sort=[("send_after", DESCENDING)],
        )
        return found["send_after"] if found else None

    def latest_message_mailed(self, thread_id: str, address_key: str) -> datetime | None:
        """When the message of the newest mail to this address about this thread was written
        (a reminder's time is its own, not a message's: reminders are left out)."""
        found = self.mails.find_one(
            {"thread_id": thread_id, "address_key": address_key, "notice": {"$exists": False}},
            {"message.created_at": 1},
            sort=[("send_after", DESCENDING)],
        )
        return found["message"]["created_at"] if found else None

    def plan_mail(self, mail: Mail) -> bool:
        """False when a mail for this message and address was planned before."""
        return insert_once(self.mails, document_of(mail))

    def due_mail_groups(self, now: datetime, limit: int = 200) -> list[tuple[str, str]]:
        """(thread, address) pairs with mail due, oldest first."""
        query = {"status": "pending", "send_after": {"$lte": now}}
        groups = []
        for mail in (
            self.mails.find(query, {"thread_id": 1, "address_key": 1}).sort("send_after", ASCENDING).limit(limit)
        ):
            group = (mail["thread_id"], mail["address_key"])
            if group not in groups:
                groups.append(group)
        return groups

    def claim_mail_batch(
        self, thread_id: str, address_key: str, now: datetime, batch_id: str, lease_until: datetime
    ) -> list[Mail]:
        """Take every due mail of one (thread, address) for one batch; [] when another worker
        took them first."""
        self.mails.update_many(
            {"thread_id": thread_id, "address_key": address_key, "status": "pending", "send_after": {"$lte": now}},
            {"$set": {"status": "sending", "batch_id": batch_id, "lease_until": lease_until}},
        )
        return [_mail(document) for document in self.mails.find({"batch_id": batch_id, "status": "sending"})]

    def stale_mail_batches(self, now: datetime, limit: int = 100) -> list[str]:
        """Batches whose worker died while sending: the server may have taken them already."""
        return list(
            dict.fromkeys(
                mail["batch_id"]
                for mail in self.mails.find({"status": "sending", "lease_until": {"$lt": now}}, {"batch_id": 1}).limit(
                    limit
                )
            )
        )

    def retake_mail_batch(self, batch_id: str, now: datetime, lease_until: datetime) -> list[Mail]:
        """The stale batch's mails, now this worker's; [] when another worker retook it first."""
        taken = self.mails.update_many(
            {"batch_id": batch_id, "status": "sending", "lease_until": {"$lt": now}},
            {"$set": {"lease_until": lease_until}},
        )
        if taken.modified_count == 0:
            return []
        return [_mail(document) for document in self.mails.find({"batch_id": batch_id, "status": "sending"})]

    def release_mail_batch(self, batch_id: str) -> None:
        self.mails.update_many(
            {"batch_id": batch_id, "status": "sending"},
            {"$set": {"status": "pending"}, "$unset": {"batch_id": "", "lease_until": ""}},
        )

    def record_mail_delivered(self, batch_id: str, now: datetime) -> None:
        self.mails.update_many(
            {"batch_id": batch_id, "status": "sending"},
            {"$set": {"status": "sent", "sent_at": now}, "$unset": {"lease_until": ""}},
        )

    def batch_failed_attempt(
        self, batch_id: str, attempts: int, status: str, send_after: datetime | None, error: str, now: datetime
    ) -> None:
        changes = {"status": status, "attempts": attempts, "last_error": error}
        if status == "failed":
            changes["failed_at"] = now
        else:
            changes["send_after"] = send_after
        self.mails.update_many(
            {"batch_id": batch_id, "status": "sending"}, {"$set": changes, "$unset": {"lease_until": ""}}
        )

    def failed_mails(self, cursor: str | None, limit: int) -> Page[Mail]:
        query = {"status": "failed", **_page_after(cursor)}
        page = list(self.mails.find(query).sort("_id", DESCENDING).limit(limit + 1))
        return Page(
            [_mail(document) for document in page[:limit]], page[limit - 1]["_id"] if len(page) > limit else None
        )

    # reply by mail ----------------------------------------------------------------------

    def reply_address_id(self, recipient: dict) -> str:
        """The id of the person's reply address in the thread, its record made the first time.

        The id is derived from (thread, address), so a worker knows it without a read; the
        record is written once (an upsert that changes nothing after) and then remembered.
        Records made before ids were derived keep their random ids: the unique (thread, address)
        index refuses the derived one, and the old record is read instead.
        """
        person = (recipient["thread_id"], recipient["address_key"])
        return self.remembered_reply_ids.get(person, lambda: self._reply_address_record(recipient))

    def _reply_address_record(self, recipient: dict) -> str:
        derived = hashlib.sha256("\n".join((recipient["thread_id"], recipient["address_key"])).encode()).hexdigest()[
            :24
        ]
        try:
            self.reply_addresses.update_one(
                {"_id": derived}, {"$setOnInsert": {**recipient, "created_at": clock.now()}}, upsert=True
            )
            return derived
        except DuplicateKeyError:
            found = self.reply_addresses.find_one(
                {"thread_id": recipient["thread_id"], "address_key": recipient["address_key"]}, {"_id": 1}
            )
            return found["_id"]

    def reply_address(self, address_id: str) -> dict | None:
        return self.reply_addresses.find_one({"_id": address_id})

    # the in-app bell --------------------------------------------------------------------

    def ring(self, notifications: list[BellItem]) -> int:
        """Put the items in their audiences' bells, in one command; how many were new (an
        audience told of a message before is not told again)."""
        if not notifications:
            return 0
        try:
            return len(self.bell.insert_many([document_of(item) for item in notifications], ordered=False).inserted_ids)
        except BulkWriteError as error:
            if any(failure["code"] != DUPLICATE_KEY for failure in error.details["writeErrors"]):
                raise
            return error.details["nInserted"]

    def bell_items(
        self, audience: str, kinds: list[str], unread: bool | None, cursor: str | None, limit: int
    ) -> Page[BellItem]:
        query = {"audience": audience, "kind": {"$in": kinds}, **_page_after(cursor)}
        if unread is not None:
            query["read"] = not unread
        page = list(self.bell.find(query).sort("_id", DESCENDING).limit(limit + 1))
        items = [_bell_item(document) for document in page[:limit]]
        return Page(items, page[limit - 1]["_id"] if len(page) > limit else None)

    def unread_count(self, audience: str, kinds: list[str]) -> int:
        return self.bell.count_documents({"audience": audience, "kind": {"$in": kinds}, "read": False})

    def mark_read(self, audience: str, kinds: list[str], ids: list[str] | None, now: datetime) -> int:
        query = {"audience": audience, "kind": {"$in": kinds}, "read": False}
        if ids is not None:
            query["_id"] = {"$in": ids}
        return self.bell.update_many(query, {"$set": {"read": True, "read_at": now}}).modified_count

    def thread_read(self, audience: str, thread_id: str, read_at: datetime) -> int:
        """The audience read the thread up to `read_at`: its unread items of the thread until
        then are read, and the mark is kept (the latest one) for items written later (read_marks);
        how many items were marked."""
        self.bell_reads.update_one(
            {"_id": _read_mark_id(audience, thread_id)},
            # The thread named, so that its marks are found when it is forgotten.
            {"$max": {"read_at": read_at}, "$set": {"audience": audience, "thread_id": thread_id}},
            upsert=True,
        )
        return self.bell.update_many(
            {"audience": audience, "thread_id": thread_id, "read": False, "created_at": {"$lte": read_at}},
            {"$set": {"read": True, "read_at": read_at}},
        ).modified_count

    def read_marks(self, pairs: set[tuple[str, str]]) -> dict[tuple[str, str], datetime]:
        """(audience, thread id) → up to when that audience has read that thread, for those it has."""
        ids = {_read_mark_id(audience, thread_id): (audience, thread_id) for audience, thread_id in pairs}
        return {ids[mark["_id"]]: mark["read_at"] for mark in self.bell_reads.find({"_id": {"$in": list(ids)}})}

    # webhooks ---------------------------------------------------------------------------

    def add_webhook(self, webhook: dict) -> None:
        self.webhooks.insert_one(webhook)
        self.remembered_webhooks.forget()

    def all_webhooks(self) -> list[dict]:
        return list(self.webhooks.find().sort("_id", ASCENDING))

    def webhook(self, webhook_id: str) -> dict | None:
        return self.webhooks.find_one({"_id": webhook_id})

    def count_webhooks(self) -> int:
        return self.webhooks.count_documents({})

    def webhooks_for(self, event: str) -> list[dict]:
        return self.remembered_webhooks.get(event, lambda: list(self.webhooks.find({"events": event})))

    def delete_webhook(self, webhook_id: str) -> bool:
        if self.webhooks.delete_one({"_id": webhook_id}).deleted_count == 0:
            return False
        self.remembered_webhooks.forget()
        self.webhook_deliveries.delete_many({"webhook_id": webhook_id, "status": {"$in": ["pending", "sending"]}})
        return True

    def plan_webhook_delivery(self, delivery: dict) -> bool:
        return insert_once(self.webhook_deliveries, delivery)

    def claim_due_webhook_delivery(self, now: datetime, lease_until: datetime, webhook_id: str) -> dict | None:
        query = {"webhook_id": webhook_id, "status": "pending", "send_after": {"$lte": now}}
        return _take_first(
            self.webhook_deliveries, query, "send_after", {"status": "sending", "lease_until": lease_until}
        )

    def webhook_attempted(
        self, delivery: dict, status: str, attempts: int, send_after: datetime | None, result: dict
    ) -> None:
        """Record one attempt on the delivery, and as the endpoint's last result."""
        changes = {"status": status, "attempts": attempts, "last_result": result}
        if send_after is not None:
            changes["send_after"] = send_after
        self.webhook_deliveries.update_one({"_id": delivery["_id"]}, {"$set": changes, "$unset": {"lease_until": ""}})
        self.webhooks.update_one({"_id": delivery["webhook_id"]}, {"$set": {"last_result": result}})

    def recent_webhook_deliveries(self, webhook_id: str, limit: int = 10) -> list[dict]:
        return list(
            self.webhook_deliveries.find({"webhook_id": webhook_id, "attempts": {"$gt": 0}})
            .sort("_id", DESCENDING)
            .limit(limit)
        )

    # a customer's data and a thread's records (privacy.py) --------------------------------

    def customer_mails(self, customer_id: str, after: str | None, limit: int) -> list[Mail]:
        query = {"user_id": customer_id, "side": "customer"}
        return [_mail(document) for document in _oldest_first(self.mails, query, after, limit)]

    def audience_bell_items(self, audience: str, after: str | None, limit: int) -> list[BellItem]:
        return [_bell_item(document) for document in _oldest_first(self.bell, {"audience": audience}, after, limit)]

    def customer_reply_addresses(self, customer_id: str, after: str | None, limit: int) -> list[dict]:
        return _oldest_first(self.reply_addresses, {"user_id": customer_id, "side": "customer"}, after, limit)

    def erase_customer_mails(self, customer_id: str) -> int:
        return _delete_in_batches(self.mails, {"user_id": customer_id, "side": "customer"})

    def erase_bell_items_of(self, audience: str) -> int:
        return _delete_in_batches(self.bell, {"audience": audience})

    def erase_read_marks_of(self, audience: str) -> int:
        return _delete_in_batches(self.bell_reads, _read_marks_of(audience))

    def erase_preferences_of(self, user_id: str, address_keys: list[str]) -> int:
        # Two commands, not one `$or`: each is then an index's lookup on any MongoDB-wire server.
        removed = self.preferences.delete_one({"_id": user_id}).deleted_count
        if address_keys:
            removed += self.preferences.delete_many({"email": {"$in": address_keys}}).deleted_count
        return removed

    def erase_reply_addresses_of(self, user_id: str, address_keys: list[str]) -> int:
        removed = _delete_in_batches(self.reply_addresses, {"user_id": user_id, "side": "customer"})
        if address_keys:
            removed += _delete_in_batches(self.reply_addresses, {"address_key": {"$in": address_keys}})
        self.remembered_reply_ids.forget()
        return removed

    def erase_vendor_staff_known_as(self, thread_ids: list[str], names: list[str], address_keys: list[str]) -> int:
        known = {name.casefold() for name in names} | {key.casefold() for key in address_keys}
        changed = 0
        for participants in self.participants.find({"_id": {"$in": thread_ids}}):
            leaving = [
                person["user_id"]
                for person in participants.get("vendor_staff", [])
                if (person.get("name") or "").casefold() in known or (person.get("email") or "").casefold() in known
            ]
            if leaving:
                self.participants.update_one(
                    {"_id": participants["_id"]}, {"$pull": {"vendor_staff": {"user_id": {"$in": leaving}}}}
                )
                changed += 1
        return changed

    def erase_webhook_deliveries_holding(self, address_keys: list[str]) -> int:
        if not address_keys:
            return 0
        # An address as a whole JSON string (`"ann@buyers.test"`), so another's that merely
        # contains it is kept. A scan of the calls: erasures are rare, and a call's body is
        # matched in no other way.
        holding = "|".join(re.escape(json.dumps(key)) for key in address_keys)
        return _delete_in_batches(self.webhook_deliveries, {"body": {"$regex": holding, "$options": "i"}})

    def forget_thread_mails(self, thread_ids: list[str]) -> int:
        return self.mails.delete_many({"thread_id": {"$in": thread_ids}}).deleted_count

    def forget_thread_bell_items(self, thread_ids: list[str]) -> int:
        return self.bell.delete_many({"thread_id": {"$in": thread_ids}}).deleted_count

    def forget_thread_read_marks(self, thread_ids: list[str]) -> int:
        return self.bell_reads.delete_many({"thread_id": {"$in": thread_ids}}).deleted_count

    def forget_thread_participants(self, thread_ids: list[str]) -> int:
        return self.participants.delete_many({"_id": {"$in": thread_ids}}).deleted_count

    def forget_thread_reply_addresses(self, thread_ids: list[str]) -> int:
        removed = self.reply_addresses.delete_many({"thread_id": {"$in": thread_ids}}).deleted_count
        self.remembered_reply_ids.forget()
        return removed

    def forget_thread_webhook_deliveries(self, thread_ids: list[str]) -> int:
        return self.webhook_deliveries.delete_many({"thread_id": {"$in": thread_ids}}).deleted_count

    def forget_thread_events(self, thread_ids: list[str]) -> int:
        return self.events.delete_many({"payload.thread.id": {"$in": thread_ids}}).deleted_count
