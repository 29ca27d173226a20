"""What a fault test checks once the fault is over, as the figures `make faults` prints."""

import re
import time
from collections import Counter
from dataclasses import asdict, dataclass

from tests.faults.system import PROCESSES

# A request that finds the broker away gets its 503 in milliseconds, one that finds the
# database away in about 2 s (server selection); one in flight as the broker drops its
# connection, in about 2 s (the gateway's RPC client retries a dead connection once).
SLOWEST_503 = 4.0


@dataclass
class Figures:
    scenario: str
    acknowledged: int = 0
    stored: int = 0
    duplicates: int = 0
    mails_most_per_message: int = 0
    unmailed: int = 0
    redelivered: int = 0
    bell_most_per_message: int = 0
    bell_missing: int = 0
    pages_resynced: str = "n/a"
    recovery_seconds: float | None = None
    slowest_503: float = 0.0
    running: str = ""
    answers: str = ""

    def row(self) -> dict:
        return asdict(self)


def tokens_in(mail, pattern: re.Pattern) -> set[str]:
    part = mail.get_body(preferencelist=("plain",))
    return set(pattern.findall(part.get_content() if part else ""))


def check_messages(figures: Figures, db, traffic, thread_ids: list[str]) -> Counter:
    """Stored once each, exactly the acknowledged ones."""
    stored = Counter(
        message["text"]
        for message in db.messages.find(
            {"thread_id": {"$in": thread_ids}, "text": {"$regex": f"^{traffic.tag}c"}}, {"text": 1}
        )
    )
    figures.acknowledged = len(traffic.acked)
    figures.stored = len(stored)
    figures.duplicates = sum(count - 1 for count in stored.values())
    assert not traffic.unfinished, f"posts never acknowledged: {traffic.unfinished}"
    assert set(stored) == set(traffic.acked), (
        f"acknowledged but not stored: {sorted(set(traffic.acked) - set(stored))}; "
        f"stored but never acknowledged: {sorted(set(stored) - set(traffic.acked))}"
    )
    assert figures.duplicates == 0, f"stored twice: {[text for text, n in stored.items() if n > 1]}"
    return stored


def one_per_message_id(mails: list) -> list:
    """The mails a reader sees: one delivered twice under one Message-ID shows once."""
    return list({mail["Message-ID"]: mail for mail in mails}.values())


def check_mails(figures: Figures, mail_sink, address: str, tag: str, expected: set[str], timeout: float = 90.0):
    """Every message mailed to `address`, none of them in two different mails (a mail may
    carry several). A batch whose worker was killed after the server took it and before that
    was recorded is sent again as the same mail (same Message-ID): counted as redelivered."""
    pattern = re.compile(re.escape(tag) + r"c\d{2}m\d{4}")
    deadline = time.monotonic() + timeout
    while True:
        seen = Counter(token for mail in mail_sink.to(address) for token in tokens_in(mail, pattern))
        if set(seen) >= expected or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    mail_sink.settle(quiet=2.0)  # a duplicate sent late would show by now
    delivered = mail_sink.to(address)
    shown = one_per_message_id(delivered)
    figures.redelivered = len(delivered) - len(shown)
    seen = Counter(token for mail in shown for token in tokens_in(mail, pattern))
    figures.unmailed = len(expected - set(seen))
    figures.mails_most_per_message = max(seen.values(), default=0)
    assert figures.unmailed == 0, f"never mailed to {address}: {sorted(expected - set(seen))[:10]}"
    assert figures.mails_most_per_message <= 1, f"mailed twice: {[t for t, n in seen.items() if n > 1][:10]}"


def check_bell(figures: Figures, db, audience: str, message_ids: set[str], timeout: float = 60.0):
    """One bell item per message for the audience, never two for anyone."""
    deadline = time.monotonic() + timeout
    while True:
        items = list(
            db.notifications.find({"message_id": {"$in": list(message_ids)}}, {"audience": 1, "message_id": 1})
        )
        ours = {item["message_id"] for item in items if item["audience"] == audience}
        if ours >= message_ids or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    per_item = Counter((item["audience"], item["message_id"]) for item in items)
    figures.bell_missing = len(message_ids - ours)
    figures.bell_most_per_message = max(per_item.values(), default=0)
    assert figures.bell_missing == 0, f"{figures.bell_missing} messages never rang {audience}'s bell"
    assert figures.bell_most_per_message <= 1


def check_running(figures: Figures, system):
    gone = system.exited()
    figures.running = f"{len(PROCESSES) - len(gone)}/{len(PROCESSES)}"
    assert not gone, f"not running: {gone} (see {system.log_dir})"


def check_answers(figures: Figures, traffic):
    """Clients got 201, or 503 with Retry-After, or 409 while their first try is in progress."""
    figures.slowest_503 = traffic.slowest_503
    figures.answers = " ".join(f"{status or 'none'}×{count}" for status, count in sorted(traffic.statuses.items()))
    assert not traffic.unexpected, f"answers no client should get: {traffic.unexpected[:5]}"


def check_recovery(figures: Figures, recovery_seconds: float | None, limit: float = 15.0):
    figures.recovery_seconds = recovery_seconds
    assert recovery_seconds is not None and recovery_seconds <= limit, (
        f"first 201 {recovery_seconds} s after the fault ended"
    )


def check_every_message_once(figures: Figures, system, shop, traffic):
    """Stored, mailed to the vendor and rung on the vendor's bell: each message once."""
    db = system.db()
    check_messages(figures, db, traffic, [thread_id for _, thread_id in traffic.customers])
    check_mails(figures, system.mail, shop.email, traffic.tag, set(traffic.acked))
    check_bell(figures, db, f"vendor:{shop.company_id}", set(traffic.acked.values()))
