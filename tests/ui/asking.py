"""A customer's question through the API, as the browser tests set their scene with it."""

# A second question about the same object goes on in the customer's open conversation (200).
NEW_OR_GOING_ON = (200, 201)


def ask(stack, token: str, object_type: str, object_id: str, message: str, statuses=NEW_OR_GOING_ON) -> dict:
    """The answer's body (`thread`, `message`) to `POST /v1/threads` about the object; its
    status must be one of `statuses`."""
    answer = stack.call(
        "POST",
        "/v1/threads",
        token,
        json={"type": "vendor_to_customer", "object": {"type": object_type, "id": object_id}, "message": message},
    )
    assert answer.status_code in statuses, answer.text
    return answer.json()
