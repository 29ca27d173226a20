"""Threads and messages from MongoDB's documents to the port's typed records (records.py): the
one difference is the id, `id` in a record and `_id` in a document (services.common.mongo's
record_of, and document_of the other way, as every store's adapter does)."""

from typing import Any, cast

from services.common.mongo import record_of

from .records import Message, Thread


def thread_of(document: dict[str, Any]) -> Thread:
    return cast(Thread, record_of(document))


def message_of(document: dict[str, Any]) -> Message:
    return cast(Message, record_of(document))


def maybe_thread(document: dict[str, Any] | None) -> Thread | None:
    return None if document is None else thread_of(document)


def maybe_message(document: dict[str, Any] | None) -> Message | None:
    return None if document is None else message_of(document)
