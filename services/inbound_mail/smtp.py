"""The SMTP server the reply domain's MX points at (aiosmtpd, on INBOUND_SMTP_PORT).

It takes mail for reply addresses only: another domain is refused at RCPT (no relaying), and
so is a mailbox of ours that is not a reply address with a good signature. One reply address
per transaction: a second one is answered 452, which tells the sending MTA to send the mail
to it in a transaction of its own (RFC 5321 §4.5.3.1.10), so each gets its own answer and
nothing is posted to one thread and refused for another. The DATA answer is the outcome of
receiving.Receiver, worked out on a thread of a small pool: the event loop keeps serving the
other connections meanwhile, and a mail that waits for a thread only waits.

Bounded: INBOUND_MAX_BYTES per mail (552 past it, as the data arrive; announced in EHLO's
SIZE), and since aiosmtpd holds a mail whole while it reads it, DATA_AT_ONCE mails read at
once (another DATA waits for its turn before its 354); SESSIONS connections at once and
SESSIONS_PER_ADDRESS from one address (421 past either), and aiosmtpd's 5-minute limit on a
silent connection.
"""
import asyncio
import logging
from collections import Counter

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, syntax

from services.common import reply_addresses

from . import metrics, outcomes
from .receiving import Envelope

log = logging.getLogger(__name__)

SESSIONS = 50
SESSIONS_PER_ADDRESS = 10
DATA_AT_ONCE = 4
IDLE_SECONDS = 300


class Sessions:
    """The connections open now, in all and by address, and the mails being read (the event
    loop's thread alone counts)."""

    def __init__(self, most: int = SESSIONS, most_per_address: int = SESSIONS_PER_ADDRESS):
        self.most, self.most_per_address = most, most_per_address
        self.open = Counter()
        self.reading = asyncio.Semaphore(DATA_AT_ONCE)

    def admit(self, address: str) -> bool:
        if sum(self.open.values()) >= self.most or self.open[address] >= self.most_per_address:
            return False
        self.open[address] += 1
        return True

    def leave(self, address: str) -> None:
        self.open[address] -= 1
        if self.open[address] <= 0:
            del self.open[address]


class BoundedSMTP(SMTP):
    """aiosmtpd's SMTP, which says 421 and hangs up on a connection past the bounds."""

    def __init__(self, handler, sessions: Sessions, **kwargs):
        super().__init__(handler, **kwargs)
        self.sessions = sessions
        self.admitted = None
        self.turned_away = False

    def connection_made(self, transport):
        if self.transport is None:  # a new connection, not STARTTLS over one
            address = (transport.get_extra_info("peername") or ("?",))[0]
            if not self.sessions.admit(address):
                self.turned_away = True
                transport.write(b"421 4.7.0 Too many connections; try again later\r\n")
                transport.close()
                return
            self.admitted = address
        super().connection_made(transport)

    def connection_lost(self, error):
        if self.turned_away:
            return
        if self.admitted is not None:
            self.sessions.leave(self.admitted)
            self.admitted = None
        super().connection_lost(error)

    def eof_received(self):
        return False if self.turned_away else super().eof_received()

    @syntax("DATA")
    async def smtp_DATA(self, arg):
        async with self.sessions.reading:
            await super().smtp_DATA(arg)


class Replies:
    """The aiosmtpd handler: which recipients are taken, and what DATA becomes."""

    def __init__(self, receiver, settings, pool):
        self.receiver = receiver
        self.settings = settings
        self.pool = pool

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        settings = self.settings
        if not reply_addresses.is_for_domain(address, settings.REPLY_DOMAIN):
            return "550 5.7.1 Relaying denied: this server takes replies to Message Center mail only"
        if reply_addresses.address_id_of(address, settings.REPLY_DOMAIN, settings.REPLY_SIGNING_KEY) is None:
            metrics.count("smtp", outcomes.refused("token", ""))
            log.info("refused mail from %s to %s: not a reply address of ours", envelope.mail_from, address)
            return "550 5.1.1 No such reply address"
        if envelope.rcpt_tos:
            return "452 4.5.3 One reply address per message; send it to the others on their own"
        envelope.rcpt_tos.append(address)
        envelope.rcpt_options.extend(rcpt_options)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server, session, envelope):
        mail = Envelope(recipient=envelope.rcpt_tos[0], sender=envelope.mail_from, via="smtp")
        outcome = await asyncio.get_running_loop().run_in_executor(
            self.pool, self.receiver.receive, envelope.original_content, mail)
        return outcome.smtp_reply()


class ReplyServer(Controller):
    """aiosmtpd's threaded controller, serving BoundedSMTP."""

    def __init__(self, handler, settings, sessions: Sessions | None = None):
        super().__init__(handler, hostname=settings.GATEWAY_HOST, port=settings.INBOUND_SMTP_PORT,
                         ready_timeout=30.0, data_size_limit=settings.INBOUND_MAX_BYTES,
                         # Named, not looked up: socket.getfqdn() can wait seconds for a DNS answer.
                         server_hostname=settings.REPLY_DOMAIN or "localhost",
                         ident="Message Center replies", timeout=IDLE_SECONDS)
        self.sessions = sessions or Sessions()

    def factory(self):
        return BoundedSMTP(self.handler, self.sessions, **self.SMTP_kwargs)

    def serving(self) -> bool:
        return (self._thread is not None and self._thread.is_alive() and self.server is not None
                and self.server.is_serving())
