"""What erasing a customer does to the records that speak of them (privacy.py runs it).

A customer asks to be forgotten: their own messages' texts give way to a line that says so
(or, where the marketplace must keep a record, ERASURE_KEEPS_TEXT, stay with their contact
details masked), their files go, and wherever their name or address is written, in the
thread's snapshot, in a vendor's "Hi Ada," or in a copy brought in from CS-Cart, "Former
customer" or "[removed]" is written instead. The vendor's and the administration's messages
stay: each side keeps its part of the record.

Pure rules: the store and the other services are asked by privacy.py.
"""

import hashlib
import hmac
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from . import contact_details, text
from .records import Message, Thread

FORMER_CUSTOMER = "Former customer"
REMOVED_TEXT = "This message was removed at the customer's request."
REMOVED_ADDRESS = "[removed]"
# A part of a name shorter than this ("Li", "Jo") is left in others' texts: masking every
# "jo" would garble them, and the full name and the address are masked whatever their length.
SHORTEST_NAME_PART = 3


@dataclass(frozen=True)
class Forgotten:
    """The names and addresses a customer was known by, to be written nowhere any more."""

    names: tuple[str, ...]
    emails: tuple[str, ...]

    @classmethod
    def of(cls, names: list[str], emails: list[str]) -> "Forgotten":
        return cls(_distinct(names), _distinct(emails))

    def _pattern(self) -> re.Pattern[str] | None:
        # Addresses first, then whole names, then their parts: the longest match wins.
        emails = [re.escape(email) for email in self.emails]
        names = [re.escape(name) for name in sorted(self.names, key=len, reverse=True)]
        parts = {part for name in self.names for part in re.findall(r"\w+", name) if len(part) >= SHORTEST_NAME_PART}
        words = [rf"\b{re.escape(part)}\b" for part in sorted(parts, key=len, reverse=True)]
        alternatives = emails + names + words
        return re.compile("|".join(alternatives), re.IGNORECASE) if alternatives else None

    def scrub(self, value: Any) -> Any:
        """`value` (a record, a list, a string) with every name written as FORMER_CUSTOMER and
        every address as REMOVED_ADDRESS; keys and other values as they were."""
        pattern = self._pattern()
        return value if pattern is None else _scrubbed(value, pattern, set(map(str.casefold, self.emails)))


def _scrubbed(value: Any, pattern: re.Pattern[str], emails: set[str]) -> Any:
    if isinstance(value, str):
        return pattern.sub(lambda m: REMOVED_ADDRESS if m.group(0).casefold() in emails else FORMER_CUSTOMER, value)
    if isinstance(value, dict):
        return {key: _scrubbed(item, pattern, emails) for key, item in value.items()}
    if isinstance(value, list):
        return [_scrubbed(item, pattern, emails) for item in value]
    return value


def _distinct(values: list[str]) -> tuple[str, ...]:
    kept = {value.strip().casefold(): value.strip() for value in values if value and value.strip()}
    return tuple(sorted(kept.values()))


def names_in(thread: Thread) -> tuple[list[str], list[str]]:
    """The names and addresses a thread knows its customer by: its snapshot, and the order's."""
    names, emails = [], []
    customer = thread.get("customer") or {}
    names.append(customer.get("name") or "")
    emails.append(customer.get("email") or "")
    for context in (thread.get("context"), thread.get("context_snapshot")):
        context = context or {}
        names.append(context.get("customer_name") or "")
        emails.append(context.get("customer_email") or "")
    return names, emails


def is_customers(message: Message, customer_id: str) -> bool:
    author = message.get("author") or {}
    return author.get("side") == "customer" and str(author.get("user_id")) == customer_id


def erased_message(message: Message, customer_id: str, forgotten: Forgotten, keeps_text: bool) -> Message:
    """A message of an erased customer's thread as it is kept: the customer's own without its
    text (or masked, `keeps_text`) and files, anyone's with the customer's names scrubbed."""
    erased: Message = forgotten.scrub(dict(message))
    if is_customers(message, customer_id):
        if keeps_text:
            kept = message.get("text") or ""
            masked = contact_details.masked(kept, contact_details.detect(kept))
            prepared = text.plain(forgotten.scrub(masked))
        else:
            prepared = {"body": REMOVED_TEXT, "text": REMOVED_TEXT, "words": []}
        erased.update(
            {
                "body": prepared["body"],
                "text": prepared["text"],
                "preview": text.preview(prepared["text"]),
                "words": prepared["words"],
                "attachments": [],
            }
        )
        erased["author"] = {**erased.get("author", {}), "name": FORMER_CUSTOMER, "email": ""}
    else:
        erased["words"] = list(
            dict.fromkeys(
                text.words(erased.get("text") or "")
                + text.words(" ".join(file.get("name", "") for file in erased.get("attachments") or []))
            )
        )[: text.MAX_WORDS]
    return erased


def erased_thread(thread: Thread, customer_id: str, forgotten: Forgotten, keeps_text: bool, at: datetime) -> Thread:
    """The thread with its customer as "Former customer", and no name or address anywhere in it."""
    erased: Thread = forgotten.scrub(dict(thread))
    erased["customer"] = {"id": customer_id, "name": FORMER_CUSTOMER, "email": ""}
    last = dict(erased.get("last_message") or {})
    if last and (last.get("author") or {}).get("side") == "customer" and not keeps_text:
        last["preview"] = text.preview(REMOVED_TEXT)
    if last:
        erased["last_message"] = last
    erased["erased_at"] = at
    return erased


def erased_review(review: dict[str, Any], customer_id: str, forgotten: Forgotten, keeps_text: bool) -> dict[str, Any]:
    """A moderation review of a message in an erased thread: the customer's words go as their
    message's do (what the moderation found in them too); the decision stays."""
    erased: dict[str, Any] = forgotten.scrub(dict(review))
    author = review.get("author") or {}
    if author.get("side") == "customer" and str(author.get("user_id")) == customer_id:
        erased["author"] = {**erased.get("author", {}), "name": FORMER_CUSTOMER}
        if not keeps_text:
            erased.update({"text": REMOVED_TEXT, "found": [], "words": []})
            erased.pop("original", None)
        else:
            for field in ("text", "original"):
                if field in erased:
                    erased[field] = contact_details.masked(erased[field], contact_details.detect(erased[field]))
            erased["found"] = []
    return erased


def subject_of(key: str, customer_id: str) -> str:
    """The erasure's record of whom it erased: a keyed hash of the id, so the record tells an
    auditor holding the id that this customer was erased, and anyone else nothing."""
    return hmac.new(key.encode(), f"customer:{customer_id}".encode(), hashlib.sha256).hexdigest()
