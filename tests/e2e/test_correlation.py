"""One message followed from the customer's click to the services that handled it: the id the
client sent (X-Request-ID) comes back in the answer and is on the conversations service's line
for the post, on the notifications service's line for its event, and in the header of the mail
it caused (services/common/correlation.py)."""

import re
import uuid


def log_of(world, process):
    return (world.stack.log_dir / f"{process}.log").read_text(errors="replace")


def test_a_posted_message_is_followed_by_its_request_id_through_the_services(world):
    shop = world.vendor("shop")
    customer, _ = world.customer("ann")
    thread_id = world.ask(customer, "company", shop, "Hello?")
    trace = f"click-{uuid.uuid4().hex[:12]}"
    answer = world.post(customer, thread_id, "Is it brass?", headers={"X-Request-ID": trace})
    assert answer.status_code == 201 and answer.headers["X-Request-ID"] == trace
    message_id = answer.json()["id"]
    world.wait(lambda: re.search(rf"\[{trace}\] message {message_id} posted", log_of(world, "conversations")))
    world.wait(
        lambda: re.search(rf"\[{trace}\] message_posted of thread {thread_id} received", log_of(world, "notifications"))
    )


def test_the_mail_a_question_causes_carries_its_request_id(world):
    shop = world.vendor("lamps")
    customer, _ = world.customer("cy")
    trace = f"click-{uuid.uuid4().hex[:12]}"
    answer = world.stack.call(
        "POST",
        "/v1/threads",
        customer,
        headers={"X-Request-ID": trace},
        json={
            "type": "vendor_to_customer",
            "object": {"type": "company", "id": shop},
            "message": "Do you ship abroad?",
        },
    )
    assert answer.status_code == 201, answer.text
    [mail] = world.stack.mail.wait_for_to(f"sales-{shop}@vendors.test", 1)
    assert mail["X-Correlation-ID"] == trace and "Do you ship abroad?" in mail.get_body(("plain",)).get_content()


def test_a_request_without_an_id_or_with_a_forged_one_gets_a_new_one(world):
    customer, _ = world.customer("bob")
    for sent in ({}, {"X-Request-ID": "two words"}):
        answer = world.stack.call("GET", "/v1/unread", customer, headers=sent)
        assert answer.status_code == 200 and re.fullmatch(r"[0-9a-f]{32}", answer.headers["X-Request-ID"])
