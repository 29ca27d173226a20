"""Replies by mail through the whole system: every Procfile process running, the notification
mails caught by a real SMTP server, and replies sent with smtplib to the inbound process's
SMTP port (and POSTed to its HTTP port), as a mail client and an MTA would. Each reply lands
once, with only what was written, or not at all."""

import hashlib
import hmac
import io
import re
import smtplib
import time
import uuid
from email.message import EmailMessage
from email.policy import SMTP
from pathlib import Path

import pytest
import requests
import yaml

from dev import reply as dev_reply
from tests.fixtures.stack import INBOUND_HTTP_SIGNING_KEY, METRICS_TOKEN
from tests.fixtures.world import World

CORPUS = Path(__file__).parent / "corpus"
CORPUS_REPLY = b"reply+" + b"corpus" * 6 + b"@reply.market.example"


class Conversation:
    """A customer's question, the vendor's answer, and the mail each side got about it."""

    def __init__(self, stack):
        self.stack = stack
        self.world = world = World(stack)
        self.shop = world.vendor("shop", "Lumen Lamps")
        self.product = world.product("lamp", self.shop, "Brass Desk Lamp")
        self.customer, customer_id = world.customer("ann")
        self.customer_email = f"{customer_id}@buyers.test"
        self.shop_email = f"sales-{self.shop}@vendors.test"
        self.vendor = world.staff(self.shop, "mark")
        self.thread_id = world.ask(self.customer, "product", self.product, "Does the lamp take LED bulbs?")
        assert world.post(self.vendor, self.thread_id, "Yes, any E27 bulb.").status_code == 201
        self.to_vendor = stack.mail.wait_for_to(self.shop_email, 1)[0]
        self.to_customer = stack.mail.wait_for_to(self.customer_email, 1)[0]

    def texts(self) -> list[str]:
        answer = self.stack.call("GET", f"/v1/threads/{self.thread_id}/messages?limit=100", self.vendor)
        assert answer.status_code == 200, answer.text
        return [message["text"] for message in answer.json()["items"]]

    def thread(self) -> dict:
        return self.stack.call("GET", f"/v1/threads/{self.thread_id}", self.vendor).json()


@pytest.fixture
def conversation(stack):
    return Conversation(stack)


def send(stack, raw: bytes, sender: str, recipient: str) -> tuple[int, str]:
    """One SMTP transaction, as an MTA delivers: (the final reply code, its text)."""
    with smtplib.SMTP(*stack.inbound_smtp, timeout=30) as smtp:
        try:
            smtp.sendmail(sender, [recipient], raw)
        except smtplib.SMTPRecipientsRefused as refused:
            code, text = refused.recipients[recipient]
            return code, text.decode()
        except smtplib.SMTPResponseException as refused:
            return refused.smtp_code, refused.smtp_error.decode()
        return 250, "accepted"


def reply(
    sender: str,
    reply_to: str,
    text: str,
    message_id: str | None = None,
    headers: str = "",
    subject: str = "Re: New message",
) -> bytes:
    return (
        f"From: {sender}\r\nTo: {reply_to}\r\nSubject: {subject}\r\n"
        f"Message-ID: {message_id or f'<{uuid.uuid4().hex}@client.test>'}\r\n{headers}"
        f"Content-Type: text/plain; charset=utf-8\r\n\r\n{text}\r\n\r\n"
        f"On Tue, 1 Dec 2026 at 11:58, Message Center <{reply_to}> wrote:\r\n> Reply above this line\r\n"
    ).encode()


def counted(stack, outcome: str, reason: str) -> float:
    metrics = requests.get(
        stack.inbound_url + "/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"}, timeout=10
    ).text
    line = f'inbound_mail_total{{outcome="{outcome}",reason="{reason}",via="smtp"}}'
    found = [row for row in metrics.splitlines() if row.startswith(line)]
    return float(found[0].split()[-1]) if found else 0.0


CLIENTS = [
    "01-gmail-web-en.eml",
    "03-gmail-web-fr.eml",
    "07-outlook-desktop-en.eml",
    "09-outlook-web-en.eml",
    "12-iphone-mail.eml",
    "14-thunderbird-flowed.eml",
    "17-samsung-email.eml",
    "24-qqmail-zh.eml",
    "32-html-only.eml",
    "36-outlook-attachment.eml",
]


def test_a_reply_from_each_client_lands_once_with_only_what_was_written(stack, conversation):
    expected = yaml.safe_load((CORPUS / "expected.yaml").read_text())
    reply_to = conversation.to_customer["Reply-To"]
    assert reply_to.startswith("reply+") and reply_to.endswith("@reply.market.test")
    for name in CLIENTS:
        raw = (CORPUS / name).read_bytes().replace(CORPUS_REPLY, reply_to.encode())
        raw = re.sub(
            rb"^From: .*?\r\n",
            f"From: Ann <{conversation.customer_email}>\r\n".encode(),
            raw,
            count=1,
            flags=re.MULTILINE,
        )
        raw = raw.replace(b"Message-ID: <", f"Message-ID: <{uuid.uuid4().hex}.".encode(), 1)
        assert send(stack, raw, conversation.customer_email, reply_to)[0] == 250, name
    written = [expected[name] if isinstance(expected[name], str) else expected[name]["text"] for name in CLIENTS]
    texts = conversation.texts()
    assert texts[2:] == [text.strip() for text in written]
    messages = conversation.stack.call(
        "GET", f"/v1/threads/{conversation.thread_id}/messages?limit=100", conversation.vendor
    ).json()["items"]
    assert {message["author"]["side"] for message in messages[2:]} == {"customer"}
    # Outlook's photo is attached; the logo in its signature (inline, related) is not
    assert [[file["name"] for file in message["attachments"]] for message in messages[2:]] == [[]] * 9 + [
        ["showroom.jpg"]
    ]


def test_the_vendor_answers_from_its_company_address_and_the_customer_hears_of_it(stack, conversation):
    reply_to = conversation.to_vendor["Reply-To"]
    assert reply_to != conversation.to_customer["Reply-To"]  # one per person and thread
    code, _ = send(
        stack, reply(conversation.shop_email, reply_to, "It comes with a 6 W bulb."), conversation.shop_email, reply_to
    )
    assert code == 250
    last = stack.call("GET", f"/v1/threads/{conversation.thread_id}/messages?limit=100", conversation.customer).json()[
        "items"
    ][-1]
    assert (last["text"], last["author"]["side"], last["author"]["name"]) == (
        "It comes with a 6 W bulb.",
        "vendor",
        "Lumen Lamps",
    )
    summary = conversation.world.summary(conversation.customer, conversation.thread_id)
    assert summary["unread_count"] == 2 and summary["last_message"]["author"]["side"] == "vendor"


def test_a_forged_token_is_refused_before_the_mail_is_sent(stack, conversation):
    reply_to = conversation.to_customer["Reply-To"]
    local, _, domain = reply_to.partition("@")
    before = conversation.texts()
    for place in (10, -1):  # a letter of the record, or of the signature
        changed = "a" if local[place] != "a" else "b"
        forged = f"{local[:place]}{changed}{local[place:][1:]}@{domain}"
        code, text = send(
            stack, reply(conversation.customer_email, forged, "Let me in."), conversation.customer_email, forged
        )
        assert (code, text) == (550, "5.1.1 No such reply address")
    other_domain = send(
        stack,
        reply(conversation.customer_email, "someone@elsewhere.test", "Relay me."),
        conversation.customer_email,
        "someone@elsewhere.test",
    )
    assert other_domain[0] == 550 and "Relaying denied" in other_domain[1]
    assert conversation.texts() == before


def test_a_reply_from_another_address_is_refused_and_counted(stack, conversation):
    reply_to = conversation.to_customer["Reply-To"]
    refused_before = counted(stack, "refused", "sender")
    before = conversation.texts()
    code, text = send(
        stack, reply("Eve <eve@evil.test>", reply_to, "Send it to me instead."), "eve@evil.test", reply_to
    )
    assert code == 550 and text.startswith("5.7.1") and "someone else" in text
    assert conversation.customer_email not in text  # nobody's address is told to a stranger
    assert conversation.texts() == before
    assert counted(stack, "refused", "sender") == refused_before + 1


def test_a_failed_dkim_check_is_refused(stack, conversation):
    reply_to = conversation.to_customer["Reply-To"]
    failed = "Authentication-Results: mx.reply.market.test; dkim=fail header.d=buyers.test; spf=pass\r\n"
    code, text = send(
        stack,
        reply(conversation.customer_email, reply_to, "Spoofed?", headers=failed),
        conversation.customer_email,
        reply_to,
    )
    assert code == 550 and "DKIM" in text
    assert conversation.texts()[-1] == "Yes, any E27 bulb."


def test_auto_replies_bounces_and_empty_replies_are_dropped_counted_and_never_posted(stack, conversation):
    reply_to = conversation.to_customer["Reply-To"]
    email = conversation.customer_email
    before = conversation.texts()
    dropped = {reason: counted(stack, "dropped", reason) for reason in ("auto_reply", "bounce", "empty")}
    out_of_office = reply(email, reply_to, "I am away until Monday.", subject="Automatic reply: New message")
    vacation = reply(email, reply_to, "I am on holiday.", headers="Auto-Submitted: auto-replied\r\n")
    bounce = (
        f"From: Mail Delivery System <MAILER-DAEMON@buyers.test>\r\nTo: {reply_to}\r\nSubject: Undelivered\r\n"
        f"Content-Type: multipart/report; report-type=delivery-status; boundary=r\r\n\r\n--r\r\n"
        f"Content-Type: text/plain\r\n\r\nThe mail could not be delivered.\r\n--r--\r\n"
    ).encode()
    empty = reply(email, reply_to, "")
    assert send(stack, out_of_office, email, reply_to)[0] == 250
    assert send(stack, vacation, email, reply_to)[0] == 250
    assert send(stack, bounce, "<>", reply_to)[0] == 250
    assert send(stack, empty, email, reply_to)[0] == 250
    assert conversation.texts() == before
    assert counted(stack, "dropped", "auto_reply") == dropped["auto_reply"] + 2
    assert counted(stack, "dropped", "bounce") == dropped["bounce"] + 1
    assert counted(stack, "dropped", "empty") == dropped["empty"] + 1


def test_the_same_mail_delivered_twice_posts_once(stack, conversation):
    reply_to = conversation.to_customer["Reply-To"]
    raw = reply(conversation.customer_email, reply_to, "Only once, please.")
    duplicates = counted(stack, "duplicate", "duplicate")
    assert send(stack, raw, conversation.customer_email, reply_to)[0] == 250
    assert send(stack, raw, conversation.customer_email, reply_to)[0] == 250
    assert conversation.texts().count("Only once, please.") == 1
    assert counted(stack, "duplicate", "duplicate") == duplicates + 1
    # and once more, forwarded over HTTP by a provider that had it too
    answer = post_mail(stack, raw)
    assert answer.status_code == 200 and answer.json()["outcome"] == "duplicate"
    assert conversation.texts().count("Only once, please.") == 1


def test_a_reply_to_a_closed_conversation_reopens_it(stack, conversation):
    closed = stack.call(
        "PATCH", f"/v1/threads/{conversation.thread_id}", conversation.vendor, json={"status": "closed"}
    )
    assert closed.status_code == 200 and conversation.thread()["status"] == "closed"
    reply_to = conversation.to_customer["Reply-To"]
    assert (
        send(
            stack,
            reply(conversation.customer_email, reply_to, "One more question."),
            conversation.customer_email,
            reply_to,
        )[0]
        == 250
    )
    thread = conversation.thread()
    assert thread["status"] == "open" and conversation.texts()[-1] == "One more question."


def test_malformed_and_oversize_mail_get_5xx_and_the_server_goes_on(stack, conversation):
    reply_to = conversation.to_customer["Reply-To"]
    before = conversation.texts()
    no_sender = f"To: {reply_to}\r\nSubject: who?\r\n\r\nHello\r\n".encode()
    code, text = send(stack, no_sender, conversation.customer_email, reply_to)
    assert code == 554 and "From" in text
    broken = (
        f"From: {conversation.customer_email}\r\nTo: {reply_to}\r\nContent-Type: multipart/mixed\r\n\r\nno boundary\r\n"
    ).encode()
    assert send(stack, broken, conversation.customer_email, reply_to)[0] == 554
    huge = reply(conversation.customer_email, reply_to, "x" * 100 + "\r\n" + ("y" * 998 + "\r\n") * 26_500)
    code, text = send(stack, huge, conversation.customer_email, reply_to)
    assert code == 552
    assert conversation.texts() == before
    assert requests.get(stack.inbound_url + "/healthz", timeout=10).status_code == 200
    assert (
        send(
            stack, reply(conversation.customer_email, reply_to, "Still there?"), conversation.customer_email, reply_to
        )[0]
        == 250
    )


def test_one_reply_address_per_transaction(stack, conversation):
    customer_reply, vendor_reply = conversation.to_customer["Reply-To"], conversation.to_vendor["Reply-To"]
    with smtplib.SMTP(*stack.inbound_smtp, timeout=30) as smtp:
        smtp.ehlo()
        smtp.mail(conversation.customer_email)
        assert smtp.rcpt(customer_reply)[0] == 250
        code, text = smtp.rcpt(vendor_reply)
        assert code == 452 and b"One reply address per message" in text


def picture(kind: str) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (64, 48), (30, 120, 200)).save(out, kind)
    return out.getvalue()


def with_files(sender: str, reply_to: str, text: str, files: list[tuple[str, str, bytes]]) -> bytes:
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = sender, reply_to, "Re: New message"
    message["Message-ID"] = f"<{uuid.uuid4().hex}@client.test>"
    message.set_content(f"{text}\n\nOn Tue, 1 Dec 2026 at 11:58, Message Center <{reply_to}> wrote:\n> Hello\n")
    for name, content_type, data in files:
        message.add_attachment(data, *content_type.split("/"), filename=name)
    return message.as_bytes(policy=SMTP)


def test_the_files_of_a_reply_become_its_attachments_and_the_others_are_named(stack, conversation):
    reply_to = conversation.to_customer["Reply-To"]
    pdf = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
    raw = with_files(
        conversation.customer_email,
        reply_to,
        "Photos of the scratch.",
        [
            ("scratch.png", "image/png", picture("PNG")),
            ("receipt.pdf", "application/pdf", pdf),
            ("notes.docx", "application/octet-stream", b"PK\x03\x04" + b"\x00" * 60),
            ("broken.jpg", "image/jpeg", b"\xff\xd8\xff\xe0" + b"\x00" * 60),
        ],
    )
    assert send(stack, raw, conversation.customer_email, reply_to)[0] == 250
    message = stack.call("GET", f"/v1/threads/{conversation.thread_id}/messages?limit=100", conversation.vendor).json()[
        "items"
    ][-1]
    assert [file["name"] for file in message["attachments"]] == ["scratch.png", "receipt.pdf"]
    assert message["text"].startswith(
        "Photos of the scratch.\n\nFiles in the mail that are not attached here:\n"
        "- notes.docx: Only JPEG, PNG, WebP and GIF images and PDF documents"
    )
    assert "- broken.jpg: The image is damaged" in message["text"]
    fetched = stack.call("GET", f"/v1/attachments/{message['attachments'][0]['id']}", conversation.customer)
    assert fetched.status_code == 200 and fetched.headers["Content-Type"] == "image/png"
    # delivered again: the same message, with the same files, once
    assert send(stack, raw, conversation.customer_email, reply_to)[0] == 250
    assert conversation.texts().count(message["text"]) == 1


def test_a_reply_carries_at_most_the_files_a_message_may(stack, conversation):
    reply_to = conversation.to_customer["Reply-To"]
    photos = [(f"photo{number}.jpg", "image/jpeg", picture("JPEG")) for number in range(7)]
    assert (
        send(
            stack,
            with_files(conversation.customer_email, reply_to, "All of them.", photos),
            conversation.customer_email,
            reply_to,
        )[0]
        == 250
    )
    message = stack.call("GET", f"/v1/threads/{conversation.thread_id}/messages?limit=100", conversation.vendor).json()[
        "items"
    ][-1]
    assert [file["name"] for file in message["attachments"]] == [f"photo{number}.jpg" for number in range(5)]
    assert message["text"].endswith(
        "- photo5.jpg: a message carries at most 5 files.\n- photo6.jpg: a message carries at most 5 files."
    )


def post_mail(stack, raw: bytes, key: str = INBOUND_HTTP_SIGNING_KEY, at: int | None = None):
    at = int(time.time()) if at is None else at
    signature = hmac.new(key.encode(), f"{at}.".encode() + raw, hashlib.sha256).hexdigest()
    return requests.post(
        stack.inbound_url + "/v1/inbound-mail",
        data=raw,
        timeout=30,
        headers={"Content-Type": "message/rfc822", "X-MessageCenter-Signature": f"t={at},sha256={signature}"},
    )


def test_a_provider_forwards_a_reply_over_http(stack, conversation):
    reply_to = conversation.to_customer["Reply-To"]
    raw = reply(conversation.customer_email, reply_to, "Sent through the provider.")
    assert post_mail(stack, raw, key="not-the-key-" + "x" * 32).status_code == 401
    assert post_mail(stack, raw, at=int(time.time()) - 3600).status_code == 401
    assert "Sent through the provider." not in conversation.texts()
    answer = post_mail(stack, raw)
    assert answer.status_code == 200, answer.text
    assert answer.json()["outcome"] == "posted" and answer.json()["thread_id"] == conversation.thread_id
    assert conversation.texts()[-1] == "Sent through the provider."
    unknown = post_mail(stack, reply(conversation.customer_email, reply_to.replace("reply+", "reply+x"), "Hm."))
    assert unknown.status_code == 404 and unknown.json()["error"]["code"] == "not_found"
    stranger = post_mail(stack, reply("eve@evil.test", reply_to, "Me too."))
    assert stranger.status_code == 403 and stranger.json()["error"]["details"] == {"reason": "sender"}


def test_the_development_tool_replies_to_a_mail_of_the_sink(stack, conversation):
    """`python -m dev.reply var/mail/<mail> "text"`, as the README's demo does it."""
    answer = dev_reply.reply_to(conversation.to_vendor, "Replied from the mail of the sink.")
    with smtplib.SMTP(*stack.inbound_smtp, timeout=30) as smtp:
        assert smtp.send_message(answer) == {}
    last = stack.call("GET", f"/v1/threads/{conversation.thread_id}/messages?limit=100", conversation.customer).json()[
        "items"
    ][-1]
    assert (last["text"], last["author"]["side"]) == ("Replied from the mail of the sink.", "vendor")
