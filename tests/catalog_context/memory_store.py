"""The catalog's records in memory: the `CatalogRecords` port without a database, for the
use-case tests. It passes the same contract tests as the MongoDB adapter (test_store.py)."""

import copy

from services.catalog_context.records import FORGOTTEN_CUSTOMER, Saved, kept_copy


class MemoryCatalogStore:
    def __init__(self):
        self.kept = {"product": {}, "order": {}, "company": {}}
        self.reads = 0  # how many times the records were read (one per look-up, however many ids)
        self.reachable = True

    def ping(self) -> None:
        if not self.reachable:
            raise ConnectionError("the records are out of reach")

    def look_up(self, object_type, object_id):
        self.reads += 1
        return copy.deepcopy(self.kept[object_type].get(object_id))

    def look_up_many(self, object_type, object_ids):
        self.reads += 1
        records = self.kept[object_type]
        return {object_id: copy.deepcopy(records[object_id]) for object_id in set(object_ids) if object_id in records}

    def save(self, object_type, record, source, at):
        before = self.kept[object_type].get(record["id"])
        kept = kept_copy(before, record, source, at)
        if kept is None:
            return Saved(copy.deepcopy(before), False)
        self.kept[object_type][record["id"]] = copy.deepcopy(kept.record)
        return kept

    def remove(self, object_type, object_id):
        return self.kept[object_type].pop(object_id, None) is not None

    def forget_customer(self, customer_id):
        orders = [order for order in self.kept["order"].values() if order.get("customer_id") == customer_id]
        for order in orders:
            order.update(FORGOTTEN_CUSTOMER)
        return len(orders)

    def vendors(self, status):
        return [
            copy.deepcopy(vendor)
            for _, vendor in sorted(self.kept["company"].items())
            if status is None or vendor.get("status") == status
        ]

    def search_vendors(self, name_part, status, after, limit):
        self.reads += 1
        matching = sorted(
            ((vendor["name"], company_id), vendor)
            for company_id, vendor in self.kept["company"].items()
            if (status is None or vendor.get("status") == status) and name_part.casefold() in vendor["name"].casefold()
        )
        page = [copy.deepcopy(vendor) for key, vendor in matching if after is None or key > tuple(after)]
        return page[:limit], len(matching)
