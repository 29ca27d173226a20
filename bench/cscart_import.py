"""The import stage of the bench: a CS-Cart marketplace moving in (`make import-cscart`).

A scratch MariaDB database (127.0.0.1:3306, root) holds `messages` messages in `threads`
threads of CS-Cart's 4.13 tables, about products, orders and stores of 50 vendors; the import
command runs against the stack as an operator runs it, and its time is set beside its floor:
the documents it wrote (threads, messages and their words) bulk-inserted again into the same
database with insert_many, 1,000 a call. Goal: at most 3 × the floor.

    .venv/bin/python -m bench.cscart_import [--messages 100000] [--threads 10000]

(`make bench` runs it as its last stage, bench/run.py.)
"""

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from pymongo import MongoClient

from tests.cscart_import.cscart_db import scratch

T0 = 1_500_000_000
VENDORS = 50
PRODUCTS = 2_000
ORDERS = 2_000
CUSTOMERS = 5_000
GOAL_RATIO = 3.0
FLOOR_BATCH = 1_000
WORDS = (
    "kettle lid steel parcel tracking refund size colour warranty invoice delivery friday monday "
    "blue glass handle price discount stock spare battery charger cable manual box"
).split()


def fill(store, messages: int, threads: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    store.add_many(
        "companies",
        [
            {"company_id": c, "company": f"Vendor {c}", "email": f"v{c}@vendors.test", "status": "A"}
            for c in range(1, VENDORS + 1)
        ],
    )
    store.add_many(
        "users",
        [
            {
                "user_id": u,
                "user_type": "C",
                "company_id": 0,
                "firstname": f"Customer{u}",
                "lastname": "Bench",
                "email": f"c{u}@buyers.test",
                "status": "A",
            }
            for u in range(1, CUSTOMERS + 1)
        ]
        + [
            {
                "user_id": 100_000 + c,
                "user_type": "V",
                "company_id": c,
                "firstname": "Staff",
                "lastname": str(c),
                "email": f"s{c}@vendors.test",
                "status": "A",
            }
            for c in range(1, VENDORS + 1)
        ],
    )
    store.add_many(
        "products",
        [
            {"product_id": p, "company_id": p % VENDORS + 1, "product_code": f"SKU-{p}", "status": "A"}
            for p in range(1, PRODUCTS + 1)
        ],
    )
    store.add_many(
        "product_descriptions",
        [{"product_id": p, "lang_code": "en", "product": f"Product {p}"} for p in range(1, PRODUCTS + 1)],
    )
    store.add_many(
        "product_prices",
        [{"product_id": p, "price": f"{p % 90 + 9}.90", "lower_limit": 1} for p in range(1, PRODUCTS + 1)],
    )
    store.add_many(
        "orders",
        [
            {
                "order_id": o,
                "company_id": o % VENDORS + 1,
                "user_id": o % CUSTOMERS + 1,
                "total": "59.00",
                "status": "P",
                "timestamp": T0,
                "firstname": "Customer",
                "lastname": "Bench",
                "email": "c@buyers.test",
            }
            for o in range(1, ORDERS + 1)
        ],
    )
    per_thread = messages // threads
    rows, thread_rows = [], []
    for t in range(1, threads + 1):
        kind = rng.choice("PPPOC")
        object_id = {"P": rng.randrange(1, PRODUCTS + 1), "O": rng.randrange(1, ORDERS + 1), "C": 0}[kind]
        company = (object_id % VENDORS + 1) if kind != "C" else rng.randrange(1, VENDORS + 1)
        customer = rng.randrange(1, CUSTOMERS + 1)
        start = T0 + t * 600
        for k in range(per_thread):
            side = "C" if k % 2 == 0 else "V"
            rows.append(
                {
                    "thread_id": t,
                    "user_id": customer if side == "C" else 100_000 + company,
                    "user_type": side,
                    "timestamp": start + k * 300,
                    "message": " ".join(rng.choices(WORDS, k=rng.randrange(6, 30))),
                }
            )
        thread_rows.append(
            {
                "thread_id": t,
                "status": rng.choice("NV"),
                "user_id": customer,
                "company_id": company,
                "object_id": object_id,
                "object_type": kind,
                "created_at": start,
                "last_message_user_type": rows[-1]["user_type"],
                "last_updated": rows[-1]["timestamp"],
                "subject": "",
                "communication_type": "vendor_to_customer",
            }
        )
        if len(rows) >= 10_000:
            store.add_many("vendor_communication_messages", rows)
            rows = []
        if len(thread_rows) >= 2_000:
            store.add_many("vendor_communications", thread_rows)
            thread_rows = []
    for table, left in (("vendor_communication_messages", rows), ("vendor_communications", thread_rows)):
        if left:
            store.add_many(table, left)


def floor(db, indexed: bool = True) -> float:
    """The same documents, inserted again into the same database, 1,000 a call: seconds. With
    `indexed`, into collections with the indexes the system keeps (what holding them costs);
    without, bare (what the server's insert alone costs)."""
    spent = 0.0
    # Only what the import wrote: the bench's own marketplace shares the database.
    threads = [t["_id"] for t in db.threads.find({"cscart": {"$exists": True}}, {"_id": 1})]
    wanted = {
        "threads": {"_id": {"$in": threads}},
        "messages": {"cscart.message_id": {"$exists": True}},
        "message_words": {"thread_id": {"$in": threads}},
    }
    for name, query in wanted.items():
        target = db[f"floor_{name}"]
        target.drop()
        # With the indexes the system keeps on them: the floor is what the database must do
        # to hold these documents where the system reads them.
        for index, spec in db[name].index_information().items():
            if indexed and index != "_id_":
                options = {key: spec[key] for key in ("unique", "sparse", "expireAfterSeconds") if key in spec}
                target.create_index(spec["key"], name=index, **options)
        batch = []
        for document in db[name].find(query):
            batch.append(document)
            if len(batch) == FLOOR_BATCH:
                started = time.perf_counter()
                target.insert_many(batch, ordered=False)
                spent += time.perf_counter() - started
                batch = []
        if batch:
            started = time.perf_counter()
            target.insert_many(batch, ordered=False)
            spent += time.perf_counter() - started
        target.drop()
    return spent


def stage(stack, messages: int, threads: int) -> dict:
    """Import into the running bench stack (bench/stack.py); the figures and the floor."""
    client = MongoClient(stack.mongo_uri, tz_aware=True)
    db = client[stack.db_name]
    try:
        with scratch("4.13") as store:
            started = time.perf_counter()
            fill(store, messages, threads)
            filled = time.perf_counter() - started
            env = {**os.environ, **stack.env, "CSCART_DB": store.url}
            started = time.perf_counter()
            done = subprocess.run(
                [sys.executable, "-m", "cscart_import", "--quiet"], env=env, capture_output=True, text=True
            )
            seconds = time.perf_counter() - started
            if done.returncode != 0:
                raise RuntimeError(f"the import failed ({done.returncode}): {done.stdout}{done.stderr}")
            started = time.perf_counter()
            again = subprocess.run(
                [sys.executable, "-m", "cscart_import", "--quiet"], env=env, capture_output=True, text=True
            )
            rerun = time.perf_counter() - started
        imported = db.messages.count_documents({"cscart.message_id": {"$exists": True}})
        floor_s, bare_s = floor(db), floor(db, indexed=False)
        return {
            "messages": messages,
            "threads": threads,
            "fill_mariadb_s": round(filled, 1),
            "import_s": round(seconds, 1),
            "messages_per_s": round(messages / seconds),
            "imported_messages": imported,
            "floor_s": round(floor_s, 1),
            "ratio": round(seconds / floor_s, 2) if floor_s else None,
            "goal_ratio": GOAL_RATIO,
            "floor_bare_s": round(bare_s, 1),
            "ratio_to_bare": round(seconds / bare_s, 2) if bare_s else None,
            "rerun_s": round(rerun, 1),
            "rerun_adds_nothing": "0 new, 0 moved on; messages: 0 new" in again.stdout,
            "summary": done.stdout.strip(),
        }
    finally:
        client.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=100_000)
    parser.add_argument("--threads", type=int, default=10_000)
    parser.add_argument("--output", type=Path, default=Path(__file__).resolve().parent / "import-results.json")
    args = parser.parse_args()
    from .provenance import measured_at
    from .stack import Stack

    stack = Stack(Path(tempfile.mkdtemp(prefix="bench-import-")))
    try:
        print(f"starting the stack (logs in {stack.logs}) …", flush=True)
        stack.start()
        result = {**measured_at(), **stage(stack, args.messages, args.threads)}
    finally:
        stack.stop()
    print(json.dumps(result, indent=2))
    args.output.write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
