"""Reply by mail, as the notifications service sees it: the Reply-To each mail carries, and
whom a reply to it posts as.

Each person mailed about a thread is given one reply address (`reply+<token>@REPLY_DOMAIN`,
services/common/reply_addresses.py), kept with what the mail knew of them: their side, their
user id, their name, the thread's vendor. A reply posts only when it comes from that person's
own address: the customer's; the vendor company's address or one of its staff who wrote in the
thread (a company's mail is often read by several people); the administration's. Anything else
is refused, with a reason safe to tell whoever sent it (it names nobody's address).

An address answers for REPLY_ADDRESS_DAYS after its thread's last message, then no more: one
learnt (a forwarded mail, a shared mailbox) cannot be used with a forged From for ever
(issue 21). Which time is that, known here? The conversations service keeps the thread's last
message; this service knows the messages it mailed. The message of the newest mail to this
address about the thread (a reminder is about none) was written no later than the thread's last
message, so when it is recent enough the address answers, with nothing asked: the usual case, a
reply to a recent mail (an indexed read of our own mails). Only when that mail is old is the conversations service
asked (the thread, read as the person the reply is from), since the thread may have moved on
without mailing them (they wrote on the web since, or want no mail). Nothing is written for it:
keeping each thread's last message here would cost a write for every message in the system, to
answer the rare reply to an old mail.
"""

import logging
from collections.abc import Sequence
from datetime import timedelta

from services.common import reply_addresses
from services.common.caller import Caller
from services.common.clock import now
from services.common.errors import Forbidden, Gone, NotFound

from . import rules

log = logging.getLogger(__name__)

NOT_THE_RECIPIENT = "This reply address was given to someone else: reply from the address the mail was sent to."
EXPIRED = (
    "This reply address has expired: the conversation has been quiet for {days:g} days. "
    "Please answer on the web: {link}"
)


def reply_to(store, settings, mails: list[dict]) -> str | None:
    """The Reply-To of one mail (its batch: one recipient, one thread); None while reply by mail
    is off, or for a vendor's mail planned before the thread's vendor was kept with it."""
    if not settings.REPLY_DOMAIN:
        return None
    first = mails[0]
    if first["side"] == "vendor" and not first.get("company_id"):
        return None
    address_id = store.reply_address_id(
        {
            "thread_id": first["thread_id"],
            "address": first["address"],
            "address_key": first["address_key"],
            "side": first["side"],
            "user_id": first.get("user_id"),
            "name": first.get("recipient_name") or "",
            "company_id": first.get("company_id"),
        }
    )
    return reply_addresses.reply_address(address_id, settings.REPLY_DOMAIN, settings.REPLY_SIGNING_KEY)


def author(store, catalog, conversations, settings, reply_address: str, sender: str) -> tuple[dict, Caller]:
    """(what the reply address was given for, the person a reply from `sender` posts as).
    NotFound for an address that is not one we gave out; Forbidden for any other sender; Gone
    for an address past its days (told only to its owner)."""
    address_id = reply_addresses.address_id_of(reply_address, settings.REPLY_DOMAIN, settings.REPLY_SIGNING_KEY)
    given = store.reply_address(address_id) if address_id else None
    if given is None:
        raise NotFound("No such reply address.")
    vendor, staff = None, []
    if given["side"] == "vendor":
        vendor = _vendor(catalog, given["company_id"])
        staff = store.vendor_staff(given["thread_id"])
    person = poster(
        given, sender, staff=staff, vendor=vendor, admin_emails=rules.admin_addresses(settings.ADMIN_EMAILS)
    )
    if person is None:
        log.warning(
            "refused a reply to thread %s from %r: the address was given to the %s side",
            given["thread_id"],
            sender,
            given["side"],
        )
        raise Forbidden(NOT_THE_RECIPIENT)
    if expired(store, conversations, settings, given, person):
        log.info("refused a reply to thread %s: its reply address has expired", given["thread_id"])
        raise Gone(
            EXPIRED.format(
                days=settings.REPLY_ADDRESS_DAYS, link=rules.thread_link(given["side"], given["thread_id"], settings)
            )
        )
    return given, person


def expired(store, conversations, settings, given: dict, person: Caller) -> bool:
    """The thread's last message is older than REPLY_ADDRESS_DAYS (see the module's note)."""
    since = now() - timedelta(days=settings.REPLY_ADDRESS_DAYS)
    mailed = store.latest_message_mailed(given["thread_id"], given["address_key"])
    if mailed is not None and mailed >= since:
        return False
    return conversations.last_message_at(person, given["thread_id"]) < since


def poster(
    given: dict,
    sender: str,
    *,
    staff: Sequence[dict] = (),
    vendor: dict | None = None,
    admin_emails: Sequence[str] = (),
) -> Caller | None:
    """Whom a reply from `sender` to the address `given` posts as; None when the sender is not
    the recipient. A mailbox that is no one person (the company's, the administration's) posts
    under a user id of its own, `mail:<address>`."""
    key = (rules.usable_address(sender) or "").lower()
    if not key:
        return None
    side = given["side"]
    if side == "customer":
        if key == given["address_key"] and given.get("user_id"):
            return Caller(user_id=given["user_id"], role="customer", name=given.get("name") or "", email=sender)
        return None
    if side == "vendor":
        people = list(staff)
        if given.get("user_id"):  # the mail went to one of the staff
            people.append({"user_id": given["user_id"], "name": given.get("name"), "email": given["address"]})
        for person in people:
            if (person.get("email") or "").lower() == key:
                return Caller(
                    user_id=person["user_id"],
                    role="vendor",
                    company_id=given["company_id"],
                    name=person.get("name") or "",
                    email=sender,
                )
        company = {(vendor or {}).get("email", "").lower()} | (
            set() if given.get("user_id") else {given["address_key"]}
        )
        if key in company - {""}:
            return Caller(
                user_id=mailbox(key),
                role="vendor",
                company_id=given["company_id"],
                name=(vendor or {}).get("name") or "",
                email=sender,
            )
        return None
    if side == "admin" and (key == given["address_key"] or key in {address.lower() for address in admin_emails}):
        return Caller(user_id=mailbox(key), role="admin", email=sender)
    return None


def mailbox(address_key: str) -> str:
    return f"mail:{address_key}"


def _vendor(catalog, company_id: str) -> dict | None:
    """The vendor as the catalog has it now; None once it is gone. A catalog that is away
    raises Unavailable: the reply is tried again later."""
    try:
        return catalog.get_vendor(company_id)
    except NotFound:
        return None
