"""Where a record comes from: the storefront's pushes, else its API; and who hears of changes.

A record we keep is answered at once, even when old: if it is stale, a refresh is started in
the background and the answer says how old it is. Only an object never seen before makes a
caller wait for the storefront.
"""

from services.common import cursors
from services.common.clock import now
from services.common.errors import NotFound, Unavailable, ValidationFailed
from services.common.events import CONTEXT_CHANGED, CUSTOMER_DELETED, VENDOR_DELETED

from . import context
from .records import PULLED, PUSHED, CatalogRecords
from .schemas import load_record


class Catalog:
    def __init__(self, store: CatalogRecords, storefront, dispatch):
        self.store = store
        self.storefront = storefront
        self.dispatch = dispatch

    def push(self, object_type: str, record: dict) -> dict:
        return self._keep(object_type, record, PUSHED, now())

    def delete(self, object_type: str, object_id: str) -> None:
        self.store.remove(object_type, object_id)

    def delete_vendor(self, company_id: str) -> None:
        self.store.remove("company", company_id)
        # Threads may name a vendor the catalog never kept: they are told all the same.
        self.dispatch(VENDOR_DELETED, {"company_id": company_id})

    def delete_customer(self, customer_id: str) -> None:
        self.dispatch(CUSTOMER_DELETED, {"customer_id": customer_id})

    def erase_customer(self, customer_id: str) -> dict[str, int]:
        """The customer's orders without their name, address and phone; how many."""
        return {"orders": self.store.forget_customer(customer_id)}

    def record(self, object_type: str, object_id: str) -> dict:
        record = self.store.look_up(object_type, object_id)
        if record is None:
            try:
                return self._pull(object_type, object_id)
            except Unavailable as error:
                raise Unavailable(f"{error}, and the {object_type} {object_id} has not been seen before", error.details)
        if self.storefront.is_stale(record):
            self._refresh_later(object_type, object_id)
        return record

    def resolve(self, object_type: str, object_id: str) -> dict:
        context.check_object_type(object_type)
        return self._resolved(object_type, self.record(object_type, object_id))

    def resolve_many(self, objects: list[dict]) -> dict:
        """Each object resolved, or None when unknown: one query per object type.

        Unknown objects are not fetched while the caller waits; they are asked of the
        storefront in the background, for next time.
        """
        answers: dict[str, dict | None] = {f"{ref['type']}:{ref['id']}": None for ref in objects}
        wanted: dict[str, set[str]] = {}
        for ref in objects:
            if ref["type"] in context.OBJECT_TYPES:
                wanted.setdefault(ref["type"], set()).add(ref["id"])
        for object_type, object_ids in wanted.items():
            records = self.store.look_up_many(object_type, object_ids)
            for object_id in object_ids:
                record = records.get(object_id)
                if record is None or self.storefront.is_stale(record):
                    self._refresh_later(object_type, object_id)
                if record is not None:
                    answers[f"{object_type}:{object_id}"] = self._resolved(object_type, record)
        return answers

    def vendors(self, status: str | None) -> list[dict]:
        return self.store.vendors(status)

    def search_vendors(self, query: dict) -> dict:
        """A page of the vendors whose name holds `q`, by name; the cursor is the last (name, id)."""
        after = None
        if query.get("cursor"):
            name, company_id = cursors.decode(query["cursor"], 2)
            after = (name, company_id)
        limit = query["limit"]
        # One more than the page: whether there is a next page is known without a second query.
        found, total = self.store.search_vendors(query["q"].strip(), query["status"], after, limit + 1)
        page = found[:limit]
        last = page[-1] if len(found) > limit else None
        return {
            "items": page,
            "total": total,
            "next_cursor": cursors.encode(last["name"], last["id"]) if last else None,
        }

    def _resolved(self, object_type: str, record: dict) -> dict:
        return context.resolved(
            object_type,
            record,
            self.storefront.links,
            self.storefront.is_stale(record),
            self.storefront.currency.as_context(),
        )

    def _pull(self, object_type: str, object_id: str) -> dict:
        if not self.storefront.pulls:
            raise NotFound(f"No {object_type} {object_id} is known")
        asked_at = now()
        cscart = self.storefront.fetch(object_type, object_id)
        if cscart is None:
            raise NotFound(f"The storefront has no {object_type} {object_id}")
        try:
            record = load_record(object_type, cscart)
        except ValidationFailed as error:
            raise Unavailable(f"The storefront's API sent a {object_type} we cannot read", error.details)
        # The time we asked, not the time it answered: a push that arrived meanwhile is newer.
        return self._keep(object_type, record, PULLED, asked_at)

    def _refresh_later(self, object_type: str, object_id: str) -> None:
        self.storefront.later(object_type, object_id, lambda: self._pull(object_type, object_id))

    def _keep(self, object_type: str, record: dict, source: str, at) -> dict:
        kept, changed = self.store.save(object_type, record, source, at)
        if changed:
            self.dispatch(CONTEXT_CHANGED, {"object": {"type": object_type, "id": kept["id"]}})
        return kept
