"""Whether a signing key may be used outside development. Two keys sign who is calling:
JWT_SECRET, the callers' tokens (whoever knows it can mint any caller, an admin included), and
CALLER_SIGNING_KEY, the caller the gateway hands the services over the broker (whoever knows
it can pass as any caller to any service). A process refuses to start on a guessable one."""

import logging

from services.common.config import (
    DEVELOPMENT_CALLER_SIGNING_KEY,
    DEVELOPMENT_JWT_SECRET,
    DEVELOPMENT_REPLY_SIGNING_KEY,
    Settings,
)

MIN_SECRET_BYTES = 32
# The shipped examples' markers (k8s/base/secret.yaml, docker-compose.yml, the built-in keys).
PLACEHOLDER_MARKS = ("replace-me", "change-me")
# Each key's built-in development value, which is public, and what a weak one gives away.
BUILT_IN = {
    "JWT_SECRET": DEVELOPMENT_JWT_SECRET,
    "CALLER_SIGNING_KEY": DEVELOPMENT_CALLER_SIGNING_KEY,
    "ATTACHMENT_URL_KEY": None,  # unset, it is derived from CALLER_SIGNING_KEY
    "REPLY_SIGNING_KEY": DEVELOPMENT_REPLY_SIGNING_KEY,
    "INBOUND_HTTP_SIGNING_KEY": None,
}  # unset, POST /v1/inbound-mail is not served
AT_RISK = {
    "JWT_SECRET": "anyone can mint tokens",
    "CALLER_SIGNING_KEY": "anyone who reaches the broker can pass as any caller",
    "ATTACHMENT_URL_KEY": "anyone can make download links to any attachment",
    "REPLY_SIGNING_KEY": "anyone who knows a person's address can make reply addresses that post as them",
    "INBOUND_HTTP_SIGNING_KEY": "anyone can hand the inbound process mail as the mail provider",
}


class WeakSecret(RuntimeError):
    pass


def weakness_of(secret: str, name: str = "JWT_SECRET") -> str | None:
    """Why this secret must not sign real callers; None when it may."""
    if secret == BUILT_IN[name]:
        return f"{name} is not set (the built-in development key is public)"
    if not secret.strip():
        return f"{name} is empty"
    if len(secret.encode()) < MIN_SECRET_BYTES:
        return f"{name} is {len(secret.encode())} bytes long, shorter than {MIN_SECRET_BYTES}"
    marks = [mark for mark in PLACEHOLDER_MARKS if mark in secret.lower()]
    if marks:
        return f"{name} is a placeholder (it contains {marks[0]!r})"
    return None


def check_signing_secret(settings: Settings, log: logging.Logger, name: str = "JWT_SECRET") -> None:
    """Raises WeakSecret for a weak key, unless DEVELOPMENT_MODE says this is a development
    machine: then it only warns, loudly."""
    weakness = weakness_of(getattr(settings, name), name)
    if weakness is None:
        return
    if not settings.DEVELOPMENT_MODE:
        raise WeakSecret(
            f"{weakness}. Set {name} to a random string of at least "
            f"{MIN_SECRET_BYTES} bytes, or DEVELOPMENT_MODE=true on a development machine."
        )
    log.warning(
        "%s: %s. Accepted only because DEVELOPMENT_MODE is set; never let real users reach this process.",
        weakness,
        AT_RISK[name],
    )
