"""The caller travels signed: what stops a broker client from passing as an admin.

Every RPC made on a person's behalf carries who is calling, and the services trust nothing
else to decide what it may do. Anyone who can publish to the broker could write that caller
by hand, so the gateway signs it (HMAC-SHA256 with CALLER_SIGNING_KEY, a key only the gateway
and the services hold) together with the time it was issued, and every service takes its
caller from `verified`, which refuses a missing, forged, altered or stale signature. Services
calling each other on no person's behalf sign a system caller with the same key.

    {"caller": {...Caller.to_dict()...}, "issued_at": <unix seconds>, "signature": "<hex>"}

The signature covers the caller and the time, not the call: within the window anyone who can
read the RPC traffic could reuse an envelope for another call (a replay). The window is short
for that reason; see the README's "Who may do what".
"""

import hashlib
import hmac
import json
import logging
import time
from typing import Any, TypedDict

from nameko.containers import WorkerContext
from nameko.exceptions import deserialize_to_instance
from nameko.extensions import DependencyProvider

from .caller import Caller
from .config import load_settings
from .errors import Forbidden
from .secrets_policy import check_signing_secret

log = logging.getLogger(__name__)

# A caller is good for this long after the gateway signed it: far past the RPC timeout (10 s),
# so a call that waited in the broker's queue still passes, and short enough that a captured
# envelope is soon worth nothing.
MAX_AGE_SECONDS = 120
# Hosts' clocks drift apart: a caller issued up to this far "in the future" is fine.
CLOCK_SKEW_SECONDS = 5


@deserialize_to_instance
class BadSignature(Forbidden):
    """The caller was not signed with our key, or not lately. A 403, not a 401: the person's
    token was good (the gateway checked it); what failed is the hop between two of our
    processes, or a broker client that never had a token. A new token would not help."""


class Envelope(TypedDict):
    """A signed caller, as it travels (the shape above)."""

    caller: dict[str, Any]
    issued_at: float
    signature: str


def sign(caller: Caller, key: str, now: float | None = None) -> Envelope:
    caller_fields, issued_at = caller.to_dict(), time.time() if now is None else now
    return {"caller": caller_fields, "issued_at": issued_at, "signature": _mac(key, caller_fields, issued_at)}


def verified(envelope: object, key: str, now: float | None = None) -> Caller:
    """The caller an envelope names, once its signature and age are checked; BadSignature when
    they are not right."""
    if not (
        isinstance(envelope, dict)
        and isinstance(envelope.get("caller"), dict)
        and isinstance(envelope.get("signature"), str)
        and isinstance(envelope.get("issued_at"), (int, float))
        and not isinstance(envelope["issued_at"], bool)
    ):
        raise BadSignature("The caller is not signed (expected {caller, issued_at, signature}).")
    expected = _mac(key, envelope["caller"], envelope["issued_at"])
    if not hmac.compare_digest(expected, envelope["signature"]):
        raise BadSignature("The caller's signature does not match it.")
    age = (time.time() if now is None else now) - envelope["issued_at"]
    if age > MAX_AGE_SECONDS + CLOCK_SKEW_SECONDS:
        raise BadSignature(f"The caller was signed {age:.0f} s ago; it is good for {MAX_AGE_SECONDS} s.")
    if age < -CLOCK_SKEW_SECONDS:
        raise BadSignature(f"The caller was signed {-age:.0f} s in the future.")
    try:
        return Caller.from_dict(envelope["caller"])
    except (KeyError, TypeError, ValueError):  # signed by us, so never; but never a 500 either
        raise BadSignature("The signed caller is not one.")


def _mac(key: str, caller: dict[str, Any], issued_at: float) -> str:
    # Canonical JSON: the same dict gives the same bytes on both sides of the broker, whose
    # JSON round trip keeps strings, None, lists and floats exactly.
    message = json.dumps({"caller": caller, "issued_at": issued_at}, sort_keys=True, separators=(",", ":"))
    return hmac.new(key.encode(), message.encode(), hashlib.sha256).hexdigest()


class Signature:
    """One process's key, to sign the callers it sends and check the ones it is given."""

    def __init__(self, key: str) -> None:
        self.key = key

    def signed(self, caller: Caller) -> Envelope:
        return sign(caller, self.key)

    def verified(self, envelope: object) -> Caller:
        try:
            return verified(envelope, self.key)
        except BadSignature as refusal:
            claimed = envelope.get("caller") if isinstance(envelope, dict) else None
            log.warning("refused a caller (%s): it claimed to be %r", refusal, claimed)
            raise


class SignedCallers(DependencyProvider):  # type: ignore[misc]  # nameko ships no types: its base is Any
    """A service's `self.callers`: `self.callers.verified(caller)` in every entrypoint that acts
    for someone. The key's strength is checked as the service starts, as the gateway checks it."""

    def setup(self) -> None:
        settings = load_settings(self.container.config)
        check_signing_secret(settings, log, "CALLER_SIGNING_KEY")
        self.signature = Signature(settings.CALLER_SIGNING_KEY)

    def get_dependency(self, worker_ctx: WorkerContext) -> Signature:
        return self.signature
