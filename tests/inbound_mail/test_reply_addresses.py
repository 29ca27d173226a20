"""Reply addresses: compact, signed, one case; anything but ours with its signature names nobody."""

import pytest

from services.common.clock import new_id
from services.common.reply_addresses import address_id_of, is_for_domain, reply_address

KEY = "reply-signing-key-for-the-tests-" + "r" * 32
DOMAIN = "reply.market.example"


def test_a_reply_address_names_its_record_and_fits_an_smtp_local_part():
    record = new_id()
    address = reply_address(record, DOMAIN, KEY)
    local, _, domain = address.partition("@")
    assert domain == DOMAIN and local.startswith("reply+") and len(local) <= 64
    assert address == address.lower()
    assert address_id_of(address, DOMAIN, KEY) == record


def test_case_and_angle_brackets_change_nothing():
    record = new_id()
    address = reply_address(record, DOMAIN, KEY)
    assert address_id_of(f"<{address.upper()}>", DOMAIN.upper(), KEY) == record


@pytest.mark.parametrize(
    "change",
    [
        lambda address: address.replace("@", "x@", 1),  # one character more
        lambda address: address[:10] + ("b" if address[10] != "b" else "c") + address[11:],  # one changed
        lambda address: address[:41] + ("b" if address[41] != "b" else "c") + address[42:],  # the last, its spare bits
        lambda address: address.replace(DOMAIN, "other.example"),
        lambda address: address.replace("reply+", "replies+"),
        lambda address: "postmaster@" + DOMAIN,
        lambda address: "reply+@" + DOMAIN,
        lambda address: "reply+" + "1" * 36 + "@" + DOMAIN,  # not base32
        lambda address: "no at sign",
    ],
    ids=[
        "longer",
        "altered",
        "last_letter",
        "other_domain",
        "other_mailbox",
        "postmaster",
        "empty_token",
        "not_base32",
        "garbage",
    ],
)
def test_anything_else_names_nobody(change):
    assert address_id_of(change(reply_address(new_id(), DOMAIN, KEY)), DOMAIN, KEY) is None


def test_another_key_names_nobody_and_no_domain_takes_nothing():
    address = reply_address(new_id(), DOMAIN, KEY)
    assert address_id_of(address, DOMAIN, "another-key-" + "x" * 32) is None
    assert address_id_of(address, "", KEY) is None
    assert (
        is_for_domain(address, DOMAIN) and not is_for_domain(address, "") and not is_for_domain("a@b.example", DOMAIN)
    )
