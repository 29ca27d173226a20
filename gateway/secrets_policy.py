"""Whether JWT_SECRET may sign the callers' tokens: whoever knows it can mint any caller, an
admin included, so the gateway and the push process refuse to start on a guessable one."""
import logging

from services.common.config import DEVELOPMENT_JWT_SECRET, Settings

MIN_SECRET_BYTES = 32
# The shipped examples' markers (k8s/secret.yaml, docker-compose.yml, the built-in key).
PLACEHOLDER_MARKS = ("replace-me", "change-me")


class WeakSecret(RuntimeError):
    pass


def weakness_of(secret: str) -> str | None:
    """Why this secret must not sign real callers' tokens; None when it may."""
    if secret == DEVELOPMENT_JWT_SECRET:
        return "JWT_SECRET is not set (the built-in development key is public)"
    if not secret.strip():
        return "JWT_SECRET is empty"
    if len(secret.encode()) < MIN_SECRET_BYTES:
        return f"JWT_SECRET is {len(secret.encode())} bytes long, shorter than {MIN_SECRET_BYTES}"
    marks = [mark for mark in PLACEHOLDER_MARKS if mark in secret.lower()]
    if marks:
        return f"JWT_SECRET is a placeholder (it contains {marks[0]!r})"
    return None


def check_signing_secret(settings: Settings, log: logging.Logger) -> None:
    """Raises WeakSecret for a weak secret, unless DEVELOPMENT_MODE says this is a development
    machine: then it only warns, loudly."""
    weakness = weakness_of(settings.JWT_SECRET)
    if weakness is None:
        return
    if not settings.DEVELOPMENT_MODE:
        raise WeakSecret(f"{weakness}. Set JWT_SECRET to a random string of at least "
                         f"{MIN_SECRET_BYTES} bytes, or DEVELOPMENT_MODE=true on a development machine.")
    log.warning("%s: anyone can mint tokens. Accepted only because DEVELOPMENT_MODE is set; "
                "never let real users reach this process.", weakness)
