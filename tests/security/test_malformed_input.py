"""Input crafted to break the parsers gets a 4xx in the contract's shape, never a 500."""

import base64
import json

import jwt

from tests.fixtures.stack import JWT_SECRET


def crafted_cursor(parts) -> str:
    return base64.urlsafe_b64encode(json.dumps(parts).encode()).decode().rstrip("=")


def test_deeply_nested_json_is_refused_with_400(world):
    customer, _ = world.customer("ann")
    shop = world.vendor("shop")
    thread = world.ask(customer, "company", shop, "Hello")
    for depth in (33, 5000):
        body = '{"body": ' + "[" * depth + "]" * depth + "}"
        answer = world.stack.call(
            "POST", f"/v1/threads/{thread}/messages", customer, data=body, headers={"Content-Type": "application/json"}
        )
        assert answer.status_code == 400, answer.text
        assert answer.json()["error"]["code"] == "bad_request"
    # brackets inside a string are text, not nesting
    fine = world.post(customer, thread, "[" * 100)
    assert fine.status_code == 201


def test_a_crafted_cursor_is_refused_with_422(world):
    customer, _ = world.customer("ann")
    for parts in ([1, "x", 5], [None, None, None], {"a": 1}, ["2026-01-01T00:00:00Z", 7, "later"], "x"):
        answer = world.stack.call("GET", "/v1/threads", customer, params={"cursor": crafted_cursor(parts)})
        assert answer.status_code == 422, (parts, answer.text)
        assert "cursor" in answer.json()["error"]["details"]
    answer = world.stack.call("GET", "/v1/notifications", customer, params={"cursor": crafted_cursor([1, "x", 5])})
    assert answer.status_code == 422, answer.text
    for cursor in (crafted_cursor([1, "x", 5]), "not-a-cursor", crafted_cursor(["not-an-id"])):
        answer = world.stack.call("GET", "/v1/notifications/failed", world.admin(), params={"cursor": cursor})
        assert answer.status_code == 422, (cursor, answer.text)


def test_a_token_with_malformed_permissions_is_refused_with_401(world):
    for permissions in ([{}], "all", [1], {"manage_settings": True}):
        token = jwt.encode(
            {"sub": "a1", "role": "admin", "exp": 4102444800, "permissions": permissions}, JWT_SECRET, algorithm="HS256"
        )
        answer = world.stack.call("GET", "/v1/unread", token)
        assert answer.status_code == 401, (permissions, answer.text)


def test_a_method_the_path_lacks_is_a_405_that_says_which_it_has(world):
    # schemathesis' unsupported_method check: TRACE /healthz was a 405 without Allow (RFC 9110).
    for method, path in (("TRACE", "/healthz"), ("PUT", "/v1/unread"), ("DELETE", "/v1/settings/public")):
        answer = world.stack.call(method, path)
        assert answer.status_code == 405, (method, path, answer.text)
        assert answer.json()["error"]["code"] == "method_not_allowed"
        assert "GET" in answer.headers.get("Allow", ""), (method, path, answer.headers)


def test_the_openapi_document_shows_the_errors_in_the_contracts_shape(world):
    # It showed flask-smorest's {"code", "status", "message", "errors"}, which no answer has.
    document = world.stack.call("GET", "/openapi.json").json()
    error = document["components"]["schemas"]["Error"]
    assert error["required"] == ["error"]
    body = document["components"]["schemas"][error["properties"]["error"]["$ref"].rsplit("/", 1)[1]]
    assert set(body["required"]) == {"code", "message", "details"}
    customer, _ = world.customer("ann")
    refused = world.stack.call("GET", "/v1/settings", customer)
    assert refused.status_code == 403 and set(refused.json()["error"]) == {"code", "message", "details"}
