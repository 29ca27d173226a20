"""The privacy part of the conversations' store (ports.Threads) in memory: mixed into
memory_store.MemoryThreads, held to the same contract as mongo_privacy.MongoPrivacy
(tests/conversations/test_store_contract_privacy.py)."""

import copy
from datetime import datetime, timedelta

from services.conversations.ports import WHILE_RUNNING


class MemoryPrivacy:
    threads: dict
    messages: dict
    files: dict
    message_reviews: dict
    keys: dict
    counters: dict

    def _privacy(self) -> dict:
        if not hasattr(self, "_erasures"):
            self._erasures: dict[str, dict] = {}
            self._turns: dict[str, datetime] = {}
        return self._erasures

    def customer_threads(self, customer_id: str, after: str | None, limit: int) -> list[dict]:
        mine = sorted(
            (
                t
                for t in self.threads.values()
                if t.get("customer_id") == customer_id and (after is None or t["id"] > after)
            ),
            key=lambda t: t["id"],
        )
        return copy.deepcopy(mine[:limit])

    def thread_messages(self, thread_id: str, after: str | None, limit: int) -> list[dict]:
        mine = sorted(
            (m for m in self.messages.values() if m["thread_id"] == thread_id and (after is None or m["id"] > after)),
            key=lambda m: m["id"],
        )
        return copy.deepcopy(mine[:limit])

    def rewrite_thread(self, thread: dict) -> None:
        if thread["id"] in self.threads:
            self.threads[thread["id"]] = copy.deepcopy(thread)

    def rewrite_messages(self, messages: list[dict]) -> None:
        for message in messages:
            if message["id"] in self.messages:
                self.messages[message["id"]] = copy.deepcopy(message)

    def reviews_of(self, message_ids: list[str]) -> list[dict]:
        return [copy.deepcopy(self.message_reviews[i]) for i in message_ids if i in self.message_reviews]

    def rewrite_review(self, review: dict) -> None:
        if review["_id"] in self.message_reviews:
            self.message_reviews[review["_id"]] = copy.deepcopy(review)

    def expire_person_files(self, role: str, user_id: str, at: datetime) -> int:
        mine = [
            doc["metadata"]
            for doc in self.files.values()
            if doc["metadata"]["variant"] == "original"
            and doc["metadata"]["owner"] == {"role": role, "user_id": user_id}
        ]
        for meta in mine:
            meta["expires_at"] = at
        return len(mine)

    def forget_person_keys(self, person: str, thread_ids: list[str]) -> int:
        keys = [
            key
            for key, stored in self.keys.items()
            if key.startswith(person + "|") or (stored.get("ids") or {}).get("thread") in thread_ids
        ]
        counters = [key for key in self.counters if f"|{person}|" in key]
        for key in keys:
            del self.keys[key]
        for key in counters:
            del self.counters[key]
        return len(keys) + len(counters)

    def start_erasure(self, erasure: dict) -> dict:
        erasures = self._privacy()
        running = next((e for e in erasures.values() if e.get("running_subject") == erasure["running_subject"]), None)
        if running is not None:
            return copy.deepcopy(running)
        erasures[erasure["id"]] = copy.deepcopy(erasure)
        return copy.deepcopy(erasure)

    def get_erasure(self, erasure_id: str) -> dict | None:
        return copy.deepcopy(self._privacy().get(erasure_id))

    def erasure_progress(self, erasure_id: str, changes: dict, until: datetime) -> None:
        erasure = self._privacy().get(erasure_id)
        if erasure is not None and erasure["status"] == "running":
            erasure.update(copy.deepcopy(changes), lease_until=until)

    def finish_erasure(self, erasure_id: str, counts: dict, at: datetime) -> None:
        erasure = self._privacy()[erasure_id]
        erasure.update(status="done", counts=dict(counts), finished_at=at)
        for gone in WHILE_RUNNING:
            erasure.pop(gone, None)

    def stalled_erasures(self, at: datetime, lease: timedelta):
        for erasure in list(self._privacy().values()):
            if (
                erasure.get("lease_until") is not None
                and erasure["lease_until"] <= at
                and erasure["status"] == "running"
            ):
                erasure["lease_until"] = at + lease
                yield copy.deepcopy(erasure)

    def retired_threads(self, before: datetime, limit: int) -> list[dict]:
        old = [
            t
            for t in self.threads.values()
            if t["status"] in ("closed", "deleted")
            and t.get("last_message_at", t["created_at"]) < before
            and t.get("updated_at", t["created_at"]) < before
        ]
        return copy.deepcopy(old[:limit])

    def remove_threads(self, thread_ids: list[str]) -> dict[str, int]:
        ids = set(thread_ids)
        messages = [m for m in self.messages if self.messages[m]["thread_id"] in ids]
        files = [f for f, doc in self.files.items() if doc["metadata"].get("thread_id") in ids]
        for file_id in files:
            thumbnail = self.files.pop(file_id)["metadata"].get("thumbnail_id")
            self.files.pop(thumbnail, None)
        for message_id in messages:
            del self.messages[message_id]
            self.message_reviews.pop(message_id, None)
        for key in [k for k, stored in self.keys.items() if (stored.get("ids") or {}).get("thread") in ids]:
            del self.keys[key]
        threads = [t for t in ids if self.threads.pop(t, None) is not None]
        return {"threads": len(threads), "messages": len(messages), "files": len(files)}

    def take_turn(self, name: str, at: datetime, until: datetime) -> bool:
        self._privacy()
        if self._turns.get(name, at) > at:
            return False
        self._turns[name] = until
        return True
