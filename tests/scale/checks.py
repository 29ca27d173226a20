"""What the scale-out test checks, as a user would notice it, and the row it prints for each run.

Each check waits for what is still on its way (mail, bell items, reminders) with a generous
deadline, then looks once more after a quiet moment: a duplicate sent late shows by then.
Nothing is timed: on 2 cores a slow run is slow, not wrong.
"""

import email
import email.policy
import re
import time
from collections import Counter
from dataclasses import asdict, dataclass
from pathlib import Path

AWAITED = re.compile(r"has waited \d+ h for your reply")


@dataclass
class Row:
    processes: str
    clients: int = 0
    seconds: float = 0.0
    posted: int = 0
    per_second: float = 0.0
    stored_once: str = ""
    mails_most: int = 0
    bell_most: int = 0
    page_events: str = "n/a"
    reminders: str = "n/a"
    announcements: str = "n/a"
    running: str = ""

    def as_dict(self) -> dict:
        return asdict(self)


COLUMNS = [
    ("processes", "processes"),
    ("clients", "clients"),
    ("seconds", "s measured"),
    ("posted", "posts 201"),
    ("per_second", "messages/s"),
    ("stored_once", "stored once"),
    ("mails_most", "mails/msg max"),
    ("bell_most", "bell/msg max"),
    ("page_events", "events/msg on each page"),
    ("reminders", "reminders, escalations/thread"),
    ("announcements", "announcement threads/vendor"),
    ("running", "running"),
]


def wait_until(done, timeout: float, every: float = 1.0) -> bool:
    deadline = time.monotonic() + timeout
    while not done():
        if time.monotonic() > deadline:
            return False
        time.sleep(every)
    return True


class Mailbox:
    """The sink's mails, each file parsed once (thousands are read again and again while waiting)."""

    def __init__(self, directory: Path):
        self.directory = directory
        self._parsed: dict[str, email.message.EmailMessage] = {}

    def shown(self) -> list:
        """One mail per Message-ID: a batch sent again as itself shows once to its reader."""
        for path in self.directory.glob("*.eml"):
            if path.name not in self._parsed:
                self._parsed[path.name] = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        return list({mail["Message-ID"]: mail for mail in self._parsed.values()}.values())

    def settle(self, quiet: float = 3.0) -> None:
        seen = -1
        while (count := len(list(self.directory.glob("*.eml")))) != seen:
            seen = count
            time.sleep(quiet)


def plain(mail) -> str:
    part = mail.get_body(preferencelist=("plain",))
    return part.get_content() if part else ""


def check_pages(row: Row, pages: list, expected: set[tuple[str, str]], timeout: float = 60.0) -> None:
    """Every (type, message_id) told to each page exactly once."""

    def told(page):
        return Counter((event["type"], event["message_id"]) for event in list(page.received))

    wait_until(lambda: all(expected <= set(told(page)) for page in pages), timeout)
    time.sleep(2)
    counts = [told(page) for page in pages]
    missing = [len(expected - set(count)) for count in counts]
    most = max((count[key] for count in counts for key in expected), default=0)
    row.page_events = f"{most} max, {sum(missing)} missing on {len(pages)} pages"
    assert not any(missing), f"events never told to a page: {missing} (of {len(expected)} per page)"
    assert most == 1, f"events told twice to one page: {[k for c in counts for k in expected if c[k] > 1][:10]}"
    assert not any(page.told("resync") for page in pages), "a page was told to resync: it lost events"


def check_reminders(
    row: Row,
    db,
    mailbox: Mailbox,
    vendor_audience: str,
    vendor_email: str,
    thread_ids: list[str],
    timeout: float = 150.0,
) -> None:
    """Each thread waiting on the vendor: one reminder (a bell item for the vendor and one line
    in one mail), then one escalation (a bell item for the administration)."""

    def items(reason):
        return Counter(
            item["thread_id"]
            for item in db.notifications.find({"thread_id": {"$in": thread_ids}, "reason": reason}, {"thread_id": 1})
        )

    def reminded():
        return Counter(
            mail["X-MessageCenter-Thread"]
            for mail in mailbox.shown()
            if vendor_email in mail.get("To", "") and mail["X-MessageCenter-Thread"] in thread_ids
            for _ in AWAITED.findall(plain(mail))
        )

    wait_until(
        lambda: set(items("reply_reminder")) == set(thread_ids) == set(items("reply_overdue"))
        and set(reminded()) == set(thread_ids),
        timeout,
        every=2.0,
    )
    time.sleep(11)  # two more ticks of every replica's reminder timer: a second claim would show
    mailbox.settle()
    bells, escalations, mails = items("reply_reminder"), items("reply_overdue"), reminded()
    audiences = {
        item["audience"]
        for item in db.notifications.find(
            {"thread_id": {"$in": thread_ids}, "reason": "reply_reminder"}, {"audience": 1}
        )
    }
    per_thread = [(bells[t], mails[t], escalations[t]) for t in thread_ids]
    row.reminders = (
        f"bell {min(b for b, _, _ in per_thread)}-{max(b for b, _, _ in per_thread)}, "
        f"mail {min(m for _, m, _ in per_thread)}-{max(m for _, m, _ in per_thread)}, "
        f"escalated {min(e for _, _, e in per_thread)}-{max(e for _, _, e in per_thread)}"
    )
    assert audiences == {vendor_audience}, audiences
    assert all(counts == (1, 1, 1) for counts in per_thread), (
        f"(reminder bell, reminder mail, escalation) per thread: {per_thread}"
    )


def check_announcement(
    db, mailbox: Mailbox, broadcast_id: str, vendors: set[str], timeout: float = 180.0
) -> dict[str, str]:
    """One thread per vendor; its message rung once on the vendor's bell and mailed once to the
    vendor's address. The threads, by vendor."""
    threads = Counter(
        thread["company_id"] for thread in db.threads.find({"broadcast_id": broadcast_id}, {"company_id": 1})
    )
    doubled = [vendor for vendor, count in threads.items() if count > 1]
    assert set(threads) == vendors and not doubled, (
        f"announcement {broadcast_id}: {len(vendors - set(threads))} vendors without a thread, doubled: {doubled[:10]}"
    )
    by_vendor = {
        thread["company_id"]: thread["_id"]
        for thread in db.threads.find({"broadcast_id": broadcast_id}, {"company_id": 1})
    }
    messages = {
        message["_id"]: message["thread_id"]
        for message in db.messages.find({"thread_id": {"$in": list(by_vendor.values())}}, {"thread_id": 1})
    }
    assert len(messages) == len(vendors), f"{len(messages)} messages in {len(vendors)} announcement threads"

    def bell():
        return Counter(
            (item["audience"], item["message_id"])
            for item in db.notifications.find({"message_id": {"$in": list(messages)}}, {"audience": 1, "message_id": 1})
        )

    def mailed():
        threads_of = set(by_vendor.values())
        return Counter(
            (mail["X-MessageCenter-Thread"], mail["To"])
            for mail in mailbox.shown()
            if mail["X-MessageCenter-Thread"] in threads_of
        )

    vendor_of = {thread_id: vendor for vendor, thread_id in by_vendor.items()}
    expected_bell = {(f"vendor:{vendor_of[thread_id]}", message_id) for message_id, thread_id in messages.items()}
    expected_mail = {(thread_id, f"sales-{vendor}@vendors.test") for vendor, thread_id in by_vendor.items()}
    wait_until(lambda: expected_bell <= set(bell()) and expected_mail <= set(mailed()), timeout, every=3.0)
    mailbox.settle()
    rung, sent = bell(), mailed()
    assert expected_bell <= set(rung), f"{len(expected_bell - set(rung))} vendors' bells never rang"
    assert max(rung.values()) == 1, f"rung twice: {[key for key, n in rung.items() if n > 1][:10]}"
    assert set(sent) == expected_mail, (
        f"{len(expected_mail - set(sent))} vendors never mailed, {len(set(sent) - expected_mail)} mails to someone else"
    )
    assert max(sent.values()) == 1, f"mailed twice: {[key for key, n in sent.items() if n > 1][:10]}"
    return by_vendor
