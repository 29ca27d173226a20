"""The records the storefront has told us about, one collection per object type.

A record is kept with where it came from (`source`: "pushed" or "pulled"), when the
storefront last told us about it (`fetched_at`, its freshness time) and when what it says
last changed (`updated_at`).
"""
from pymongo import ASCENDING
from pymongo.errors import DuplicateKeyError

from services.common.errors import Unavailable

COLLECTIONS = {"product": "products", "order": "orders", "company": "vendors"}
KEPT = ("source", "fetched_at", "updated_at")

# Saving compares, then writes only if nobody wrote in between; under a storm of writes to
# one record this many rounds is far more than enough.
SAVE_ROUNDS = 10


class CatalogStore:
    def __init__(self, db):
        self.db = db

    @staticmethod
    def create_indexes(db):
        # Announcements go to every active vendor.
        db.vendors.create_index([("status", ASCENDING)])

    def ping(self) -> None:
        self.db.command("ping")

    def _records(self, object_type):
        return self.db[COLLECTIONS[object_type]]

    def get(self, object_type: str, object_id: str) -> dict | None:
        return _record(self._records(object_type).find_one({"_id": object_id}))

    def get_many(self, object_type: str, object_ids) -> dict:
        """The records of these ids that we have, by id: one query, however many ids."""
        found = self._records(object_type).find({"_id": {"$in": list(set(object_ids))}})
        return {document["_id"]: _record(document) for document in found}

    def save(self, object_type: str, record: dict, source: str, at) -> tuple[dict, bool]:
        """Keep `record` as the storefront told it at `at`; returns (the kept record, changed).

        A copy the storefront told us later wins, and at the same age a pushed copy wins over
        a pulled one: a pull that was under way while the storefront pushed cannot undo the
        push.
        """
        records = self._records(object_type)
        content = {name: value for name, value in record.items() if name != "id"}
        for _ in range(SAVE_ROUNDS):
            before = records.find_one({"_id": record["id"]})
            if before is not None and _kept_is_newer(before, source, at):
                return _record(before), False
            changed = before is None or _content(before) != content
            document = {**content, "source": source, "fetched_at": at,
                        "updated_at": at if changed else before["updated_at"]}
            if before is None:
                try:
                    records.insert_one({"_id": record["id"], **document})
                except DuplicateKeyError:
                    continue
            else:
                written = records.update_one(
                    {"_id": record["id"], "fetched_at": before["fetched_at"], "source": before["source"]},
                    {"$set": document})
                if written.matched_count == 0:
                    continue
            return {"id": record["id"], **document}, changed
        raise Unavailable(f"The {object_type} {record['id']} is being written too often to save now")

    def delete(self, object_type: str, object_id: str) -> bool:
        return self._records(object_type).delete_one({"_id": object_id}).deleted_count == 1

    def vendors(self, status: str | None) -> list[dict]:
        query = {} if status is None else {"status": status}
        return [_record(document) for document in self.db.vendors.find(query).sort("_id", ASCENDING)]


def _kept_is_newer(before: dict, source: str, at) -> bool:
    if before["fetched_at"] != at:
        return before["fetched_at"] > at
    return before["source"] == "pushed" and source == "pulled"


def _content(document: dict) -> dict:
    return {name: value for name, value in document.items() if name != "_id" and name not in KEPT}


def _record(document: dict | None) -> dict | None:
    if document is None:
        return None
    record = {name: value for name, value in document.items() if name != "_id"}
    return {"id": document["_id"], **record}
