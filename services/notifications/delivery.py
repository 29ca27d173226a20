"""From a conversation event to mail, bell and webhook deliveries, and their sending.

Never lost: the broker hears an event acknowledged only once every delivery it causes is
planned (written under its unique key), or, when that could not be done (the catalog is away),
once the event itself is kept in MongoDB for the timer to try again. A process that stops
half-way leaves the event unacknowledged, and the broker hands it out again.
Never twice: each planned delivery has a unique key — (message, address) for mail,
(audience, message) for the bell, (endpoint, event) for webhooks — so working an event
through again plans nothing new, and a mail is claimed (written as `sending` under a lease,
when it is due at once) before it is sent.

What one posted message costs the database on the way (README, "Performance"): its bell items
in one insert (after one look at up to when their bells read the thread: bell.ring), per mail recipient a look at the last mail to them about the thread and the
mail's insert, then, once the server took it, its record as sent; the settings, the webhooks
and the reply addresses given out are remembered by the process (store.py).

The one gap that remains is SMTP's own: a process that dies after the server accepted a mail
and before recording it (or a database away for longer than half the lease) leaves a batch
whose lease runs out; it is sent again as itself, with the same Message-ID, which mail
clients show once.
"""

import logging
from time import monotonic

import eventlet
from marshmallow import ValidationError
from prometheus_client import Counter

from services.common import correlation
from services.common.clock import isoformat, new_id, now
from services.common.errors import DatabaseAway, DatabaseFailed, Unavailable
from services.common.events import REPLY_OVERDUE
from services.common.mongo import until_reachable

from . import bell, planning, reminders, replies, rules
from .planning import LEASE
from .mail import MailNotSent, compose
from .schemas import MessageEventSchema
from .webhooks import SIGNATURE_HEADER, planned_call, sign

log = logging.getLogger(__name__)
MAILS = Counter(
    "message_center_mails_total",
    "Notification mails by outcome: sent, retried (an attempt failed, another is due), failed (given up)",
    ["outcome"],
)
WEBHOOK_CALLS = Counter(
    "message_center_webhook_calls_total", "Webhook calls by outcome: delivered, retrying, failed", ["outcome"]
)

# An event that cannot be worked through (the catalog is down) waits, then is tried again;
# after this many tries it is kept as failed and logged.
EVENT_ATTEMPTS = 12
# How long one round of the webhook timer goes on claiming calls: an endpoint's new calls
# wait at most this, plus the call in flight of a slow one, for the next round.
WEBHOOK_ROUND_SECONDS = 5.0
# How long the mail timer waits for a free sender before it leaves the rest for its next tick.
SENDER_WAIT_SECONDS = 5.0
EVENT_RETRY = {"attempts": EVENT_ATTEMPTS, "first_delay_seconds": 5, "max_delay_seconds": 600}


# the two ways work starts ------------------------------------------------------------------


def on_event(store, catalog, outbox, settings, event: str, payload: dict, dispatch) -> None:
    """Plan what the event causes, then send this event's own mail. Only a database that
    cannot be reached raises (and the broker delivers the event again); an event that cannot be
    planned now is kept for the timer, and what fails after planning, the timer finishes.
    Webhook calls are the webhook timer's (call_due_webhooks): an endpoint that is slow to
    answer never holds a worker the service's other work needs. The bell's news goes out with
    `dispatch` once its items are written (bell.announce)."""
    try:
        loaded = _schema(event).load(payload)
    except ValidationError as error:
        # Requeueing an event that can never be planned would only bring it back, for ever.
        log.error("dropped a malformed %s event: %s", event, error.messages)
        return
    key = event_key(event, payload)
    try:
        options = store.settings()  # read once for all this event causes
        planned = _plan(store, catalog, settings, options, event, loaded, payload, now())
        _start_sending(store, outbox, settings, options, planned)
        news = bell.ring(store, planned.bell_items)  # while the mail goes
    except DatabaseAway:
        raise
    except Exception as error:
        _keep_for_later(store, event, payload, key, error)
        return
    bell.announce(dispatch, news)


def _start_sending(store, outbox, settings, options: dict, planned: "planning.Planned") -> None:
    """The event's own mail goes at once, by a free sender, and the worker goes on without
    waiting for the mail server; with every sender busy, it is the timer's."""
    for batch_id, mails in planned.mail_batches:
        sender = outbox.sender()
        if sender is None:
            _leave_for_timer(store, batch_id)
        else:
            sender.start(
                lambda batch_id=batch_id, mails=mails: _send_batch(
                    store, outbox, settings, options["retry"], batch_id, mails
                )
            )


def on_tick(store, catalog, outbox, settings, dispatch) -> None:
    """What the timer does: take back work whose worker died, retry events, send what is due."""
    try:
        store.release_stale(now())
        options = store.settings()
        for batch_id, mails in work_through_due(store, catalog, settings, options, dispatch):
            _leave_for_timer(store, batch_id)  # sent below, as every due batch, by a free sender
        send_due_mails(store, outbox, settings, options)
    except (DatabaseAway, DatabaseFailed) as error:
        # Whatever was planned stays planned; the next tick sends it.
        log.warning("cannot reach the database: %s", error)


# receiving --------------------------------------------------------------------------------


def event_key(event: str, payload: dict) -> str:
    return f"{event}:{subject_id(event, payload)}"


def subject_id(event: str, payload: dict) -> str:
    """What an event is about, which keys what it causes: a message, or a reminder (its id
    stands in for a message id in the unique keys of the mail and bell records)."""
    return payload["reminder"]["id"] if event == REPLY_OVERDUE else payload["message"]["id"]


def _schema(event: str):
    return reminders.ReminderEventSchema() if event == REPLY_OVERDUE else MessageEventSchema()


def _keep_for_later(store, event: str, payload: dict, key: str, error: Exception) -> None:
    """An event whose deliveries could not all be planned (what was planned stays: its keys
    make the next try plan only the rest) is kept, to be tried again after the first delay.
    A database that cannot be reached raises: the broker then delivers the event again."""
    status, process_after = rules.after_failure(1, EVENT_RETRY, now())
    logger = log.warning if isinstance(error, Unavailable) else log.exception
    logger("event %s: attempt 1 failed (%s), again at %s", key, error, isoformat(process_after))
    store.record_event(
        key,
        {
            "event": event,
            "payload": payload,
            "status": status,
            "attempts": 1,
            "received_at": now(),
            "process_after": process_after,
            "last_error": str(error)[:500],
        },
    )


def work_through_due(
    store, catalog, settings, options: dict, dispatch, limit: int = 100
) -> list[tuple[str, list[dict]]]:
    """Plan the kept events whose time has come; the mail batches they claimed, to send."""
    batches = []
    for _ in range(limit):
        event = store.claim_due_event(now(), now() + LEASE)
        if event is None:
            break
        batches += _work_through(store, catalog, settings, options, event, dispatch)
    return batches


def _work_through(store, catalog, settings, options: dict, event: dict, dispatch) -> list[tuple[str, list[dict]]]:
    """Plan a kept event's deliveries again; the mail batches it claimed."""
    try:
        loaded = _schema(event["event"]).load(event["payload"])
        planned = _plan(
            store, catalog, settings, options, event["event"], loaded, event["payload"], event["received_at"]
        )
        news = bell.ring(store, planned.bell_items)
    except Exception as error:
        attempts = event.get("attempts", 0) + 1
        status, process_after = rules.after_failure(attempts, EVENT_RETRY, now())
        logger = log.warning if isinstance(error, Unavailable) else log.exception
        logger(
            "event %s: attempt %d failed (%s), %s",
            event["_id"],
            attempts,
            error,
            "giving up" if status == "failed" else f"again at {isoformat(process_after)}",
        )
        store.event_failed_attempt(event["_id"], attempts, status, process_after, str(error)[:500])
        return []
    store.event_done(event["_id"], now())
    bell.announce(dispatch, news)
    return planned.mail_batches


def _plan(
    store, catalog, settings, options: dict, event: str, loaded: dict, payload: dict, received_at
) -> planning.Planned:
    if event == REPLY_OVERDUE:
        return reminders.plan(store, catalog, settings, loaded, planning.Planned(), now())
    return plan(store, catalog, settings, options, event, loaded, payload, received_at, planning.Planned())


def plan(
    store,
    catalog,
    settings,
    options: dict,
    event: str,
    loaded: dict,
    payload: dict,
    received_at,
    planned: planning.Planned,
) -> planning.Planned:
    """Everything one event causes under the stored `options`: bell items, mails, webhook calls."""
    thread, message = loaded["thread"], loaded["message"]
    author = message["author"]
    kind = rules.event_kind(thread, loaded["broadcast_id"])
    if author["side"] == "vendor" and author.get("user_id") and author.get("email"):
        store.add_vendor_staff(
            thread["id"], {"user_id": author["user_id"], "name": author.get("name") or "", "email": author["email"]}
        )
    sides = rules.receiving_sides(kind, author["side"])
    planned.bell_items += [
        item
        for item in (
            _bell_item(settings, kind, side, thread, message)
            for side in sides
            if "in_app" in rules.channels_for(options, kind, side)
        )
        if item is not None
    ]
    mail_sides = [side for side in sides if "email" in rules.channels_for(options, kind, side)]
    for recipient in _mail_recipients(store, catalog, settings, kind, mail_sides, thread, author):
        _plan_mail(store, settings, options, kind, recipient, thread, message, planned)
    for webhook in store.webhooks_for(event):
        _plan_webhook_call(store, webhook, event, payload, received_at)
    return planned


def _bell_item(settings, kind, side, thread, message) -> dict | None:
    audience = rules.audience_of_side(side, thread)
    if audience is None:
        return None
    author = message["author"]
    return {
        "id": new_id(),
        "audience": audience,
        "kind": kind,
        "message_id": message["id"],
        "thread_id": thread["id"],
        "title": planning.title(thread),
        "author": {"side": author["side"], "name": author.get("name") or ""},
        "preview": rules.excerpt(message["text"], 255),
        "url": rules.thread_link(side, thread["id"], settings),
        "created_at": message["created_at"] or now(),
        "read": False,
        "read_at": None,
    }


def _mail_recipients(store, catalog, settings, kind, sides, thread, author) -> list:
    recipients = []
    for side in sides:
        vendor_email, staff = None, []
        if side == "vendor" and thread.get("company_id"):
            vendor_email = planning.vendor_email(catalog, thread["company_id"])
            if vendor_email is None:
                log.warning("vendor %s has no address in the catalog", thread["company_id"])
            staff = store.vendor_staff(thread["id"])
        recipients += rules.mail_recipients(
            side,
            thread,
            vendor_email=vendor_email,
            vendor_staff=staff,
            admin_emails=rules.admin_addresses(settings.ADMIN_EMAILS),
        )
    opted_out_addresses, opted_out_users = set(), set()
    if rules.may_opt_out(kind) and recipients:
        opted_out_addresses, opted_out_users = store.opted_out(
            thread["type"], [r.key for r in recipients], [r.user_id for r in recipients if r.user_id]
        )
    return rules.wanted(recipients, author.get("email"), opted_out_addresses, opted_out_users)


def _plan_mail(store, settings, options, kind, recipient, thread, message, planned: planning.Planned) -> None:
    at = now()
    latest = store.latest_mail_time(thread["id"], recipient.key)
    author = message["author"]
    planning.keep_mail(
        store,
        planned,
        at,
        {
            "id": new_id(),
            "message_id": message["id"],
            "thread_id": thread["id"],
            "kind": kind,
            "address": recipient.address,
            "address_key": recipient.key,
            "side": recipient.side,
            "user_id": recipient.user_id,
            "recipient_name": recipient.name,
            "company_id": thread.get("company_id"),
            "thread": {
                "title": planning.title(thread),
                "subject": thread.get("subject") or "",
                "link": rules.thread_link(recipient.side, thread["id"], settings),
            },
            "message": {
                "author_name": author.get("name") or "",
                "author_side": author["side"],
                "excerpt": rules.excerpt(message["text"]),
                "created_at": message["created_at"],
                # Named, never attached: the files stay behind the conversation's access rules.
                "files": [file["name"] for file in message.get("attachments") or []],
            },
            "attempts": 0,
            "created_at": at,
            "correlation_id": correlation.current(),
            "send_after": rules.send_after(at, options["coalesce_seconds"], latest, message["created_at"]),
        },
    )


def _plan_webhook_call(store, webhook, event, payload, received_at) -> None:
    """The call, for the webhook timer (once: the endpoint and the event are its unique key)."""
    store.plan_webhook_delivery(
        planned_call(
            new_id(),
            webhook["_id"],
            event,
            event_key(event, payload),
            payload,
            payload["thread"]["id"],
            occurred_at=received_at,
            at=now(),
        )
    )


# sending ----------------------------------------------------------------------------------


def send_due_mails(store, outbox, settings, options: dict, limit: int = 200) -> int:
    """Start sending every mail whose time has come, one mail per (thread, address), side by
    side on the outbox's senders; how many batches were started. A batch is claimed only once
    a sender is free for it, so no claimed batch waits in a queue while its lease runs out;
    when none frees up within a round, the rest waits for the next tick."""
    started = 0
    for claim in _due_batches(store, limit):
        sender = outbox.sender(wait=SENDER_WAIT_SECONDS)
        if sender is None:
            break
        claimed = claim()
        if claimed is None:  # another worker took it first
            sender.release()
            continue
        batch_id, mails = claimed
        sender.start(
            lambda batch_id=batch_id, mails=mails: _send_batch(
                store, outbox, settings, options["retry"], batch_id, mails
            )
        )
        started += 1
    return started


def _leave_for_timer(store, batch_id: str) -> None:
    """A claimed batch no sender is free for goes back to pending: the next tick sends it.
    Were the database away, it keeps its lease, and goes again as itself once that runs out."""
    try:
        store.release_mail_batch(batch_id)
    except (DatabaseAway, DatabaseFailed) as error:
        log.warning("mail %s waits for its lease to run out: %s", batch_id, error)


def _send_batch(store, outbox, settings, retry: dict, batch_id: str, mails: list[dict]) -> bool:
    """Send one claimed batch as one mail and record what became of it; whether it went."""
    # The request that caused it, on the sender's log lines (as on the mail's header).
    correlation.set_current(
        next((mail["correlation_id"] for mail in reversed(mails) if mail.get("correlation_id")), None)
    )
    try:
        outbox.send(compose(mails, settings.MAIL_FROM, batch_id, replies.reply_to(store, settings, mails)))
    except Exception as error:
        if not isinstance(error, MailNotSent):
            log.exception("mail %s could not be written", batch_id)
        attempts = max(mail.get("attempts", 0) for mail in mails) + 1
        status, send_after = rules.after_failure(attempts, retry, now())
        log.warning(
            "mail to %s about thread %s: attempt %d failed (%s), %s",
            mails[0]["address"],
            mails[0]["thread_id"],
            attempts,
            error,
            "kept as failed" if status == "failed" else f"again at {isoformat(send_after)}",
        )
        store.batch_failed_attempt(batch_id, attempts, status, send_after, str(error), now())
        MAILS.labels("failed" if status == "failed" else "retried").inc()
        return False
    _record_delivered(lambda: store.record_mail_delivered(batch_id, now()), f"mail {batch_id}")
    MAILS.labels("sent").inc()
    return True


def _due_batches(store, limit: int):
    """Claims of the batches to send, each made when called ((batch id, mails), or None when
    another worker was first): first the batches a dead worker left mid-send, again as
    themselves (same Message-ID), then the due mail of each (thread, address) as a new one."""

    def retake(batch_id):
        return lambda: _claimed(batch_id, store.retake_mail_batch(batch_id, now(), now() + LEASE))

    def claim(thread_id, address_key):
        batch_id = new_id()
        return lambda: _claimed(
            batch_id, store.claim_mail_batch(thread_id, address_key, now(), batch_id, now() + LEASE)
        )

    for batch_id in store.stale_mail_batches(now()):
        yield retake(batch_id)
    for thread_id, address_key in store.due_mail_groups(now(), limit):
        yield claim(thread_id, address_key)


def _claimed(batch_id: str, mails: list[dict]) -> tuple[str, list[dict]] | None:
    return (batch_id, mails) if mails else None


def _record_delivered(write, what: str) -> None:
    """The server took it: the record that it did must land within the lease, or the work is
    taken up again and sent again. A database that is away is waited for, up to half the
    lease; an outage longer than that can still cause one repeat."""
    until_reachable(
        write,
        f"{what} was delivered, but is not recorded yet",
        first_delay=0.5,
        longest_delay=5.0,
        give_up_after=LEASE.total_seconds() / 2,
    )


def call_due_webhooks(store, poster, calls_at_once: int) -> None:
    """One round of the webhook timer: each endpoint's due calls, one at a time per endpoint
    and up to `calls_at_once` endpoints at once, until the round's time is up. An endpoint that
    does not answer holds its own lane for the call's timeout; the others are called meanwhile."""
    until = monotonic() + WEBHOOK_ROUND_SECONDS
    try:
        endpoints = store.all_webhooks()
        retry = store.settings()["retry"] if endpoints else None
    except (DatabaseAway, DatabaseFailed) as error:
        log.warning("cannot reach the database: %s", error)
        return
    lanes = eventlet.GreenPool(calls_at_once)
    for webhook in endpoints:
        lanes.spawn_n(_call_endpoint, store, poster, retry, webhook, until)
    lanes.waitall()


def _call_endpoint(store, poster, retry: dict, webhook: dict, until: float) -> None:
    """The endpoint's due calls, oldest first, while the round lasts."""
    try:
        while monotonic() < until:
            delivery = store.claim_due_webhook_delivery(now(), now() + LEASE, webhook["_id"])
            if delivery is None:
                return
            _call(store, poster, retry, webhook, delivery)
    except (DatabaseAway, DatabaseFailed) as error:
        # A claimed call stays claimed until its lease runs out, then is made again.
        log.warning("cannot reach the database: %s", error)


def _call(store, poster, retry: dict, webhook: dict, delivery: dict) -> None:
    # The request that caused it, on this lane's log lines and to the receiver, as on a mail.
    correlation.set_current(delivery.get("correlation_id"))
    body = delivery["body"].encode()
    headers = {
        "Content-Type": "application/json",
        SIGNATURE_HEADER: sign(webhook["secret"], body),
        "X-MessageCenter-Event": delivery["event"],
        "X-MessageCenter-Delivery": delivery["_id"],
    }
    if delivery.get("correlation_id"):
        headers[correlation.CARRIED_HEADER] = delivery["correlation_id"]
    outcome = poster.post(webhook["url"], body, headers)
    attempts = delivery["attempts"] + 1
    if outcome.delivered:
        status, send_after = "delivered", None
    else:
        status, send_after = rules.after_failure(attempts, retry, now())
    result = {
        "at": now(),
        "event": delivery["event"],
        "status": "retrying" if status == "pending" else status,
        "attempts": attempts,
        "status_code": outcome.status_code,
        "error": outcome.error,
    }
    _record_delivered(
        lambda: store.webhook_attempted(delivery, status, attempts, send_after, result),
        f"webhook call {delivery['_id']}",
    )
    WEBHOOK_CALLS.labels(result["status"]).inc()
