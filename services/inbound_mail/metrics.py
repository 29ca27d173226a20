"""What became of the mails received, counted for Prometheus (`GET /metrics` on the process's
HTTP port, with METRICS_TOKEN as the gateway's): `inbound_mail_total{via, outcome, reason}`,
where outcome is posted, duplicate, dropped (reason: auto_reply, bounce, empty), refused or
deferred (reason: outcomes.py). Every refusal and drop is also logged with its reason."""

from prometheus_client import CollectorRegistry, Counter

REGISTRY = CollectorRegistry()
MAILS = Counter(
    "inbound_mail",
    "Mails received by the inbound process, by what became of them",
    ["via", "outcome", "reason"],
    registry=REGISTRY,
)


def count(via: str, outcome) -> None:
    MAILS.labels(via, outcome.kind, outcome.reason).inc()


def counted(via: str, kind: str, reason: str) -> float:
    """How many so far (the tests read it)."""
    return MAILS.labels(via, kind, reason)._value.get()
