"""The gateway's operations pages as deployed: /metrics answers only the scraper holding
METRICS_TOKEN, and /docs loads nothing from another origin."""

import re
from urllib.parse import urljoin, urlsplit

import pytest

from gateway.app import create_app
from services.common.config import Settings
from tests.fixtures.callers import CALLER_SIGNING_KEY

JWT_SECRET = "deploy-test-secret-" + "d" * 32
METRICS_TOKEN = "deploy-test-metrics-token-" + "m" * 32
ASSET_TYPES = {".js": {"text/javascript", "application/javascript"}, ".css": {"text/css"}}


def gateway(**settings):
    return create_app(Settings(JWT_SECRET=JWT_SECRET, CALLER_SIGNING_KEY=CALLER_SIGNING_KEY, **settings)).test_client()


def test_metrics_are_not_served_while_no_token_is_set():
    answer = gateway().get("/metrics", headers={"Authorization": "Bearer "})
    assert answer.status_code == 404
    assert answer.json["error"]["code"] == "not_found"


@pytest.mark.parametrize(
    "authorization",
    [
        None,
        "Bearer ",
        "Bearer wrong",
        f"Bearer {METRICS_TOKEN}x",
        f"Bearer {METRICS_TOKEN[:-1]}",
        f"Basic {METRICS_TOKEN}",
        METRICS_TOKEN,
    ],
)
def test_metrics_refuse_a_missing_or_wrong_token(authorization):
    headers = {"Authorization": authorization} if authorization is not None else {}
    answer = gateway(METRICS_TOKEN=METRICS_TOKEN).get("/metrics", headers=headers)
    assert answer.status_code == 401
    assert answer.json["error"]["code"] == "unauthorized"


def test_metrics_answer_the_right_token_in_prometheus_text():
    client = gateway(METRICS_TOKEN=METRICS_TOKEN)
    client.get("/healthz")
    answer = client.get("/metrics", headers={"Authorization": f"Bearer {METRICS_TOKEN}"})
    assert answer.status_code == 200
    assert answer.mimetype == "text/plain"
    assert "# TYPE gateway_requests_total counter" in answer.text
    assert 'endpoint="/healthz"' in answer.text


def test_docs_load_nothing_from_another_origin():
    client = gateway()
    page = client.get("/docs")
    assert page.status_code == 200
    assert not re.search(r"https?://", page.text)
    # Nor does Swagger UI send the spec to swagger.io's online validator.
    assert '"validatorUrl": "none"' in page.text
    references = re.findall(r'(?:src|href)="([^"]*)"', page.text)
    assert len(references) == 3, references
    for reference in references:
        assert not urlsplit(reference).scheme and not urlsplit(reference).netloc, reference
        asset = client.get(urljoin("/docs", reference))
        assert asset.status_code == 200, reference
        extension = reference[reference.rindex(".") :]
        assert asset.mimetype in ASSET_TYPES[extension], (reference, asset.mimetype)
        assert len(asset.data) > 10_000, reference


def test_only_the_files_the_docs_page_loads_are_served():
    assert gateway().get("/docs/assets/oauth2-redirect.html").status_code == 404
