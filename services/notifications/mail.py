"""Notification mail: written from Jinja2 templates, sent over SMTP.

One mail holds every message waiting for one recipient in one thread, as HTML and plain
text (multipart/alternative). The HTML template is autoescaped: names and messages are
whatever people typed, and they must read as text, never as markup.
"""

import logging
import smtplib
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path
from time import monotonic

import eventlet
from eventlet.semaphore import Semaphore
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from nameko.extensions import DependencyProvider

from services.common import correlation
from services.common.clock import now
from services.common.config import load_settings
from services.common.reply_addresses import REPLY_ABOVE_THIS_LINE
from services.common.secrets_policy import check_signing_secret

from . import rules

log = logging.getLogger(__name__)

TEMPLATES = Path(__file__).parent / "templates"

templates = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=True),
    undefined=StrictUndefined,
    keep_trailing_newline=True,
)

# "system": the marketplace's own reminder of an unanswered question (reminders.py).
SIDE_LABEL = {"customer": "customer", "vendor": "vendor", "admin": "marketplace administration", "system": "reminder"}


class MailNotSent(Exception):
    """The SMTP server could not be reached, or did not accept the mail."""


def mail_context(mails: list[dict], reply_to: str | None = None) -> dict:
    """What the templates show, from the planned mails of one recipient and thread."""
    first = mails[0]
    thread = first["thread"]
    messages = [
        {
            "author": mail["message"]["author_name"] or "Someone",
            "side": SIDE_LABEL[mail["message"]["author_side"]],
            "excerpt": mail["message"]["excerpt"],
            "files": mail["message"].get("files") or [],
            "at": mail["message"]["created_at"].strftime("%Y-%m-%d %H:%M UTC") if mail["message"]["created_at"] else "",
        }
        for mail in sorted(mails, key=lambda mail: (mail["message"]["created_at"] or now(), mail["message_id"]))
    ]
    return {
        "recipient_name": first.get("recipient_name") or "",
        "title": thread["title"],
        "subject": thread["subject"],
        "link": thread["link"],
        "messages": messages,
        "authors": [message["author"] for message in messages],
        "reply_above": REPLY_ABOVE_THIS_LINE if reply_to else "",
    }


def compose(mails: list[dict], mail_from: str, batch_id: str, reply_to: str | None = None) -> EmailMessage:
    """The mail; with `reply_to` (services/notifications/replies.py), one answered by replying."""
    context = mail_context(mails, reply_to)
    # A reminder alone is its own mail; one that meets new messages in the same batch is a
    # line among them.
    reminder = all(mail.get("notice") for mail in mails)
    template = "reply_reminder" if reminder else "new_messages"
    message = EmailMessage()
    message["Subject"] = (
        rules.reminder_subject(context["title"] or context["subject"])
        if reminder
        else rules.mail_subject(context["authors"], context["title"] or context["subject"])
    )
    message["From"] = mail_from
    message["To"] = mails[0]["address"]
    if reply_to:
        message["Reply-To"] = reply_to
    message["Date"] = format_datetime(now())
    # The batch's own id: a batch sent again after its worker died (the server may have taken
    # it already) is the same mail, which mail clients show once.
    message["Message-ID"] = f"<{batch_id}@message-center>"
    # An automatic mail: out-of-office replies should not answer it (RFC 3834).
    message["Auto-Submitted"] = "auto-generated"
    message["X-MessageCenter-Thread"] = mails[0]["thread_id"]
    # The request that posted the newest message of the batch, to follow it from the click to
    # this mail (services/common/correlation.py).
    requests = [mail["correlation_id"] for mail in mails if mail.get("correlation_id")]
    if requests:
        message[correlation.CARRIED_HEADER] = requests[-1]
    message.set_content(templates.get_template(f"{template}.txt").render(context))
    message.add_alternative(templates.get_template(f"{template}.html").render(context), subtype="html")
    return message


class Sender:
    """One of the outbox's senders, reserved for one batch: `start` sends it beside the
    worker (which returns at once), `release` gives the reservation back unused."""

    def __init__(self, senders: Semaphore):
        self._senders = senders

    def start(self, work) -> None:
        eventlet.spawn_n(self._run, work)

    def _run(self, work) -> None:
        try:
            work()
        except Exception:  # the batch keeps its lease: the timer sends it again as itself
            log.exception("a mail's sending stopped half-way")
        finally:
            self.release()

    def release(self) -> None:
        self._senders.release()


class SmtpOutbox:
    def __init__(self, settings, senders: Semaphore):
        self.settings = settings
        self.senders = senders

    def sender(self, wait: float = 0.0) -> Sender | None:
        """A free sender, reserved for one batch; None when none frees up within `wait`
        seconds. Mail is sent by `MAILS_AT_ONCE` green threads of the process's own, never by
        the service's workers: a mail server that takes connections and never answers holds
        those senders, while every worker goes on with events, the bell and the settings."""
        if self.senders.acquire(blocking=wait > 0, timeout=wait if wait > 0 else None):
            return Sender(self.senders)
        return None

    def send(self, message: EmailMessage) -> None:
        try:
            with smtplib.SMTP(
                self.settings.SMTP_HOST, self.settings.SMTP_PORT, timeout=self.settings.SMTP_TIMEOUT
            ) as smtp:
                smtp.send_message(message)
        except (smtplib.SMTPException, OSError) as error:
            raise MailNotSent(f"{type(error).__name__}: {error}"[:500]) from error


class Mailer(DependencyProvider):
    def setup(self):
        self.settings = load_settings(self.container.config)
        if self.settings.REPLY_DOMAIN:  # its mails' reply addresses are signed with it
            check_signing_secret(self.settings, log, "REPLY_SIGNING_KEY")
        self.most = max(1, self.settings.MAILS_AT_ONCE)
        self.senders = Semaphore(self.most)

    def stop(self):
        """Wait for the mails being sent (up to one SMTP timeout and a little): one cut off
        mid-send would wait for its lease to run out and go again."""
        deadline = monotonic() + self.settings.SMTP_TIMEOUT + 5
        for _ in range(self.most):
            if not self.senders.acquire(timeout=max(0.0, deadline - monotonic())):
                log.warning("stopped with mail still being sent: it goes again once its lease runs out")
                return

    def get_dependency(self, worker_ctx):
        return SmtpOutbox(self.settings, self.senders)
