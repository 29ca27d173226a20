"""Where attachments are kept, and in which shape: one GridFS bucket, `attachments`, in the
services' database. Two processes share it, hence this module: the gateway writes an upload's
bytes (an HTTP body of 10 MB does not travel over the broker, README "Attachments") and serves
them; the conversations service decides everything else through its store (who owns an upload,
which message uses it, when it goes).

A file document (`attachments.files`) of an upload:

    {"_id": <id>, "filename": <the name shown>, "length": <bytes>, ...GridFS's own fields,
     "metadata": {"variant": "original" | "thumbnail", "content_type": ...,
                  "owner": {"role", "user_id"}, "thumbnail_id": <id> | None,
                  "expires_at": <datetime> | None,   # swept once past (services/conversations/attachments.py)
                  "thread_id", "message_id", "company_id", "customer_id"}}   # once a message uses it

An `original` is what was kept (services/common/intake.py: an image written again, a PDF as it
came); a `thumbnail` belongs to its original (`metadata.original_id`) and goes with it.
"""

import io
from datetime import datetime
from typing import Any

from gridfs import GridFSBucket, GridIn
from gridfs.errors import NoFile

from .mongo import Db, Document

BUCKET = "attachments"
FILES = f"{BUCKET}.files"
IMAGE_TYPES = ("image/jpeg", "image/png", "image/webp", "image/gif")
DOCUMENT_TYPES = ("application/pdf",)
ACCEPTED_TYPES = IMAGE_TYPES + DOCUMENT_TYPES
# Chunks a little under 256 KiB: the body is written as it arrives, a chunk at a time.
CHUNK_BYTES = 255 * 1024


def bucket(db: Db) -> GridFSBucket:
    return GridFSBucket(db, bucket_name=BUCKET, chunk_size_bytes=CHUNK_BYTES)


class ChunkAtATime(GridIn):
    """A GridFS file written a chunk at a time. pymongo's own GridIn keeps the chunks it is
    given until 48 MB have gathered (one insert for many: measured, a 10 MB upload held all
    10 MB), which is the whole file for every upload here."""

    def _flush_data(self, data: Any, force: bool = False) -> None:
        super()._flush_data(data, force=True)


class StoredFile(io.RawIOBase):
    """A kept file to read and seek in, one chunk from the database at a time. pymongo's
    GridOut reads through a cursor whose first batch is up to 101 chunks (25 MB): a 10 MB file
    whole in memory for every download and every check."""

    def __init__(self, db: Db, file_id: str) -> None:
        super().__init__()
        document = db[FILES].find_one({"_id": file_id})
        if document is None:
            raise NoFile(f"no file {file_id!r}")
        self.chunks = db[f"{BUCKET}.chunks"]
        self.file_id, self.length, self.chunk_size = file_id, document["length"], document["chunkSize"]
        self.metadata = document.get("metadata") or {}
        self.position = 0
        self.held: tuple[int | None, bytes] = (None, b"")  # the chunk read last: its number and bytes

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self.position

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self.position, io.SEEK_END: self.length}[whence]
        self.position = max(0, base + offset)
        return self.position

    def readinto(self, buffer: Any) -> int:
        if self.position >= self.length:
            return 0
        number, start = divmod(self.position, self.chunk_size)
        if self.held[0] != number:
            chunk = self.chunks.find_one({"files_id": self.file_id, "n": number}, {"data": 1})
            if chunk is None:
                raise NoFile(f"chunk {number} of {self.file_id!r} is missing")
            self.held = (number, bytes(chunk["data"]))
        data = self.held[1][start : start + len(buffer)]
        buffer[: len(data)] = data
        self.position += len(data)
        return len(data)


def open_upload(db: Db, file_id: str, filename: str, metadata: Document) -> GridIn:
    """A new file in the bucket, to `write` to and `close` (or `abort`)."""
    return ChunkAtATime(db[BUCKET], _id=file_id, filename=filename, metadata=metadata, chunk_size=CHUNK_BYTES)


def delete_kept(db: Db, criteria: Document, limit: int = 0) -> int:
    """Remove the files matching `criteria` (at most `limit`; 0: all), each with its thumbnail;
    how many. A file another process removed a moment ago is gone already, as asked."""
    files = bucket(db)
    gone = 0
    for found in db[FILES].find(criteria, {"metadata.thumbnail_id": 1}).limit(limit):
        for file_id in (found["_id"], found.get("metadata", {}).get("thumbnail_id")):
            if file_id is not None:
                try:
                    files.delete(file_id)
                except NoFile:
                    pass
        gone += 1
    return gone


def open_stored(db: Db, file_id: str) -> StoredFile | None:
    """A kept file to read, or None when there is none by that id."""
    try:
        return StoredFile(db, file_id)
    except NoFile:
        return None


def posted_original(db: Db, file_id: str) -> Document | None:
    """What a message keeps of a file it uses, with its thumbnail's id: the one kind of file a
    signed link may name (never an upload no message took, nor a thumbnail by its own id)."""
    found = db[FILES].find_one({"_id": file_id, "metadata.variant": "original", "metadata.message_id": {"$ne": None}})
    return None if found is None else {**described(found), "thumbnail_id": found["metadata"].get("thumbnail_id")}


def metadata(
    variant: str, content_type: str | None, owner: Document, expires_at: datetime | None, **more: Any
) -> Document:
    return {
        "variant": variant,
        "content_type": content_type,
        "owner": owner,
        "expires_at": expires_at,
        "thumbnail_id": None,
        "thread_id": None,
        "message_id": None,
        **more,
    }


def described(document: Document) -> Document:
    """What a message keeps of a file it uses, and an upload's answer says."""
    return {
        "id": document["_id"],
        "name": document["filename"],
        "size": document["length"],
        "content_type": document["metadata"]["content_type"],
        "thumbnail": document["metadata"].get("thumbnail_id") is not None,
    }
