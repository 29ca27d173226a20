"""The in-app bell, mail preferences, and (for the administration) webhooks and failed mail."""

import functools

from flask.views import MethodView

from services.common.access import may_manage_webhooks
from services.common.errors import Forbidden
from services.contracts import notifications as schemas

from ..auth import current_caller, require_role, signed
from ..edge import Blueprint
from ..rpc import rpc

blp = Blueprint(
    "notifications", __name__, url_prefix="/v1", description="Notifications: the bell, preferences, webhooks"
)


@blp.route("/notifications")
@blp.arguments(schemas.NotificationQuerySchema, location="query")
@blp.response(200, schemas.NotificationPageSchema)
def bell(query):
    """The caller's notifications, newest first, with the unread count (`unread=true` for the
    unread ones only). A vendor's are shared by the company's staff; the administration's by
    every admin."""
    return rpc().notifications.list_notifications(signed(), query["unread"], query["cursor"], query["limit"])


@blp.route("/notifications/read", methods=["POST"])
@blp.arguments(schemas.MarkReadSchema)
@blp.response(200, schemas.MarkedSchema)
def mark_read(body):
    """Mark notifications read: `{"ids": [...]}` or `{"all": true}`."""
    return rpc().notifications.mark_read(signed(), ids=body["ids"], all=body["all"])


@blp.route("/notifications/preferences")
class Preferences(MethodView):
    @blp.response(200, schemas.PreferencesSchema)
    def get(self):
        """Which communication types the caller wants mail about."""
        return rpc().notifications.get_preferences(signed())

    @blp.arguments(schemas.PreferencesSchema)
    @blp.response(200, schemas.PreferencesSchema)
    def put(self, body):
        """Opt in or out of mail per communication type; the types not given keep their
        setting. The marketplace's announcements come whatever is set here."""
        return rpc().notifications.set_preferences(signed(), body)


@blp.route("/notifications/failed")
@blp.arguments(schemas.FailedQuerySchema, location="query")
@blp.response(200, schemas.FailedPageSchema)
def failed(query):
    """Mail that could not be delivered after every retry (administration only)."""
    require_role("admin")
    return rpc().notifications.list_failed(signed(), query["cursor"], query["limit"])


def manages_webhooks(view):
    """Before the body is read: a caller who may not manage webhooks learns nothing from a 422.
    The service checks the caller again."""

    @functools.wraps(view)
    def checked(*args, **kwargs):
        if not may_manage_webhooks(current_caller()):
            raise Forbidden("Webhooks are managed by admins with the manage_webhooks permission.")
        return view(*args, **kwargs)

    return checked


@blp.route("/webhooks")
class Webhooks(MethodView):
    decorators = [manages_webhooks]

    @blp.response(200, schemas.WebhookListSchema)
    def get(self):
        """The registered endpoints with their latest delivery results (admins with the
        `manage_webhooks` permission)."""
        return rpc().notifications.list_webhooks(signed())

    @blp.arguments(schemas.WebhookRegistrationSchema)
    @blp.response(201, schemas.NewWebhookSchema)
    def post(self, body):
        """Register an endpoint for `message_posted` and/or `thread_started`. Each call is
        signed: `X-MessageCenter-Signature: sha256=<hex HMAC-SHA256 of the body>`. The secret
        is shown in this answer only. The URL must lead to a public address: a private, local
        or reserved one is a 422, as is a host outside the operators' list (WEBHOOK_HOSTS) and
        an endpoint past the marketplace's WEBHOOKS_MAX (admins with the `manage_webhooks`
        permission). Calls are made within a second or two of the event, one at a time per
        endpoint, with a 10 s timeout."""
        return rpc().notifications.register_webhook(signed(), body["url"], body["events"], body["secret"])


@blp.route("/webhooks/<webhook_id>", methods=["DELETE"])
@blp.response(204)
@manages_webhooks
def delete_webhook(webhook_id):
    """Remove an endpoint; deliveries still waiting for it are dropped (admins with the
    `manage_webhooks` permission)."""
    rpc().notifications.delete_webhook(signed(), webhook_id)


@blp.route("/webhooks/<webhook_id>/test", methods=["POST"])
@blp.response(200, schemas.DeliveryResultSchema)
@manages_webhooks
def test_webhook(webhook_id):
    """Call the endpoint once now, to see that it answers.

    The call is a signed `ping` event (`{"id", "event": "ping", "occurred_at", "data": {}}`),
    checked and made as a delivery is; the answer says what came of it: `delivered` (a 2xx) or
    `failed`, with the status code or the reason. Nothing is kept or retried; the call waits at
    most 5 s (admins with the `manage_webhooks` permission)."""
    return rpc().notifications.test_webhook(signed(), webhook_id)
