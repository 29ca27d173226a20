"""Who learns of a message, by which channel, at which address, and when.

Pure functions over plain values: no nameko, no pymongo, no SMTP. The service gathers what
they need (the event, the stored settings, the vendor's address, the opt-outs) and stores
what they decide.
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import quote, urljoin

from services.common.caller import Caller
from services.common.config import Settings

# audience_of is common: push hands a bell's news to its audience's pages by it
from services.common.access import audience_of as audience_of, group_of as group_of, may_view_group as may_view_group

# The words the API takes for them (a setting names a kind, a side, a channel): one list.
from services.contracts.notifications import CHANNELS as CHANNELS, EVENT_KINDS as EVENT_KINDS, SIDES as SIDES

CUSTOMER_VENDOR, ORDER, VENDOR_ADMIN, ANNOUNCEMENT = EVENT_KINDS
COMMUNICATION_TYPES = ("vendor_to_customer", "vendor_to_admin")

# The sides that take part in each kind of event, and so may be told of it: the
# administration reads and joins customer ↔ vendor threads; an announcement goes to vendors.
PARTIES = {
    CUSTOMER_VENDOR: ("customer", "vendor", "admin"),
    ORDER: ("customer", "vendor", "admin"),
    VENDOR_ADMIN: ("vendor", "admin"),
    ANNOUNCEMENT: ("vendor",),
}
DEFAULT_CHANNELS = {"customer": ("email",), "vendor": ("email", "in_app"), "admin": ("in_app",)}
# The permission group (services/common/access.py) each kind belongs to: who may not
# read a kind of thread does not see its notifications either.
GROUP_OF_KIND = {CUSTOMER_VENDOR: "vendor", ORDER: "order", VENDOR_ADMIN: "admin", ANNOUNCEMENT: "admin"}

DEFAULT_COALESCE_SECONDS = 120
# 30 s, 1 min, 2 min … capped at an hour: eight tries ride out about an hour of SMTP outage.
DEFAULT_RETRY = {"attempts": 8, "first_delay_seconds": 30, "max_delay_seconds": 3600}

EXCERPT_LENGTH = 500
ADDRESS = re.compile(r'^[^@\s,;:<>()\[\]\\"]+@[^@\s,;:<>()\[\]\\"]+$')
ADDRESS_MAX = 254


# settings -------------------------------------------------------------------------------


def default_rules() -> dict[str, Any]:
    return {kind: {side: list(DEFAULT_CHANNELS[side]) for side in PARTIES[kind]} for kind in EVENT_KINDS}


def default_settings() -> dict[str, Any]:
    return {"rules": default_rules(), "coalesce_seconds": DEFAULT_COALESCE_SECONDS, "retry": dict(DEFAULT_RETRY)}


def rule_errors(rules: dict[str, Any]) -> dict[str, Any]:
    """Field → messages for sides that take no part in an event kind (empty when all is well)."""
    errors = {}
    for kind, by_side in rules.items():
        strangers = sorted(set(by_side) - set(PARTIES[kind]))
        if strangers:
            errors[f"rules.{kind}"] = [
                f"Not a side of {kind}: {', '.join(strangers)} (its sides: {', '.join(PARTIES[kind])})."
            ]
    return errors


def merge_settings(current: dict[str, Any], change: dict[str, Any]) -> dict[str, Any]:
    """The settings after an edit: the rules named in `change` replace theirs, the rest stay."""
    merged = {
        "rules": {kind: dict(by_side) for kind, by_side in current["rules"].items()},
        "coalesce_seconds": change.get("coalesce_seconds", current["coalesce_seconds"]),
        "retry": {**current["retry"], **change.get("retry", {})},
    }
    for kind, by_side in change.get("rules", {}).items():
        for side, channels in by_side.items():
            merged["rules"][kind][side] = [channel for channel in CHANNELS if channel in channels]
    return merged


# who is told ----------------------------------------------------------------------------


def event_kind(thread: dict[str, Any], broadcast_id: str | None) -> str:
    if broadcast_id:
        return ANNOUNCEMENT
    return {"vendor": CUSTOMER_VENDOR, "order": ORDER, "admin": VENDOR_ADMIN}[
        group_of(thread["type"], thread["object"]["type"])
    ]


def receiving_sides(kind: str, author_side: str) -> list[str]:
    """Every party of the event but the author's own side."""
    return [side for side in PARTIES[kind] if side != author_side]


def channels_for(settings: dict[str, Any], kind: str, side: str) -> tuple[str, ...]:
    return tuple(settings["rules"].get(kind, {}).get(side, ()))


def may_opt_out(kind: str) -> bool:
    """The marketplace's announcements reach every vendor, whatever their preferences."""
    return kind != ANNOUNCEMENT


@dataclass(frozen=True)
class Recipient:
    address: str
    side: str
    user_id: str | None = None
    name: str = ""

    @property
    def key(self) -> str:
        return self.address.lower()


def usable_address(text: str | None) -> str | None:
    """One plain address, or None: a value that could smuggle in a second recipient or a
    header (commas, angle brackets, line breaks) is not mailed at all."""
    address = (text or "").strip()
    if len(address) > ADDRESS_MAX or not ADDRESS.match(address):
        return None
    return address


def admin_addresses(configured: str) -> list[str]:
    """ADMIN_EMAILS: comma separated; unusable entries are left out."""
    return [address for address in map(usable_address, configured.split(",")) if address]


def mail_recipients(
    side: str,
    thread: dict[str, Any],
    *,
    vendor_email: str | None = None,
    vendor_staff: Sequence[dict[str, Any]] = (),
    admin_emails: Sequence[str] = (),
) -> list[Recipient]:
    """Where a side's mail goes: the customer's own address; the vendor's company address and
    its staff who have written in the thread; the administrators' addresses."""
    if side == "customer":
        customer = thread.get("customer") or {}
        candidates = [Recipient(customer.get("email") or "", side, customer.get("id"), customer.get("name") or "")]
    elif side == "vendor":
        candidates = [Recipient(vendor_email or "", side)]
        candidates += [
            Recipient(person.get("email") or "", side, person.get("user_id"), person.get("name") or "")
            for person in vendor_staff
        ]
    else:
        candidates = [Recipient(address, side) for address in admin_emails]
    recipients, seen = [], set()
    for candidate in candidates:
        address = usable_address(candidate.address)
        if address and address.lower() not in seen:
            seen.add(address.lower())
            recipients.append(Recipient(address, candidate.side, candidate.user_id, candidate.name))
    return recipients


def wanted(
    recipients: list[Recipient], author_email: str | None, opted_out_addresses: set[str], opted_out_user_ids: set[str]
) -> list[Recipient]:
    """Leave out whoever opted out (by address or by user id), and the author's own address
    should it also be on the other side's list."""
    author = (author_email or "").strip().lower()
    return [
        recipient
        for recipient in recipients
        if recipient.key != author
        and recipient.key not in opted_out_addresses
        and (recipient.user_id is None or recipient.user_id not in opted_out_user_ids)
    ]


# the in-app bell ------------------------------------------------------------------------


def audience_of_side(side: str, thread: dict[str, Any]) -> str | None:
    """Whose bell rings: a customer's own, the vendor company's (all its staff see it), or
    the administration's shared one."""
    if side == "customer":
        customer = thread.get("customer") or {}
        return f"customer:{customer['id']}" if customer.get("id") else None
    if side == "vendor":
        return f"vendor:{thread['company_id']}" if thread.get("company_id") else None
    return "admin"


def visible_kinds(caller: Caller) -> list[str]:
    """The kinds of notification the caller's permissions let them see, as for threads."""
    return [kind for kind in EVENT_KINDS if may_view_group(caller, GROUP_OF_KIND[kind])]


# what is said, and when -----------------------------------------------------------------


def thread_link(side: str, thread_id: str, settings: Settings) -> str:
    """Where the side's reader opens the thread: STOREFRONT_THREAD_URL (the customer) or
    PORTAL_THREAD_URL (a vendor, the administration), its {thread_id} and {side} filled in,
    under STOREFRONT_URL or PORTAL_URL unless the template is a whole URL itself."""
    if side == "customer":
        base, template = settings.STOREFRONT_URL, settings.STOREFRONT_THREAD_URL
    else:
        base, template = settings.PORTAL_URL, settings.PORTAL_THREAD_URL
    # Filled by replacing, not str.format: other braces in a template are the page's own.
    link = template.replace("{thread_id}", quote(thread_id, safe="")).replace("{side}", side)
    return urljoin(base if base.endswith("/") else f"{base}/", link)


def excerpt(text: str, limit: int = EXCERPT_LENGTH) -> str:
    """The start of a message, cut at a word boundary."""
    text = (text or "").strip()
    if len(text) <= limit:
        return text
    cut = text[:limit]
    space = cut.rfind(" ")
    return (cut[:space] if space > limit // 2 else cut).rstrip() + "…"


def mail_subject(authors: list[str], title: str) -> str:
    """One line, whatever the names hold: line breaks in a header would start a new one."""
    about = f" about {title}" if title else ""
    if len(authors) == 1:
        subject = f"New message from {authors[0] or 'someone'}{about}"
    else:
        subject = f"{len(authors)} new messages{about}"
    return " ".join(subject.split())


def reminder_subject(title: str) -> str:
    """A vendor's reminder of a question it has not answered (reminders.py)."""
    about = f" about {title}" if title else ""
    return " ".join(f"Reminder: a customer is waiting for your reply{about}".split())


def send_after(
    now: datetime, window_seconds: int, latest: datetime | None, posted_at: datetime | None = None
) -> datetime:
    """When a new message's mail to one recipient in one thread goes out.

    The first mail of a quiet thread goes at once; what follows within the window waits for
    the window's end and goes as one mail. `latest` is the send time of the newest mail
    already planned for that recipient and thread. A message posted before that mail went,
    but worked through after it (a backlog, after an outage), is late already: it goes at once.
    """
    if latest is None:
        return now
    if latest > now:
        return latest  # join the mail still waiting
    if posted_at is not None and posted_at < latest:
        return now
    next_slot = latest + timedelta(seconds=window_seconds)
    return next_slot if next_slot > now else now


def retry_delay(attempt: int, retry: dict[str, Any]) -> timedelta:
    """Exponential backoff: the first delay, doubled after each failed attempt, capped."""
    seconds = retry["first_delay_seconds"] * 2 ** max(attempt - 1, 0)
    return timedelta(seconds=min(seconds, retry["max_delay_seconds"]))


def after_failure(attempts: int, retry: dict[str, Any], now: datetime) -> tuple[str, datetime | None]:
    """(`pending`, when to try again) or (`failed`, None) once the tries are spent."""
    if attempts >= retry["attempts"]:
        return "failed", None
    return "pending", now + retry_delay(attempts, retry)
