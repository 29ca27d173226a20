"""The moderation of contact details: the messages held for review, the administration's
decisions on them, and the record of every decision. The conversations service decides who
may (services/common/access.py: the permission moderate_messages)."""

from services.contracts import conversations as schemas

from ..auth import signed
from ..edge import Blueprint
from ..rpc import rpc

blp = Blueprint("moderation", __name__, url_prefix="/v1", description="Moderation of contact details in messages")


@blp.route("/moderation")
@blp.arguments(schemas.ModerationQuery, location="query")
@blp.response(200, schemas.ReviewPage)
def reviews(query):
    """The messages held for review, oldest first, each with the contact details found in it;
    with `state`, the messages masked (their originals), approved or rejected, newest first."""
    return rpc().conversations.moderation_queue(signed(), query)


@blp.route("/moderation/decisions")
@blp.arguments(schemas.DecisionsQuery, location="query")
@blp.response(200, schemas.DecisionPage)
def decisions(query):
    """Every decision taken, the newest first: which message, who, when, approve or reject, why."""
    return rpc().conversations.moderation_decisions(signed(), query)


@blp.route("/moderation/<not(decisions):message_id>", methods=["POST"])
@blp.arguments(schemas.ModerationDecision)
@blp.response(200, schemas.Review)
def decide(body, message_id):
    """Approve a held message (it is delivered, with its notifications, as if it had just been
    posted) or reject it (its author sees the reason; the other side never sees it). The same
    decision again answers the same; the other one is a 409."""
    return rpc().conversations.decide_message(signed(), message_id, body)
