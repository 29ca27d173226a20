"""The broker blips while an announcement to 2,000 vendors is being delivered."""

import time
from collections import Counter

from services.catalog_context.schemas import load_record
from services.common.clock import now
from tests.faults import figures as check
from tests.faults.figures import Figures
from tests.faults.pages import OpenPage
from tests.faults.system import PROCESSES

VENDORS = 2000
BLIP_SECONDS = 3


def add_vendors(db, tag: str, count: int = VENDORS) -> list[str]:
    """`count` vendors, written as the catalog keeps pushed records (2,000 pushes over HTTP would
    take the whole suite's time; what is tested is the announcement)."""
    at = now()
    ids = [f"{tag}-{number:04d}" for number in range(count)]
    records = []
    for company_id in ids:
        record = load_record(
            "company",
            {
                "company_id": company_id,
                "company": f"Vendor {company_id}",
                "email": f"sales-{company_id}@vendors.test",
                "status": "A",
            },
        )
        records.append({"_id": record.pop("id"), **record, "source": "pushed", "fetched_at": at, "updated_at": at})
    db.vendors.insert_many(records)
    return ids


def test_e_a_broker_blip_during_an_announcement_delivers_it_once_to_every_vendor(faulty, shop, report):
    figures = Figures(f"e. broker blip {BLIP_SECONDS} s in an announcement to {VENDORS:,} vendors")
    db = faulty.db()
    add_vendors(db, shop.tag)
    active = {vendor["_id"] for vendor in db.vendors.find({"status": "A"}, {"_id": 1})}
    page = OpenPage(faulty.push_url, faulty.token("admin", sub=f"admin-{shop.tag}")).open()
    admin = faulty.token("admin", sub=f"admin-{shop.tag}", name="Admin")
    marker = f"{shop.tag}announce"
    mails_before = len(list(faulty.mail.directory.glob("*.eml")))
    answer = faulty.call(
        "POST",
        "/v1/broadcasts",
        admin,
        json={"company_ids": "all", "subject": "Holiday shipping", "message": f"Ship by Friday {marker}"},
    )
    assert answer.status_code == 202, answer.text
    announcement = answer.json()
    assert announcement["thread_count"] == len(active)
    try:
        deadline = time.monotonic() + 60
        while db.threads.count_documents({"broadcast_id": announcement["id"]}) == 0:
            assert time.monotonic() < deadline, "the announcement's threads were never written"
            time.sleep(0.05)
        faulty.broker.pause()
        time.sleep(BLIP_SECONDS)
        faulty.broker.resume()
        ended = time.monotonic()
        figures.recovery_seconds = faulty.time_to_first_success(
            ended, lambda: faulty.call("GET", f"/v1/broadcasts/{announcement['id']}", admin).status_code == 200
        )

        deadline = time.monotonic() + 120
        while faulty.call("GET", f"/v1/broadcasts/{announcement['id']}", admin).json().get("status") != "sent":
            assert time.monotonic() < deadline, "the announcement was never marked sent"
            time.sleep(1)
        threads = Counter(
            thread["company_id"] for thread in db.threads.find({"broadcast_id": announcement["id"]}, {"company_id": 1})
        )
        figures.acknowledged = len(active)
        figures.stored = len(threads)
        figures.duplicates = sum(count - 1 for count in threads.values())
        assert set(threads) == active and figures.duplicates == 0

        messages = {
            message["_id"]: message["thread_id"]
            for message in db.messages.find(
                {
                    "thread_id": {
                        "$in": [t["_id"] for t in db.threads.find({"broadcast_id": announcement["id"]}, {"_id": 1})]
                    }
                },
                {"thread_id": 1},
            )
        }
        # Waiting is counting files: parsing thousands of mails at every look would take the
        # machine's time from the system under test.
        deadline = time.monotonic() + 240
        while len(list(faulty.mail.directory.glob("*.eml"))) < mails_before + len(active):
            if time.monotonic() > deadline:
                break
            time.sleep(2)
        faulty.mail.settle(quiet=2.0)
        bell = Counter(
            (item["audience"], item["message_id"])
            for item in db.notifications.find({"message_id": {"$in": list(messages)}}, {"audience": 1, "message_id": 1})
        )
        delivered = [
            mail for mail in faulty.mail.mails if marker in mail.get_body(preferencelist=("plain",)).get_content()
        ]
        shown = check.one_per_message_id(delivered)
        figures.redelivered = len(delivered) - len(shown)
        mailed = Counter(mail["To"] for mail in shown)
        figures.bell_missing = len(messages) - len(bell)
        figures.bell_most_per_message = max(bell.values(), default=0)
        figures.unmailed = len(active) - len(mailed)
        figures.mails_most_per_message = max(mailed.values(), default=0)
        assert figures.bell_missing == 0 and figures.bell_most_per_message == 1
        assert figures.unmailed == 0 and figures.mails_most_per_message == 1
        resynced = page.wait_told("resync", timeout=30)
        figures.pages_resynced = "1/1" if resynced else "0/1"
        assert resynced
        running = faulty.exited()
        figures.running = f"{len(PROCESSES) - len(running)}/{len(PROCESSES)}"
        assert not running
    finally:
        page.close()
        report(figures)
