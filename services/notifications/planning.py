"""What planning an event leaves to do, and the pieces a message's plan (delivery.py) and a
reminder's (reminders.py) share: the thread's title as mails and bells show it, the vendor's
address, and how a planned mail is kept."""

from datetime import timedelta

from services.common.clock import new_id
from services.common.errors import NotFound

# Longer than any one piece of work takes (an SMTP or HTTP timeout, a catalog call: 10 s each),
# and no longer: work whose worker died, or whose release a database outage prevented, is
# taken up again after it.
LEASE = timedelta(seconds=60)


class Planned:
    """What planning an event left to do at once: the mail batches it claimed (due now), and
    the bell items to ring (after the mail has been handed to a sender: the bell is no part of
    the mail's way out)."""

    def __init__(self):
        self.mail_batches: list[tuple[str, list[dict]]] = []
        self.bell_items: list[dict] = []


def title(thread: dict) -> str:
    return ((thread.get("context") or {}).get("title") or thread.get("subject") or "").strip()


def vendor_email(catalog, company_id: str) -> str | None:
    """The company's address; None for a vendor the catalog does not know. A catalog that is
    away raises Unavailable: the event waits and is tried again."""
    try:
        vendor = catalog.get_vendor(company_id)
    except NotFound:
        return None
    return (vendor or {}).get("email")


def keep_mail(store, planned: Planned, at, mail: dict) -> None:
    """Plan one mail. One due at once is planned claimed by this worker, as a batch of its own
    (`sending` under a lease: were the worker to stop, the batch goes again as itself, see
    `_due_batches`), and left in `planned` to send; one that waits for its window is pending,
    for the timer. Nothing, when the mail was planned before (a redelivered event)."""
    if mail["send_after"] <= at:
        batch_id = new_id()
        mail.update(status="sending", batch_id=batch_id, lease_until=at + LEASE)
        if store.plan_mail(mail):
            planned.mail_batches.append((batch_id, [mail]))
    else:
        store.plan_mail({**mail, "status": "pending"})
