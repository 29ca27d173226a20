"""One boundary: the gateway imports the services' shared contract (services/contracts) and
what every process shares (services/common), never a service's internals, and never dev/
(the demo and development tools are not in the production image). Read from the source with
ast, so an import inside a function counts too. And answers cross it once: dumped in the
service, forwarded by the gateway as they came."""

import ast
from datetime import datetime, timezone
from pathlib import Path

import pytest
from flask import Flask

from gateway.edge import forward
from services.common.moments import Moment
from services.contracts import conversations as contract

ROOT = Path(__file__).resolve().parents[2]
SHARED = ("services.contracts", "services.common")


def imported_modules(path: Path):
    package = ".".join(path.relative_to(ROOT).with_suffix("").parts[:-1])
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: resolved against the importing module's package
                parent = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(part for part in (*parent, base) if part)
            yield base
            # `from services import conversations` names a package through its parent.
            yield from (f"{base}.{alias.name}" for alias in node.names)


def crosses_the_boundary(module: str) -> bool:
    if module == "dev" or module.startswith("dev."):
        return True
    parts = module.split(".")
    return parts[0] == "services" and len(parts) > 1 and ".".join(parts[:2]) not in SHARED


def test_the_gateway_imports_neither_dev_nor_a_services_internals():
    crossings = [
        f"{path.relative_to(ROOT)}: {module}"
        for path in sorted((ROOT / "gateway").rglob("*.py"))
        for module in imported_modules(path)
        if crosses_the_boundary(module)
    ]
    assert crossings == []


def test_the_check_sees_what_it_looks_for(tmp_path):
    # A guard that never fires proves nothing: it finds each way of reaching past the boundary.
    assert crosses_the_boundary("dev.seed") and crosses_the_boundary("services.notifications.webhooks")
    assert crosses_the_boundary("services.conversations")
    assert not crosses_the_boundary("services.contracts.catalog") and not crosses_the_boundary("services.common.access")
    assert not crosses_the_boundary("services")


def test_a_moment_writes_a_datetime_and_refuses_text():
    """Answers are dumped once, in the service: a time that is text already is a second dump
    (or a time nobody loaded), and fails loudly instead of passing through."""
    at = datetime(2026, 11, 30, 22, 40, tzinfo=timezone.utc)
    assert Moment().serialize("at", {"at": at}) == "2026-11-30T22:40:00.000Z"
    assert Moment(allow_none=True).serialize("at", {"at": None}) is None
    with pytest.raises(TypeError, match="dumped twice"):
        Moment().serialize("at", {"at": "2026-11-30T22:40:00.000Z"})


def test_an_answer_dumped_twice_fails():
    figures = {
        "date_from": datetime(2026, 11, 1, tzinfo=timezone.utc),
        "date_to": datetime(2026, 12, 1, tzinfo=timezone.utc),
        "vendors": [],
    }
    wire = contract.ResponseTimes().dump(figures)
    assert wire == {"from": "2026-11-01T00:00:00.000Z", "to": "2026-12-01T00:00:00.000Z", "vendors": []}
    with pytest.raises(TypeError):
        contract.ResponseTimes().dump({"date_from": wire["from"], "date_to": wire["to"], "vendors": []})


def test_the_gateway_forwards_an_answer_as_the_service_gave_it():
    """No second dump at the edge: the service's wire form is the body, byte for byte, with
    the status the operation documents (or the one the view gives)."""
    wire = {"created": True, "thread": {"id": "t1", "created_at": "2026-11-30T22:40:00.000Z"}}
    with Flask(__name__).test_request_context():
        assert forward(wire, 200).get_json() == wire and forward(wire, 200).status_code == 200
        assert forward((wire, 201), 200).status_code == 201
