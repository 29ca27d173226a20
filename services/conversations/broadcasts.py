"""Announcements: the administration writing to many vendors at once, each in a thread of its own."""

import logging
from datetime import timedelta

from services.common import access
from services.common.caller import Caller
from services.common.clock import derived_id, new_id, now
from services.common.errors import Forbidden, NotFound, ValidationFailed
from services.common.events import MESSAGE_POSTED, THREAD_STARTED

from . import model, rules, text

log = logging.getLogger(__name__)

# An announcement is written this many threads at a time; a delivery that has not moved on
# for the lease is taken over by the next process that looks (resume_broadcasts).
ANNOUNCEMENT_CHUNK = 1000
ANNOUNCEMENT_LEASE = timedelta(seconds=60)


def broadcast(store, catalog, caller: Caller, request: dict) -> dict:
    """Record the announcement and answer at once; deliver_broadcast writes its threads.

    Thousands of vendors take longer to write than a request may wait: an admin who got a
    timeout while the threads were still being written would retry and announce twice.
    """
    if not access.may_announce(caller):
        raise Forbidden("Only the administration sends announcements.")
    if request["company_ids"] == "all":
        vendors = catalog.list_vendors("A")
    else:
        wanted = {str(company_id) for company_id in request["company_ids"]}
        known = {vendor["company_id"]: vendor for vendor in catalog.list_vendors(None)}
        missing = sorted(wanted - set(known))
        if missing:
            raise ValidationFailed("Some vendors do not exist.", {"company_ids": [f"Unknown: {', '.join(missing)}"]})
        vendors = [known[company_id] for company_id in sorted(wanted)]
    at = now()
    announcement = {
        "_id": new_id(),
        "subject": request["subject"].strip()[: rules.SUBJECT_MAX],
        "created_at": at,
        "author": caller.to_dict(),
        "message": text.prepare(request["message"]),
        # In a fixed order: the n-th vendor's thread and message ids derive from n.
        "vendors": [{"company_id": vendor["company_id"], "name": vendor["name"]} for vendor in vendors],
        "thread_count": len(vendors),
        "status": "sending",
        "lease_until": at + ANNOUNCEMENT_LEASE,
    }
    store.insert_broadcast(announcement)
    return announcement


def deliver_broadcast(store, outbox, announcement: dict) -> None:
    """Write an announcement's threads and messages, a chunk at a time, mark it sent, then
    publish the messages' events.

    Ids derive from the announcement and the vendor's place in it, so a delivery that died
    half way is simply run again (resume_broadcasts): what was written is refused as a
    duplicate, the rest is written, and every event goes out (again: consumers key what they
    do by message). The events wait until every thread is written: thousands of them worked
    through by the notifications service while the threads are still being written made the
    writing take 6 times longer (bench/). The relay takes them up if this process stops.
    """
    author = Caller.from_dict(announcement["author"])
    author_side = access.side_of(author)  # an admin: only the administration announces (broadcast)
    at, prepared, broadcast_id = announcement["created_at"], announcement["message"], announcement["_id"]
    vendors = announcement["vendors"]
    written = []
    for first in range(0, len(vendors), ANNOUNCEMENT_CHUNK):
        for number, vendor in enumerate(vendors[first : first + ANNOUNCEMENT_CHUNK], first):
            plan = {
                "type": access.VENDOR_TO_ADMIN,
                "group": "admin",
                "object": {"type": "none", "id": None},
                "company_id": vendor["company_id"],
                "customer_id": None,
                "customer": None,
                "subject": announcement["subject"],
            }
            thread = model.new_thread(plan, None, None, at, derived_id(at, broadcast_id + "/thread", number))
            thread["broadcast_id"] = broadcast_id
            thread["context"] = {"title": vendor["name"], "image_url": None, "url": None}
            message = model.new_message(
                thread,
                author,
                prepared,
                at,
                [THREAD_STARTED, MESSAGE_POSTED],
                derived_id(at, broadcast_id + "/message", number),
            )
            message["relay_after"] = now() + ANNOUNCEMENT_LEASE  # not the relay's while the lease holds
            rules.after_message(thread, author_side, at, announcement=True).apply_to(thread, message)
            written.append((thread, message))
        store.insert_threads([thread for thread, _ in written[first:]], [message for _, message in written[first:]])
        store.hold_broadcast(broadcast_id, now() + ANNOUNCEMENT_LEASE)
    store.broadcast_sent(broadcast_id, now())
    not_out = outbox.publish_all(written)
    if not_out:
        # The broker is away: the relay publishes the rest as soon as it is back, not once
        # their lease runs out.
        store.relay_soon(not_out, now())


def resume_broadcasts(store, outbox) -> int:
    """Deliver the announcements whose delivery stopped (its process died): each is taken by
    one process at a time, for as long as its lease runs."""
    resumed = 0
    for announcement in store.stalled_broadcasts(now(), ANNOUNCEMENT_LEASE):
        log.warning("announcement %s was not delivered to every vendor; resuming", announcement["_id"])
        deliver_broadcast(store, outbox, announcement)
        resumed += 1
    return resumed


def broadcast_status(store, caller: Caller, broadcast_id: str) -> dict:
    found = store.get_broadcast(broadcast_id)
    if found is None or not access.may_see_announcements(caller):
        raise NotFound("No such announcement.")
    vendors = [
        {
            "company_id": thread["company_id"],
            "thread_id": thread["id"],
            "read": bool((thread.get("read_at") or {}).get("vendor")),
            "read_at": (thread.get("read_at") or {}).get("vendor"),
        }
        for thread in store.broadcast_threads(broadcast_id)
    ]
    return {
        "id": broadcast_id,
        "subject": found["subject"],
        "created_at": found["created_at"],
        "status": found["status"],
        "sent_at": found.get("sent_at"),
        "thread_count": found["thread_count"],
        "read_count": sum(v["read"] for v in vendors),
        "vendors": sorted(vendors, key=lambda v: v["company_id"]),
    }
