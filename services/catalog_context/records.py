"""The records the catalog keeps, as the domain sees them: where they are kept (the
`CatalogRecords` port) and which copy of a record is kept (`kept_copy`).

A record is kept with where it came from (`source`: "pushed" or "pulled"), when the
storefront last told us about it (`fetched_at`, its freshness time) and when what it says
last changed (`updated_at`). The MongoDB adapter (store.py) and the in-memory fake of the
tests both keep records by this rule, and pass the same contract tests.
"""

from datetime import datetime
from typing import Any, Iterable, NamedTuple, Protocol

PUSHED, PULLED = "pushed", "pulled"
# What the catalog adds to a record; the rest is what the storefront said.
KEPT = ("source", "fetched_at", "updated_at")
# An erased customer's orders (docs/privacy.md): the order stays the vendor's record, without them.
FORGOTTEN_CUSTOMER = {"customer_name": "Former customer", "customer_email": "", "customer_phone": ""}


class Saved(NamedTuple):
    record: dict[str, Any]
    changed: bool  # what the record says is not what it said before (or it is new)


class CatalogRecords(Protocol):
    """Products, orders and vendors ("company"), by object type and id."""

    def look_up(self, object_type: str, object_id: str) -> dict[str, Any] | None: ...

    def look_up_many(self, object_type: str, object_ids: Iterable[str]) -> dict[str, dict[str, Any]]:
        """The records of these ids that are kept, by id: one read, however many ids."""

    def save(self, object_type: str, record: dict[str, Any], source: str, at: datetime) -> Saved:
        """Keep `record` as the storefront told it at `at`, by `kept_copy`'s rule."""

    def remove(self, object_type: str, object_id: str) -> bool:
        """False when there was no such record."""

    def vendors(self, status: str | None) -> list[dict[str, Any]]:
        """The vendors with this status (every vendor for None), by id."""

    def forget_customer(self, customer_id: str) -> int:
        """The customer's orders kept without their name, address and phone (an erasure)."""

    def search_vendors(
        self, name_part: str, status: str | None, after: tuple[str, str] | None, limit: int
    ) -> tuple[list[dict[str, Any]], int]:
        """Up to `limit` vendors whose name holds `name_part` in any case (every vendor for ""),
        with this status (any for None), by name then id, after the (name, id) `after`; and
        how many match in all."""

    def ping(self) -> None:
        """Raises when the records cannot be reached."""


def kept_copy(before: dict[str, Any] | None, record: dict[str, Any], source: str, at: datetime) -> Saved | None:
    """The record to keep after the storefront told us `record` at `at`; None when the copy
    kept `before` wins.

    A copy the storefront told us later wins, and at the same age a pushed copy wins over a
    pulled one: a pull that was under way while the storefront pushed cannot undo the push.
    """
    if before is not None and _kept_is_newer(before, source, at):
        return None
    content = content_of(record)
    changed = before is None or content_of(before) != content
    return Saved(
        {
            "id": record["id"],
            **content,
            "source": source,
            "fetched_at": at,
            "updated_at": at if changed or before is None else before["updated_at"],
        },
        changed,
    )


def content_of(record: dict[str, Any]) -> dict[str, Any]:
    """What the storefront said, without the id and what the catalog adds."""
    return {name: value for name, value in record.items() if name != "id" and name not in KEPT}


def _kept_is_newer(before: dict[str, Any], source: str, at: datetime) -> bool:
    kept_at: datetime = before["fetched_at"]
    if kept_at != at:
        return kept_at > at
    return before["source"] == PUSHED and source == PULLED
