"""Who may call each endpoint: one table that the OpenAPI document states (`x-who-may-call`,
and in each operation's description) and that the gateway acts on before anything else: an
endpoint that needs a token reads it before its input is parsed, so a caller without a valid
token hears 401, not what the input should have been (a 422).

The services check the caller again (services/common/access.py); this table says what they
check, for the reader of the document. README "Who may do what" is the same table.
"""

from apispec import BasePlugin
from flask import request

from . import paths
from .auth import current_caller

# The words for a needed token; entries without them need none.
SIGNED_IN = "signed in"
THREADS = (
    f"{SIGNED_IN}: customers (their own threads), vendors (their company's), admins; reading needs "
    "view_<group>_communication, writing manage_<group>_communication (groups: vendor, order, admin)"
)
SAVED_REPLIES = (
    f"{SIGNED_IN}: vendors (their company's replies, shared by its staff) and admins (the "
    "administration's), holding manage_<group>_communication for some group; customers: 403"
)
AWAY = f"{SIGNED_IN}: vendors (their company's) with manage_vendor_communication or manage_order_communication"
# A file goes to whoever may read its thread: with a token, or by the 5-minute link a message's
# answer carries (an <img> sends no token), so the token is not asked for first.
SIGNED_LINK = "a signed link"
FILES = (
    f"{SIGNED_LINK} from a message's answer (5 minutes), or {SIGNED_IN}: whoever may read "
    "the message's thread (anyone else: 404)"
)
WHO_MAY_CALL = {
    ("GET", "/healthz"): "anyone (no token)",
    ("GET", "/readyz"): "anyone (no token)",
    ("GET", "/metrics"): "the scraper holding METRICS_TOKEN (404 when it is not set)",
    ("GET", "/ui/message-center.js"): "anyone (no token): the web component, for any origin",
    ("GET", "/v1/settings/public"): "anyone (no token): the storefront decides which buttons to show",
    ("GET", "/v1/threads"): THREADS,
    ("POST", "/v1/threads"): THREADS,
    ("GET", "/v1/threads/<thread_id>"): THREADS,
    ("PATCH", "/v1/threads/<thread_id>"): THREADS,
    ("DELETE", "/v1/threads/<thread_id>"): f"{SIGNED_IN}: admins with manage_<group>_communication",
    ("GET", "/v1/threads/<thread_id>/messages"): THREADS,
    ("POST", "/v1/threads/<thread_id>/messages"): THREADS,
    ("POST", "/v1/threads/<thread_id>/read"): THREADS,
    ("POST", "/v1/threads/bulk"): THREADS + "; deleting: admins only",
    ("GET", "/v1/unread"): THREADS,
    ("GET", "/v1/saved-replies"): SAVED_REPLIES,
    ("POST", "/v1/saved-replies"): SAVED_REPLIES,
    ("PUT", "/v1/saved-replies/<reply_id>"): SAVED_REPLIES,
    ("DELETE", "/v1/saved-replies/<reply_id>"): SAVED_REPLIES,
    ("GET", "/v1/saved-replies/<reply_id>/filled"): SAVED_REPLIES + "; the thread must be one the caller may write in",
    ("GET", "/v1/away-message"): f"{SIGNED_IN}: vendors (their company's), admins with view_vendor_communication "
    "or view_order_communication (naming company_id)",
    ("PUT", "/v1/away-message"): AWAY,
    ("DELETE", "/v1/away-message"): AWAY,
    ("POST", "/v1/uploads"): f"{SIGNED_IN}: customers, vendors and admins; the upload is its uploader's",
    ("GET", "/v1/uploads/limits"): "anyone (no token): a page checks a file before it sends it",
    ("GET", "/v1/attachments/<attachment_id>"): FILES,
    ("GET", "/v1/attachments/<attachment_id>/thumbnail"): FILES,
    ("POST", "/v1/broadcasts"): f"{SIGNED_IN}: admins with manage_admin_communication",
    ("GET", "/v1/broadcasts/<broadcast_id>"): f"{SIGNED_IN}: admins with view_admin_communication",
    ("GET", "/v1/settings"): f"{SIGNED_IN}: any admin",
    ("PUT", "/v1/settings"): f"{SIGNED_IN}: admins with manage_settings",
    ("GET", "/v1/notifications/failed"): f"{SIGNED_IN}: admins with manage_settings (failed mail names its recipients)",
    ("GET", "/v1/webhooks"): f"{SIGNED_IN}: admins with manage_webhooks",
    ("POST", "/v1/webhooks"): f"{SIGNED_IN}: admins with manage_webhooks",
    ("DELETE", "/v1/webhooks/<webhook_id>"): f"{SIGNED_IN}: admins with manage_webhooks",
    ("POST", "/v1/webhooks/<webhook_id>/test"): f"{SIGNED_IN}: admins with manage_webhooks",
    ("GET", "/v1/reports/response-times"): f"{SIGNED_IN}: admins with view_reports",
    ("GET", "/v1/moderation"): f"{SIGNED_IN}: admins with moderate_messages",
    ("GET", "/v1/moderation/decisions"): f"{SIGNED_IN}: admins with moderate_messages",
    ("POST", "/v1/moderation/<message_id>"): f"{SIGNED_IN}: admins with moderate_messages",
    ("GET", "/v1/catalog/vendors"): f"{SIGNED_IN}: admins with view_admin_communication or manage_admin_communication",
    (
        "PUT",
        "/v1/catalog/vendors/<company_id>",
    ): f"{SIGNED_IN}: the storefront's sync (system), admins with manage_catalog",
    (
        "DELETE",
        "/v1/catalog/vendors/<company_id>",
    ): f"{SIGNED_IN}: the storefront's sync (system), admins with manage_catalog",
    (
        "PUT",
        "/v1/catalog/products/<product_id>",
    ): f"{SIGNED_IN}: the storefront's sync (system), admins with manage_catalog",
    (
        "DELETE",
        "/v1/catalog/products/<product_id>",
    ): f"{SIGNED_IN}: the storefront's sync (system), admins with manage_catalog",
    (
        "PUT",
        "/v1/catalog/orders/<order_id>",
    ): f"{SIGNED_IN}: the storefront's sync (system), admins with manage_catalog",
    (
        "DELETE",
        "/v1/catalog/orders/<order_id>",
    ): f"{SIGNED_IN}: the storefront's sync (system), admins with manage_catalog",
    (
        "DELETE",
        "/v1/catalog/customers/<user_id>",
    ): f"{SIGNED_IN}: the storefront's sync (system), admins with manage_catalog",
    ("GET", "/v1/context/<object_type>/<object_id>"): f"{SIGNED_IN}: anyone; an order only to its customer, "
    "its vendor and admins",
    ("GET", "/v1/privacy/customers/<customer_id>"): f"{SIGNED_IN}: the customer themself, admins with manage_privacy",
    ("GET", "/v1/privacy/me"): f"{SIGNED_IN}: customers (their own data)",
    ("DELETE", "/v1/privacy/customers/<customer_id>"): f"{SIGNED_IN}: admins with manage_privacy",
    ("GET", "/v1/privacy/erasures/<erasure_id>"): f"{SIGNED_IN}: admins with manage_privacy",
    ("GET", "/v1/notifications"): f"{SIGNED_IN}: the person themselves",
    ("POST", "/v1/notifications/read"): f"{SIGNED_IN}: the person themselves",
    ("GET", "/v1/notifications/preferences"): f"{SIGNED_IN}: the person themselves",
    ("PUT", "/v1/notifications/preferences"): f"{SIGNED_IN}: the person themselves",
}


def needs_token(method: str, rule: str) -> bool:
    return WHO_MAY_CALL.get((method, paths.plain(rule)), "").startswith(SIGNED_IN)


def register(app) -> None:
    @app.before_request
    def token_first():
        rule = request.url_rule
        if rule is not None and needs_token(request.method, rule.rule):
            current_caller()


class Documented(BasePlugin):
    """apispec plugin: each documented operation states who may call it; one without a token
    says so (`security: []`)."""

    def operation_helper(self, path=None, operations=None, rule=None, **kwargs):
        for method, operation in (operations or {}).items():
            who = WHO_MAY_CALL.get((method.upper(), paths.plain(rule.rule))) if rule is not None else None
            # A blueprint registered from outside (dev/'s demo pages) states its own.
            who = who or operation.get("x-who-may-call")
            if who is None:
                continue
            operation["x-who-may-call"] = who
            operation["description"] = (operation.get("description", "") + f"\n\nWho may call: {who}.").strip()
            if who.startswith(SIGNED_LINK):
                operation["security"] = [{"bearer": []}, {}]  # the token, or none and the link
            elif not who.startswith(SIGNED_IN) and rule.rule != "/metrics":
                operation["security"] = []
