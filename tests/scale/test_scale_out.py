"""Replicas of every process share the work without doing any of it twice.

Customers post as fast as they get answers, each to a thread of their own, through the
gateways in turn; a vendor's page is open on each push process. With 3 replicas of each
service an announcement goes out meanwhile, and a second one is left as a process that died
right after recording it leaves one (its lease run out), for the replicas' timers to resume.
Every message posted is stored once, mailed once and rung once; every page hears each event
once; each announcement reaches each vendor once; each waiting question is reminded and
escalated once. Messages/s with 1 and with 3 replicas are printed, never asserted.
"""

import time
from datetime import timedelta

from services.common.clock import new_id, now
from tests.faults import figures as check
from tests.faults.figures import Figures
from tests.faults.pages import OpenPage
from tests.faults.shop import Shop
from tests.faults.test_e_announcement import add_vendors
from tests.scale.checks import Mailbox, Row, check_announcement, check_pages, check_reminders, wait_until
from tests.scale.conftest import REPLICAS

CLIENTS = 8
WARM_UP_SECONDS = 2
MEASURED_SECONDS = 12
VENDORS = 150


def test_a_one_replica_of_each_posts_every_message_once(scaled, report):
    scaled.scale_to(1)
    row = Row("1 of each service, 1 gateway, 1 push")
    pages = []
    try:
        shop, pages, traffic = posting(scaled, row)
        traffic.stop()
        check_every_message(scaled, row, shop, traffic)
        check_pages(row, pages, expected_events(traffic))
    finally:
        for page in pages:
            page.close()
        report(row)


def test_b_three_replicas_of_each_post_announce_and_remind_once(scaled, report):
    scaled.scale_to(3)
    row = Row(f"3 of each service, {REPLICAS['gateway']} gateways, {REPLICAS['push']} push")
    db = scaled.db()
    pages = []
    try:
        add_vendors(db, "scale", VENDORS)
        shop, pages, traffic = posting(scaled, row)
        vendors = {vendor["_id"] for vendor in db.vendors.find({"status": "A"}, {"_id": 1})}  # "all"
        announced = announce(scaled, db, shop.tag)
        time.sleep(5)  # customers go on posting while the announcements are written
        traffic.stop()
        check_every_message(scaled, row, shop, traffic)

        mailbox = Mailbox(scaled.mail.directory)
        for broadcast_id in announced:
            assert wait_until(
                lambda: scaled.call("GET", f"/v1/broadcasts/{broadcast_id}", admin_token(scaled)).json().get("status")
                == "sent",
                timeout=120,
                every=2.0,
            ), f"announcement {broadcast_id} never sent"
        ours = {}
        for broadcast_id in announced:
            ours[broadcast_id] = check_announcement(db, mailbox, broadcast_id, vendors)[shop.company_id]
        row.announcements = f"1 each, {len(announced)} announcements × {len(vendors)} vendors"
        messages = {
            message["_id"]: message["thread_id"]
            for message in db.messages.find({"thread_id": {"$in": list(ours.values())}}, {"thread_id": 1})
        }
        # The vendor's open pages hear of its announcements' threads once, like of any other.
        check_pages(
            row,
            pages,
            expected_events(traffic)
            | {(kind, message_id) for message_id in messages for kind in ("thread_started", "message_posted")},
        )

        check_reminders(
            row, db, mailbox, f"vendor:{shop.company_id}", shop.email, [thread_id for _, thread_id in traffic.customers]
        )
        row.running = scaled.running_count()
        assert not scaled.exited()
    finally:
        for page in pages:
            page.close()
        report(row)


def posting(system, row: Row):
    """A shop whose vendor has a page open on each push process, and its customers posting as
    fast as they are answered; the rate measured over MEASURED_SECONDS."""
    shop = Shop(system)
    pages = [
        OpenPage(url, shop.vendor_token).open() for name, url in system.push_urls.items() if name in system.running
    ]
    traffic = shop.traffic(CLIENTS, interval=0).start()
    time.sleep(WARM_UP_SECONDS)
    began = time.monotonic()
    time.sleep(MEASURED_SECONDS)
    ended = time.monotonic()
    row.clients, row.seconds = CLIENTS, ended - began
    row.per_second = sum(began <= at < ended for at in list(traffic.successes)) / (ended - began)
    return shop, pages, traffic


def check_every_message(system, row: Row, shop, traffic) -> None:
    """Stored, mailed and rung once each: the fault suite's checks."""
    figures = Figures(row.processes)
    check.check_answers(figures, traffic)
    assert traffic.statuses.keys() == {201}, f"answers: {figures.answers}"
    check.check_every_message_once(figures, system, shop, traffic)
    row.posted = figures.acknowledged
    row.stored_once = f"{figures.stored}, {figures.duplicates} twice"
    row.mails_most, row.bell_most = figures.mails_most_per_message, figures.bell_most_per_message
    row.running = system.running_count()
    assert not system.exited()


def expected_events(traffic) -> set[tuple[str, str]]:
    return {("message_posted", message_id) for message_id in traffic.acked.values()}


def admin_token(system) -> str:
    return system.token("admin", sub="scale-admin", name="Admin")


def announce(system, db, tag: str) -> list[str]:
    """One announcement to every vendor through the API, and one a process recorded and then
    died with (its lease run out), for the replicas' timers to resume: both ids."""
    answer = system.call(
        "POST",
        "/v1/broadcasts",
        admin_token(system),
        json={"company_ids": "all", "subject": "Holiday shipping", "message": f"Ship by Friday {tag}"},
    )
    assert answer.status_code == 202, answer.text
    posted = answer.json()["id"]
    recorded = db.broadcasts.find_one({"_id": posted})
    orphan = {
        **recorded,
        "_id": new_id(),
        "subject": "Inventory count",
        "status": "sending",
        "created_at": now(),
        "lease_until": now() - timedelta(seconds=1),
    }
    orphan.pop("sent_at", None)
    db.broadcasts.insert_one(orphan)
    return [posted, orphan["_id"]]
