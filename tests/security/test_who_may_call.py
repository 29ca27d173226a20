"""Who may call each endpoint is written in the OpenAPI document, for every operation, from the
table the gateway acts on (gateway/who.py); and an endpoint that needs a token asks for it
before it looks at the input, so a caller without one learns nothing of what the input should be."""

import pytest

from gateway import who
from gateway.app import create_app
from services.common.config import Settings
from tests.fixtures.callers import CALLER_SIGNING_KEY

SECRET = "who-may-call-test-secret-" + "w" * 32


@pytest.fixture
def http():
    return create_app(Settings(JWT_SECRET=SECRET, CALLER_SIGNING_KEY=CALLER_SIGNING_KEY)).test_client()


def operations(document):
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method in ("get", "put", "post", "patch", "delete"):
                yield method.upper(), path, operation


def test_every_operation_of_the_document_says_who_may_call_it(http):
    document = http.get("/openapi.json").json
    found = list(operations(document))
    assert len(found) == len(who.WHO_MAY_CALL)  # no endpoint without its line, no line without its endpoint
    for method, path, operation in found:
        assert operation["x-who-may-call"] and "Who may call:" in operation["description"], (method, path)
        if operation["x-who-may-call"].startswith("anyone (no token)"):
            assert operation["security"] == [], (method, path)
        else:
            assert "security" not in operation or operation["security"], (method, path)


@pytest.mark.parametrize(
    "method, path, body",
    [
        ("POST", "/v1/broadcasts", {"nonsense": True}),
        ("POST", "/v1/threads/bulk", {"action": 7}),
        ("POST", "/v1/notifications/read", []),
        ("PUT", "/v1/catalog/vendors/1", {}),
        ("GET", "/v1/threads?limit=-4&sort=size", None),
    ],
)
def test_without_a_token_bad_input_is_a_401_not_a_422(http, method, path, body):
    answer = http.open(path, method=method, json=body)
    assert answer.status_code == 401
    assert answer.json["error"]["code"] == "unauthorized"
    assert "details" not in answer.json["error"] or not answer.json["error"]["details"]
