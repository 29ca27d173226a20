"""Issue 21: the inbound SMTP server cannot be held. Silent senders in DATA hold nothing a real
reply needs; one address opens two sessions at most; a mail has a deadline from DATA to its
final dot; the bytes held in mails being read are bounded, and a mail past them is answered
452 rather than kept waiting. Each with real sockets, from distinct loopback addresses
(127.0.0.2, 127.0.0.3 … are all this machine) standing for distinct peers."""

import contextlib
import smtplib
import time

import pytest

from services.common.clock import new_id
from services.common.reply_addresses import reply_address
from services.inbound_mail.smtp import Sessions
from tests.inbound_mail.test_process import DOMAIN, KEY
from tests.inbound_mail.test_reply_by_mail import conversation, reply  # noqa: F401 (a fixture)


def session(server: tuple, peer: str, timeout: float = 30) -> smtplib.SMTP:
    """An SMTP session from the loopback address `peer`."""
    smtp = smtplib.SMTP(timeout=timeout, source_address=(peer, 0))
    code, text = smtp.connect(*server)
    if code != 220:
        smtp.close()
        raise smtplib.SMTPConnectError(code, text)
    return smtp


def silent_in_data(server: tuple, peer: str, sender: str, recipient: str) -> smtplib.SMTP:
    """A session that says DATA and then nothing: it does not wait for the 354 either."""
    smtp = session(server, peer)
    smtp.ehlo("attacker.test")
    assert smtp.mail(sender)[0] == 250
    assert smtp.rcpt(recipient)[0] == 250
    smtp.send(b"DATA\r\n")
    return smtp


def test_silent_senders_in_data_keep_no_real_reply_out(stack, conversation):
    customer_address = conversation.to_customer["Reply-To"]
    vendor_address = conversation.to_vendor["Reply-To"]
    silent = [
        silent_in_data(stack.inbound_smtp, f"127.0.0.{2 + n // 2}", conversation.customer_email, customer_address)
        for n in range(6)
    ]
    try:
        time.sleep(0.5)  # every DATA is in before the real reply comes
        with session(stack.inbound_smtp, "127.0.0.9", timeout=5) as smtp:
            smtp.ehlo("mx.vendors.test")
            assert smtp.mail(conversation.shop_email)[0] == 250
            assert smtp.rcpt(vendor_address)[0] == 250
            started = time.monotonic()
            code, _ = smtp.docmd("DATA")  # 5 s of socket timeout: a held server fails here
            assert code == 354 and time.monotonic() - started < 5
            smtp.timeout = 30
            smtp.sock.settimeout(30)
            smtp.send(
                smtplib.quotedata(
                    reply(conversation.shop_email, vendor_address, "Held doors no more.").decode()
                ).encode()
                + b"\r\n.\r\n"
            )
            code, _ = smtp.getreply()
            assert code == 250
    finally:
        for smtp in silent:
            smtp.close()
    assert conversation.texts()[-1] == "Held doors no more."


def test_a_third_session_from_one_address_is_turned_away(lone_inbound):
    lone_inbound = lone_inbound()
    with session(lone_inbound, "127.0.0.2"), session(lone_inbound, "127.0.0.2"):
        with pytest.raises(smtplib.SMTPConnectError) as turned_away:
            session(lone_inbound, "127.0.0.2")
        assert turned_away.value.smtp_code == 421
        with session(lone_inbound, "127.0.0.3") as other:  # another peer is served
            assert other.noop()[0] == 250


def test_a_silent_data_is_cut_off_at_its_deadline(lone_inbound):
    lone_inbound = lone_inbound(INBOUND_DATA_SECONDS="2")
    address = reply_address(new_id(), DOMAIN, KEY)
    smtp = silent_in_data(lone_inbound, "127.0.0.4", "ann@buyers.test", address)
    try:
        assert smtp.getreply()[0] == 354
        smtp.send(b"Subject: half a mail\r\n")
        smtp.sock.settimeout(20)  # the deadline is 2 s; aiosmtpd's idle limit alone is 300 s
        code, text = smtp.getreply()
        assert code == 421, text
        assert smtp.sock.recv(1) == b""  # and the connection is closed
    finally:
        smtp.close()


def test_a_mail_past_the_bytes_in_hand_is_answered_452_and_the_others_go_on(lone_inbound):
    # Mails of 20,000 bytes at most: 80,000 bytes in hand.
    lone_inbound = lone_inbound(INBOUND_MAX_BYTES="20000")
    address = reply_address(new_id(), DOMAIN, KEY)
    line = b"x" * 998 + b"\r\n"
    with contextlib.ExitStack() as open_sessions:
        # Four mails of 19,000 bytes each, unfinished: 76,000 of the 80,000 bytes in hand.
        held = []
        for n in range(4):
            smtp = open_sessions.enter_context(
                contextlib.closing(silent_in_data(lone_inbound, f"127.0.0.{5 + n}", "ann@buyers.test", address))
            )
            assert smtp.getreply()[0] == 354
            smtp.send(b"From: ann@buyers.test\r\nSubject: big\r\n\r\n" + line * 19)
            held.append(smtp)
        time.sleep(0.5)
        late = open_sessions.enter_context(
            contextlib.closing(silent_in_data(lone_inbound, "127.0.0.10", "bo@buyers.test", address))
        )
        assert late.getreply()[0] == 354  # at once: it takes memory only as its bytes arrive
        late.send(b"From: bo@buyers.test\r\nSubject: late\r\n\r\n" + line * 10 + b".\r\n")
        code, text = late.getreply()
        assert code == 452, text
        # A mail that was in hand is read to its end and worked on (451: no services here).
        held[0].send(b".\r\n")
        assert held[0].getreply()[0] == 451
        # and what it held is given back: the late sender, trying again, is read whole.
        late.ehlo("mx.buyers.test")
        assert late.mail("bo@buyers.test")[0] == 250 and late.rcpt(address)[0] == 250
        code, _ = late.data(b"From: bo@buyers.test\r\nSubject: late\r\n\r\n" + line * 10)
        assert code == 451


def test_a_mail_past_its_own_limit_holds_no_more_than_the_limit(lone_inbound):
    """aiosmtpd drops the bytes of a mail past INBOUND_MAX_BYTES (552): they count for nothing."""
    lone_inbound = lone_inbound(INBOUND_MAX_BYTES="20000")
    address = reply_address(new_id(), DOMAIN, KEY)
    line = b"x" * 998 + b"\r\n"
    with contextlib.closing(silent_in_data(lone_inbound, "127.0.0.11", "ann@buyers.test", address)) as huge:
        assert huge.getreply()[0] == 354
        huge.send(b"From: ann@buyers.test\r\nSubject: huge\r\n\r\n" + line * 150)  # 150,000 bytes and more
        time.sleep(0.5)
        with session(lone_inbound, "127.0.0.12") as other:
            other.ehlo("mx.buyers.test")
            assert other.mail("bo@buyers.test")[0] == 250 and other.rcpt(address)[0] == 250
            assert other.data(b"From: bo@buyers.test\r\nSubject: small\r\n\r\n" + line * 10)[0] == 451
        huge.send(b".\r\n")
        assert huge.getreply()[0] == 552


def test_a_peer_is_an_ipv4_address_or_an_ipv6_64():
    """One host holds a whole IPv6 /64: its addresses are one peer (plain function calls)."""
    sessions = Sessions(most=50, most_per_address=2, bytes_in_hand=0)
    assert sessions.admit("2001:db8:1:2::10") and sessions.admit("2001:db8:1:2:ffff::1")
    assert not sessions.admit("2001:db8:1:2::99")
    assert sessions.admit("2001:db8:1:3::10")  # another /64
    assert sessions.admit("::ffff:192.0.2.1") and sessions.admit("192.0.2.1") and not sessions.admit("192.0.2.1")
    sessions.leave("2001:db8:1:2::10")
    assert sessions.admit("2001:db8:1:2::abcd")
