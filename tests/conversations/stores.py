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
