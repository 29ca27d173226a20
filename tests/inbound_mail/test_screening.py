"""Mail no person wrote is dropped (auto-replies, bounces) and mail whose sender failed the
receiving MTA's checks is refused; a person's reply is neither."""

import pytest

from services.inbound_mail import reading, screening

PERSON = b"From: Ann Lee <ann@example.com>\r\nTo: reply@x\r\nSubject: Re: New message\r\nMessage-ID: <1@x>\r\n"


def mail(headers: bytes = b"", subject: bytes | None = None, body: bytes = b"Yes, please.") -> reading.Mail:
    head = PERSON if subject is None else PERSON.replace(b"Subject: Re: New message", b"Subject: " + subject)
    return reading.read(head + headers + b"\r\n" + body + b"\r\n")


def test_a_persons_reply_is_no_noise():
    assert screening.noise(mail(), envelope_sender="ann@example.com") is None
    assert screening.noise(mail(), envelope_sender=None) is None
    assert screening.noise(mail(b"Auto-Submitted: no\r\n"), "ann@example.com") is None


@pytest.mark.parametrize(
    "headers",
    [
        b"Auto-Submitted: auto-replied\r\n",
        b"Auto-Submitted: auto-generated\r\n",
        b"Precedence: bulk\r\n",
        b"Precedence: auto_reply\r\n",
        b"Precedence: junk\r\n",
        b"X-Autoreply: yes\r\n",
        b"X-Autorespond: Ann is away\r\n",
    ],
)
def test_automatic_replies_are_told_by_their_headers(headers):
    assert screening.noise(mail(headers), "ann@example.com") == screening.AUTO_REPLY


@pytest.mark.parametrize(
    "subject",
    [
        "Automatic reply: New message from Lumen Lamps",
        "Out of Office: New message",
        "Re: Out of office",
        "AUTO: Ann Lee is out of the office",
        "Autoreply: away",
        "Abwesenheitsnotiz: New message",
        "Automatische Antwort: New message",
        "Réponse automatique : absente",
        "Risposta automatica: fuori sede",
        "Respuesta automática: ausente",
        "Automatisch antwoord: afwezig",
        "自動応答: 不在",
        "不在のお知らせ",
        "自动回复：休假",
    ],
)
def test_automatic_replies_are_told_by_their_subject(subject):
    assert screening.noise(mail(subject=subject.encode()), "ann@example.com") == screening.AUTO_REPLY


@pytest.mark.parametrize(
    "subject",
    [
        "Re: New message from Lumen Lamps about Out of Office Desk Lamp",
        "Re: Automatically dimming lamp?",
        "Re: Ausente lamp colours",
    ],
)
def test_a_subject_that_only_mentions_such_words_is_a_reply(subject):
    assert screening.noise(mail(subject=subject.encode()), "ann@example.com") is None


def test_bounces_are_told_by_their_null_sender_their_report_or_their_daemon():
    assert screening.noise(mail(), envelope_sender="<>") == screening.BOUNCE
    assert screening.noise(mail(b"Return-Path: <>\r\n"), envelope_sender=None) == screening.BOUNCE
    report = (
        b"From: Mail Delivery Subsystem <mailer-daemon@mx.example>\r\nSubject: Undelivered\r\n"
        b"Content-Type: multipart/report; report-type=delivery-status; boundary=b\r\n\r\n"
        b"--b\r\nContent-Type: text/plain\r\n\r\nCould not deliver.\r\n--b--\r\n"
    )
    assert screening.noise(reading.read(report), "bounces@mx.example") == screening.BOUNCE
    daemon = PERSON.replace(b"Ann Lee <ann@example.com>", b"MAILER-DAEMON@mx.example") + b"\r\nGone.\r\n"
    assert screening.noise(reading.read(daemon), "x@mx.example") == screening.BOUNCE


@pytest.mark.parametrize(
    "results, failed",
    [
        (b"mx.reply.example; dkim=fail (bad signature) header.d=example.com; spf=pass", "dkim"),
        (b"mx.reply.example; dkim=pass header.d=example.com; spf=fail smtp.mailfrom=example.com", "spf"),
        (b"mx.reply.example; dkim=none; spf=softfail; dmarc=fail (p=reject) header.from=example.com", "dmarc"),
        (b"mx.reply.example; dkim=pass; spf=pass (a comment saying spf=fail is no result); dmarc=pass", None),
        (b"mx.reply.example; spf=softfail smtp.mailfrom=example.com; dkim=neutral", None),
    ],
)
def test_a_failed_check_of_the_receiving_mta_is_found(results, failed):
    assert screening.authentication_failure(mail(b"Authentication-Results: " + results + b"\r\n")) == failed


def test_without_the_header_nothing_failed():
    assert screening.authentication_failure(mail()) is None


# INBOUND_TRUSTED_AUTHSERV_ID: the checking server in front must have seen the sender pass ----------


def results(*lines: bytes) -> reading.Mail:
    return mail(b"".join(b"Authentication-Results: " + line + b"\r\n" for line in lines))


@pytest.mark.parametrize(
    "line",
    [
        b"mx.reply.example; dkim=pass header.d=example.com header.s=s1; spf=none",
        b"mx.reply.example; dkim=pass (2048-bit key) header.i=@example.com",
        b"MX.Reply.Example 1; spf=pass smtp.mailfrom=bounces@example.com; dkim=none",
        b"mx.reply.example; dkim=pass header.d=example.com",
        b'mx.reply.example; spf=fail smtp.mailfrom=example.com; dkim=pass header.d="example.com"',
    ],
)
def test_a_pass_for_the_senders_domain_from_the_trusted_server_is_taken(line):
    assert screening.verified_by(results(line), "mx.reply.example")


@pytest.mark.parametrize(
    "lines",
    [
        [],
        [b"mx.reply.example; dkim=none; spf=none"],
        [b"mx.reply.example; dkim=pass header.d=evil.example; spf=pass smtp.mailfrom=eve@evil.example"],
        [b"mx.reply.example; dkim=pass header.d=sub.example.com"],  # a subdomain signs for itself only
        [b"mx.reply.example; dkim=fail header.d=example.com (dkim=pass in a comment)"],
        [b"mx.evil.example; dkim=pass header.d=example.com"],  # written by another server
        [b"mx.reply.example.evil; spf=pass smtp.mailfrom=example.com"],
        # the trusted server's own results come first; a pass written below them is the sender's
        [
            b"mx.reply.example; dkim=none; spf=softfail smtp.mailfrom=example.com",
            b"mx.reply.example; dkim=pass header.d=example.com",
        ],
    ],
)
def test_anything_else_is_not_verified(lines):
    assert not screening.verified_by(results(*lines), "mx.reply.example")
