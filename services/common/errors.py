"""Errors that cross RPC as themselves.

`deserialize_to_instance` makes nameko rebuild these on the caller's side with their
arguments, so the gateway maps them to HTTP statuses in one place.
"""

from typing import Any

from nameko.exceptions import deserialize_to_instance


class MessageCenterError(Exception):
    code = "error"
    status = 500

    def __init__(self, message: str, details: dict[str, Any] | None = None) -> None:
        super().__init__(message, details or {})
        self.message = message
        self.details = details or {}

    def __str__(self) -> str:
        return self.message


@deserialize_to_instance
class NotFound(MessageCenterError):
    code, status = "not_found", 404


@deserialize_to_instance
class Forbidden(MessageCenterError):
    code, status = "forbidden", 403


@deserialize_to_instance
class Gone(MessageCenterError):
    """What was given once no longer answers (a reply address past its days)."""

    code, status = "gone", 410


@deserialize_to_instance
class Conflict(MessageCenterError):
    code, status = "conflict", 409


@deserialize_to_instance
class ValidationFailed(MessageCenterError):
    """`details` maps each field to its messages, as the contract's 422 does."""

    code, status = "validation_error", 422


@deserialize_to_instance
class QuotaExceeded(MessageCenterError):
    """What one person holds is at its bound (their uploads no message carries yet)."""

    code, status = "quota_exceeded", 413


@deserialize_to_instance
class Unavailable(MessageCenterError):
    """A dependency (database, broker, another service, the storefront) cannot answer now."""

    code, status = "unavailable", 503


@deserialize_to_instance
class DatabaseAway(Unavailable):
    """The database cannot be reached now (raised by the storage adapters in place of their
    driver's own errors: services/common/mongo.py `speaking_ours`)."""


@deserialize_to_instance
class DatabaseFailed(MessageCenterError):
    """The database refused a command for another cause than being away (a fault of ours)."""

    code, status = "internal_error", 500


@deserialize_to_instance
class RateLimited(MessageCenterError):
    """One caller sent more than its share; `details["retry_after"]` says when to come back."""

    code, status = "rate_limited", 429
