"""The saved replies and away messages part of the conversations' store (ports.Threads) in
MongoDB: mixed into mongo_store.MongoThreads, kept apart because it shares nothing with the
threads' own verbs but the database."""

from datetime import datetime
from typing import Any

from pymongo import ASCENDING, ReturnDocument

from services.common.mongo import insert_once


class MongoSavedReplies:
    db: Any = None  # MongoThreads sets it, with remembered_away
    remembered_away: Any

    @staticmethod
    def create_reply_indexes(db):
        # An owner's list, by title; the owner's count for the bound uses the same index.
        db.saved_replies.create_index([("owner", ASCENDING), ("title", ASCENDING)])

    # saved replies ----------------------------------------------------------------------

    def insert_saved_reply(self, reply: dict, most: int) -> bool:
        """False when the owner keeps `most` already. Counted, then written: two replies saved at
        the very same moment may pass the bound by one, which is all it is for (a list a person
        can still read, and a document per owner that does not grow without end)."""
        if self.db.saved_replies.count_documents({"owner": reply["owner"]}, limit=most) >= most:
            return False
        self.db.saved_replies.insert_one(reply)
        return True

    def saved_replies(self, owner: str) -> list[dict]:
        return list(self.db.saved_replies.find({"owner": owner}).sort([("title", ASCENDING), ("_id", ASCENDING)]))

    def get_saved_reply(self, reply_id: str, owner: str) -> dict | None:
        return self.db.saved_replies.find_one({"_id": reply_id, "owner": owner})

    def update_saved_reply(self, reply_id: str, owner: str, changes: dict) -> dict | None:
        return self.db.saved_replies.find_one_and_update(
            {"_id": reply_id, "owner": owner}, {"$set": changes}, return_document=ReturnDocument.AFTER
        )

    def delete_saved_reply(self, reply_id: str, owner: str) -> bool:
        return self.db.saved_replies.delete_one({"_id": reply_id, "owner": owner}).deleted_count == 1

    def count_reply_use(self, reply_id: str, message_id: str, at: datetime) -> bool:
        # One document per message sent from a reply: a request done again finds its own.
        if not insert_once(self.db.saved_reply_uses, {"_id": message_id, "reply_id": reply_id, "at": at}):
            return False
        self.db.saved_replies.update_one({"_id": reply_id}, {"$inc": {"use_count": 1}, "$set": {"last_used_at": at}})
        return True

    # away messages ----------------------------------------------------------------------

    def get_away_message(self, company_id: str) -> dict | None:
        return self.remembered_away.get(company_id, lambda: self.db.away_messages.find_one({"_id": company_id}))

    def put_away_message(self, away: dict) -> dict:
        self.db.away_messages.replace_one({"_id": away["_id"]}, away, upsert=True)
        self.remembered_away.forget(away["_id"])
        return away

    def delete_away_message(self, company_id: str) -> bool:
        deleted = self.db.away_messages.delete_one({"_id": company_id}).deleted_count == 1
        self.remembered_away.forget(company_id)
        return deleted

    def claim_away_reply(self, thread_id: str, period: str, message_id: str) -> str | None:
        claimed = self.db.threads.update_one(
            {"_id": thread_id, "away_reply.period": {"$ne": period}},
            {"$set": {"away_reply": {"period": period, "message_id": message_id}}},
        )
        if claimed.modified_count == 1:
            return message_id
        held = self.db.threads.find_one({"_id": thread_id}, {"away_reply": 1})
        return held["away_reply"]["message_id"] if held else None
