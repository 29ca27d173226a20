"""The edges of "what was written": sign-offs that are sentences, lists, replies under the
quote, and a quote no library knows, as plain function calls."""

import pytest

from services.common.reply_addresses import REPLY_ABOVE_THIS_LINE
from services.inbound_mail.written import written_part

ADDRESS = "reply+" + "a" * 36 + "@reply.market.example"
QUOTE = f"On Tue, Dec 1, 2026 at 11:58 AM Message Center <{ADDRESS}> wrote:\n> {REPLY_ABOVE_THIS_LINE}\n> Hello Ann,"


@pytest.mark.parametrize(
    "reply, written",
    [
        ("Sure.\nThanks, that works for me.", "Sure.\nThanks, that works for me."),
        ("Sure.\n\nThanks,\nBob", "Sure."),
        ("Sure.\n\nThanks, Bob", "Sure."),
        ("Thanks, see you Friday", "Thanks, see you Friday"),
        ("It ships today.\n\nBest regards,\nMark Evans\nLumen Lamps\n+1 555 0100", "It ships today."),
        ("Colours:\n- black\n- white", "Colours:\n- black\n- white"),
        ("Take care, the glass is thin.\nKhaki: sold out.", "Take care, the glass is thin.\nKhaki: sold out."),
        ("Fine.\n\n-- \nTom", "Fine."),
        ("Ok\n\nSent from my iPhone", "Ok"),
        ("", ""),
    ],
    ids=[
        "a_thanks_sentence",
        "a_closing_and_a_name",
        "a_closing_with_the_name",
        "a_thanks_sentence_alone",
        "a_business_signature",
        "a_list",
        "danish_lookalikes",
        "rfc3676_delimiter",
        "a_device_line",
        "nothing",
    ],
)
def test_above_a_gmail_quote(reply, written):
    assert written_part(f"{reply}\n\n{QUOTE}\n") == written


def test_a_reply_under_the_quote_is_kept():
    assert written_part(f"{QUOTE}\n\nYes, it does.\n") == "Yes, it does."


def test_a_quote_that_is_not_marked_ends_at_our_first_line():
    outlook = (
        f"We call before delivery.\n\nSome header of a client we do not know\n\n{REPLY_ABOVE_THIS_LINE}\n\nHello Ann,"
    )
    assert written_part(outlook) == "We call before delivery.\n\nSome header of a client we do not know"


def test_only_a_quote_is_nothing_written():
    assert written_part(f"\n{QUOTE}\n") == ""
