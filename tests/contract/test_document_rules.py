"""The document says what the system takes across a body's fields (gateway/body_rules.py, the
contract's field types): each body here is allowed by the document's schema exactly when the
system takes it, and the gateway's schema refuses none the document allows (a few rules, white
space alone, are the service's). Plain function calls: no system, no fuzzer; the document as
the gateway's app writes it."""

import jsonschema
import pytest
from marshmallow import ValidationError

from gateway.app import create_app
from services.contracts import catalog, conversations, notifications
from tests.fixtures.callers import CALLER_SIGNING_KEY

PRODUCT = {"type": "vendor_to_customer", "object": {"type": "product", "id": "p1"}}
FILES = {"attachments": ["u1"]}
NEWS = {"subject": "Fees", "message": "New fees"}
ORDER = {"order_id": "o1", "company_id": "v1"}
TAKEN, REFUSED = True, False
BODIES = {
    conversations.NewThread: [
        ({**PRODUCT, "message": "Brass?"}, TAKEN),
        ({**PRODUCT, "message": " \n "}, REFUSED),
        ({**PRODUCT, "message": "", **FILES}, TAKEN),
        ({**PRODUCT, "message": "", "attachments": []}, REFUSED),
        ({**PRODUCT, "object": {"type": "product"}, "message": "Brass?"}, REFUSED),
        ({**PRODUCT, "object": {"type": "product", "id": None}, "message": "Brass?"}, REFUSED),
        ({"type": "vendor_to_admin", "object": {"type": "none"}, "message": "Fees?", "subject": "Fees"}, TAKEN),
    ],
    conversations.NewMessage: [
        ({"body": "Yes"}, TAKEN),
        ({"body": ""}, REFUSED),
        ({"body": "  "}, REFUSED),
        ({}, REFUSED),
        ({"saved_reply_id": "r1"}, TAKEN),
        ({"body": "", **FILES}, TAKEN),
        ({"attachments": []}, REFUSED),
    ],
    conversations.Bulk: [
        ({"action": "delete", "thread_ids": ["t1"]}, TAKEN),
        ({"action": "reply", "thread_ids": ["t1"]}, REFUSED),
        ({"action": "reply", "thread_ids": ["t1"], "body": "On its way"}, TAKEN),
    ],
    conversations.ModerationDecision: [
        ({"decision": "approve"}, TAKEN),
        ({"decision": "reject"}, REFUSED),
        ({"decision": "reject", "reason": "\t"}, REFUSED),
        ({"decision": "reject", "reason": "An address"}, TAKEN),
    ],
    conversations.NewBroadcast: [
        ({"company_ids": "all", **NEWS}, TAKEN),
        ({"company_ids": ["v1", 7], **NEWS}, TAKEN),
        ({"company_ids": [], **NEWS}, REFUSED),
        ({"company_ids": "some", **NEWS}, REFUSED),
    ],
    notifications.MarkReadSchema: [
        ({"ids": ["n1"]}, TAKEN),
        ({"all": True}, TAKEN),
        ({}, REFUSED),
        ({"ids": [], "all": False}, REFUSED),
        ({"ids": ["n1"], "all": True}, REFUSED),
        ({"ids": None, "all": True}, TAKEN),
        ({"ids": [], "all": True}, TAKEN),
    ],
    catalog.VendorPush: [
        ({"company_id": 7}, TAKEN),
        ({"company_id": "v7"}, TAKEN),
        ({"company_id": " "}, REFUSED),
        ({"company_id": True}, REFUSED),
        ({"company_id": "x" * 65}, REFUSED),
    ],
    catalog.OrderPush: [
        ({**ORDER, "total": "99.00", "products": {"1": {"product_id": "x", "price": 9}}}, TAKEN),
        ({**ORDER, "total": 99, "products": [{"product_id": "x"}]}, TAKEN),
        ({**ORDER, "total": -1}, REFUSED),
        ({**ORDER, "total": "lots"}, REFUSED),
        ({**ORDER, "products": "x"}, REFUSED),
    ],
}


@pytest.fixture(scope="module")
def components():
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("JWT_SECRET", "document-rules-" + "s" * 32)
        patch.setenv("CALLER_SIGNING_KEY", CALLER_SIGNING_KEY)
        return create_app().test_client().get("/openapi.json").json["components"]["schemas"]


def document_allows(components: dict, name: str, body: dict) -> bool:
    schema = as_json_schema({**components[name], "components": {"schemas": components}})
    return jsonschema.Draft7Validator(schema).is_valid(body)


def as_json_schema(schema):
    """OpenAPI 3.0's `nullable` is JSON Schema's null type."""
    if isinstance(schema, list):
        return [as_json_schema(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    converted = {key: as_json_schema(value) for key, value in schema.items() if key != "nullable"}
    return {"anyOf": [converted, {"type": "null"}]} if schema.get("nullable") else converted


def gateway_loads(contract, body: dict) -> bool:
    try:
        contract().load(body)
    except ValidationError:
        return False
    return True


@pytest.mark.parametrize("contract", list(BODIES), ids=lambda contract: contract.__name__)
def test_the_document_allows_a_body_when_the_system_takes_it(components, contract):
    name = contract.__name__.removesuffix("Schema")
    for body, taken in BODIES[contract]:
        assert document_allows(components, name, body) is taken, body
        if taken:
            assert gateway_loads(contract, body), body
