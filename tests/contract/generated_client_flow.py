"""A customer asks about a product, the vendor's staff answer, the customer reads the answer:
all through the client openapi-python-client generated from /openapi.json, and nothing else.

Run by tests/contract/test_generated_client.py with .venv-contract's python (the generated code
needs httpx and attrs, which the suite's virtualenv does not have), as
`python generated_client_flow.py <folder holding the client package> <setup as JSON>`;
it prints what each person saw, as JSON, for the test to judge.
"""

import json
import sys

sys.path.insert(0, sys.argv[1])
setup = json.loads(sys.argv[2])

from message_center_client import AuthenticatedClient  # noqa: E402 (the package is generated at run time)
from message_center_client.api.threads import (  # noqa: E402
    get_v1_threads,
    get_v1_threads_thread_id,
    post_v1_threads,
    post_v1_threads_thread_id_messages,
)
from message_center_client.models import NewMessage, NewThread, NewThreadType, ObjectRef, ObjectRefType  # noqa: E402


def signed_in(token: str) -> AuthenticatedClient:
    # An answer the document does not list raises instead of passing as None.
    return AuthenticatedClient(base_url=setup["url"], token=token, raise_on_unexpected_status=True)


customer, staff = signed_in(setup["customer"]), signed_in(setup["staff"])

asked = post_v1_threads.sync_detailed(
    client=customer,
    body=NewThread(
        type_=NewThreadType.VENDOR_TO_CUSTOMER,
        object_=ObjectRef(type_=ObjectRefType.PRODUCT, id=setup["product"]),
        message="Is the lamp solid brass?",
    ),
)
thread_id = asked.parsed.thread.id

inbox = get_v1_threads.sync(client=staff)
in_the_inbox = next(thread for thread in inbox.items if thread.id == thread_id)

answered = post_v1_threads_thread_id_messages.sync_detailed(
    thread_id, client=staff, body=NewMessage(body="Yes, solid brass, polished by hand.")
)

detail = get_v1_threads_thread_id.sync(thread_id, client=customer)

print(
    json.dumps(
        {
            "asked": {
                "status": asked.status_code.value,
                "created": asked.parsed.created,
                "type": asked.parsed.thread.type_,
            },
            "inbox": {
                "subject": in_the_inbox.subject,
                "preview": in_the_inbox.last_message.preview,
                "awaiting_reply_from": in_the_inbox.awaiting_reply_from,
                "unread_count": in_the_inbox.unread_count,
            },
            "answered": {"status": answered.status_code.value, "side": answered.parsed.author.side},
            "read": {
                "status": detail.status,
                "awaiting_reply_from": detail.awaiting_reply_from,
                "conversation": [(message.author.side, message.text) for message in detail.messages.items],
            },
        }
    )
)
