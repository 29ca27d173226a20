"""The files of a mail, as message attachments: each kept as an upload of the person the
reply posts as, checked as an upload through the gateway is; one that cannot be kept (not an
accepted kind, too large, one too many) is named in a note under the text instead."""
from .reading import File


class Files:
    def __init__(self, db, settings):
        self.db = db
        self.settings = settings

    def keep(self, files: tuple[File, ...], caller: dict) -> tuple[list[str], list[tuple[str, str]]]:
        """(the upload ids kept, (name, why) of each file that was not)."""
        return [], [(file.name, "files sent by mail are not attached yet") for file in files]

    @staticmethod
    def note(refusals: list[tuple[str, str]]) -> str:
        if not refusals:
            return ""
        lines = [f"- {name}: {why}" for name, why in refusals]
        return "\n".join(["Files in the mail that are not attached here:", *lines])
