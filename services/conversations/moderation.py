"""Contact details in messages between customers and vendors (issue 15): the screening of
what a party writes. The administration's review of the messages held is reviews.py.

Marketplaces keep the sale on the marketplace. For each direction (customer → vendor, vendor
→ customer) the settings say what happens to a message in which contact_details.py finds an
address, a phone number, an outside link, a messenger or a blocked word:
- `allow`: it is delivered as written (the default, and what happened before);
- `mask`: each detail is replaced with "[contact details removed]" and the message delivered;
  its original is kept in its review, which the administration alone reads;
- `hold`: it is stored and goes nowhere. Its thread does not move (unread counts, preview,
  awaiting reply, reminders), search does not know its words, no event goes out (mail, bell,
  webhooks, live pages). Its author's side sees it `held`, the other side nothing, not even
  the thread it starts. Approving it delivers it as if it had just been posted, once;
  rejecting it shows its author the reason, and the other side never sees it.

Everything a party writes to the other side is screened alike, and the action applies to it
all (issue 21): the message's text (and the addresses of links its body hides), the subject
of the conversation it starts when the party wrote one, and the names of its files, also when
the message has no text. Masked, each is delivered with its details replaced; held, the
message (and the conversation it starts) waits whole. The review's text is these, one a line:
the subject, the message, each file's name.

The administration's own messages and the vendor ↔ administration threads are not screened.
A vendor's away message is masked, never held: nobody waits for an automatic reply.

Each message the moderation acts on has a review, keyed by the message's id and written
before the message, so a held message is never outside the queue. A decision is kept on the
review, who, when, which and why, in one conditional write: two admins deciding at once get
one decision, the other a 409, and the same decision sent again finishes what an attempt
stopped part way left (the message's own conditional release makes the delivery once).
"""

import html
import re
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

from services.common.access import VENDOR_TO_CUSTOMER

from . import contact_details, model, rules, settings, text
from .records import Message, Thread

ALLOW, MASK, HOLD = "allow", "mask", "hold"
HELD, MASKED, APPROVED, REJECTED = "held", "masked", "approved", "rejected"
DIRECTION_OF_SIDE = {"customer": "customer_to_vendor", "vendor": "vendor_to_customer"}
# The links of a sanitised body (text.py writes every attribute in double quotes).
HREF = re.compile(r'<a href="([^"]*)"')


def own_domains(config) -> tuple[str, ...]:
    """The marketplace's own domains, the hosts of its storefront and portals (STOREFRONT_URL,
    PORTAL_URL): their links, and their subdomains', are never contact details. Others (a
    carrier's tracking pages) are the administration's setting `moderation_allowed_domains`."""
    hosts = [urlsplit(url).hostname for url in (config.STOREFRONT_URL, config.PORTAL_URL)]
    return tuple(dict.fromkeys(host.lower().removeprefix("www.") for host in hosts if host))


@dataclass(frozen=True)
class Rules:
    """What the marketplace does with contact details now: per direction, and what counts."""

    customer_to_vendor: str = ALLOW
    vendor_to_customer: str = ALLOW
    policy: contact_details.Policy = contact_details.Policy()

    @classmethod
    def of(cls, values: dict, marketplace_domains: tuple[str, ...] = ()) -> "Rules":
        return cls(
            values["moderation_customer_to_vendor"],
            values["moderation_vendor_to_customer"],
            contact_details.Policy(
                region=values["moderation_phone_region"],
                allowed_domains=tuple(marketplace_domains) + tuple(values["moderation_allowed_domains"]),
                blocked_words=tuple(values["moderation_blocked_words"]),
            ),
        )

    @classmethod
    def current(cls, store, marketplace_domains: tuple[str, ...] = ()) -> "Rules":
        return cls.of(settings.current(store), marketplace_domains)

    def action(self, direction: str | None) -> str:
        return getattr(self, direction) if direction else ALLOW


@dataclass(frozen=True)
class Screening:
    """What a message stores (masked where the marketplace masks): its text, the subject of the
    conversation it starts, its files; and what the moderation found in them (None: nothing, or
    nothing to do)."""

    prepared: dict
    finding: dict | None = None
    subject: str | None = None
    files: tuple[dict, ...] = ()

    @property
    def held(self) -> bool:
        return self.finding is not None and self.finding["state"] == HELD


def direction_of(thread: Thread, author_side: str) -> str | None:
    return DIRECTION_OF_SIDE.get(author_side) if thread["type"] == VENDOR_TO_CUSTOMER else None


def screen(
    current: Rules,
    thread: Thread,
    author_side: str,
    prepared: dict,
    automatic: bool = False,
    subject: str | None = None,
    files: Sequence[dict] = (),
) -> Screening:
    """`subject`: the conversation's, when its author wrote one; `files`: the message's, as
    attachments.attach describes them."""
    kept_files = tuple(files)
    as_written = Screening(prepared, subject=subject, files=kept_files)
    direction = direction_of(thread, author_side)
    action = current.action(direction)
    if action == ALLOW:
        return as_written
    # A message of files alone has no text: its files' names are screened all the same.
    parts = [subject or "", screened_text(prepared) if prepared["text"] else "", *(file["name"] for file in files)]
    found = [contact_details.detect(part, current.policy) if part else [] for part in parts]
    if not any(found):
        return as_written
    finding = {"direction": direction, **_reviewed(parts, found)}
    if action == HOLD and not automatic:
        return Screening(prepared, {**finding, "state": HELD}, subject, kept_files)
    subject_found, message_found, names_found = found[0], found[1], found[2:]
    original = {"body": prepared["body"], "text": prepared["text"]}
    if subject_found:
        original["subject"] = subject
    if any(names_found):
        original["file_names"] = [file["name"] for file in files]
    return Screening(
        _masked_message(prepared, message_found) if message_found else prepared,
        {**finding, "state": MASKED, "original": original},
        contact_details.masked(subject, subject_found) if subject and subject_found else subject,
        tuple(
            {**file, "name": contact_details.masked(file["name"], spans)} if spans else file
            for file, spans in zip(files, names_found)
        ),
    )


def _masked_message(prepared: dict, found: list) -> dict:
    # The body is made again from the masked text: a link whose address its words did not
    # show (found past the text, in screened_text) goes with the rest of the markup.
    length = len(prepared["text"])
    shown = [
        contact_details.Span(span.start, min(span.end, length), span.kind) for span in found if span.start < length
    ]
    return text.plain(contact_details.masked(prepared["text"], shown))


def _reviewed(parts: list[str], found: list[list]) -> dict:
    """The text the administration reviews, the parts written one a line, and where in it
    each detail is."""
    lines, spans, at = [], [], 0
    for part, part_found in zip(parts, found):
        if not part:
            continue
        lines.append(part)
        spans += [{"start": at + span.start, "end": at + span.end, "kind": span.kind} for span in part_found]
        at += len(part) + 1
    return {"text": "\n".join(lines), "found": spans}


def screened_text(prepared: dict) -> str:
    """A message's text, and below it the addresses of its links that the text does not show
    (`<a href="https://wa.me/…">click</a>` reads "click")."""
    unseen = [html.unescape(href) for href in HREF.findall(prepared["body"])]
    unseen = [href for href in dict.fromkeys(unseen) if href and href not in prepared["text"]]
    return "\n".join([prepared["text"], *unseen])


def keep(store, screening: Screening, message: Message, thread: Thread, starts_thread: bool = False) -> None:
    """Before the message is stored: its review, and, when it is held, the message withheld.
    A screening that found nothing has no review."""
    finding = screening.finding
    if finding is None:
        return
    review = {
        "_id": message["id"],
        "thread_id": message["thread_id"],
        "state": finding["state"],
        "direction": finding["direction"],
        "text": finding["text"],
        "found": finding["found"],
        "author": {key: message["author"].get(key) for key in ("side", "user_id", "name")},
        "company_id": thread.get("company_id"),
        "customer_id": thread.get("customer_id"),
        "created_at": message["created_at"],
        "starts_thread": starts_thread,
    }
    if "original" in finding:
        review["original"] = finding["original"]
    if screening.held:
        review["words"] = message["words"]  # search learns them when the message is approved
        model.withheld(message, hidden_from(thread, message["author"]["side"]))
    else:
        message["moderation"] = {"state": MASKED}
    store.insert_review(review)  # False: a request done again wrote it already


def hidden_from(thread: Thread, author_side: str) -> list[str]:
    """The sides a held message is kept from: all but its author's and the administration's."""
    return [side for side in rules.sides(thread["type"]) if side not in (author_side, "admin")]


def withheld(message: Message | None) -> bool:
    """Held for review, or rejected: nothing follows from it (an away message, a notification)."""
    if not message:
        return False
    return (message.get("moderation") or {}).get("state") in (HELD, REJECTED)
