"""What became of a received mail, and how each way in says it: an SMTP reply for the
sending MTA, an HTTP status for a provider that forwards mail.

Four kinds. `posted` (or `duplicate`: posted before) and `dropped` (an auto-reply, a bounce,
an empty reply: accepted, counted, never posted) answer 250 and 200. `refused` answers a 5xx
(4xx over HTTP): the sender's MTA tells the sender, and sending it again changes nothing.
`deferred` answers 451 (503 over HTTP): something of ours is away, the mail is not lost, the
sending side tries again later. The sentence of each is safe to show whoever sent the mail.
"""

from dataclasses import dataclass
from typing import Any

POSTED, DUPLICATE, DROPPED, REFUSED, DEFERRED = "posted", "duplicate", "dropped", "refused", "deferred"

# reason → (SMTP reply code and enhanced status, HTTP status, the contract's error code)
REFUSALS = {
    "relaying": ("550 5.7.1", 404, "not_found"),
    "token": ("550 5.1.1", 404, "not_found"),
    "thread_gone": ("550 5.1.1", 404, "not_found"),
    # RFC 3463's "at one time valid, but mail is no longer being accepted for that address"
    "expired": ("550 5.1.6", 410, "gone"),
    "sender": ("550 5.7.1", 403, "forbidden"),
    "authentication": ("550 5.7.1", 403, "forbidden"),
    "not_allowed": ("550 5.7.1", 403, "forbidden"),
    "malformed": ("554 5.6.0", 422, "validation_error"),
    "invalid": ("554 5.6.0", 422, "validation_error"),
    "too_large": ("552 5.3.4", 413, "payload_too_large"),
}
DEFERRALS = {
    "unavailable": ("451 4.3.0", 503, "unavailable"),
    "busy": ("451 4.3.0", 503, "unavailable"),
    "full": ("452 4.3.1", 503, "unavailable"),  # SMTP's mails being read hold all they may
    "rate_limited": ("451 4.7.1", 429, "rate_limited"),
}
RETRY_AFTER_SECONDS = 60


@dataclass(frozen=True)
class Outcome:
    kind: str
    reason: str
    message: str
    thread_id: str | None = None
    message_id: str | None = None

    @property
    def accepted(self) -> bool:
        return self.kind in (POSTED, DUPLICATE, DROPPED)

    def smtp_reply(self) -> str:
        if self.accepted:
            return f"250 2.0.0 {self.message}"
        code = (REFUSALS if self.kind == REFUSED else DEFERRALS)[self.reason][0]
        return f"{code} {self.message}"

    def http_answer(self) -> tuple[int, dict[str, Any]]:
        if self.accepted:
            return 200, {
                "outcome": self.kind,
                "reason": self.reason,
                "message": self.message,
                "thread_id": self.thread_id,
                "message_id": self.message_id,
            }
        _, status, code = (REFUSALS if self.kind == REFUSED else DEFERRALS)[self.reason]
        return status, {"error": {"code": code, "message": self.message, "details": {"reason": self.reason}}}


def posted(thread_id: str, message_id: str) -> Outcome:
    return Outcome(POSTED, POSTED, "Posted to the conversation.", thread_id, message_id)


def duplicate(thread_id: str, message_id: str | None) -> Outcome:
    return Outcome(DUPLICATE, DUPLICATE, "This mail was posted already.", thread_id, message_id)


def dropped(reason: str) -> Outcome:
    said = {
        "auto_reply": "An automatic reply: not posted.",
        "bounce": "A delivery report: not posted.",
        "empty": "The reply says nothing above the quoted mail: not posted.",
    }
    return Outcome(DROPPED, reason, said[reason])


def refused(reason: str, message: str) -> Outcome:
    assert reason in REFUSALS, reason
    return Outcome(REFUSED, reason, message)


def deferred(reason: str, message: str) -> Outcome:
    assert reason in DEFERRALS, reason
    return Outcome(DEFERRED, reason, message)
