"""Reply addresses: `reply+<token>@<REPLY_DOMAIN>`, one per person and conversation.

The notifications service keeps a record of whom it mailed about which thread (its id, an
ObjectId of 12 bytes) and writes that id, signed, as the token of the mail's Reply-To. The
inbound process reads the token back from the address a reply is sent to: a token that is not
ours (guessed, changed, cut) is refused before anything else is read.

    token = base32(record id (12 bytes) + HMAC-SHA256(REPLY_SIGNING_KEY, id)[:10]), lower case

36 characters, so the local part is 42, within RFC 5321's 64; base32 is one case, so an MTA
that lower- or upper-cases local parts changes nothing. 80 bits of signature: a guess is
checked offline by nobody but us, one SMTP transaction at a time.
"""

import base64
import binascii
import hashlib
import hmac

LOCAL_PREFIX = "reply+"
ID_BYTES = 12
MAC_BYTES = 10
TOKEN_LENGTH = 36  # base32 of 22 bytes, without its padding
# The first line of a mail that may be answered by replying: the inbound process keeps what is
# above it, in any client that quotes the mail in a way no library knows.
REPLY_ABOVE_THIS_LINE = "Reply above this line to answer in the conversation."
# Signatures made for reply addresses and nothing else, should the key ever sign more.
LABEL = b"message-center reply address\x00"


def reply_address(address_id: str, domain: str, key: str) -> str:
    """The Reply-To of a mail to the person the record `address_id` names."""
    raw = bytes.fromhex(address_id)  # an id of clock.new_id: 12 bytes
    if len(raw) != ID_BYTES:
        raise ValueError(f"not a record id: {address_id!r}")
    token = base64.b32encode(raw + _mac(key, raw)).decode().rstrip("=").lower()
    return f"{LOCAL_PREFIX}{token}@{domain.lower()}"


def address_id_of(address: str, domain: str, key: str) -> str | None:
    """The record id a reply address names; None for any address that is not one of ours with
    a good signature (another domain, another mailbox, a forged or damaged token)."""
    local, at, address_domain = (address or "").strip().strip("<>").rpartition("@")
    if not at or not domain or address_domain.lower() != domain.lower():
        return None
    return address_id_of_token(local, key)


def address_id_of_token(local: str, key: str) -> str | None:
    if not local.lower().startswith(LOCAL_PREFIX):
        return None
    token = local[len(LOCAL_PREFIX) :]
    if len(token) != TOKEN_LENGTH:
        return None
    try:
        raw = base64.b32decode(token.upper() + "====")
    except (binascii.Error, ValueError):
        return None
    record, mac = raw[:ID_BYTES], raw[ID_BYTES:]
    if not hmac.compare_digest(mac, _mac(key, record)):
        return None
    if base64.b32encode(raw).decode().rstrip("=").lower() != token.lower():
        return None  # the last letter's unused bits changed: one address has one spelling
    return record.hex()


def is_for_domain(address: str, domain: str) -> bool:
    """The address is in the reply domain, whatever its mailbox."""
    return bool(domain) and (address or "").strip().strip("<>").rpartition("@")[2].lower() == domain.lower()


def _mac(key: str, raw: bytes) -> bytes:
    return hmac.new(key.encode(), LABEL + raw, hashlib.sha256).digest()[:MAC_BYTES]
