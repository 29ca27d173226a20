"""The single-process alternative the bench measures the Message Center against: what a team
would write without a queue. One Flask app under the gateway's gunicorn settings
(bench/alternative_conf.py), on the same database, answering one route:

    POST /v1/threads/<thread_id>/messages   {"body": "..."}   Authorization: Bearer <JWT>

It checks the token as the gateway does (gateway/auth.py), the body as the contract bounds it
(services/conversations/text.py), and that the caller may write in the thread
(services/common/access.py); then, in the request, it stores the message, its search words
and the thread's move exactly as the conversations store writes them (model.new_message,
mongo_words.split_words, the store's own update), then a mail record (`alternative_mails`,
status "queued") and a bell item (`alternative_bell`) for each side the notifications service
tells by default (services/notifications/rules.py: the customer by mail, the vendor by mail
and bell, the administration by bell), and answers 201. A thread of the worker process sends
each mail over one SMTP connection it keeps, then marks its record "sent".

Why the comparison is fair: every write the real post makes to reach a reader is made here, with
the same documents, the same client settings and write concern (services/common/mongo.py),
and the mail leaves the request as it does in the real system. What it leaves out is what a
team would add later, each a cost the real post pays:
- no idempotency key, no rate limits, no moderation, no attachments, no away reply;
- a closed thread is not reopened, and a thread whose first message waits for review is
  written to;
- no events: no webhooks, no push, no reminders' bookkeeping beyond the thread's own fields,
  no mail coalescing, preferences or opt-outs; the marketplace's default channels, never its
  stored notification settings; the vendor's address is made up
  (`vendor-<company_id>@bench.test`) where the real one asks the catalog (which keeps it 5 min);
- the message is stored as published (no outbox fields), so the real relay, were it running
  on the same database, leaves it alone;
- a mail still in a worker's queue when the worker stops is lost, and one the SMTP server
  refuses twice is marked "failed", never tried again: the outbox the real system keeps is
  what it would take to lose none.
A thread the caller may not write in is a 403 here (the real gateway answers 404 when the
caller may not even see it).
"""

import logging
import queue
import smtplib
import threading
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from typing import Any, cast

from flask import Flask, jsonify, request
from pymongo.database import Database

from gateway import errors
from gateway.auth import current_caller
from services.common import access
from services.common.caller import Caller
from services.common.clock import isoformat, new_id, now
from services.common.config import Settings, load_settings
from services.common.errors import Forbidden, NotFound, ValidationFailed
from services.common.mongo import connect, document_of, our_errors, record_of
from services.contracts.conversations import BODY_FIELD_MAX
from services.conversations import model, rules, text

# The conversations store's own update for a new message, so both systems leave a thread alike.
from services.conversations.mongo_store import NOT_DELETED, _update_for
from services.conversations.mongo_words import split_words
from services.conversations.records import Message, Thread
from services.notifications import planning
from services.notifications import rules as notification_rules

log = logging.getLogger(__name__)

MAILS = "alternative_mails"
BELL = "alternative_bell"
# Where the thread holds no address for a side (the real system asks the catalog for a vendor's).
ADDRESS_DOMAIN = "bench.test"
# Who hears of a message, and how: the marketplace's defaults, kind → side → channels.
CHANNELS = notification_rules.default_rules()


def create_app() -> Flask:
    settings = load_settings()
    app = Flask(__name__)
    # gateway.auth reads the JWT settings from here; the body limit is the gateway's.
    app.config.update(SETTINGS=settings, MAX_CONTENT_LENGTH=BODY_FIELD_MAX)
    db = connect(settings)[settings.MONGO_DB]
    # A bell is read by its audience, newest first: its insert keeps the index that read needs.
    db[BELL].create_index([("audience", 1), ("_id", -1)])
    # A mail is found by its message, as the system's are (its unique (message, address) key).
    db[MAILS].create_index("message_id")
    mailer = Mailer(settings, db)
    errors.register(app)

    @app.post("/v1/threads/<thread_id>/messages")
    def post_message(thread_id: str):
        caller = current_caller()
        prepared = text.prepare(body_of(request.get_json(silent=True)))
        with our_errors():
            thread = writable_thread(db, caller, thread_id)
            message = post(db, caller, thread, prepared)
            mails, bell = notices(settings, thread, message)
            if mails:
                db[MAILS].insert_many(mails)
            if bell:
                db[BELL].insert_many(bell)
        mailer.send_later(mails)
        answer = {"id": message["id"], "thread_id": thread_id, "created_at": isoformat(message["created_at"])}
        return jsonify(answer), 201

    @app.get("/healthz")
    def healthz():
        with our_errors():
            db.command("ping")
        return jsonify({"status": "ok"})

    return app


def body_of(payload: Any) -> str:
    """The body's text; how long it may be and that it holds some is text.prepare's to say."""
    body = payload.get("body") if isinstance(payload, dict) else None
    if not isinstance(body, str):
        raise ValidationFailed("The request has invalid fields.", {"body": ["A message body (a string) is required."]})
    return body


def writable_thread(db: Database, caller: Caller, thread_id: str) -> Thread:
    document = db.threads.find_one({"_id": thread_id})
    if document is None or document["status"] == "deleted":
        raise NotFound("No such thread.")
    thread = cast(Thread, record_of(document))
    if not access.may_write(caller, thread):
        raise Forbidden("You may not write in this thread.")
    return thread


def post(db: Database, caller: Caller, thread: Thread, prepared: dict) -> Message:
    """Store the message and move its thread on."""
    at = now()
    message = model.new_message(thread, caller, prepared, at, [], new_id())
    # Stored as the real store keeps a message once its events are out: no outbox fields.
    message.pop("pending_events", None)
    message.pop("relay_after", None)
    stored, words = split_words(document_of(message))
    db.message_words.insert_one(words)
    db.messages.insert_one(stored)
    effect = rules.after_message(thread, access.side_of(caller), at)
    if db.threads.update_one({"_id": thread["id"], **NOT_DELETED}, _update_for(effect, message)).matched_count == 0:
        # Deleted a moment ago: a deleted thread takes no message.
        db.messages.delete_one({"_id": message["id"]})
        db.message_words.delete_one({"_id": message["id"]})
        raise NotFound("No such thread.")
    return message


def notices(settings: Settings, thread: Thread, message: Message) -> tuple[list[dict], list[dict]]:
    """The mails and the bell items a message makes, as the notifications service plans them by
    default: every other party of its kind of thread, each on its side's channels."""
    kind = notification_rules.event_kind(thread, None)
    mails, bell = [], []
    for side in notification_rules.receiving_sides(kind, message["author"]["side"]):
        if "email" in CHANNELS[kind][side]:
            mails.append(mail_for(settings, side, thread, message))
        item = bell_item(kind, side, thread, message) if "in_app" in CHANNELS[kind][side] else None
        if item:
            bell.append(item)
    return mails, bell


def mail_for(settings: Settings, side: str, thread: Thread, message: Message) -> dict:
    author = message["author"]["name"] or "Someone"
    title = planning.title(thread)
    return {
        "_id": new_id(),
        "to": address_of(settings, side, thread),
        "side": side,
        "status": "queued",
        "thread_id": thread["id"],
        "message_id": message["id"],
        "subject": notification_rules.mail_subject([author], title),
        "text": f"{author} wrote{f' about {title}' if title else ''}:\n\n{message['text']}\n",
        "created_at": now(),
    }


def address_of(settings: Settings, side: str, thread: Thread) -> str:
    if side == "customer":
        customer = thread.get("customer") or {}
        return customer.get("email") or f"customer-{thread.get('customer_id')}@{ADDRESS_DOMAIN}"
    if side == "vendor":
        return f"vendor-{thread.get('company_id')}@{ADDRESS_DOMAIN}"
    return (notification_rules.admin_addresses(settings.ADMIN_EMAILS) or [f"admin@{ADDRESS_DOMAIN}"])[0]


def bell_item(kind: str, side: str, thread: Thread, message: Message) -> dict | None:
    audience = notification_rules.audience_of_side(side, thread)
    if audience is None:
        return None
    return {
        "_id": new_id(),
        "audience": audience,
        "kind": kind,
        "thread_id": thread["id"],
        "message_id": message["id"],
        "title": planning.title(thread),
        "preview": message["preview"],
        "read": False,
        "created_at": message["created_at"],
    }


class Mailer:
    """The worker process's mail: a queue, and one daemon thread that sends what it holds over
    one SMTP connection, opened again when it fails. Started by the first mail, so it runs in
    the worker gunicorn forked, never in the master."""

    def __init__(self, settings: Settings, db: Database):
        self.settings = settings
        self.mails = db[MAILS]
        self.waiting: queue.Queue[dict] = queue.Queue()
        self.sender: threading.Thread | None = None
        self.starting = threading.Lock()
        self.smtp: smtplib.SMTP | None = None

    def send_later(self, mails: list[dict]) -> None:
        if self.sender is None:
            with self.starting:
                if self.sender is None:
                    self.sender = threading.Thread(target=self._send_forever, name="mailer", daemon=True)
                    self.sender.start()
        for mail in mails:
            self.waiting.put(mail)

    def _send_forever(self) -> None:
        while True:
            mail = self.waiting.get()
            try:
                self._send(self._compose(mail))
                outcome = {"status": "sent", "sent_at": now()}
            except Exception as error:  # whatever one mail does, the next ones still go
                log.warning("mail %s to %s not sent: %s", mail["_id"], mail["to"], error)
                outcome = {"status": "failed", "error": f"{type(error).__name__}: {error}"[:500]}
            try:
                self.mails.update_one({"_id": mail["_id"]}, {"$set": outcome})
            except Exception:  # a database away for a moment: the sender goes on
                log.exception("mail %s: its record was not updated", mail["_id"])

    def _send(self, mail: EmailMessage) -> None:
        """Over the kept connection; once more over a new one when it fails (the server may have
        closed it while it was idle)."""
        try:
            self._connection().send_message(mail)
        except (smtplib.SMTPException, OSError):
            self._drop_connection()
            self._connection().send_message(mail)

    def _connection(self) -> smtplib.SMTP:
        if self.smtp is None:
            self.smtp = smtplib.SMTP(
                self.settings.SMTP_HOST, self.settings.SMTP_PORT, timeout=self.settings.SMTP_TIMEOUT
            )
        return self.smtp

    def _drop_connection(self) -> None:
        smtp, self.smtp = self.smtp, None
        if smtp is not None:
            try:
                smtp.close()
            except OSError:
                pass

    def _compose(self, mail: dict) -> EmailMessage:
        composed = EmailMessage()
        composed["Subject"] = mail["subject"]
        composed["From"] = self.settings.MAIL_FROM
        composed["To"] = mail["to"]
        composed["Date"] = format_datetime(now())
        composed["Message-ID"] = make_msgid(domain="message-center")
        composed["X-MessageCenter-Thread"] = mail["thread_id"]
        composed.set_content(mail["text"])
        return composed
