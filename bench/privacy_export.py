"""A customer's export (docs/privacy.md) at 10,000 messages: how long it takes to read every page
through the gateway, each page's time, and the gateway's peak memory, beside the floor of one
plain indexed read of a page of the same messages.

The system runs as `make run` runs it (bench/stack.py). The customer's history is written
straight into the database in the services' own shape (posting 10,000 messages through the API
would measure posting): 50 conversations of 200 messages, half theirs, half the vendor's.

    .venv/bin/python -m bench.privacy_export [--messages 10000] [--limit 1000]

It prints the figures and writes them to bench/results-privacy-export.json with the commit
they were measured at.
"""

import argparse
import json
import statistics
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import requests
from pymongo import MongoClient

from bench.provenance import measured_at
from bench.stack import Stack
from services.common.clock import new_id

RESULTS = Path(__file__).parent / "results-privacy-export.json"
PER_THREAD = 200


def seed(db, customer_id: str, messages: int) -> None:
    """The customer's conversations and messages, as the conversations service stores them."""
    at = datetime(2026, 1, 1, tzinfo=timezone.utc)
    for number in range(max(1, messages // PER_THREAD)):
        thread_id = new_id()
        db.threads.insert_one(
            {
                "_id": thread_id,
                "type": "vendor_to_customer",
                "group": "vendor",
                "status": "open",
                "object": {"type": "product", "id": str(number)},
                "company_id": "1",
                "customer_id": customer_id,
                "customer": {"id": customer_id, "name": "Ann Export", "email": "ann@export.test"},
                "subject": f"Lamp {number}",
                "created_at": at,
                "updated_at": at,
                "last_message_at": at,
                "unread": {},
                "read_at": {},
                "message_count": PER_THREAD,
            }
        )
        documents = []
        for index in range(PER_THREAD):
            customer = index % 2 == 0
            text = f"{'Question' if customer else 'Answer'} {index} about the brass lamp, with a few more words."
            documents.append(
                {
                    "_id": new_id(),
                    "thread_id": thread_id,
                    "created_at": at + timedelta(seconds=index),
                    "company_id": "1",
                    "customer_id": customer_id,
                    "author": {
                        "side": "customer" if customer else "vendor",
                        "user_id": customer_id if customer else "v1",
                        "name": "Ann Export" if customer else "Bob",
                        "email": "",
                    },
                    "body": text,
                    "text": text,
                    "preview": text[:100],
                    "attachments": [],
                }
            )
        db.messages.insert_many(documents)


def export(stack: Stack, token: str, limit: int) -> tuple[float, list[float], int]:
    """(seconds for every page, each page's seconds, messages read)."""
    pages, read, cursor = [], 0, None
    started = time.perf_counter()
    while True:
        began = time.perf_counter()
        answer = requests.get(
            stack.url + "/v1/privacy/me",
            headers={"Authorization": f"Bearer {token}"},
            params={"limit": limit, **({"cursor": cursor} if cursor else {})},
            timeout=120,
        )
        pages.append(time.perf_counter() - began)
        answer.raise_for_status()
        page = answer.json()
        read += sum(len(conversation["messages"]) for conversation in page["conversations"])
        cursor = page["next_cursor"]
        if cursor is None:
            return time.perf_counter() - started, pages, read


def floor(db, customer_id: str, limit: int) -> float:
    """One plain indexed read of a page of the customer's messages, as the export reads them."""
    thread = db.threads.find_one({"customer_id": customer_id})
    began = time.perf_counter()
    list(db.messages.find({"thread_id": thread["_id"]}).sort("_id", 1).limit(limit))
    return time.perf_counter() - began


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--limit", type=int, default=1000)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as work:
        stack = Stack(Path(work))
        try:
            stack.start()
            customer_id = "ann-export"
            with MongoClient(stack.mongo_uri, tz_aware=True) as client:
                db = client[stack.db_name]
                seed(db, customer_id, options.messages)
                token = stack.token(customer_id, "customer", name="Ann Export", email="ann@export.test")
                export(stack, token, options.limit)  # a warm-up, not counted
                rounds = [export(stack, token, options.limit) for _ in range(5)]
                floors = sorted(floor(db, customer_id, min(options.limit, PER_THREAD)) for _ in range(20))
            peaks = stack.peak_memory()
        finally:
            stack.stop()
    totals = [total for total, _, _ in rounds]
    page_times = sorted(seconds for _, pages, _ in rounds for seconds in pages)
    assert all(read == options.messages for _, _, read in rounds), "an export missed messages"
    gateway_peak = max(value for name, value in peaks.items() if name.startswith("gateway"))
    results = {
        **measured_at(),
        "messages": options.messages,
        "page_limit": options.limit,
        "export_seconds_median": statistics.median(totals),
        "page_seconds_median": statistics.median(page_times),
        "page_seconds_p95": page_times[int(len(page_times) * 0.95) - 1],
        "floor_page_seconds_p95": floors[int(len(floors) * 0.95) - 1],
        "gateway_peak_mib": gateway_peak,
        "conversations_peak_mib": peaks.get("conversations"),
    }
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
