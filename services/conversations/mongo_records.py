"""Threads and messages between the port's records (records.py) and MongoDB's documents: the
one difference is the id, `id` in a record and `_id` in a document. Every thread and message
the MongoDB adapter takes or gives goes through here, and the bench's dataset, which writes
documents itself (bench/dataset.py), does too."""

from typing import Any, cast

from .records import Message, Thread


def thread_of(document: dict[str, Any]) -> Thread:
    return cast(Thread, _record(document))


def message_of(document: dict[str, Any]) -> Message:
    return cast(Message, _record(document))


def maybe_thread(document: dict[str, Any] | None) -> Thread | None:
    return None if document is None else thread_of(document)


def maybe_message(document: dict[str, Any] | None) -> Message | None:
    return None if document is None else message_of(document)


def stored(record: Thread | Message) -> dict[str, Any]:
    """The document of a thread or a message: its `id` as `_id`, first, as MongoDB keeps it."""
    return {"_id": record["id"], **{name: value for name, value in record.items() if name != "id"}}


def _record(document: dict[str, Any]) -> dict[str, Any]:
    # A projection may leave the id out (`{"_id": 0}`): then so does the record.
    record = {name: value for name, value in document.items() if name != "_id"}
    return {"id": document["_id"], **record} if "_id" in document else record
