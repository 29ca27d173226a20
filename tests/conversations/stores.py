"""The conversations' store, each way it is built: the in-memory fake, and the MongoDB adapter
with each inbox reader. A test that takes `any_store` runs against all three."""

import pytest

from services.conversations import mongo_inbox
from tests.conversations.memory_store import MemoryThreads
from services.conversations.mongo_store import MongoThreads

KINDS = ["memory", "mongo-plain", "mongo-windowed"]


def build(kind: str, request):
    if kind == "memory":
        return MemoryThreads()
    db = request.getfixturevalue("mongo_db")
    MongoThreads.create_indexes(db)
    return MongoThreads(db, mongo_inbox.reader(kind.split("-")[1], db))


@pytest.fixture(params=KINDS)
def any_store(request):
    return build(request.param, request)


def seed_upload(
    store,
    owner: dict,
    name: str = "photo.jpg",
    content_type: str = "image/jpeg",
    expires_at=None,
    thumbnail: bool = True,
    data: bytes = b"\xff\xd8\xff pixels",
) -> str:
    """An upload as the gateway keeps it (gateway/uploads.py): in GridFS for the MongoDB
    adapter, as its file document for the fake. Its id."""
    from datetime import timedelta

    from services.common import attachment_files
    from services.common.clock import new_id, now

    upload_id, thumbnail_id = new_id(), (new_id() if thumbnail else None)
    metadata = attachment_files.metadata(
        "original", content_type, owner, expires_at or now() + timedelta(hours=24), thumbnail_id=thumbnail_id
    )
    thumb_metadata = attachment_files.metadata("thumbnail", "image/jpeg", owner, None, original_id=upload_id)
    if isinstance(store, MemoryThreads):
        store.files[upload_id] = {"_id": upload_id, "filename": name, "length": len(data), "metadata": metadata}
        if thumbnail_id:
            store.files[thumbnail_id] = {
                "_id": thumbnail_id,
                "filename": "thumbnail",
                "length": 3,
                "metadata": thumb_metadata,
            }
        return upload_id
    bucket = attachment_files.bucket(store.db)
    bucket.upload_from_stream_with_id(upload_id, name, data, metadata=metadata)
    if thumbnail_id:
        bucket.upload_from_stream_with_id(thumbnail_id, "thumbnail", b"abc", metadata=thumb_metadata)
    return upload_id


def stored_file_ids(store) -> set:
    from services.common import attachment_files

    if isinstance(store, MemoryThreads):
        return set(store.files)
    return {doc["_id"] for doc in store.db[attachment_files.FILES].find({}, {"_id": 1})}
