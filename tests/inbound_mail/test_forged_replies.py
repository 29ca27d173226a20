"""Issue 21, finding 8: a reply address learnt by someone else must not let them post as its
owner for ever with a forged From. It expires REPLY_ADDRESS_DAYS after its thread's last
message (refused for good, with the way to the web), and with INBOUND_TRUSTED_AUTHSERV_ID a
mail is taken only when the checking server in front saw its sender pass DKIM or SPF.

The conversation is made old by ageing its times in the stack's own database (the thread's
last message, and the messages the notification mails were about): nothing else changes."""

import smtplib
from datetime import datetime, timedelta, timezone

from services.common.clock import new_id
from services.common.reply_addresses import reply_address
from tests.inbound_mail.test_process import DOMAIN, KEY
from tests.inbound_mail.test_reply_by_mail import conversation, post_mail, reply, send  # noqa: F401 (a fixture)

LONG_AGO = datetime.now(timezone.utc) - timedelta(days=91)


def age_the_mails(stack, thread_id: str) -> None:
    aged = stack.db.notification_mails.update_many({"thread_id": thread_id}, {"$set": {"message.created_at": LONG_AGO}})
    assert aged.matched_count >= 2


def age_the_thread(stack, thread_id: str) -> None:
    assert stack.db.threads.update_one({"_id": thread_id}, {"$set": {"last_message_at": LONG_AGO}}).matched_count == 1


def test_a_reply_address_quiet_past_its_days_is_refused_for_good_with_the_way_to_the_web(stack, conversation):
    age_the_mails(stack, conversation.thread_id)
    age_the_thread(stack, conversation.thread_id)
    reply_to = conversation.to_customer["Reply-To"]
    before = conversation.texts()
    # its owner, or anyone with a forged From: the same permanent refusal, and nothing posted
    code, text = send(
        stack,
        reply(conversation.customer_email, reply_to, "Is it still in stock?"),
        conversation.customer_email,
        reply_to,
    )
    assert code == 550, text
    assert "expired" in text and "answer on the web" in text and conversation.thread_id in text
    answer = post_mail(stack, reply(conversation.customer_email, reply_to, "Is it still in stock?"))
    assert answer.status_code == 410 and answer.json()["error"]["details"] == {"reason": "expired"}
    assert "answer on the web" in answer.json()["error"]["message"]
    assert conversation.texts() == before


def test_an_old_mail_still_answers_while_its_conversation_goes_on(stack, conversation):
    """The mails are old, but the thread had a message since (written on the web, or not
    mailed): the address answers, as the thread's last message is recent."""
    age_the_mails(stack, conversation.thread_id)
    reply_to = conversation.to_customer["Reply-To"]
    code, text = send(
        stack, reply(conversation.customer_email, reply_to, "Still there?"), conversation.customer_email, reply_to
    )
    assert code == 250, text
    assert conversation.texts()[-1] == "Still there?"


def test_with_a_trusted_checking_server_a_sender_it_did_not_verify_is_refused(lone_inbound):
    """The process alone: a mail it takes goes on to the services, absent here (451); one it
    refuses is refused before anything is asked (550)."""
    server = lone_inbound(INBOUND_TRUSTED_AUTHSERV_ID="mx.reply.market.test")
    address = reply_address(new_id(), DOMAIN, KEY)

    def delivered(headers: str) -> int:
        mail = (
            f"{headers}From: ann@buyers.test\r\nTo: {address}\r\nSubject: Re: hi\r\n"
            f"Message-ID: <{new_id()}@buyers.test>\r\n\r\nYes.\r\n"
        )
        with smtplib.SMTP(*server, timeout=30) as smtp:
            try:
                smtp.sendmail("ann@buyers.test", [address], mail.encode())
            except smtplib.SMTPDataError as answer:
                return answer.smtp_code
        return 250

    assert delivered("") == 550  # a forged From, no results at all
    assert delivered("Authentication-Results: mx.reply.market.test; dkim=none; spf=none\r\n") == 550
    assert delivered("Authentication-Results: mx.reply.market.test; dkim=pass header.d=evil.test\r\n") == 550
    # results written by the sender under another server's name count for nothing
    assert delivered("Authentication-Results: mx.evil.test; dkim=pass header.d=buyers.test\r\n") == 550
    assert delivered("Authentication-Results: mx.reply.market.test; dkim=pass header.d=buyers.test\r\n") == 451
    assert delivered("Authentication-Results: mx.reply.market.test; spf=pass smtp.mailfrom=ann@buyers.test\r\n") == 451
