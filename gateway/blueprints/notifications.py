"""The in-app bell, mail preferences, and (for the administration) webhooks and failed mail."""
from flask.views import MethodView
from flask_smorest import Blueprint

from services.notifications import schemas

from ..auth import current_caller, require_role
from ..rpc import rpc

blp = Blueprint("notifications", __name__, url_prefix="/v1",
                description="Notifications: the bell, preferences, webhooks")


@blp.route("/notifications")
@blp.arguments(schemas.NotificationQuerySchema, location="query")
@blp.response(200, schemas.NotificationPageSchema)
def bell(query):
    """The caller's notifications, newest first, with the unread count (`unread=true` for the
    unread ones only). A vendor's are shared by the company's staff; the administration's by
    every admin."""
    return rpc().notifications.list_notifications(current_caller().to_dict(), query["unread"],
                                                  query["cursor"], query["limit"])


@blp.route("/notifications/read", methods=["POST"])
@blp.arguments(schemas.MarkReadSchema)
@blp.response(200, schemas.MarkedSchema)
def mark_read(body):
    """Mark notifications read: `{"ids": [...]}` or `{"all": true}`."""
    return rpc().notifications.mark_read(current_caller().to_dict(), ids=body["ids"], all=body["all"])


@blp.route("/notifications/preferences")
class Preferences(MethodView):
    @blp.response(200, schemas.PreferencesSchema)
    def get(self):
        """Which communication types the caller wants mail about."""
        return rpc().notifications.get_preferences(current_caller().to_dict())

    @blp.arguments(schemas.PreferencesSchema)
    @blp.response(200, schemas.PreferencesSchema)
    def put(self, body):
        """Opt in or out of mail per communication type; the types not given keep their
        setting. The marketplace's announcements come whatever is set here."""
        return rpc().notifications.set_preferences(current_caller().to_dict(), body)


@blp.route("/notifications/failed")
@blp.arguments(schemas.FailedQuerySchema, location="query")
@blp.response(200, schemas.FailedPageSchema)
def failed(query):
    """Mail that could not be delivered after every retry (administration only)."""
    require_role("admin")
    return rpc().notifications.list_failed(query["cursor"], query["limit"])


@blp.route("/webhooks")
class Webhooks(MethodView):
    @blp.response(200, schemas.WebhookListSchema)
    def get(self):
        """The registered endpoints with their latest delivery results (administration only)."""
        require_role("admin")
        return rpc().notifications.list_webhooks()

    @blp.arguments(schemas.WebhookRegistrationSchema)
    @blp.response(201, schemas.NewWebhookSchema)
    def post(self, body):
        """Register an endpoint for `message_posted` and/or `thread_started`. Each call is
        signed: `X-MessageCenter-Signature: sha256=<hex HMAC-SHA256 of the body>`. The secret
        is shown in this answer only (administration only)."""
        require_role("admin")
        return rpc().notifications.register_webhook(body["url"], body["events"], body["secret"])


@blp.route("/webhooks/<webhook_id>", methods=["DELETE"])
@blp.response(204)
def delete_webhook(webhook_id):
    """Remove an endpoint; deliveries still waiting for it are dropped (administration only)."""
    require_role("admin")
    rpc().notifications.delete_webhook(webhook_id)
