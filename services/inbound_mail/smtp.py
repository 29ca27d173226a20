"""The SMTP server the reply domain's MX points at (aiosmtpd, on INBOUND_SMTP_PORT).

It takes mail for reply addresses only: another domain is refused at RCPT (no relaying), and
so is a mailbox of ours that is not a reply address with a good signature. One reply address
per transaction: a second one is answered 452, which tells the sending MTA to send the mail
to it in a transaction of its own (RFC 5321 §4.5.3.1.10), so each gets its own answer and
nothing is posted to one thread and refused for another. The DATA answer is the outcome of
receiving.Receiver, worked out on a thread of a small pool: the event loop keeps serving the
other connections meanwhile, and a mail that waits for a thread only waits.

Bounded, so that no sender can hold the door shut (issue 21): INBOUND_MAX_BYTES per mail
(552 past it, as the data arrive; announced in EHLO's SIZE); SESSIONS connections at once and
INBOUND_SESSIONS_PER_PEER from one address, an IPv6 /64 counting as one (421 past either);
INBOUND_DATA_SECONDS from DATA to the final dot, in all (421 and hang up past it: aiosmtpd's
own timer restarts at every command, and DATA sends none, so a silent DATA would otherwise hold
its connection for IDLE_SECONDS); and the bytes held in mails being read, DATA_AT_ONCE mails'
worth in all. Every DATA gets its
354 at once: a share of that memory is taken only as bytes arrive, so a silent sender holds
none of it, and a mail that finds the memory spent is read to its end, dropped as it comes,
and answered 452 (try again later).
"""

import asyncio
import ipaddress
import logging
from collections import Counter
from typing import cast

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, syntax

from services.common import reply_addresses

from . import metrics, outcomes
from .receiving import Envelope

log = logging.getLogger(__name__)

SESSIONS = 50
# Mails being read at once, in bytes of INBOUND_MAX_BYTES: the memory the reading may hold.
DATA_AT_ONCE = 4
IDLE_SECONDS = 300
END_OF_DATA = b".\r\n"


class Sessions:
    """The connections open now, in all and by address, and the bytes of mails being read (the
    event loop's thread alone counts)."""

    def __init__(self, most: int, most_per_address: int, bytes_in_hand: int):
        self.most, self.most_per_address = most, most_per_address
        self.open: Counter[str] = Counter()
        self.most_in_hand, self.in_hand = bytes_in_hand, 0

    def admit(self, address: str) -> bool:
        peer = peer_of(address)
        if sum(self.open.values()) >= self.most or self.open[peer] >= self.most_per_address:
            return False
        self.open[peer] += 1
        return True

    def leave(self, address: str) -> None:
        peer = peer_of(address)
        self.open[peer] -= 1
        if self.open[peer] <= 0:
            del self.open[peer]

    def hold(self, size: int) -> bool:
        if self.in_hand + size > self.most_in_hand:
            return False
        self.in_hand += size
        return True

    def release(self, size: int) -> None:
        self.in_hand -= size


def peer_of(address: str) -> str:
    """Whom a connection counts for: its IPv4 address, or its IPv6 /64 (one host or subscriber
    holds a whole /64, and would otherwise be as many peers as it likes)."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    if ip.version == 6:
        return str(ip.ipv4_mapped or ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


class MailBeingRead:
    """The connection's stream while aiosmtpd reads one mail's DATA (it calls `readuntil` and
    `read`), each chunk counted into the bytes the server holds. Past what it may hold, the
    rest of the mail is read and dropped as it comes, aiosmtpd is given an end of data, and the
    mail is answered 452 (`over`)."""

    def __init__(self, reader, sessions: Sessions, most: int, ended):
        self.reader, self.sessions, self.ended = reader, sessions, ended
        self.most = most  # past its own limit (552) aiosmtpd drops a mail's bytes: they hold nothing
        self.held = 0
        self.over = False
        self.at_line_start = True

    async def readuntil(self, separator: bytes = b"\r\n") -> bytes:
        if not self.over:
            line = self._counted(await self.reader.readuntil(separator))
            if not self.over:
                if line == END_OF_DATA and self.at_line_start:
                    self.ended()
                self.at_line_start = True
                return line
            await self._drop_the_rest(line, self.at_line_start)
        # Dropped to its end: aiosmtpd is given the end of data (twice, should it be in a line).
        self.ended()
        return END_OF_DATA

    async def read(self, size: int) -> bytes:  # a part of a line longer than the stream's limit
        chunk = self._counted(await self.reader.read(size))
        if self.over:
            await self._drop_the_rest(chunk, at_line_start=False)
            return b""
        self.at_line_start = False
        return chunk

    def _counted(self, chunk: bytes) -> bytes:
        size = min(len(chunk), max(0, self.most - self.held))
        if not self.over and self.sessions.hold(size):
            self.held += size
        else:
            self.over = True
        return chunk

    async def _drop_the_rest(self, last: bytes, at_line_start: bool) -> None:
        while not (at_line_start and last == END_OF_DATA):
            at_line_start = last.endswith(b"\r\n")
            try:
                last = await self.reader.readuntil(b"\r\n")
            except asyncio.LimitOverrunError as error:
                last = await self.reader.read(error.consumed)

    def release(self) -> None:
        self.sessions.release(self.held)
        self.held = 0


class BoundedSMTP(SMTP):
    """aiosmtpd's SMTP, which says 421 and hangs up on a connection past the bounds."""

    def __init__(self, handler, sessions: Sessions, data_seconds: float, **kwargs):
        super().__init__(handler, **kwargs)
        self.sessions = sessions
        self.data_seconds = data_seconds
        self.admitted: str | None = None  # the address counted in `sessions`, once let in
        self.turned_away = False
        self.mail: MailBeingRead | None = None

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
        # One deadline for the whole mail: aiosmtpd's timer, set once here, is set again (to
        # IDLE_SECONDS) only at the end of the data, while the mail is worked on.
        self._reset_timeout(self.data_seconds)
        most = self.data_size_limit
        assert most is not None  # ReplyServer always passes INBOUND_MAX_BYTES
        reader = self._reader
        mail = self.mail = MailBeingRead(reader, self.sessions, most, ended=self._reset_timeout)
        # aiosmtpd types its reader as a StreamReader; for DATA it calls only the readuntil and
        # read that MailBeingRead has.
        self._reader = cast(asyncio.StreamReader, mail)
        try:
            await super().smtp_DATA(arg)
        finally:
            self._reader = reader
            mail.release()
            self.mail = None

    def over_bounds(self) -> bool:
        """The mail now being read went past the bytes the server may hold."""
        return self.mail is not None and self.mail.over

    def _timeout_cb(self):
        if self.transport is not None:
            # aiosmtpd types it as a BaseTransport; a connection's transport is a Transport.
            cast(asyncio.Transport, self.transport).write(b"421 4.4.2 Too slow; closing the connection\r\n")
        super()._timeout_cb()


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
        if server.over_bounds():
            log.warning(
                "deferred a mail to %s: the mails being read hold all the memory they may", envelope.rcpt_tos[0]
            )
            outcome = outcomes.deferred("full", "Too much mail in hand now; try again later.")
            metrics.count("smtp", outcome)
            return outcome.smtp_reply()
        mail = Envelope(recipient=envelope.rcpt_tos[0], sender=envelope.mail_from, via="smtp")
        outcome = await asyncio.get_running_loop().run_in_executor(
            self.pool, self.receiver.receive, envelope.original_content, mail
        )
        return outcome.smtp_reply()


class ReplyServer(Controller):
    """aiosmtpd's threaded controller, serving BoundedSMTP."""

    def __init__(self, handler, settings):
        super().__init__(
            handler,
            hostname=settings.GATEWAY_HOST,
            port=settings.INBOUND_SMTP_PORT,
            ready_timeout=30.0,
            data_size_limit=settings.INBOUND_MAX_BYTES,
            # Named, not looked up: socket.getfqdn() can wait seconds for a DNS answer.
            server_hostname=settings.REPLY_DOMAIN or "localhost",
            ident="Message Center replies",
            timeout=IDLE_SECONDS,
        )
        self.sessions = Sessions(
            SESSIONS, settings.INBOUND_SESSIONS_PER_PEER, DATA_AT_ONCE * settings.INBOUND_MAX_BYTES
        )
        self.data_seconds = settings.INBOUND_DATA_SECONDS

    def factory(self):
        return BoundedSMTP(self.handler, self.sessions, self.data_seconds, **self.SMTP_kwargs)

    def serving(self) -> bool:
        return (
            self._thread is not None
            and self._thread.is_alive()
            and self.server is not None
            and self.server.is_serving()
        )
