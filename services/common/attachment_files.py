"""Where attachments are kept, and in which shape: one GridFS bucket, `attachments`, in the
services' database. Two processes share it, hence this module: the gateway writes an upload's
bytes (an HTTP body of 10 MB does not travel over the broker, README "Attachments") and serves
them; the conversations service decides everything else through its store (who owns an upload,
which message uses it, when it goes).

A file document (`attachments.files`) of an upload:

    {"_id": <id>, "filename": <the name shown>, "length": <bytes>, ...GridFS's own fields,
     "metadata": {"variant": "original" | "thumbnail" | "raw", "content_type": ...,
                  "owner": {"role", "user_id"}, "thumbnail_id": <id> | None,
                  "expires_at": <datetime> | None,   # swept once past (services/conversations/attachments.py)
                  "thread_id", "message_id", "company_id", "customer_id"}}   # once a message uses it

A `raw` file holds the bytes as they came, until they are checked; an `original` is what was
kept (an image re-encoded, a PDF as it came); a `thumbnail` belongs to its original
(`metadata.original_id`) and goes with it.
"""
from gridfs import GridFSBucket

BUCKET = "attachments"
FILES = f"{BUCKET}.files"
IMAGE_TYPES = ("image/jpeg", "image/png", "image/webp", "image/gif")
DOCUMENT_TYPES = ("application/pdf",)
ACCEPTED_TYPES = IMAGE_TYPES + DOCUMENT_TYPES
# Chunks a little under 256 KiB: the body is written as it arrives, a chunk at a time.
CHUNK_BYTES = 255 * 1024


def bucket(db) -> GridFSBucket:
    return GridFSBucket(db, bucket_name=BUCKET, chunk_size_bytes=CHUNK_BYTES)


def metadata(variant: str, content_type: str | None, owner: dict, expires_at, **more) -> dict:
    return {"variant": variant, "content_type": content_type, "owner": owner, "expires_at": expires_at,
            "thumbnail_id": None, "thread_id": None, "message_id": None, **more}


def described(document: dict) -> dict:
    """What a message keeps of a file it uses, and an upload's answer says."""
    return {"id": document["_id"], "name": document["filename"], "size": document["length"],
            "content_type": document["metadata"]["content_type"],
            "thumbnail": document["metadata"].get("thumbnail_id") is not None}
