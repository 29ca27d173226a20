"""The notifications service: nameko entrypoints only; the rules are in rules.py, the work in
delivery.py, bell.py and (a customer's data: export, erasure, retention) privacy.py."""

import logging

from nameko.dependency_providers import Config
from nameko.events import BROADCAST, SERVICE_POOL, EventDispatcher
from nameko.timer import timer

from services.common import cursors
from services.common.access import may_administer
from services.common.caller import NOTIFICATIONS_SERVICE, Caller
from services.common.catalog_client import Catalog
from services.common.config import load_settings
from services.common.entrypoints import event_handler, rpc
from services.common.errors import Forbidden
from services.common.events import (
    CATALOG,
    CONTEXT_CHANGED,
    CONVERSATIONS,
    MESSAGE_POSTED,
    REPLY_OVERDUE,
    THREAD_READ,
    THREAD_STARTED,
    VENDOR_DELETED,
)
from services.common.correlation import Correlation
from services.common.liveness import Heartbeat
from services.common.service_metrics import ServiceMetrics
from services.common.loading import load
from services.common.mongo import Mongo
from services.common.signing import SignedCallers
from services.contracts import notifications as contract

from . import bell, delivery, privacy, replies, schemas, webhooks
from .conversations_client import Conversations
from .mail import Mailer
from .rules import merge_settings
from .store import NotificationStore
from .webhooks import Webhooks

log = logging.getLogger(__name__)

# How often planned mail and webhook calls are looked for (coalescing windows end, retries).
TICK_SECONDS = 1.0
# A vendor's address is read for every message to the vendor: kept this long, and forgotten at
# once when the catalog announces a change (on_vendor_changed).
VENDOR_SECONDS = 300.0


class NotificationsService:
    name = "notifications"

    config = Config()
    store = Mongo(NotificationStore, remembers=True, ours=True)
    catalog = Catalog(NOTIFICATIONS_SERVICE, remember_vendors=VENDOR_SECONDS)
    conversations = Conversations()
    outbox = Mailer()
    poster = Webhooks()
    dispatch = EventDispatcher()  # the bell's news, for push (bell.announce)
    callers = SignedCallers()
    alive = Heartbeat()
    correlation_id = Correlation()  # the request this work is for, on its log lines
    metrics = ServiceMetrics()

    # Durable queues, acknowledged when the handler returns: an event published while this
    # service is down waits for it. A handler that could not even keep the event (the
    # database is down) raises, and the event goes back to the queue (delivery.on_event).
    @event_handler(
        CONVERSATIONS, MESSAGE_POSTED, handler_type=SERVICE_POOL, reliable_delivery=True, requeue_on_error=True
    )
    def on_message_posted(self, payload):
        self._receive(MESSAGE_POSTED, payload)

    @event_handler(
        CONVERSATIONS, THREAD_STARTED, handler_type=SERVICE_POOL, reliable_delivery=True, requeue_on_error=True
    )
    def on_thread_started(self, payload):
        self._receive(THREAD_STARTED, payload)

    @event_handler(
        CONVERSATIONS, REPLY_OVERDUE, handler_type=SERVICE_POOL, reliable_delivery=True, requeue_on_error=True
    )
    def on_reply_overdue(self, payload):
        """A question left unanswered: the vendor is reminded, or the administration told."""
        self._receive(REPLY_OVERDUE, payload)

    @event_handler(CONVERSATIONS, THREAD_READ, handler_type=SERVICE_POOL, reliable_delivery=True, requeue_on_error=True)
    def on_thread_read(self, payload):
        """A side read a thread: its items of the thread on that side's bell are read."""
        bell.announce(self.dispatch, bell.thread_read(self.store, payload))

    def _receive(self, event, payload):
        log.info("%s of thread %s received", event, payload.get("thread", {}).get("id"))
        delivery.on_event(
            self.store, self.catalog, self.outbox, load_settings(self.config), event, payload, self.dispatch
        )

    # Every replica hears these (BROADCAST): each forgets what it remembered of the vendor.
    @event_handler(CATALOG, CONTEXT_CHANGED, handler_type=BROADCAST, reliable_delivery=False)
    def on_context_changed(self, payload):
        if payload["object"]["type"] == "company":
            self.catalog.forget_vendor(str(payload["object"]["id"]))

    @event_handler(CATALOG, VENDOR_DELETED, handler_type=BROADCAST, reliable_delivery=False)
    def on_vendor_deleted(self, payload):
        self.catalog.forget_vendor(str(payload["company_id"]))

    @timer(interval=TICK_SECONDS)
    def deliver_due(self):
        delivery.on_tick(self.store, self.catalog, self.outbox, load_settings(self.config), self.dispatch)

    # A timer of their own: the calls of a round go out side by side, and an endpoint slow to
    # answer delays its own calls only (never the mail, the bell or an RPC).
    @timer(interval=TICK_SECONDS)
    def call_webhooks(self):
        delivery.call_due_webhooks(self.store, self.poster, load_settings(self.config).WEBHOOK_CALLS_AT_ONCE)

    # the in-app bell and preferences ---------------------------------------------------------

    @rpc
    def list_notifications(self, caller, unread=None, cursor=None, limit=20):
        query = load(contract.NotificationQuerySchema(), {"unread": unread, "cursor": cursor, "limit": limit})
        found = bell.page(self.store, self.callers.verified(caller), query["unread"], query["cursor"], query["limit"])
        return contract.NotificationPageSchema().dump(found)

    @rpc
    def mark_read(self, caller, ids=None, all=False):
        request = load(contract.MarkReadSchema(), {"ids": ids, "all": all})
        return contract.MarkedSchema().dump(
            bell.mark_read(self.store, self.callers.verified(caller), request["ids"], request["all"])
        )

    @rpc
    def get_preferences(self, caller):
        return contract.PreferencesSchema().dump(bell.preferences(self.store, self.callers.verified(caller)))

    @rpc
    def set_preferences(self, caller, prefs):
        change = load(contract.PreferencesSchema(), prefs)
        return contract.PreferencesSchema().dump(
            bell.set_preferences(self.store, self.callers.verified(caller), change)
        )

    # the administration's settings, failures and webhooks: each checks its caller ------------

    @rpc
    def get_rules(self, caller):
        _administration(self.callers.verified(caller))
        return schemas.NotificationSettingsSchema().dump(self.store.settings())

    @rpc
    def set_rules(self, caller, rules):
        _administration(self.callers.verified(caller), "manage_settings")
        change = load(schemas.NotificationSettingsSchema(), rules, partial=True)
        merged = merge_settings(self.store.settings(), change)
        self.store.save_settings(merged)
        return schemas.NotificationSettingsSchema().dump(merged)

    @rpc
    def list_failed(self, caller, cursor=None, limit=50):
        _administration(self.callers.verified(caller), "manage_settings")  # failed mail names its recipients
        query = load(contract.FailedQuerySchema(), {"cursor": cursor, "limit": limit})
        # The store pages by the last id seen; the client holds it as a cursor of the one scheme.
        after = cursors.decode(query["cursor"], 1)[0] if query["cursor"] else None
        items, last_id = self.store.failed_mails(after, query["limit"])
        return contract.FailedPageSchema().dump(
            {"items": items, "next_cursor": cursors.encode(last_id) if last_id else None}
        )

    @rpc
    def register_webhook(self, caller, url, events, secret=None):
        webhooks.authorize(self.callers.verified(caller))
        registration = load(schemas.WebhookRegistrationSchema(), {"url": url, "events": events, "secret": secret})
        return contract.NewWebhookSchema().dump(
            webhooks.register(
                self.store, self.poster.addresses, registration, most=load_settings(self.config).WEBHOOKS_MAX
            )
        )

    @rpc
    def list_webhooks(self, caller):
        webhooks.authorize(self.callers.verified(caller))
        return contract.WebhookListSchema().dump({"items": webhooks.listing(self.store)})

    @rpc
    def test_webhook(self, caller, webhook_id):
        webhooks.authorize(self.callers.verified(caller))
        return contract.DeliveryResultSchema().dump(webhooks.ping(self.store, self.poster, webhook_id))

    @rpc
    def delete_webhook(self, caller, webhook_id):
        webhooks.authorize(self.callers.verified(caller))
        webhooks.remove(self.store, webhook_id)

    # a customer's data (issue 25): the export, for them or staff with manage_privacy; the
    # erasure and retention, for the conversations service, which decides what goes ----------

    @rpc
    def export_customer(self, caller, customer_id, cursor=None, limit=500):
        query = load(contract.CustomerExportQuery(), {"customer_id": customer_id, "cursor": cursor, "limit": limit})
        return contract.CustomerExportSchema().dump(privacy.export(self.store, self.callers.verified(caller), query))

    @rpc
    def erase_customer(self, caller, request):
        privacy.from_conversations(self.callers.verified(caller))
        erasure = load(contract.ErasureRequest(), request)
        return contract.ErasedSchema().dump(privacy.erase(self.store, erasure))

    @rpc
    def forget_threads(self, caller, thread_ids):
        privacy.from_conversations(self.callers.verified(caller))
        forgotten = load(contract.ThreadsToForget(), {"thread_ids": thread_ids})
        return contract.ForgottenSchema().dump(privacy.forget_threads(self.store, forgotten["thread_ids"]))

    # reply by mail ------------------------------------------------------------------------------
    # No caller: the signed reply address, from its recipient's own address, is the credential.
    # It lets the inbound process post in that one thread as that one person, and nothing else:
    # the person is signed here, for the one call that posts (conversations_client.py).

    def _reply_author(self, query: dict):
        """(what the reply address gave, the person it posts as): replies.author's answer."""
        return replies.author(
            self.store,
            self.catalog,
            self.conversations,
            load_settings(self.config),
            query["reply_address"],
            query["sender"],
        )

    @rpc
    def reply_author(self, reply_address, sender):
        """Whom a reply by mail posts as (replies.py): checked before its files are kept."""
        query = load(contract.ReplyAuthorQuery(), {"reply_address": reply_address, "sender": sender})
        given, person = self._reply_author(query)
        return contract.ReplyAuthor().dump(
            {
                "thread_id": given["thread_id"],
                "side": given["side"],
                "poster": {"role": person.role, "user_id": person.user_id},
            }
        )

    @rpc
    def admit_reply_upload(self, reply_address, sender, size):
        """Before a file of a reply by mail is kept: its author's uploads a minute and quota, as
        the conversations service counts every upload (429 and 413 come back as themselves)."""
        query = load(contract.ReplyAuthorQuery(), {"reply_address": reply_address, "sender": sender})
        _, person = self._reply_author(query)
        self.conversations.admit_upload(person, size)

    @rpc
    def post_reply(self, reply_address, sender, message, idempotency_key):
        """Post a reply by mail as its author: the conversations service's answer, or its refusal."""
        query = load(
            contract.ReplyPost(),
            {"reply_address": reply_address, "sender": sender, "message": message, "idempotency_key": idempotency_key},
        )
        given, person = self._reply_author(query)
        return self.conversations.post_message(person, given["thread_id"], query["message"], query["idempotency_key"])

    @rpc
    def health(self):
        self.store.ping()
        return True


def _administration(who: Caller, permission: str | None = None) -> None:
    """Any admin reads the rules; changing them, and reading failures, needs `permission`."""
    if not (who.is_admin and (permission is None or may_administer(who, permission))):
        raise Forbidden("This is the administration's" + (f" (permission {permission})." if permission else "."))
