"""Announcements from the administration to many vendors, with read receipts."""

from services.contracts import conversations as schemas

from ..auth import signed
from ..edge import Blueprint
from ..rpc import rpc

blp = Blueprint("broadcasts", __name__, url_prefix="/v1", description="Announcements to vendors")


@blp.route("/broadcasts", methods=["POST"])
@blp.arguments(schemas.NewBroadcast)
@blp.response(202, schemas.BroadcastCreated)
def create(body):
    """One private vendor_to_admin thread per vendor (every active vendor for "all")."""
    return rpc().conversations.broadcast(signed(), body)


@blp.route("/broadcasts/<broadcast_id>")
@blp.response(200, schemas.BroadcastStatus)
def status(broadcast_id):
    """How many vendors have read the announcement, and when each did."""
    return rpc().conversations.broadcast_status(signed(), broadcast_id)
