"""Answers are dumped once, in the service, with the contract's schema: what a client reads
through the gateway is the service's RPC answer as it left the service, nothing more (no field
the contract does not name) and nothing renamed at the edge (README "One boundary")."""

import re
from datetime import datetime, timedelta, timezone

import pytest
from nameko.standalone.rpc import ClusterRpcProxy

from services.common.clock import isoformat
from tests.fixtures.callers import signed

ISO_MILLIS = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z"


@pytest.fixture
def services(stack):
    """The services the gateway calls, on the stack's own broker."""
    with ClusterRpcProxy({"AMQP_URI": stack.env["AMQP_URI"]}, timeout=20) as proxy:
        yield proxy


def test_a_thread_through_the_gateway_is_the_services_answer(world, services):
    company_id = world.vendor("shop")
    product_id = world.product("lamp", company_id)
    token, user_id = world.customer("ann")
    thread_id = world.ask(token, "product", product_id, "Is it brass?")
    customer = {"user_id": user_id, "role": "customer", "name": "Customer ann", "email": f"{user_id}@buyers.test"}

    through_gateway = world.stack.call("GET", f"/v1/threads/{thread_id}", token)
    assert through_gateway.status_code == 200, through_gateway.text
    answer = services.conversations.get_thread(signed(customer), thread_id)

    assert through_gateway.json() == answer
    assert "_id" not in answer and answer["id"] == thread_id
    assert answer["context"]["name"] == "Brass Desk Lamp"
    for written in (answer["created_at"], answer["messages"]["items"][0]["created_at"], answer["context_as_of"]):
        assert re.fullmatch(ISO_MILLIS, written), written


def test_the_response_figures_are_named_by_the_service_as_the_contract_says(world, services):
    admin = {
        "user_id": world.id("admin"),
        "role": "admin",
        "name": "Admin",
        "email": f"{world.id('admin')}@marketplace.test",
    }
    start = datetime.now(timezone.utc).replace(microsecond=0) - timedelta(days=1)
    window = {"from": isoformat(start), "to": isoformat(start + timedelta(days=2))}

    through_gateway = world.stack.call("GET", "/v1/reports/response-times", world.admin(), params=window)
    assert through_gateway.status_code == 200, through_gateway.text
    answer = services.conversations.response_times(signed(admin), window)

    assert answer["from"] == window["from"] and answer["to"] == window["to"]
    assert "date_from" not in answer
    assert through_gateway.json() == answer
