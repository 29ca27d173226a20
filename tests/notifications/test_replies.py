"""Reply by mail, on the notifications side: each mail's own Reply-To, and whom a reply to it
posts as: the recipient, from their own address, and nobody else."""

from datetime import timedelta

import pytest

from services.common.caller import Caller
from services.common.clock import new_id, now
from services.common.config import Settings
from services.common.errors import Forbidden, Gone, NotFound
from services.common.reply_addresses import REPLY_ABOVE_THIS_LINE, address_id_of, reply_address
from services.notifications import replies
from services.notifications.mail import compose

from .memory_store import MemoryNotificationStore
from .test_mail import as_received, parts, planned

KEY = "reply-signing-key-for-the-tests-" + "r" * 32
ON = Settings(REPLY_DOMAIN="reply.market.example", REPLY_SIGNING_KEY=KEY, ADMIN_EMAILS="ops@market.example")


def given(side="customer", address="ann@buyers.example", user_id="c1", name="Ann Lee"):
    return {
        "_id": new_id(),
        "thread_id": "t1",
        "side": side,
        "address": address,
        "address_key": address.lower(),
        "user_id": user_id,
        "name": name,
        "company_id": "10",
    }


# whom a reply posts as ---------------------------------------------------------------------------


def test_the_customer_from_their_own_address_posts_as_themselves():
    person = replies.poster(given(), "Ann@Buyers.example")
    assert person == Caller(user_id="c1", role="customer", name="Ann Lee", email="Ann@Buyers.example")


@pytest.mark.parametrize(
    "sender",
    [
        "eve@evil.example",
        "ann@buyers.example.evil.example",
        "",
        "not an address",
        "ann@buyers.example, eve@evil.example",
    ],
)
def test_anyone_else_is_nobody(sender):
    assert replies.poster(given(), sender) is None


STAFF = [{"user_id": "s1", "name": "Mark", "email": "mark@lumen.example"}]
VENDOR = {"company_id": "10", "name": "Lumen Lamps", "email": "sales@lumen.example"}


def test_a_vendors_mail_is_answered_from_the_company_address_or_by_its_staff_who_wrote_in_the_thread():
    to_company = given("vendor", "sales@lumen.example", None, "")
    assert replies.poster(to_company, "sales@lumen.example", staff=STAFF, vendor=VENDOR) == Caller(
        user_id="mail:sales@lumen.example",
        role="vendor",
        company_id="10",
        name="Lumen Lamps",
        email="sales@lumen.example",
    )
    assert replies.poster(to_company, "MARK@lumen.example", staff=STAFF, vendor=VENDOR) == Caller(
        user_id="s1", role="vendor", company_id="10", name="Mark", email="MARK@lumen.example"
    )
    assert replies.poster(to_company, "intern@lumen.example", staff=STAFF, vendor=VENDOR) is None
    assert replies.poster(to_company, "ann@buyers.example", staff=STAFF, vendor=VENDOR) is None


def test_a_mail_to_one_of_the_staff_is_theirs_and_still_the_companys():
    to_mark = given("vendor", "mark@lumen.example", "s1", "Mark")
    assert replies.poster(to_mark, "mark@lumen.example", vendor=VENDOR).user_id == "s1"
    assert replies.poster(to_mark, "sales@lumen.example", vendor=VENDOR).user_id == "mail:sales@lumen.example"
    # a vendor the catalog no longer has: the company address is no longer known
    assert replies.poster(to_mark, "sales@lumen.example", vendor=None) is None


def test_the_administrations_mail_is_answered_from_its_addresses():
    to_admin = given("admin", "ops@market.example", None, "")
    assert replies.poster(to_admin, "ops@market.example").role == "admin"
    assert replies.poster(to_admin, "help@market.example", admin_emails=["help@market.example"]).role == "admin"
    assert replies.poster(to_admin, "ann@buyers.example") is None


class Catalog:
    def __init__(self, vendor=None):
        self.vendor = vendor

    def get_vendor(self, company_id):
        if self.vendor is None:
            raise NotFound("No such vendor.")
        return self.vendor


class Conversations:
    """The thread's last message, as the conversations service would say it; and how often asked."""

    def __init__(self, last_message_at=None):
        self.at = last_message_at or now()
        self.asked = 0

    def last_message_at(self, reader, thread_id):
        self.asked += 1
        return self.at


def test_the_address_is_read_and_checked_before_anyone_is_named():
    store = MemoryNotificationStore()
    address_id = store.reply_address_id({key: value for key, value in given().items() if key != "_id"})
    address = replies.reply_to(
        store,
        ON,
        [
            {
                "thread_id": "t1",
                "address": "ann@buyers.example",
                "address_key": "ann@buyers.example",
                "side": "customer",
                "user_id": "c1",
                "recipient_name": "Ann Lee",
                "company_id": "10",
            }
        ],
    )
    assert address_id_of(address, ON.REPLY_DOMAIN, KEY) == address_id
    record, person = replies.author(store, Catalog(), Conversations(), ON, address, "ann@buyers.example")
    assert (record["thread_id"], person.user_id) == ("t1", "c1")
    with pytest.raises(Forbidden, match="someone else") as refusal:
        replies.author(store, Catalog(), Conversations(), ON, address, "eve@evil.example")
    assert "ann@" not in refusal.value.message  # the refusal names nobody's address
    with pytest.raises(NotFound):
        replies.author(
            store, Catalog(), Conversations(), ON, address.replace("reply+", "reply+x"), "ann@buyers.example"
        )
    with pytest.raises(NotFound):  # signed, but never given out
        replies.author(
            store, Catalog(), Conversations(), ON, reply_address(new_id(), ON.REPLY_DOMAIN, KEY), "ann@buyers.example"
        )


def test_an_address_expires_its_days_after_the_threads_last_message_and_says_where_to_answer():
    store = MemoryNotificationStore()
    mail = {
        **planned(),
        "side": "customer",
        "user_id": "c1",
        "address": "ann@buyers.example",
        "address_key": "ann@buyers.example",
        "company_id": "10",
        "send_after": now(),
    }
    address = replies.reply_to(store, ON, [mail])
    long_ago, lately = now() - timedelta(days=91), now() - timedelta(days=89)

    def mailed(at):
        store.mails.clear()
        store.plan_mail({**mail, "message": {**mail["message"], "created_at": at}, "status": "sent"})

    mailed(lately)  # a mail about a message of 89 days ago: alive, and nobody is asked
    quiet = Conversations(long_ago)
    assert replies.author(store, Catalog(), quiet, ON, address, "ann@buyers.example")[1].user_id == "c1"
    assert quiet.asked == 0
    mailed(long_ago)  # the mail is old: the thread's last message decides
    with pytest.raises(Gone, match="answer on the web") as refusal:
        replies.author(store, Catalog(), quiet, ON, address, "ann@buyers.example")
    assert quiet.asked == 1 and "thread_id=t1" in refusal.value.message
    moved_on = Conversations(lately)  # written on the web since, unmailed
    assert replies.author(store, Catalog(), moved_on, ON, address, "ann@buyers.example")[1].user_id == "c1"
    # a stranger learns nothing of it: refused as any other sender, before anyone is asked
    with pytest.raises(Forbidden):
        replies.author(store, Catalog(), Conversations(long_ago), ON, address, "eve@evil.example")


# the mail's Reply-To ---------------------------------------------------------------------------


def test_without_a_reply_domain_mails_have_no_reply_to_as_before():
    store = MemoryNotificationStore()
    mail = {**planned(), "company_id": "10", "address_key": "sales@shop.test"}
    assert replies.reply_to(store, Settings(), [mail]) is None
    composed = as_received(compose([mail], "mc@mc.test", "b1", None))
    assert composed["Reply-To"] is None
    assert REPLY_ABOVE_THIS_LINE not in parts(composed)[0]


def test_each_person_and_thread_has_one_reply_to_the_mail_carries():
    store = MemoryNotificationStore()
    mail = {**planned(), "company_id": "10", "address_key": "sales@shop.test"}
    address = replies.reply_to(store, ON, [mail])
    assert replies.reply_to(store, ON, [{**mail, "message_id": "m2"}]) == address  # the next mail, the same
    assert replies.reply_to(store, ON, [{**mail, "thread_id": "t2"}]) != address
    composed = as_received(compose([mail], "mc@mc.test", "b1", address))
    assert composed["Reply-To"] == address
    text, html = parts(composed)
    assert text.startswith(REPLY_ABOVE_THIS_LINE) and REPLY_ABOVE_THIS_LINE in html
    assert "Reply to this mail to answer" in text


def test_a_vendors_mail_planned_before_the_vendor_was_kept_with_it_has_none():
    assert replies.reply_to(MemoryNotificationStore(), ON, [{**planned(), "address_key": "sales@shop.test"}]) is None
