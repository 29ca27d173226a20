"""The saved replies and away messages part of the in-memory store (memory_store.MemoryThreads
mixes it in), held to the same contract as mongo_replies.MongoSavedReplies."""

import copy
from datetime import datetime


class MemorySavedReplies:
    threads: dict  # MemoryThreads's

    @property
    def _replies(self) -> dict:
        return self.__dict__.setdefault("saved", {})

    @property
    def _uses(self) -> dict:
        return self.__dict__.setdefault("reply_uses", {})

    @property
    def _away(self) -> dict:
        return self.__dict__.setdefault("away", {})

    def insert_saved_reply(self, reply: dict, most: int) -> bool:
        if sum(1 for kept in self._replies.values() if kept["owner"] == reply["owner"]) >= most:
            return False
        self._replies[reply["_id"]] = copy.deepcopy(reply)
        return True

    def saved_replies(self, owner: str) -> list[dict]:
        return [
            copy.deepcopy(reply)
            for reply in sorted(
                (r for r in self._replies.values() if r["owner"] == owner), key=lambda r: (r["title"], r["_id"])
            )
        ]

    def get_saved_reply(self, reply_id: str, owner: str) -> dict | None:
        found = self._replies.get(reply_id)
        return copy.deepcopy(found) if found is not None and found["owner"] == owner else None

    def update_saved_reply(self, reply_id: str, owner: str, changes: dict) -> dict | None:
        found = self._replies.get(reply_id)
        if found is None or found["owner"] != owner:
            return None
        found.update(copy.deepcopy(changes))
        return copy.deepcopy(found)

    def delete_saved_reply(self, reply_id: str, owner: str) -> bool:
        if self.get_saved_reply(reply_id, owner) is None:
            return False
        del self._replies[reply_id]
        return True

    def count_reply_use(self, reply_id: str, message_id: str, at: datetime) -> bool:
        if message_id in self._uses:
            return False
        self._uses[message_id] = reply_id
        if reply_id in self._replies:
            reply = self._replies[reply_id]
            reply.update(use_count=reply.get("use_count", 0) + 1, last_used_at=at)
        return True

    def get_away_message(self, company_id: str) -> dict | None:
        return copy.deepcopy(self._away.get(company_id))

    def put_away_message(self, away: dict) -> dict:
        self._away[away["_id"]] = copy.deepcopy(away)
        return copy.deepcopy(away)

    def delete_away_message(self, company_id: str) -> bool:
        return self._away.pop(company_id, None) is not None

    def claim_away_reply(self, thread_id: str, period: str, message_id: str) -> str | None:
        thread = self.threads.get(thread_id)
        if thread is None:
            return None
        if (thread.get("away_reply") or {}).get("period") != period:
            thread["away_reply"] = {"period": period, "message_id": message_id}
        return thread["away_reply"]["message_id"]
