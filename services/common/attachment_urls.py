"""Download links of attachments: `/v1/attachments/<id>[/thumbnail]?expires=<unix s>&signature=<hex>`.

An `<img>` or a link cannot send a bearer token, so a message's answer carries links signed
for 5 minutes: the conversations service signs them for a caller that may read the thread
(services/conversations/presenters.py), the gateway checks them (gateway/blueprints/attachments.py).
A link is as good as the reader's access for those 5 minutes, and no longer.

The key is ATTACHMENT_URL_KEY, or, unset, one derived from CALLER_SIGNING_KEY, which both
sides hold already: derived under its own label, so a link's signature can never pass as a
caller's, nor the other way round.
"""

import hashlib
import hmac
import logging
import time
from urllib.parse import urlencode

from .config import Settings
from .secrets_policy import check_signing_secret

LINK_SECONDS = 5 * 60
VARIANTS = ("original", "thumbnail")


def url_key(settings: Settings, log: logging.Logger | None = None) -> str:
    """The key links are signed with; a weak ATTACHMENT_URL_KEY is refused as the other keys are."""
    if settings.ATTACHMENT_URL_KEY:
        if log is not None:
            check_signing_secret(settings, log, "ATTACHMENT_URL_KEY")
        return settings.ATTACHMENT_URL_KEY
    return hmac.new(settings.CALLER_SIGNING_KEY.encode(), b"attachment-urls", hashlib.sha256).hexdigest()


def path(attachment_id: str, variant: str = "original") -> str:
    return f"/v1/attachments/{attachment_id}" + ("/thumbnail" if variant == "thumbnail" else "")


def signed_path(key: str, attachment_id: str, variant: str = "original", now: float | None = None) -> str:
    """The link, good until LINK_SECONDS after `now` (a test signs with a past `now`)."""
    expires = int((time.time() if now is None else now) + LINK_SECONDS)
    query = urlencode({"expires": expires, "signature": _mac(key, attachment_id, variant, expires)})
    return f"{path(attachment_id, variant)}?{query}"


def link_problem(
    key: str, attachment_id: str, variant: str, expires: str, signature: str, now: float | None = None
) -> str | None:
    """Why a link does not open the file; None when it does."""
    try:
        until = int(expires)
    except (TypeError, ValueError):
        return "The link is not one of ours."
    # As bytes: compare_digest refuses a str that is not ASCII, and a link is anyone's to write.
    if not hmac.compare_digest(_mac(key, attachment_id, variant, until).encode(), (signature or "").encode()):
        return "The link is not one of ours."
    if (time.time() if now is None else now) > until:
        return "The link has expired: open the conversation again for a new one."
    return None


def _mac(key: str, attachment_id: str, variant: str, expires: int) -> str:
    message = f"{attachment_id}\n{variant}\n{expires}".encode()
    return hmac.new(key.encode(), message, hashlib.sha256).hexdigest()
