"""Reading a mail with the email package: a sender, a text and files, whatever the client;
a mail whose structure cannot be trusted is Malformed, never half read."""

import pytest

from services.inbound_mail import reading

HEAD = b"From: Ann Lee <ann@example.com>\r\nTo: reply@x\r\nSubject: Re: hi\r\nMessage-ID: <m1@example.com>\r\n"


def test_a_plain_mail():
    mail = reading.read(HEAD + b"\r\nYes.\r\n")
    assert (mail.sender, mail.message_id, mail.subject, mail.text.strip(), mail.files) == (
        "ann@example.com",
        "<m1@example.com>",
        "Re: hi",
        "Yes.",
        (),
    )


def test_text_is_made_from_the_html_when_there_is_no_plain_part():
    html = (
        b"Content-Type: text/html; charset=utf-8\r\n\r\n<p>Hello <b>there</b>,</p><p>see "
        b'<a href="https://shop.example/p/1">the lamp</a>.</p><blockquote>old</blockquote>'
    )
    assert reading.read(HEAD + html).text.strip() == "Hello there,\n\nsee the lamp (https://shop.example/p/1).\n\n> old"


def test_an_unknown_charset_is_read_as_utf8_not_refused():
    mail = reading.read(HEAD + b"Content-Type: text/plain; charset=x-no-such-charset\r\n\r\nCaf\xc3\xa9\r\n")
    assert mail.text.strip() == "Café"


@pytest.mark.parametrize(
    "raw, problem",
    [
        (b"", "empty"),
        (b"just some words, no headers at all\r\n", "structure"),
        (b"To: reply@x\r\nSubject: no sender\r\n\r\nHi\r\n", "From"),
        (b"From: a@x.example, b@y.example\r\n\r\nHi\r\n", "From"),
        (b"From: not an address\r\n\r\nHi\r\n", "From"),
        (HEAD + b"Content-Type: multipart/mixed\r\n\r\nno boundary given\r\n", "structure"),
        (HEAD + b"Content-Type: multipart/mixed; boundary=b\r\n\r\nthe boundary never comes\r\n", "structure"),
        (HEAD + b"this line is no header\r\nSubject: late\r\n\r\nHi\r\n", "structure"),
    ],
)
def test_a_mail_that_cannot_be_trusted_is_malformed(raw, problem):
    with pytest.raises(reading.Malformed, match=problem):
        reading.read(raw)


def test_files_are_what_the_person_attached_with_their_names():
    raw = HEAD + (
        b"Content-Type: multipart/mixed; boundary=b\r\n\r\n"
        b"--b\r\nContent-Type: text/plain\r\n\r\nSee attached.\r\n"
        b'--b\r\nContent-Type: application/pdf; name="invoice.pdf"\r\n'
        b'Content-Disposition: attachment; filename="../../invoice.pdf"\r\nContent-Transfer-Encoding: base64\r\n\r\n'
        b"JVBERi0xLjQK\r\n"
        b"--b\r\nContent-Type: message/rfc822\r\n\r\nFrom: x@y.example\r\n\r\nforwarded\r\n"
        b"--b--\r\n"
    )
    mail = reading.read(raw)
    assert [(file.name, file.content_type, file.data) for file in mail.files] == [
        ("invoice.pdf", "application/pdf", b"%PDF-1.4\n")
    ]
