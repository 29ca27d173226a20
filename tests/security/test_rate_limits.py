"""No single person can flood the marketplace: conversations started, messages posted and
unknown objects asked about are limited per person, across replicas (counted in the database)."""

import pytest
from nameko.standalone.rpc import ClusterRpcProxy

from services.catalog_context.service import CatalogContextService
from services.common.caller import STOREFRONT_SYNC
from services.common.errors import RateLimited
from services.conversations.service import ConversationsService
from tests.fixtures.callers import signed

SYNC = STOREFRONT_SYNC
VENDOR = {"user_id": "v1", "role": "vendor", "company_id": "10", "name": "Bob"}


def customer(number: int) -> dict:
    return {"user_id": f"c{number}", "role": "customer", "name": f"Customer {number}"}


def ask(rpc, who: dict, product: int = 5) -> dict:
    return rpc.conversations.start_thread(
        signed(who),
        {"type": "vendor_to_customer", "object": {"type": "product", "id": str(product)}, "message": "Is it in stock?"},
    )


@pytest.fixture
def rpc(container_factory, service_config):
    limited = {
        **service_config,
        "LIMIT_THREADS_PER_HOUR": 2,
        "LIMIT_MESSAGES_PER_MINUTE_CUSTOMER": 4,
        "LIMIT_MESSAGES_PER_MINUTE_STAFF": 6,
        "LIMIT_UNKNOWN_LOOKUPS_PER_MINUTE": 3,
    }
    for service in (CatalogContextService, ConversationsService):
        container_factory(service, limited).start()
    with ClusterRpcProxy(service_config, timeout=20) as proxy:
        proxy.catalog_context.upsert_vendor(
            signed(SYNC), {"company_id": 10, "company": "Lamp Shop", "email": "shop@vendors.test", "status": "A"}
        )
        for product in (5, 6, 7):
            proxy.catalog_context.upsert_product(
                signed(SYNC),
                {"product_id": product, "product": f"Lamp {product}", "price": 10, "company_id": 10, "status": "A"},
            )
        yield proxy


def test_a_customer_starts_only_so_many_conversations_an_hour(rpc):
    ask(rpc, customer(1), 5)
    ask(rpc, customer(1), 6)
    with pytest.raises(RateLimited) as refused:
        ask(rpc, customer(1), 7)
    assert 1 <= int(refused.value.details["retry_after"]) <= 3600
    assert ask(rpc, customer(2), 7)["created"] is True  # someone else is not held back
    # asking again about a product with an open thread adds a message: no new conversation
    assert ask(rpc, customer(1), 5)["created"] is False


def test_messages_a_minute_are_limited_per_person_and_a_retry_of_a_sent_one_is_not_counted(rpc):
    thread_id = ask(rpc, customer(1))["thread"]["id"]  # the first of 4 messages this minute
    for number in range(3):
        rpc.conversations.post_message(signed(customer(1)), thread_id, {"body": f"more {number}"}, f"key-{number}")
    assert (
        rpc.conversations.post_message(signed(customer(1)), thread_id, {"body": "more 0"}, "key-0")["text"] == "more 0"
    )
    with pytest.raises(RateLimited) as refused:
        rpc.conversations.post_message(signed(customer(1)), thread_id, {"body": "one too many"})
    assert 1 <= int(refused.value.details["retry_after"]) <= 60
    # staff have a limit of their own, and answer
    for number in range(6):
        rpc.conversations.post_message(signed(VENDOR), thread_id, {"body": f"answer {number}"})
    with pytest.raises(RateLimited):
        rpc.conversations.post_message(signed(VENDOR), thread_id, {"body": "answer 7"})
    texts = [m["text"] for m in rpc.conversations.list_messages(signed(customer(1)), thread_id, {"limit": 50})["items"]]
    assert "one too many" not in texts and "answer 7" not in texts and texts.count("more 0") == 1


def test_asking_about_unknown_products_stops_after_a_few(rpc):
    from services.common.errors import NotFound

    for number in range(3):
        with pytest.raises(NotFound):
            ask(rpc, customer(3), 900 + number)
    with pytest.raises(RateLimited):
        ask(rpc, customer(3), 5)  # even a known one, until the window ends
    assert ask(rpc, customer(4), 5)["created"] is True


def test_over_a_limit_the_gateway_answers_429_with_retry_after(world):
    customer_token, _ = world.customer("prober")
    answers = []
    # The limit counts per fixed minute: a burst that crosses into the next minute has its
    # 30 there too, so the refusal comes after 30 unknown products, or after up to 60.
    while len(answers) <= 60 and (not answers or answers[-1].status_code == 404):
        answers.append(
            world.stack.call(
                "POST",
                "/v1/threads",
                customer_token,
                json={
                    "type": "vendor_to_customer",
                    "object": {"type": "product", "id": world.id(f"nothing{len(answers)}")},
                    "message": "Hello?",
                },
            )
        )
    last = answers[-1]
    assert 30 <= len(answers) - 1 <= 60, [answer.status_code for answer in answers]
    assert last.status_code == 429, last.text
    assert last.json()["error"]["code"] == "rate_limited"
    assert 1 <= int(last.headers["Retry-After"]) <= 60
