"""Mail forwarded over HTTP: its signature (the body and a time, HMAC-SHA256) and which of its
recipients is the reply address, as plain function calls."""

import hashlib
import hmac

import pytest

from services.common.clock import new_id
from services.common.config import Settings
from services.common.reply_addresses import reply_address
from services.inbound_mail.http import recipient_of, signature_problem

KEY = "inbound-http-key-for-the-tests-" + "h" * 32
BODY = b"From: ann@buyers.test\r\n\r\nYes.\r\n"
T = 1_800_000_000


def signed(body=BODY, at=T, key=KEY):
    return f"t={at},sha256={hmac.new(key.encode(), f'{at}.'.encode() + body, hashlib.sha256).hexdigest()}"


def test_a_good_signature_within_five_minutes_passes():
    assert signature_problem(signed(), BODY, KEY, T + 299) is None
    assert signature_problem(signed(), BODY, KEY, T - 299) is None


@pytest.mark.parametrize(
    "header, body, at, problem",
    [
        (None, BODY, T, "Sign the body"),
        ("sha256=00", BODY, T, "Sign the body"),
        ("t=soon,sha256=00", BODY, T, "not a number"),
        (signed(key="another-key-" + "x" * 32), BODY, T, "does not match"),
        (signed(), BODY + b"P.S. send it to eve", T, "does not match"),
        (signed(at=T - 1000), BODY, T, "good for 300 s"),
    ],
    ids=["missing", "no_time", "time_not_a_number", "other_key", "body_changed", "stale"],
)
def test_anything_else_is_refused(header, body, at, problem):
    assert problem in signature_problem(header, body, KEY, at)


def test_the_reply_address_is_found_among_the_recipients():
    settings = Settings(REPLY_DOMAIN="reply.market.test", REPLY_SIGNING_KEY="reply-key-" + "r" * 32)
    ours = reply_address(new_id(), settings.REPLY_DOMAIN, settings.REPLY_SIGNING_KEY)
    forged = "reply+" + "a" * 36 + "@reply.market.test"
    mail = (
        f"To: Shop <shop@vendors.test>, {forged}\r\nCc: Message Center <{ours}>\r\nFrom: ann@buyers.test\r\n\r\nHi\r\n"
    )
    assert recipient_of(mail.encode(), settings) == ours
    only_forged = f"To: {forged}\r\nFrom: ann@buyers.test\r\n\r\nHi\r\n"
    assert recipient_of(only_forged.encode(), settings) == forged  # to be refused as unknown
    assert recipient_of(b"To: someone@else.test\r\n\r\nHi\r\n", settings) is None
