"""Files on messages: which uploads a message may carry, who may fetch a message's file, and
when files go.

The gateway keeps an upload's bytes, checked (services/common/attachment_files.py); from then
on this decides: a person holds at most `quota_bytes` of uploads no message carries yet (asked
before each upload is kept, by the gateway and by the inbound process), a message takes its
author's own unused uploads (at most `per_message`), a file is fetched by whoever may read its
thread, an upload no message took goes after `upload_ttl`, and a soft-deleted thread's files
`retention` after the deletion.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from services.common.caller import Caller
from services.common.errors import NotFound, QuotaExceeded, ValidationFailed

from .lookup import visible
from .records import Message

# Files removed per sweep (a timer): a large deletion is spread over a few sweeps.
SWEEP_BATCH = 200


@dataclass(frozen=True)
class Policy:
    per_message: int = 5
    upload_ttl: timedelta = timedelta(hours=24)
    retention: timedelta = timedelta(days=30)
    quota_bytes: int = 0  # 0: no quota

    @classmethod
    def from_settings(cls, settings) -> "Policy":
        return cls(
            settings.ATTACHMENTS_PER_MESSAGE,
            timedelta(hours=settings.UPLOAD_TTL_HOURS),
            timedelta(days=settings.ATTACHMENT_RETENTION_DAYS),
            settings.UPLOAD_QUOTA_MB * 1024 * 1024,
        )


def owner(caller: Caller) -> dict:
    """Who an upload belongs to: the person, not the company (a colleague's upload is not one's own)."""
    return {"role": caller.role, "user_id": caller.user_id}


def within_quota(store, caller: Caller, size: int, policy: Policy, at: datetime) -> None:
    """One more file of `size` bytes fits what the caller may hold unattached; QuotaExceeded if
    not. Two uploads judged at once may both fit and together pass it: by one file at most each,
    which the uploads a minute bound."""
    if policy.quota_bytes <= 0 or caller.role == "system":
        return
    held = store.held_upload_bytes(owner(caller), at)
    if held + size > policy.quota_bytes:
        quota = policy.quota_bytes // (1024 * 1024)
        message = (
            f"Your uploads not yet on a message hold {held // (1024 * 1024)} MiB of the {quota} MiB "
            f"quota (UPLOAD_QUOTA_MB): attach them to a message, or wait until they expire."
        )
        raise QuotaExceeded(
            message,
            {"file": [f"At most {quota} MiB of uploads not yet on a message."], "quota_mb": quota, "held_bytes": held},
        )


def attach(store, caller: Caller, upload_ids: list[str], message: Message, policy: Policy) -> list[dict]:
    """The uploads `message` carries, described, taken for it; ValidationFailed when one may not be."""
    if not upload_ids:
        return []
    if len(set(upload_ids)) != len(upload_ids):
        raise _invalid("The same file is attached twice.")
    if len(upload_ids) > policy.per_message:
        raise _invalid(f"A message carries at most {policy.per_message} files.")
    taken = store.attach_uploads(upload_ids, owner(caller), message)
    if len(taken) != len(upload_ids):
        store.release_uploads(message["id"], message["created_at"] + policy.upload_ttl)
        raise _invalid(
            "A file could not be attached: it is not your upload, another message has it, "
            "or it was uploaded more than a day ago. Upload it again."
        )
    return taken


def release(store, message: Message, policy: Policy) -> None:
    """The message was not kept: its uploads may be used again."""
    if message.get("attachments"):
        store.release_uploads(message["id"], message["created_at"] + policy.upload_ttl)


def file_for(store, caller: Caller, attachment_id: str) -> dict:
    """A file as the caller may fetch it: one of a thread it may read; anything else does not exist."""
    found = store.get_attachment(attachment_id)
    if found is None:
        raise NotFound("No such file.")
    try:
        visible(store, caller, found["thread_id"])
    except NotFound:
        raise NotFound("No such file.")
    message = store.get_message(found["message_id"])
    if message is None or caller.side in (message.get("hidden_from") or ()):
        raise NotFound("No such file.")  # a message held for review, or rejected
    return found


def thread_deleted(store, at: datetime, policy: Policy, **whose) -> int:
    """A soft deletion (a thread, or a vendor's or customer's threads): their files go after the retention."""
    return store.expire_attachments(at + policy.retention, **whose)


def sweep(store, at: datetime) -> int:
    return store.delete_expired_attachments(at, SWEEP_BATCH)


def _invalid(message: str) -> ValidationFailed:
    return ValidationFailed(message, {"attachments": [message]})
