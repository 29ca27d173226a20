"""The files of a mail, as the message's attachments: each judged and kept as an upload of the
person the reply posts as, by the same check as an upload through the gateway
(services/common/intake.py: JPEG, PNG, WebP, GIF and PDF, judged by their bytes, images written
again without their metadata). A file that cannot be kept (another kind, too large, damaged,
one past ATTACHMENTS_PER_MESSAGE or its author's UPLOAD_QUOTA_MB) is named in a note under the
text, with the reason, and the rest is posted: a file that will never be taken never makes the
sender try again. The files count toward their author's uploads a minute as uploads through
the API do, all of them before any is kept, so a mail past that limit is tried again later
(RateLimited, raised) with nothing kept. A database that is away raises too: what was kept
meanwhile waits unused until it expires, as an upload no message took."""

import io
from typing import Callable

from services.common import intake
from services.common.errors import MessageCenterError, QuotaExceeded

from .reading import File


class Files:
    def __init__(self, db, settings):
        self.db = db
        self.settings = settings

    def keep(
        self, files: tuple[File, ...], poster: dict, admit: Callable[[int], None]
    ) -> tuple[list[str], list[tuple[str, str]]]:
        """(the upload ids kept, (name, why) of each file that was not). `admit(size)` asks the
        conversations service whether one more file of `size` bytes may be kept for the poster."""
        owner = {"role": poster["role"], "user_id": poster["user_id"]}  # as the conversations service owns uploads
        most, largest = self.settings.ATTACHMENTS_PER_MESSAGE, self.settings.ATTACHMENT_MAX_BYTES
        admitted: list[File] = []
        refused: list[tuple[str, str]] = []
        pending = 0
        for file in files:
            if len(admitted) == most:
                refused.append((file.name, f"a message carries at most {most} files."))
            elif len(file.data) > largest:
                refused.append((file.name, f"a file may have at most {largest // (1024 * 1024)} MiB."))
            else:
                try:  # the files admitted before it are not kept yet: the quota counts them too
                    admit(pending + len(file.data))
                except QuotaExceeded as refusal:
                    refused.append((intake.shown_name(file.name), refusal.message))
                    continue
                admitted.append(file)
                pending += len(file.data)
        kept = []
        for file in admitted:
            try:  # the mail is in memory already: its file is read from there
                kept.append(intake.keep_file(self.db, io.BytesIO(file.data), file.name, owner, self.settings)["_id"])
            except MessageCenterError as refusal:  # the file's own fault: 415, 413, 422
                refused.append((intake.shown_name(file.name), refusal.message))
        return kept, refused

    @staticmethod
    def note(refusals: list[tuple[str, str]]) -> str:
        if not refusals:
            return ""
        return "\n".join(
            ["Files in the mail that are not attached here:", *(f"- {name}: {why}" for name, why in refusals)]
        )
