"""What the notifications service keeps, in memory: the `NotificationRecords` port without a
database, for the use-case tests. It passes the same contract tests as the MongoDB adapter
(test_store.py). Records are copied in and out, as a database would."""

import copy
import json

from bson import ObjectId

from services.common.errors import ValidationFailed
from services.common.clock import now
from services.notifications import rules
from services.notifications.records import Page


def _copy(record):
    return copy.deepcopy(record)


def _page(records: list[dict], cursor: str | None, limit: int) -> Page:
    if cursor and not ObjectId.is_valid(cursor):
        raise ValidationFailed("The cursor is not valid.", {"cursor": ["Use next_cursor from a previous page."]})
    newest_first = sorted(
        (record for record in records if not cursor or record["id"] < cursor),
        key=lambda record: record["id"],
        reverse=True,
    )
    page = newest_first[: limit + 1]
    return Page([_copy(record) for record in page[:limit]], page[limit - 1]["id"] if len(page) > limit else None)


def _oldest_first(records, after, limit, key="id"):
    chosen = sorted((record for record in records if not after or record[key] > after), key=lambda r: r[key])
    return [_copy(record) for record in chosen[:limit]]


def _remove(records: dict, leaving) -> int:
    """Remove the records `leaving(record)` names from a dict of them; how many went."""
    gone = [key for key, record in records.items() if leaving(key, record)]
    for key in gone:
        del records[key]
    return len(gone)


def _oldest(records, due):
    return min(records, key=lambda record: record[due], default=None)


class MemoryNotificationStore:
    def __init__(self):
        self.stored_settings = {}
        self.events = {}
        self.mails = {}
        self.bell = {}
        self.read_up_to = {}
        self.staff = {}
        self.preferences = {}
        self.webhooks = {}
        self.deliveries = {}
        self.reply_addresses = {}

    def ping(self):
        pass

    # settings ------------------------------------------------------------------------------

    def settings(self):
        return rules.merge_settings(rules.default_settings(), _copy(self.stored_settings))

    def save_settings(self, settings):
        self.stored_settings = _copy(settings)

    # received events -----------------------------------------------------------------------

    def record_event(self, event_id, event):
        if event_id in self.events:
            return False
        self.events[event_id] = {"_id": event_id, **_copy(event)}
        return True

    def claim_event(self, event_id, now, lease_until):
        event = self.events.get(event_id)
        if event is None or event["status"] != "pending" or event["process_after"] > now:
            return None
        return self._lease(event, "processing", lease_until)

    def claim_due_event(self, now, lease_until):
        event = _oldest(
            [event for event in self.events.values() if event["status"] == "pending" and event["process_after"] <= now],
            "process_after",
        )
        return None if event is None else self._lease(event, "processing", lease_until)

    @staticmethod
    def _lease(record, status, lease_until):
        record.update(status=status, lease_until=lease_until)
        return _copy(record)

    def event_done(self, event_id, now):
        event = self.events[event_id]
        event.update(status="done", done_at=now)
        event.pop("lease_until", None)

    def event_failed_attempt(self, event_id, attempts, status, process_after, error):
        event = self.events[event_id]
        event.update(status=status, attempts=attempts, process_after=process_after, last_error=error)
        event.pop("lease_until", None)

    def release_stale(self, now):
        for records, status in ((self.events, "processing"), (self.deliveries, "sending")):
            for record in records.values():
                if record["status"] == status and record.get("lease_until") is not None and record["lease_until"] < now:
                    record["status"] = "pending"

    # people --------------------------------------------------------------------------------

    def add_vendor_staff(self, thread_id, person):
        staff = [known for known in self.staff.get(thread_id, []) if known["user_id"] != person["user_id"]]
        self.staff[thread_id] = staff + [_copy(person)]

    def vendor_staff(self, thread_id):
        return _copy(self.staff.get(thread_id, []))

    def opted_out(self, communication_type, address_keys, user_ids):
        addresses, users = set(), set()
        for user_id, person in self.preferences.items():
            if communication_type in person["email_opt_out"] and (
                person["email"] in address_keys or user_id in user_ids
            ):
                users.add(user_id)
                if person["email"]:
                    addresses.add(person["email"])
        return addresses & set(address_keys), users

    def email_opt_outs(self, user_id):
        return list(self.preferences.get(user_id, {}).get("email_opt_out", []))

    def save_email_opt_outs(self, user_id, address_key, opt_outs):
        self.preferences[user_id] = {"email": address_key, "email_opt_out": list(opt_outs)}

    # mail ----------------------------------------------------------------------------------

    def latest_mail_time(self, thread_id, address_key):
        times = [
            mail["send_after"]
            for mail in self.mails.values()
            if (mail["thread_id"], mail["address_key"]) == (thread_id, address_key) and mail["status"] != "failed"
        ]
        return max(times, default=None)

    def latest_message_mailed(self, thread_id, address_key):
        mails = [
            mail
            for mail in self.mails.values()
            if (mail["thread_id"], mail["address_key"]) == (thread_id, address_key) and "notice" not in mail
        ]
        newest = max(mails, key=lambda mail: mail["send_after"], default=None)
        return newest["message"]["created_at"] if newest else None

    def plan_mail(self, mail):
        if any(
            (known["message_id"], known["address_key"]) == (mail["message_id"], mail["address_key"])
            for known in self.mails.values()
        ):
            return False
        self.mails[mail["id"]] = _copy(mail)
        return True

    def due_mail_groups(self, now, limit=200):
        due = sorted(
            (mail for mail in self.mails.values() if mail["status"] == "pending" and mail["send_after"] <= now),
            key=lambda mail: mail["send_after"],
        )[:limit]
        return list(dict.fromkeys((mail["thread_id"], mail["address_key"]) for mail in due))

    def claim_mail_batch(self, thread_id, address_key, now, batch_id, lease_until):
        for mail in self.mails.values():
            if (
                (mail["thread_id"], mail["address_key"]) == (thread_id, address_key)
                and mail["status"] == "pending"
                and mail["send_after"] <= now
            ):
                mail.update(status="sending", batch_id=batch_id, lease_until=lease_until)
        return self._batch(batch_id)

    def _batch(self, batch_id):
        return [
            _copy(mail)
            for mail in self.mails.values()
            if mail.get("batch_id") == batch_id and mail["status"] == "sending"
        ]

    def stale_mail_batches(self, now, limit=100):
        stale = [
            mail["batch_id"]
            for mail in self.mails.values()
            if mail["status"] == "sending" and mail["lease_until"] < now
        ][:limit]
        return list(dict.fromkeys(stale))

    def retake_mail_batch(self, batch_id, now, lease_until):
        stale = [
            mail
            for mail in self.mails.values()
            if mail.get("batch_id") == batch_id and mail["status"] == "sending" and mail["lease_until"] < now
        ]
        if not stale:
            return []
        for mail in stale:
            mail["lease_until"] = lease_until
        return self._batch(batch_id)

    def _in_batch(self, batch_id):
        return [
            mail for mail in self.mails.values() if mail.get("batch_id") == batch_id and mail["status"] == "sending"
        ]

    def release_mail_batch(self, batch_id):
        for mail in self._in_batch(batch_id):
            mail["status"] = "pending"
            mail.pop("batch_id", None)
            mail.pop("lease_until", None)

    def record_mail_delivered(self, batch_id, now):
        for mail in self._in_batch(batch_id):
            mail.update(status="sent", sent_at=now)
            mail.pop("lease_until", None)

    def batch_failed_attempt(self, batch_id, attempts, status, send_after, error, now):
        for mail in self._in_batch(batch_id):
            mail.update(status=status, attempts=attempts, last_error=error)
            if status == "failed":
                mail["failed_at"] = now
            else:
                mail["send_after"] = send_after
            mail.pop("lease_until", None)

    def failed_mails(self, cursor, limit):
        return _page([mail for mail in self.mails.values() if mail["status"] == "failed"], cursor, limit)

    # reply by mail -------------------------------------------------------------------------

    def reply_address_id(self, recipient):
        for address_id, given in self.reply_addresses.items():
            if (given["thread_id"], given["address_key"]) == (recipient["thread_id"], recipient["address_key"]):
                return address_id
        address_id = str(ObjectId())
        self.reply_addresses[address_id] = {"_id": address_id, **_copy(recipient), "created_at": now()}
        return address_id

    def reply_address(self, address_id):
        return _copy(self.reply_addresses.get(address_id))

    # the in-app bell -----------------------------------------------------------------------

    def ring(self, notifications):
        rung = 0
        for notification in notifications:
            if any(
                (item["audience"], item["message_id"]) == (notification["audience"], notification["message_id"])
                for item in self.bell.values()
            ):
                continue
            self.bell[notification["id"]] = _copy(notification)
            rung += 1
        return rung

    def _items(self, audience, kinds):
        return [item for item in self.bell.values() if item["audience"] == audience and item["kind"] in kinds]

    def bell_items(self, audience, kinds, unread, cursor, limit):
        items = [item for item in self._items(audience, kinds) if unread is None or item["read"] is not unread]
        return _page(items, cursor, limit)

    def unread_count(self, audience, kinds):
        return sum(1 for item in self._items(audience, kinds) if not item["read"])

    def mark_read(self, audience, kinds, ids, now):
        marked = 0
        for item in self._items(audience, kinds):
            if not item["read"] and (ids is None or item["id"] in ids):
                item.update(read=True, read_at=now)
                marked += 1
        return marked

    def thread_read(self, audience, thread_id, read_at):
        key = (audience, thread_id)
        self.read_up_to[key] = max(read_at, self.read_up_to.get(key, read_at))
        marked = 0
        for item in self.bell.values():
            if (item["audience"], item["thread_id"]) == key and not item["read"] and item["created_at"] <= read_at:
                item.update(read=True, read_at=read_at)
                marked += 1
        return marked

    def read_marks(self, pairs):
        return {pair: self.read_up_to[pair] for pair in pairs if pair in self.read_up_to}

    # webhooks ------------------------------------------------------------------------------

    def add_webhook(self, webhook):
        self.webhooks[webhook["_id"]] = _copy(webhook)

    def all_webhooks(self):
        return [_copy(webhook) for _, webhook in sorted(self.webhooks.items())]

    def count_webhooks(self):
        return len(self.webhooks)

    def webhooks_for(self, event):
        return [_copy(webhook) for webhook in self.webhooks.values() if event in webhook["events"]]

    def delete_webhook(self, webhook_id):
        if self.webhooks.pop(webhook_id, None) is None:
            return False
        self.deliveries = {
            key: delivery
            for key, delivery in self.deliveries.items()
            if not (delivery["webhook_id"] == webhook_id and delivery["status"] in ("pending", "sending"))
        }
        return True

    def plan_webhook_delivery(self, delivery):
        if any(
            (known["webhook_id"], known["event_key"]) == (delivery["webhook_id"], delivery["event_key"])
            for known in self.deliveries.values()
        ):
            return False
        self.deliveries[delivery["_id"]] = _copy(delivery)
        return True

    def claim_due_webhook_delivery(self, now, lease_until, webhook_id):
        delivery = _oldest(
            [
                delivery
                for delivery in self.deliveries.values()
                if delivery["status"] == "pending"
                and delivery["send_after"] <= now
                and delivery["webhook_id"] == webhook_id
            ],
            "send_after",
        )
        return None if delivery is None else self._lease(delivery, "sending", lease_until)

    def webhook_attempted(self, delivery, status, attempts, send_after, result):
        kept = self.deliveries.get(delivery["_id"])
        if kept is not None:
            kept.update(status=status, attempts=attempts, last_result=_copy(result))
            if send_after is not None:
                kept["send_after"] = send_after
            kept.pop("lease_until", None)
        if delivery["webhook_id"] in self.webhooks:
            self.webhooks[delivery["webhook_id"]]["last_result"] = _copy(result)

    def recent_webhook_deliveries(self, webhook_id, limit=10):
        attempted = [
            delivery
            for delivery in self.deliveries.values()
            if delivery["webhook_id"] == webhook_id and delivery.get("attempts", 0) > 0
        ]
        return [_copy(delivery) for delivery in sorted(attempted, key=lambda d: d["_id"], reverse=True)[:limit]]

    # a customer's data and a thread's records ---------------------------------------------

    def customer_mails(self, customer_id, after, limit):
        mails = [
            mail for mail in self.mails.values() if (mail.get("user_id"), mail.get("side")) == (customer_id, "customer")
        ]
        return _oldest_first(mails, after, limit)

    def audience_bell_items(self, audience, after, limit):
        return _oldest_first([item for item in self.bell.values() if item["audience"] == audience], after, limit)

    def customer_reply_addresses(self, customer_id, after, limit):
        given = [
            address
            for address in self.reply_addresses.values()
            if (address.get("user_id"), address.get("side")) == (customer_id, "customer")
        ]
        return _oldest_first(given, after, limit, key="_id")

    def erase_customer_mails(self, customer_id):
        return _remove(self.mails, lambda _, mail: (mail.get("user_id"), mail.get("side")) == (customer_id, "customer"))

    def erase_bell_items_of(self, audience):
        return _remove(self.bell, lambda _, item: item["audience"] == audience)

    def erase_read_marks_of(self, audience):
        return _remove(self.read_up_to, lambda mark, _: mark[0] == audience)

    def erase_preferences_of(self, user_id, address_keys):
        return _remove(
            self.preferences, lambda person_id, person: person_id == user_id or person["email"] in address_keys
        )

    def erase_reply_addresses_of(self, user_id, address_keys):
        return _remove(
            self.reply_addresses,
            lambda _, given: (given.get("user_id"), given.get("side")) == (user_id, "customer")
            or given["address_key"] in address_keys,
        )

    def erase_vendor_staff_known_as(self, thread_ids, names, address_keys):
        known = {name.casefold() for name in names} | {key.casefold() for key in address_keys}
        changed = 0
        for thread_id in set(thread_ids) & set(self.staff):
            staff = self.staff[thread_id]
            kept = [
                person
                for person in staff
                if (person.get("name") or "").casefold() not in known
                and (person.get("email") or "").casefold() not in known
            ]
            if len(kept) < len(staff):
                self.staff[thread_id] = kept
                changed += 1
        return changed

    def erase_webhook_deliveries_holding(self, address_keys):
        quoted = [json.dumps(key).casefold() for key in address_keys]
        return _remove(self.deliveries, lambda _, delivery: any(key in delivery["body"].casefold() for key in quoted))

    def forget_thread_mails(self, thread_ids):
        return _remove(self.mails, lambda _, mail: mail["thread_id"] in thread_ids)

    def forget_thread_bell_items(self, thread_ids):
        return _remove(self.bell, lambda _, item: item.get("thread_id") in thread_ids)

    def forget_thread_read_marks(self, thread_ids):
        return _remove(self.read_up_to, lambda mark, _: mark[1] in thread_ids)

    def forget_thread_participants(self, thread_ids):
        return _remove(self.staff, lambda thread_id, _: thread_id in thread_ids)

    def forget_thread_reply_addresses(self, thread_ids):
        return _remove(self.reply_addresses, lambda _, given: given["thread_id"] in thread_ids)

    def forget_thread_webhook_deliveries(self, thread_ids):
        return _remove(self.deliveries, lambda _, delivery: delivery.get("thread_id") in thread_ids)

    def forget_thread_events(self, thread_ids):
        return _remove(
            self.events, lambda _, event: ((event.get("payload") or {}).get("thread") or {}).get("id") in thread_ids
        )
