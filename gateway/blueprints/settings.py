"""The marketplace's Message Center settings: which conversations exist, where the buttons
show, what happens to contact details in messages, and who is notified of what by which channel.

Conversations keep the first two, notifications the rules; this one resource shows both.
"""

from services.common.access import may_change_settings
from services.common.errors import Forbidden
from services.contracts.conversations import PublicSettings
from services.contracts.settings import MarketplaceSettings

from ..auth import require_role, signed
from ..edge import Blueprint
from ..rpc import rpc

blp = Blueprint("settings", __name__, url_prefix="/v1", description="Settings (administration)")


@blp.route("/settings")
@blp.response(200, MarketplaceSettings)
def read():
    """All settings (any admin)."""
    caller = signed(require_role("admin"))
    return {**rpc().conversations.get_all_settings(caller), "notifications": rpc().notifications.get_rules(caller)}


@blp.route("/settings", methods=["PUT"])
@blp.arguments(MarketplaceSettings)
@blp.response(200, MarketplaceSettings)
def update(body):
    """Change some settings; the ones not given keep their values (permission manage_settings).

    Both parts are authorised here and validated by the contract's schema before either is
    written; the notifications part, which its service judges further (which sides take part
    in an event kind), is written first, so a refused or invalid request changes nothing."""
    caller = require_role("admin")
    if not may_change_settings(caller):
        raise Forbidden("Changing the settings needs the permission manage_settings.")
    notification_rules = body.pop("notifications", None)
    rules = (
        rpc().notifications.set_rules(signed(caller), notification_rules)
        if notification_rules
        else rpc().notifications.get_rules(signed(caller))
    )
    return {**rpc().conversations.update_settings(signed(caller), body), "notifications": rules}


@blp.route("/settings/public")
@blp.doc(security=[])
@blp.response(200, PublicSettings)
def public():
    """What the storefront needs to decide whether to show its buttons (no token)."""
    return rpc().conversations.get_settings()
