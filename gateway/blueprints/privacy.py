"""A customer's data on request (docs/privacy.md): the export, for the customer themself and for
the administration's staff holding manage_privacy, and the erasure, for those staff.

An export is read a page at a time, so that a customer with 50,000 messages holds no worker for
minutes: the conversations' pages first, then the notifications'. The cursor says which
service's page comes next and where in it; each service checks the caller again.
"""

from services.common import cursors
from services.contracts import privacy as schemas

from ..auth import require_role, signed
from ..edge import Blueprint
from ..rpc import rpc

blp = Blueprint("privacy", __name__, url_prefix="/v1", description="A customer's data: export and erasure")

CONVERSATIONS, NOTIFICATIONS = "conversations", "notifications"


@blp.route("/privacy/customers/<customer_id>")
@blp.arguments(schemas.ExportQuery, location="query")
@blp.response(200, schemas.ExportPage)
def export(query, customer_id):
    """Everything kept about the customer, a page at a time: their conversations with every
    message (theirs and the answers, files as 5-minute links), then the mails sent to them, their
    bell items, reply addresses and mail preferences. Follow `next_cursor` until it is null; a
    cursor that is not one an earlier page gave is a 422."""
    return _export_page(customer_id, query)


@blp.route("/privacy/me")
@blp.arguments(schemas.ExportQuery, location="query")
@blp.response(200, schemas.ExportPage)
def my_export(query):
    """The signed-in customer's own export, as `GET /v1/privacy/customers/{their id}` (a cursor
    that is not one an earlier page gave is a 422)."""
    return _export_page(require_role("customer").user_id, query)


def _export_page(customer_id: str, query: dict) -> dict:
    service, position = cursors.decode(query["cursor"], 2) if query.get("cursor") else (CONVERSATIONS, "")
    if service not in (CONVERSATIONS, NOTIFICATIONS):
        raise cursors.invalid()
    page: dict = {"customer": None, "conversations": [], "preferences": None, "notifications": []}
    next_cursor: str | None
    if service == CONVERSATIONS:
        part = rpc().conversations.export_customer(
            signed(), customer_id, {"cursor": position or None, "limit": query["limit"]}
        )
        following = part["next_cursor"]
        page.update(customer=part["customer"], conversations=part["conversations"])
        next_cursor = cursors.encode(CONVERSATIONS, following) if following else cursors.encode(NOTIFICATIONS, "")
    else:
        part = rpc().notifications.export_customer(signed(), customer_id, position or None, query["limit"])
        page.update(preferences=part["preferences"], notifications=part["items"])
        next_cursor = cursors.encode(NOTIFICATIONS, part["next_cursor"]) if part["next_cursor"] else None
    return {**page, "next_cursor": next_cursor}


@blp.route("/privacy/customers/<customer_id>", methods=["DELETE"])
@blp.response(202, schemas.ErasureStarted)
def erase(customer_id):
    """Erase the customer's data everywhere: 202 with the erasure, `running` until every service
    has forgotten them (`GET /v1/privacy/erasures/{id}`). Asking again while it runs answers the
    same erasure; asking after it is done starts one that finds nothing."""
    return rpc().conversations.erase_customer(signed(), customer_id)


@blp.route("/privacy/erasures/<erasure_id>")
@blp.response(200, schemas.Erasure)
def erasure(erasure_id):
    """An erasure: `running` or `done`, with the counts of what was erased. It names nobody: a
    keyed hash of the customer's id, who asked, and when."""
    return rpc().conversations.erasure_status(signed(), erasure_id)
