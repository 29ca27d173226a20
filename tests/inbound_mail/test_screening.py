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


@pytest.mark.parametrize("headers", [
    b"Auto-Submitted: auto-replied\r\n",
    b"Auto-Submitted: auto-generated\r\n",
    b"Precedence: bulk\r\n",
    b"Precedence: auto_reply\r\n",
    b"Precedence: junk\r\n",
    b"X-Autoreply: yes\r\n",
    b"X-Autorespond: Ann is away\r\n",
])
def test_automatic_replies_are_told_by_their_headers(headers):
    assert screening.noise(mail(headers), "ann@example.com") == screening.AUTO_REPLY


@pytest.mark.parametrize("subject", [
    "Automatic reply: New message from Lumen Lamps", "Out of Office: New message", "Re: Out of office",
    "AUTO: Ann Lee is out of the office", "Autoreply: away", "Abwesenheitsnotiz: New message",
    "Automatische Antwort: New message", "Réponse automatique : absente", "Risposta automatica: fuori sede",
    "Respuesta automática: ausente", "Automatisch antwoord: afwezig", "自動応答: 不在", "不在のお知らせ", "自动回复：休假",
])
def test_automatic_replies_are_told_by_their_subject(subject):
    assert screening.noise(mail(subject=subject.encode()), "ann@example.com") == screening.AUTO_REPLY


@pytest.mark.parametrize("subject", ["Re: New message from Lumen Lamps about Out of Office Desk Lamp",
                                     "Re: Automatically dimming lamp?", "Re: Ausente lamp colours"])
def test_a_subject_that_only_mentions_such_words_is_a_reply(subject):
    assert screening.noise(mail(subject=subject.encode()), "ann@example.com") is None


def test_bounces_are_told_by_their_null_sender_their_report_or_their_daemon():
    assert screening.noise(mail(), envelope_sender="<>") == screening.BOUNCE
    assert screening.noise(mail(b"Return-Path: <>\r\n"), envelope_sender=None) == screening.BOUNCE
    report = (b"From: Mail Delivery Subsystem <mailer-daemon@mx.example>\r\nSubject: Undelivered\r\n"
              b"Content-Type: multipart/report; report-type=delivery-status; boundary=b\r\n\r\n"
              b"--b\r\nContent-Type: text/plain\r\n\r\nCould not deliver.\r\n--b--\r\n")
    assert screening.noise(reading.read(report), "bounces@mx.example") == screening.BOUNCE
    daemon = PERSON.replace(b"Ann Lee <ann@example.com>", b"MAILER-DAEMON@mx.example") + b"\r\nGone.\r\n"
    assert screening.noise(reading.read(daemon), "x@mx.example") == screening.BOUNCE


@pytest.mark.parametrize("results, failed", [
    (b"mx.reply.example; dkim=fail (bad signature) header.d=example.com; spf=pass", "dkim"),
    (b"mx.reply.example; dkim=pass header.d=example.com; spf=fail smtp.mailfrom=example.com", "spf"),
    (b"mx.reply.example; dkim=none; spf=softfail; dmarc=fail (p=reject) header.from=example.com", "dmarc"),
    (b"mx.reply.example; dkim=pass; spf=pass (a comment saying spf=fail is no result); dmarc=pass", None),
    (b"mx.reply.example; spf=softfail smtp.mailfrom=example.com; dkim=neutral", None),
])
def test_a_failed_check_of_the_receiving_mta_is_found(results, failed):
    assert screening.authentication_failure(mail(b"Authentication-Results: " + results + b"\r\n")) == failed


def test_without_the_header_nothing_failed():
    assert screening.authentication_failure(mail()) is None
