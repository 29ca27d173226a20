"""What the inbound process keeps of the mails it received, in MongoDB (`inbound_mails`), by
the mail's own key (the reply address and the Message-ID, receiving.mail_key):

- the files kept from it (and the note naming those that were not), so a mail delivered again
  is posted with the very same uploads and words: the conversations service takes a post again
  under its Idempotency-Key only when it is the same post, files included;
- that it was posted, and as which message: a mail delivered again days later (past the
  conversations service's 24 hours of Idempotency-Keys) is still posted once, and counted.
"""

from datetime import datetime, timedelta

from pymongo.errors import DuplicateKeyError

# Long past any MTA's retries (RFC 5321 suggests giving up after 4–5 days).
KEEP = timedelta(days=30)


class Ledger:
    def __init__(self, db):
        self.mails = db.inbound_mails

    @staticmethod
    def create_indexes(db):
        db.inbound_mails.create_index("received_at", expireAfterSeconds=int(KEEP.total_seconds()))

    def posted(self, key: str) -> dict | None:
        """{thread_id, message_id} of the message this mail became, or None."""
        found = self.mails.find_one({"_id": key}, {"thread_id": 1, "message_id": 1})
        return found if found and found.get("message_id") else None

    def files_kept(self, key: str, since: datetime) -> tuple[list[str], str] | None:
        """(the uploads kept from this mail after `since`, the note on those that were not);
        None when there are none (older uploads may have expired unused: they are kept again)."""
        found = self.mails.find_one({"_id": key}, {"uploads": 1, "uploads_note": 1, "uploads_at": 1})
        if found and found.get("uploads") is not None and found["uploads_at"] >= since:
            return found["uploads"], found.get("uploads_note", "")
        return None

    def keep_files(
        self, key: str, upload_ids: list[str], note: str, at: datetime, since: datetime
    ) -> tuple[list[str], str]:
        """Record what was kept from this mail; what was recorded first, when another delivery
        of it was quicker (this one's uploads are left to expire unused)."""
        try:
            self.mails.update_one(
                {"_id": key, "$or": [{"uploads": None}, {"uploads_at": {"$lt": since}}]},
                {
                    "$set": {"uploads": upload_ids, "uploads_note": note, "uploads_at": at},
                    "$setOnInsert": {"received_at": at},
                },
                upsert=True,
            )
        except DuplicateKeyError:  # another delivery recorded its files first
            pass
        return self.files_kept(key, since) or (upload_ids, note)

    def record_posted(self, key: str, thread_id: str, message_id: str, at: datetime) -> None:
        self.mails.update_one(
            {"_id": key},
            {"$set": {"thread_id": thread_id, "message_id": message_id}, "$setOnInsert": {"received_at": at}},
            upsert=True,
        )
