"""Operations: liveness, readiness, metrics."""

import hmac

from flask import current_app, request
from flask_smorest import Blueprint
from kombu import Connection

from services.common import mongo
from services.common.errors import NotFound

from ..auth import Unauthorized
from ..metrics import exposition
from ..rpc import rpc

blp = Blueprint("operations", __name__, description="Liveness, readiness and metrics")

SERVICES = ("conversations", "catalog_context", "notifications")


@blp.route("/healthz")
@blp.doc(security=[], responses={"200": {"description": '`{"status": "ok"}`'}})
def healthz():
    """The process is up."""
    return {"status": "ok"}


@blp.route("/readyz")
@blp.doc(
    security=[],
    responses={
        "200": {"description": '`{"status": "ready", "checks": {<part>: true, ...}}`'},
        "503": {"description": '`{"status": "unavailable", "checks": {...}}`: a part is down'},
    },
)
def readyz():
    """The broker and the database are reachable (`?services=all` also asks each service)."""
    settings = current_app.config["SETTINGS"]
    checks = {"broker": _broker_ok(settings.AMQP_URI), "database": mongo.answers(settings.MONGO_URI)}
    if request.args.get("services") == "all":
        for name in SERVICES:
            checks[name] = _service_ok(name)
    ready = all(checks.values())
    return {"status": "ready" if ready else "unavailable", "checks": checks}, 200 if ready else 503


@blp.route("/metrics")
@blp.doc(security=[{"metrics": []}])
def metrics():
    """Prometheus exposition, for the scraper that sends `Authorization: Bearer <METRICS_TOKEN>`
    (404 while METRICS_TOKEN is unset: the endpoint names every route and its traffic)."""
    expected = current_app.config["SETTINGS"].METRICS_TOKEN
    if not expected:
        raise NotFound("Metrics are not served here: METRICS_TOKEN is not set.")
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    # Constant time: the comparison must not tell a guesser how much of the token was right.
    if scheme.lower() != "bearer" or not hmac.compare_digest(token.strip().encode(), expected.encode()):
        raise Unauthorized("The metrics token is required (Authorization: Bearer <METRICS_TOKEN>).")
    return exposition()


def _broker_ok(uri: str) -> bool:
    try:
        with Connection(uri, connect_timeout=2) as connection:
            connection.ensure_connection(max_retries=1, timeout=2)
        return True
    except Exception:
        return False


def _service_ok(name: str) -> bool:
    try:
        return getattr(rpc(), name).health() is True
    except Exception:
        return False
