"""Saved replies and the away message: what a vendor's staff (or the administration) send
without writing it again. The conversations service decides who may (services/common/access.py)."""

from flask.views import MethodView

from services.contracts import conversations as schemas

from ..auth import signed
from ..edge import Blueprint
from ..nullable_objects import NULL
from ..rpc import rpc

blp = Blueprint("saved_replies", __name__, url_prefix="/v1", description="Saved replies and the away message")

# A vendor without an away message is told so with `null`: a page asks at every load, and
# having none is an answer, not a missing thing.
AWAY_OR_NULL = {"anyOf": [{"$ref": "#/components/schemas/AwayMessage"}, NULL]}


@blp.route("/saved-replies")
class SavedReplies(MethodView):
    @blp.response(200, schemas.SavedReplyList)
    def get(self):
        """The caller's saved replies, by title: its vendor's (shared by its staff), or the administration's."""
        return rpc().conversations.list_saved_replies(signed())

    @blp.arguments(schemas.NewSavedReply)
    @blp.response(201, schemas.SavedReply)
    def post(self, body):
        """Save a reply. An unknown placeholder is a 422 naming it; so is one more than SAVED_REPLIES_PER_OWNER."""
        return rpc().conversations.create_saved_reply(signed(), body)


@blp.route("/saved-replies/<reply_id>")
class SavedReply(MethodView):
    @blp.arguments(schemas.SavedReplyChange)
    @blp.response(200, schemas.SavedReply)
    def put(self, body, reply_id):
        """Change a saved reply's title or body; what is not given stays."""
        return rpc().conversations.update_saved_reply(signed(), reply_id, body)

    @blp.response(204)
    def delete(self, reply_id):
        """Delete a saved reply."""
        rpc().conversations.delete_saved_reply(signed(), reply_id)


@blp.route("/saved-replies/<reply_id>/filled")
@blp.arguments(schemas.FillQuery, location="query")
@blp.response(200, schemas.FilledReply)
def filled(query, reply_id):
    """The reply with one thread's values, for the reply box to insert; counts nothing (the message
    sent with `saved_reply_id` does)."""
    return rpc().conversations.fill_saved_reply(signed(), reply_id, query)


@blp.route("/away-message")
class AwayMessage(MethodView):
    @blp.arguments(schemas.AwayQuery, location="query")
    @blp.response(200, AWAY_OR_NULL)
    def get(self, query):
        """The vendor's away message, or `null` when it has none."""
        return rpc().conversations.get_away_message(signed(), query)

    @blp.arguments(schemas.AwayMessageSetting)
    @blp.response(200, schemas.AwayMessage)
    def put(self, body):
        """Set the vendor's automatic reply for a period: a customer's first message in a conversation
        during it is answered once, marked `automatic`; the vendor still owes the answer."""
        return rpc().conversations.set_away_message(signed(), body)

    @blp.response(204)
    def delete(self):
        """Turn the away message off."""
        rpc().conversations.clear_away_message(signed())
