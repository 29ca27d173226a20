"""The notification mail as its reader gets it: written from the templates, hostile input
shown as text, never as markup or as extra headers."""

import email
import email.policy
from datetime import datetime, timezone

from services.notifications.mail import compose

HOSTILE_NAME = '<script>alert("name")</script> & "Eve"'
HOSTILE_TEXT = '"><img src=x onerror=alert(1)> {{ 7*7 }} {% raw %}</p><a href="http://evil.test">click</a>'
LINK = "https://portal.test/vendor?thread=t1&from=mail"


def planned(
    message_id="m1",
    text="Does the lamp take LED bulbs?",
    author="Ann Lee",
    side="customer",
    minute=0,
    title="Brass Desk Lamp",
    name="",
    address="sales@shop.test",
    subject=None,
):
    return {
        "id": f"mail-{message_id}",
        "message_id": message_id,
        "thread_id": "t1",
        "address": address,
        "recipient_name": name,
        "side": "vendor",
        "thread": {"title": title, "subject": subject or f"Product: {title}", "link": LINK},
        "message": {
            "author_name": author,
            "author_side": side,
            "excerpt": text,
            "created_at": datetime(2026, 5, 4, 12, minute, tzinfo=timezone.utc),
        },
    }


def as_received(message):
    """The mail as the SMTP server receives it: bytes on the wire, parsed back."""
    return email.message_from_bytes(message.as_bytes(), policy=email.policy.default)


def parts(message):
    return message.get_body(("plain",)).get_content(), message.get_body(("html",)).get_content()


def test_one_mail_holds_text_and_html_with_who_wrote_about_what_and_a_link():
    mail = as_received(compose([planned()], "Message Center <no-reply@mc.test>", "b1"))
    assert mail.get_content_type() == "multipart/alternative"
    assert mail["To"] == "sales@shop.test" and mail["From"] == "Message Center <no-reply@mc.test>"
    assert mail["Subject"] == "New message from Ann Lee about Brass Desk Lamp"
    assert mail["Auto-Submitted"] == "auto-generated"
    text, html = parts(mail)
    for body in (text, html):
        assert "Ann Lee" in body and "Brass Desk Lamp" in body and "Does the lamp take LED bulbs?" in body
        assert "customer" in body
    assert LINK in text
    assert 'href="https://portal.test/vendor?thread=t1&amp;from=mail"' in html


def test_hostile_names_and_messages_read_as_text_in_html_and_are_left_as_typed_in_plain_text():
    mail = as_received(
        compose(
            [planned(text=HOSTILE_TEXT, author=HOSTILE_NAME, title="<b>Lamp</b>", name="<i>Bob</i>")],
            "mc@mc.test",
            "b1",
        )
    )
    text, html = parts(mail)
    assert "<script>" not in html and "<img" not in html and 'href="http://evil.test"' not in html
    assert "&lt;script&gt;alert(&#34;name&#34;)&lt;/script&gt; &amp; &#34;Eve&#34;" in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "&lt;b&gt;Lamp&lt;/b&gt;" in html and "&lt;i&gt;Bob&lt;/i&gt;" in html
    # Template syntax in what people typed is text, not template.
    assert "{{ 7*7 }}" in html and "49" not in html and "{% raw %}" in html
    assert HOSTILE_TEXT in text and HOSTILE_NAME in text


def test_a_name_with_line_breaks_cannot_add_a_header():
    mail = as_received(compose([planned(author="Eve\r\nBcc: everyone@x.test")], "mc@mc.test", "b1"))
    assert mail["Bcc"] is None
    assert mail["Subject"] == "New message from Eve Bcc: everyone@x.test about Brass Desk Lamp"
    assert mail["To"] == "sales@shop.test"


def test_a_burst_becomes_one_mail_listing_each_message_oldest_first():
    burst = [
        planned("m3", "third", minute=3),
        planned("m1", "first", minute=1),
        planned("m2", "second", author="Ann", minute=2),
    ]
    mail = as_received(compose(burst, "mc@mc.test", "b1"))
    assert mail["Subject"] == "3 new messages about Brass Desk Lamp"
    text, html = parts(mail)
    for body in (text, html):
        assert body.index("first") < body.index("second") < body.index("third")
    assert "You have 3 new messages" in text


def test_without_a_product_or_order_the_subject_names_the_conversation():
    mail = as_received(compose([planned(title="", subject="Delivery times")], "mc@mc.test", "b1"))
    assert mail["Subject"] == "New message from Ann Lee about Delivery times"
    text, html = parts(mail)
    assert "Conversation: Delivery times" in text and "Conversation: Delivery times" in html
