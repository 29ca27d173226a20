"""The marketplace's Message Center settings: which conversations exist, where buttons show."""
from flask_smorest import Blueprint

from services.conversations import schemas

from ..auth import require_role
from ..rpc import rpc

blp = Blueprint("settings", __name__, url_prefix="/v1", description="Settings (administration)")


@blp.route("/settings")
@blp.response(200, schemas.ConversationSettings)
def read():
    """All settings."""
    require_role("admin")
    return rpc().conversations.get_settings()


@blp.route("/settings", methods=["PUT"])
@blp.arguments(schemas.ConversationSettings)
@blp.response(200, schemas.ConversationSettings)
def update(body):
    """Change some settings; the ones not given keep their values."""
    caller = require_role("admin")
    return rpc().conversations.update_settings(caller.to_dict(), body)


@blp.route("/settings/public")
@blp.doc(security=[])
@blp.response(200, schemas.ConversationSettings)
def public():
    """What the storefront needs to decide whether to show its buttons (no token)."""
    return rpc().conversations.get_settings()
