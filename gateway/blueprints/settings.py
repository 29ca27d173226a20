"""The marketplace's Message Center settings: which conversations exist, where the buttons
show, and who is notified of what by which channel.

Conversations keep the first two, notifications the rules; this one resource shows both.
"""
from flask_smorest import Blueprint
from marshmallow import fields

from services.conversations import schemas
from services.notifications.schemas import NotificationSettingsSchema

from ..auth import require_role
from ..rpc import rpc

blp = Blueprint("settings", __name__, url_prefix="/v1", description="Settings (administration)")


class MarketplaceSettings(schemas.ConversationSettings):
    notifications = fields.Nested(NotificationSettingsSchema(partial=True), metadata={
        "description": "Per event kind and receiving side, the channels (email, in_app); the burst "
                       "window (coalesce_seconds) and the mail retry policy. A PUT may give part of it."})


@blp.route("/settings")
@blp.response(200, MarketplaceSettings)
def read():
    """All settings."""
    require_role("admin")
    proxy = rpc()
    return {**proxy.conversations.get_settings(), "notifications": proxy.notifications.get_rules()}


@blp.route("/settings", methods=["PUT"])
@blp.arguments(MarketplaceSettings)
@blp.response(200, MarketplaceSettings)
def update(body):
    """Change some settings; the ones not given keep their values."""
    caller = require_role("admin")
    proxy = rpc()
    notification_rules = body.pop("notifications", None)
    rules = proxy.notifications.set_rules(notification_rules) if notification_rules else proxy.notifications.get_rules()
    return {**proxy.conversations.update_settings(caller.to_dict(), body), "notifications": rules}


@blp.route("/settings/public")
@blp.doc(security=[])
@blp.response(200, schemas.ConversationSettings)
def public():
    """What the storefront needs to decide whether to show its buttons (no token)."""
    return rpc().conversations.get_settings()
