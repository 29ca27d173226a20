"""A reply by mail, from the bytes received to the message posted: the one use case of the
inbound process, whichever way the mail came (SMTP or HTTP).

1. The address it was sent to must be a reply address we signed (`reply+<token>@REPLY_DOMAIN`).
2. The mail must be readable MIME (reading.py).
3. A bounce or an automatic reply is dropped (screening.py).
4. A failed DKIM, SPF or DMARC check, where the receiving MTA made one, refuses it; with
   INBOUND_TRUSTED_AUTHSERV_ID set, so does one that server did not see pass.
5. The notifications service says whom the reply address was given to; the mail must come
   from that person's own address, and is then posted as them (by the notifications service,
   which signs that person for the conversations service: this process holds no such key).
   An address REPLY_ADDRESS_DAYS past its thread's last message is refused (answer on the web).
6. What they wrote, without the quoted mail and their signature (written.py); nothing written
   and no file: dropped.
7. Its files are kept as uploads of that person (files.py), counted toward their uploads a
   minute and quota as uploads through the API are; a file that cannot be kept is named in a
   note under the text, and the text is posted all the same.
8. It is posted through the conversations RPC, with the mail's own key as the Idempotency-Key:
   a mail delivered twice is posted once (ledger.py keeps that for longer).

Every step either finishes or leaves nothing behind: a refused or deferred mail posts nothing,
and uploads a failed post took wait unused until they expire. Whatever goes wrong becomes an
outcome (outcomes.py), never an exception out of `receive`.
"""

import hashlib
import logging
import uuid
from dataclasses import dataclass
from datetime import timedelta

from services.common import correlation, reply_addresses
from services.common.clock import now
from services.common.errors import (
    Conflict,
    DatabaseAway,
    DatabaseFailed,
    Forbidden,
    Gone,
    NotFound,
    RateLimited,
    Unavailable,
    ValidationFailed,
)
from services.common.signing import BadSignature

from . import metrics, outcomes, reading, screening, written
from .clients import Away

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Envelope:
    recipient: str  # the reply address the mail was delivered to
    sender: str | None  # SMTP's MAIL FROM ("<>" for the null sender); None over HTTP
    via: str  # "smtp" or "http"


class Receiver:
    def __init__(self, settings, services, ledger, files):
        self.settings = settings
        self.services = services
        self.ledger = ledger
        self.files = files

    def receive(self, raw: bytes, envelope: Envelope) -> outcomes.Outcome:
        # One id for the mail's log lines here and in the services (the provider's, over HTTP).
        correlation.set_current(correlation.current() or uuid.uuid4().hex)
        try:
            return self._received(raw, envelope)
        finally:
            correlation.set_current(None)

    def _received(self, raw: bytes, envelope: Envelope) -> outcomes.Outcome:
        try:
            outcome = self._receive(raw, envelope)
        except (Away, Unavailable, DatabaseFailed) as error:  # DatabaseAway is an Unavailable
            log.warning("mail to %s deferred: %s", envelope.recipient, error)
            outcome = outcomes.deferred("unavailable", "Our system is busy; please try again later.")
        except Exception:  # a fault of ours: the mail is tried again later, never lost unsaid
            log.exception("mail to %s could not be handled", envelope.recipient)
            outcome = outcomes.deferred(
                "unavailable", "Our system could not take the mail now; please try again later."
            )
        metrics.count(envelope.via, outcome)
        if outcome.kind in (outcomes.REFUSED, outcomes.DROPPED):
            log.info("mail to %s %s (%s): %s", envelope.recipient, outcome.kind, outcome.reason, outcome.message)
        return outcome

    def _receive(self, raw: bytes, envelope: Envelope) -> outcomes.Outcome:
        settings = self.settings
        address_id = reply_addresses.address_id_of(
            envelope.recipient, settings.REPLY_DOMAIN, settings.REPLY_SIGNING_KEY
        )
        if address_id is None:
            return outcomes.refused("token", "No such reply address.")
        if len(raw) > settings.INBOUND_MAX_BYTES:
            return outcomes.refused("too_large", f"A mail may have at most {settings.INBOUND_MAX_BYTES} bytes.")
        try:
            mail = reading.read(raw)
        except reading.Malformed as problem:
            return outcomes.refused("malformed", str(problem))
        noise = screening.noise(mail, envelope.sender)
        if noise:
            return outcomes.dropped(noise)
        failed_check = screening.authentication_failure(mail)
        if failed_check:
            log.warning("refused a reply from %r to %s: %s failed", mail.sender, envelope.recipient, failed_check)
            return outcomes.refused("authentication", f"The mail failed its {failed_check.upper()} check.")
        trusted = settings.INBOUND_TRUSTED_AUTHSERV_ID
        if trusted and not screening.verified_by(mail, trusted):
            log.warning(
                "refused a reply from %r to %s: %s did not verify its sender", mail.sender, envelope.recipient, trusted
            )
            return outcomes.refused("authentication", "The mail's sender could not be verified (DKIM or SPF).")
        try:
            author = self.services.reply_author(envelope.recipient, mail.sender)
        except NotFound:
            return outcomes.refused("token", "No such reply address.")
        except Forbidden as refusal:
            return outcomes.refused("sender", refusal.message)
        except Gone as refusal:
            return outcomes.refused("expired", refusal.message)
        except ValidationFailed:
            return outcomes.refused("malformed", "The mail's sender address cannot be read.")
        text = written.written_part(mail.text)
        if not text and not mail.files:
            return outcomes.dropped("empty")
        key = mail_key(address_id, mail, raw)
        earlier = self.ledger.posted(key)
        if earlier is not None:
            return outcomes.duplicate(earlier["thread_id"], earlier["message_id"])
        try:
            uploads, note = self._files(key, envelope, mail, author["poster"])
        except RateLimited as refusal:  # nothing was kept: the whole mail, files and all, comes again
            return outcomes.deferred("rate_limited", refusal.message)
        return self._post(key, envelope, mail, author, _with_note(text, note), uploads)

    def _files(self, key: str, envelope: Envelope, mail: reading.Mail, poster: dict) -> tuple[list[str], str]:
        if not mail.files:
            return [], ""
        since = now() - timedelta(hours=self.settings.UPLOAD_TTL_HOURS / 2)
        kept = self.ledger.files_kept(key, since)
        if kept is not None:  # delivered before: the same uploads and note, so the same post
            return kept
        upload_ids, refusals = self.files.keep(
            mail.files, poster, lambda size: self.services.admit_upload(envelope.recipient, mail.sender, size)
        )
        return self.ledger.keep_files(key, upload_ids, self.files.note(refusals), now(), since)

    def _post(
        self, key: str, envelope: Envelope, mail: reading.Mail, author: dict, body: str, uploads: list[str]
    ) -> outcomes.Outcome:
        thread_id = author["thread_id"]
        try:
            message = self.services.post(envelope.recipient, mail.sender, body, uploads, idempotency_key(key))
        except NotFound:
            return outcomes.refused("thread_gone", "This conversation no longer exists.")
        except BadSignature:  # the services disagree on their key: ours to mend, the mail waits
            log.error("the conversations service refused the notifications service's signature")
            return outcomes.deferred("unavailable", "Our system could not take the mail now; please try again later.")
        except Forbidden as refusal:
            return outcomes.refused("not_allowed", refusal.message)
        except Gone as refusal:
            return outcomes.refused("expired", refusal.message)
        except Conflict:  # the same mail, delivered twice at once, is being posted by the other delivery
            return outcomes.deferred("busy", "This mail is being posted; please try again later.")
        except RateLimited as refusal:
            return outcomes.deferred("rate_limited", refusal.message)
        except ValidationFailed as refusal:
            return outcomes.refused("invalid", _first_problem(refusal))
        try:
            self.ledger.record_posted(key, thread_id, message["id"], now())
        except (DatabaseAway, DatabaseFailed) as error:  # posted all the same: a redelivery meets its Idempotency-Key
            log.warning("posted %s, but could not record it: %s", message["id"], error)
        log.info(
            "posted a reply by mail as %s %s in thread %s: message %s",
            author["side"],
            author["poster"]["user_id"],
            thread_id,
            message["id"],
        )
        return outcomes.posted(thread_id, message["id"])


def mail_key(address_id: str, mail: reading.Mail, raw: bytes) -> str:
    """One mail to one reply address, however often it is delivered: its Message-ID, or, for a
    mail without one, its sender, date, subject and body."""
    identity = mail.message_id or "\n".join(
        [
            mail.sender,
            str(mail.message.get("Date", "")),
            mail.subject,
            hashlib.sha256(raw.partition(b"\r\n\r\n")[2] or raw.partition(b"\n\n")[2]).hexdigest(),
        ]
    )
    return hashlib.sha256(f"{address_id}\n{identity}".encode()).hexdigest()


def idempotency_key(key: str) -> str:
    return f"mail:{key[:40]}"


def _with_note(text: str, note: str) -> str:
    return f"{text}\n\n{note}".strip() if note else text


def _first_problem(refusal: ValidationFailed) -> str:
    for messages in refusal.details.values():
        if messages:
            return str(messages[0] if isinstance(messages, list) else messages)
    return refusal.message
