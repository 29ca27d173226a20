"""The files of a mail, as the message's attachments: each judged and kept as an upload of the
person the reply posts as, by the same check as an upload through the gateway
(services/common/intake.py: JPEG, PNG, WebP, GIF and PDF, judged by their bytes, images written
again without their metadata). A file that cannot be kept (another kind, too large, damaged,
one past ATTACHMENTS_PER_MESSAGE) is named in a note under the text, with the reason, and the
rest is posted. A database that is away raises: the mail is tried again later, and what was
kept meanwhile waits unused until it expires, as an upload no message took."""
import io

from services.common import intake
from services.common.errors import MessageCenterError

from .reading import File


class Files:
    def __init__(self, db, settings):
        self.db = db
        self.settings = settings

    def keep(self, files: tuple[File, ...], poster: dict) -> tuple[list[str], list[tuple[str, str]]]:
        """(the upload ids kept, (name, why) of each file that was not)."""
        owner = {"role": poster["role"], "user_id": poster["user_id"]}  # as the conversations service owns uploads
        most, largest = self.settings.ATTACHMENTS_PER_MESSAGE, self.settings.ATTACHMENT_MAX_BYTES
        kept, refused = [], []
        for file in files:
            if len(kept) == most:
                refused.append((file.name, f"a message carries at most {most} files."))
            elif len(file.data) > largest:
                refused.append((file.name, f"a file may have at most {largest // (1024 * 1024)} MiB."))
            else:
                try:  # the mail is in memory already: its file is read from there
                    kept.append(intake.keep_file(self.db, io.BytesIO(file.data), file.name, owner, self.settings)["_id"])
                except MessageCenterError as refusal:  # the file's own fault: 415, 413, 422
                    refused.append((intake.shown_name(file.name), refusal.message))
        return kept, refused

    @staticmethod
    def note(refusals: list[tuple[str, str]]) -> str:
        if not refusals:
            return ""
        return "\n".join(["Files in the mail that are not attached here:", *(f"- {name}: {why}" for name, why in refusals)])
