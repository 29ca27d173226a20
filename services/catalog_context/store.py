"""The catalog's records in MongoDB (the `CatalogRecords` port of records.py): one collection
per object type, a record's id as `_id`. Which copy is kept is records.kept_copy's rule; here
is only how it is written without losing a concurrent write.
"""

import re
from typing import cast

from pymongo import ASCENDING

from services.common.errors import Unavailable
from services.common.mongo import insert_once, record_of

from .records import FORGOTTEN_CUSTOMER, Saved, kept_copy

COLLECTIONS = {"product": "products", "order": "orders", "company": "vendors"}

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
        # The administration's vendor picker walks vendors by name.
        db.vendors.create_index([("name", ASCENDING), ("_id", ASCENDING)])
        # An erased customer's orders (forget_customer); only orders of a customer account hold one.
        db.orders.create_index([("customer_id", ASCENDING)], sparse=True)

    def ping(self) -> None:
        self.db.command("ping")

    def _records(self, object_type):
        return self.db[COLLECTIONS[object_type]]

    def look_up(self, object_type: str, object_id: str) -> dict | None:
        return _record_or_none(self._records(object_type).find_one({"_id": object_id}))

    def look_up_many(self, object_type: str, object_ids) -> dict:
        found = self._records(object_type).find({"_id": {"$in": list(set(object_ids))}})
        return {document["_id"]: _record(document) for document in found}

    def save(self, object_type: str, record: dict, source: str, at) -> Saved:
        records = self._records(object_type)
        for _ in range(SAVE_ROUNDS):
            before = _record_or_none(records.find_one({"_id": record["id"]}))
            kept = kept_copy(before, record, source, at)
            if kept is None:  # the stored copy is newer: there is one
                return Saved(cast(dict, before), False)
            document = {name: value for name, value in kept.record.items() if name != "id"}
            if before is None:
                if not insert_once(records, {"_id": record["id"], **document}):
                    continue
            else:
                # Only if nobody wrote in between: else compare again with what they wrote.
                written = records.update_one(
                    {"_id": record["id"], "fetched_at": before["fetched_at"], "source": before["source"]},
                    {"$set": document},
                )
                if written.matched_count == 0:
                    continue
            return kept
        raise Unavailable(f"The {object_type} {record['id']} is being written too often to save now")

    def remove(self, object_type: str, object_id: str) -> bool:
        return self._records(object_type).delete_one({"_id": object_id}).deleted_count == 1

    def forget_customer(self, customer_id: str) -> int:
        return self.db.orders.update_many({"customer_id": customer_id}, {"$set": FORGOTTEN_CUSTOMER}).matched_count

    def vendors(self, status: str | None) -> list[dict]:
        query = {} if status is None else {"status": status}
        return [_record(document) for document in self.db.vendors.find(query).sort("_id", ASCENDING)]

    def search_vendors(
        self, name_part: str, status: str | None, after: tuple[str, str] | None, limit: int
    ) -> tuple[list[dict], int]:
        query: dict[str, object] = {}
        if status is not None:
            query["status"] = status
        if name_part:
            # Escaped: what the administration types is text, never a pattern.
            query["name"] = {"$regex": re.escape(name_part), "$options": "i"}
        page: dict[str, object] = query
        if after is not None:
            name, company_id = after
            page = {"$and": [query, {"$or": [{"name": {"$gt": name}}, {"name": name, "_id": {"$gt": company_id}}]}]}
        found = self.db.vendors.find(page).sort([("name", ASCENDING), ("_id", ASCENDING)]).limit(limit)
        return [_record(document) for document in found], self.db.vendors.count_documents(query)


def _record(document: dict) -> dict:
    return record_of(document)


def _record_or_none(document: dict | None) -> dict | None:
    return None if document is None else _record(document)
