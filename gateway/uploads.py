"""Uploads: the body of `POST /v1/uploads`, received to local disk, then judged and kept
(services/common/intake.py).

The bytes go to the database from here, not over the broker (README "Attachments"). The
multipart body is parsed as it arrives and the file part written to a spool file (memory up to
1 MiB, then UPLOAD_SPOOL_DIR on disk), so a 10 MB file never sits whole in a worker's memory;
one byte past ATTACHMENT_MAX_BYTES stops the read with a 413. Then the conversations service
admits it (the caller's uploads a minute, 429, and quota, 413: it decides about files), and
judged from the spool, the file is written to GridFS once, as it is kept: nothing of a refused
file reaches the database.
"""

import threading
from typing import IO, Callable, cast

from flask import current_app
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.formparser import parse_form_data

from services.common import intake
from services.common.errors import ValidationFailed
from services.common.mongo import connect, our_errors

# The multipart envelope around the file: boundaries, part headers, a long file name.
ENVELOPE_BYTES = 16 * 1024
# What the form parser holds at once, undecided (it reads 64 KiB at a time): never the file.
PARSER_BUFFER_BYTES = 256 * 1024
# The file, and room for a few fields a client library adds of its own accord.
FORM_PARTS = 8

_database = None
_database_lock = threading.Lock()


def database():
    """The worker process's own client, made on first use (after gunicorn forked it)."""
    global _database
    with _database_lock:
        if _database is None:
            settings = current_app.config["SETTINGS"]
            _database = connect(settings)[settings.MONGO_DB]
    return _database


def receive(request, owner: dict, admit: Callable[[int], None]) -> dict:
    """Read the request's `file`, have it admitted (`admit(size)` raises if not), judge it, keep
    it: the upload's file document."""
    settings = current_app.config["SETTINGS"]
    limit = settings.ATTACHMENT_MAX_BYTES
    # This route alone takes more than the gateway's 64 KiB: one file and its envelope.
    request.max_content_length = limit + ENVELOPE_BYTES
    sink = Spool(limit, settings.UPLOAD_SPOOL_DIR)
    try:
        try:
            _, _, files = parse_form_data(
                request.environ,
                stream_factory=sink.open,
                max_content_length=request.max_content_length,
                max_form_memory_size=PARSER_BUFFER_BYTES,
                max_form_parts=FORM_PARTS,
            )
        except RequestEntityTooLarge:
            if request.content_length is None or request.content_length > request.max_content_length:
                raise  # the body's size (or, sent in chunks, perhaps): the gateway's 413 says so
            raise intake.FileTooLarge(  # a 413 still: the rest of the body is unread
                f"An upload is one file in the multipart field `file`: this one has more than {FORM_PARTS} "
                f"parts, or a field other than the file over {PARSER_BUFFER_BYTES // 1024} KiB.",
                {"file": ["One file per upload, in few parts."]},
            ) from None
        sent = files.get("file")
        if sent is None or sink.file is None:
            raise ValidationFailed(
                "Send the file in the multipart field `file`.", {"file": ["Missing data for required field."]}
            )
        admit(sink.written)
        with our_errors():
            return intake.keep_file(database(), sink.file, sent.filename, owner, settings)
    finally:
        sink.discard()


class Spool:
    """The place werkzeug's form parser writes the file part to, counting what it takes."""

    def __init__(self, limit: int, directory: str):
        self.limit, self.directory = limit, directory
        self.file: IO[bytes] | None = None
        self.written = 0

    def open(self, total_content_length, content_type, filename, content_length=None):
        if self.file is not None:
            raise ValidationFailed("Send one file per upload.", {"file": ["One file per upload."]})
        self.file = intake.spool(self.directory)
        return self

    def write(self, data: bytes) -> int:
        self.written += len(data)
        if self.written > self.limit:
            raise intake.FileTooLarge(
                f"A file may have at most {self.limit} bytes.", {"file": [f"At most {self.limit} bytes."]}
            )
        return cast(IO[bytes], self.file).write(data)  # open() came first

    def seek(self, *args):  # the parser rewinds what it wrote; intake.keep_file reads from the start
        return 0

    def close(self):  # the parser's; the spool outlives it until keep_file has judged it
        pass

    def discard(self):
        if self.file is not None:
            self.file.close()
