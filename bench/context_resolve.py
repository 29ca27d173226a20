"""How long the catalog takes to resolve 50 objects, beside a plain find of the same documents.

Both run in this process against the same database, in the same run: the catalog's
resolve_many as its RPC entrypoint runs it (load the objects, one query per object type,
build each context, dump), and the floor under it, a plain pymongo find by `_id $in` of the
same 50 documents (one per collection). The broker's round trip is left out: it is the same
for any RPC and says nothing about resolving.

    .venv/bin/python -m bench.context_resolve [--rounds 300]

MONGO_URI picks the database server; unset, an embedded SecantusDB is started for the run.
"""

import argparse
import os
import statistics
import tempfile
import time
import uuid
from datetime import timedelta
from pathlib import Path

from pymongo import MongoClient

from dev import embedded_mongo
from services.catalog_context.catalog import Catalog
from services.catalog_context.context import Links
from services.catalog_context.cscart import Storefront
from services.catalog_context.schemas import dump_resolved_many, load_objects, load_record
from services.catalog_context.store import COLLECTIONS, CatalogStore
from services.common.clock import now

COUNTS = {"product": 20, "order": 20, "company": 10}


def seed(store) -> list[dict]:
    at = now()
    objects = []
    for number in range(COUNTS["product"]):
        store.save(
            "product",
            load_record(
                "product",
                {
                    "product_id": f"{number}",
                    "product": f"Product {number}",
                    "product_code": f"SKU-{number}",
                    "price": "19.90",
                    "company_id": str(number % COUNTS["company"]),
                    "status": "A",
                    "main_pair": {"detailed": {"image_path": f"https://shop.test/images/{number}.jpg"}},
                },
            ),
            "pushed",
            at,
        )
        objects.append({"type": "product", "id": str(number)})
    for number in range(COUNTS["order"]):
        store.save(
            "order",
            load_record(
                "order",
                {
                    "order_id": number,
                    "company_id": number % COUNTS["company"],
                    "user_id": 100 + number,
                    "total": "59.70",
                    "timestamp": 1700000000 + number,
                    "status": "P",
                    "firstname": "Ann",
                    "lastname": "Lee",
                    "email": f"ann{number}@example.test",
                    "phone": "+1 555 0100",
                    "products": {
                        str(item): {"product_id": item, "product": f"Product {item}", "amount": 3, "price": "19.90"}
                        for item in range(3)
                    },
                },
            ),
            "pushed",
            at,
        )
        objects.append({"type": "order", "id": str(number)})
    for number in range(COUNTS["company"]):
        store.save(
            "company",
            load_record(
                "company",
                {
                    "company_id": number,
                    "company": f"Vendor {number}",
                    "email": f"v{number}@example.test",
                    "status": "A",
                },
            ),
            "pushed",
            at,
        )
        objects.append({"type": "company", "id": str(number)})
    return objects


def resolve_many(catalog, objects):
    # What the service's resolve_many entrypoint does, broker aside.
    return dump_resolved_many(catalog.resolve_many(load_objects(objects)))


def plain_find(db, objects):
    ids = {}
    for ref in objects:
        ids.setdefault(ref["type"], []).append(ref["id"])
    return [
        document
        for object_type, wanted in ids.items()
        for document in db[COLLECTIONS[object_type]].find({"_id": {"$in": wanted}})
    ]


def timed(work, rounds: int) -> list[float]:
    work()  # warm: connection pool, first-use imports
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        work()
        times.append((time.perf_counter() - started) * 1000)
    return times


def describe(name: str, times: list[float]) -> str:
    ordered = sorted(times)
    p95 = ordered[int(len(ordered) * 0.95) - 1]
    return f"{name:<28} median {statistics.median(times):7.2f} ms   p95 {p95:7.2f} ms   ({len(times)} rounds)"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=300)
    args = parser.parse_args()

    server = None
    uri = os.environ.get("MONGO_URI")
    if not uri:
        server, uri = embedded_mongo.start(Path(tempfile.mkdtemp(prefix="bench-mongo-")))
    client = MongoClient(uri, tz_aware=True)
    db = client[f"bench_{uuid.uuid4().hex[:8]}"]
    try:
        CatalogStore.create_indexes(db)
        store = CatalogStore(db)
        objects = seed(store)
        storefront = Storefront(
            Links("https://shop.test", "https://portal.test"), api=None, fresh_for=timedelta(minutes=5)
        )
        catalog = Catalog(store, storefront, dispatch=lambda event, payload: None)

        answers = resolve_many(catalog, objects)
        assert len(objects) == 50 and all(answers.values()), "every object must resolve"
        assert len(plain_find(db, objects)) == 50

        ours = timed(lambda: resolve_many(catalog, objects), args.rounds)
        floor = timed(lambda: plain_find(db, objects), args.rounds)
        print(
            f"50 objects ({COUNTS['product']} products, {COUNTS['order']} orders, "
            f"{COUNTS['company']} vendors) against {uri}"
        )
        print(describe("catalog resolve_many", ours))
        print(describe("plain pymongo find", floor))
        print(f"ratio (median resolve_many / median find): {statistics.median(ours) / statistics.median(floor):.2f}")
    finally:
        client.drop_database(db.name)
        client.close()
        if server is not None:
            embedded_mongo.stop(server)


if __name__ == "__main__":
    main()
