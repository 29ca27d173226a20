"""The conversations service: nameko entrypoints only; each use case is a module of its own
(threads, messages, bulk, inbox, broadcasts, reports, settings, cascades, reminders, reviews).

Each RPC loads its input with the contract's schema on entry and dumps its answer with the
contract's answer schema on the way out (`answer`): what it returns is the wire form the
gateway forwards unchanged, so the contract decides what leaves and under which names
(README "One boundary")."""

import logging

from nameko.events import EventDispatcher
from nameko.timer import timer

from services.common.loading import load
from services.contracts import conversations as contract
from services.contracts import privacy as privacy_contract
from services.contracts.catalog import load_id
from services.common.entrypoints import event_handler, rpc
from services.common.events import CATALOG, CONTEXT_CHANGED, CUSTOMER_DELETED, VENDOR_DELETED
from services.common.caller import STOREFRONT_SYNC
from services.common.clock import now
from services.common.correlation import Correlation
from services.common.liveness import Heartbeat
from services.common.service_metrics import ServiceMetrics
from services.common.signing import SignedCallers

from . import (
    attachments,
    away,
    broadcasts,
    bulk,
    cascades,
    imports,
    inbox,
    messages,
    privacy,
    reminders,
    reports,
    reviews,
    saved_replies,
    settings,
    threads,
)
from .dependencies import (
    AttachmentKey,
    Background,
    Catalog,
    Notifications,
    PrivacyPolicy,
    PublishedMessages,
    RateLimits,
    ReminderPolicy,
    SavedReplyBounds,
    Store,
)
from .limits import admit_upload
from .outbox import Outbox

log = logging.getLogger(__name__)


class ConversationsService:
    name = "conversations"

    store = Store()
    catalog = Catalog()
    dispatch = EventDispatcher()
    published = PublishedMessages()
    background = Background()
    limits = RateLimits()
    reply_bounds = SavedReplyBounds()
    reminder_policy = ReminderPolicy()
    callers = SignedCallers()
    privacy_policy = PrivacyPolicy()
    notifications = Notifications()  # a customer's erasure and retention ask it to forget
    attachment_key = AttachmentKey()  # checked at start; presenters sign the links with it
    alive = Heartbeat()
    correlation_id = Correlation()  # the request this work is for, on its log lines
    metrics = ServiceMetrics()

    @property
    def outbox(self):
        return Outbox(self.store, self.dispatch, self.published, self.background)

    @rpc
    def health(self):
        self.store.get_settings()
        return True

    @rpc
    def start_thread(self, caller, request, idempotency_key=None):
        request = load(contract.NewThread(), request)
        return answer(
            contract.StartedThread,
            threads.start_thread(
                self.store,
                self.catalog,
                self.outbox,
                self.callers.verified(caller),
                request,
                idempotency_key,
                self.limits,
            ),
        )

    @rpc
    def post_message(self, caller, thread_id, request, idempotency_key=None):
        request = load(contract.NewMessage(), request)
        caller = self.callers.verified(caller)
        reply_id = request.get("saved_reply_id")
        body = (
            saved_replies.compose(self.store, self.catalog, caller, thread_id, request)
            if reply_id
            else request.get("body") or ""
        )
        posted = messages.post_message(
            self.store, self.outbox, caller, thread_id, body, idempotency_key, self.limits, request["attachments"]
        )
        if reply_id:
            saved_replies.count_use(self.store, reply_id, posted)
        return answer(contract.Message, posted)

    @rpc
    def list_threads(self, caller, query):
        return answer(
            contract.InboxPage,
            inbox.inbox(self.store, self.callers.verified(caller), load(contract.InboxQuery(), query)),
        )

    @rpc
    def get_thread(self, caller, thread_id):
        return answer(
            contract.ThreadDetail,
            threads.get_thread(self.store, self.catalog, self.callers.verified(caller), thread_id),
        )

    @rpc
    def list_messages(self, caller, thread_id, query):
        query = load(contract.MessagesQuery(), query)
        return answer(
            contract.MessagePage,
            messages.list_messages(
                self.store, self.callers.verified(caller), thread_id, query.get("before"), query["limit"]
            ),
        )

    @rpc
    def mark_read(self, caller, thread_id):
        return answer(
            contract.ReadState, threads.mark_read(self.store, self.callers.verified(caller), thread_id, self.outbox)
        )

    @rpc
    def set_status(self, caller, thread_id, request):
        request = load(contract.StatusChange(), request)
        return answer(
            contract.ThreadSummary,
            threads.set_status(self.store, self.callers.verified(caller), thread_id, request["status"]),
        )

    @rpc
    def delete_thread(self, caller, thread_id):
        threads.delete_thread(self.store, self.callers.verified(caller), thread_id, self.limits.files)

    @rpc
    def attachment(self, caller, attachment_id):
        """A file of a message, for the gateway to send: 404 unless the caller may read its thread."""
        return answer(
            contract.AttachmentFile, attachments.file_for(self.store, self.callers.verified(caller), attachment_id)
        )

    @rpc
    def admit_upload(self, caller, size):
        """Before a file is judged and kept (the gateway's upload, a mail's file): 429 past the
        caller's uploads a minute, 413 past their quota."""
        request = load(contract.UploadAdmission(), {"size": size})
        admit_upload(self.store, self.limits, self.callers.verified(caller), request["size"], now())

    @rpc
    def bulk(self, caller, request, idempotency_key=None):
        request = load(contract.Bulk(), request)
        return answer(
            contract.BulkResult,
            bulk.bulk(
                self.store,
                self.outbox,
                self.callers.verified(caller),
                request["action"],
                request["thread_ids"],
                request.get("body"),
                idempotency_key,
                self.limits,
            ),
        )

    @rpc
    def unread_counts(self, caller):
        return answer(contract.UnreadCounts, inbox.unread_counts(self.store, self.callers.verified(caller)))

    @rpc
    def broadcast(self, caller, request):
        request = load(contract.NewBroadcast(), request)
        announcement = broadcasts.broadcast(self.store, self.catalog, self.callers.verified(caller), request)
        store, outbox = self.store, self.outbox
        self.background(lambda: _deliver(store, outbox, announcement))
        return answer(contract.BroadcastCreated, announcement)  # its `_id` is the answer's `id`

    @rpc
    def broadcast_status(self, caller, broadcast_id):
        return answer(
            contract.BroadcastStatus,
            broadcasts.broadcast_status(self.store, self.callers.verified(caller), broadcast_id),
        )

    @rpc
    def response_times(self, caller, query):
        query = load(contract.ResponseTimesQuery(), query)
        return answer(contract.ResponseTimes, reports.response_times(self.store, self.callers.verified(caller), query))

    @rpc
    def get_settings(self):
        """No caller: the storefront reads these without a token (GET /v1/settings/public)."""
        return answer(contract.PublicSettings, settings.public(self.store))

    @rpc
    def get_all_settings(self, caller):
        return answer(
            contract.ConversationSettings, settings.for_administration(self.store, self.callers.verified(caller))
        )

    @rpc
    def update_settings(self, caller, values):
        values = load(contract.ConversationSettings(), values)
        return answer(contract.ConversationSettings, settings.update(self.store, self.callers.verified(caller), values))

    # saved replies and the away message ---------------------------------------------------

    @rpc
    def list_saved_replies(self, caller):
        return answer(
            contract.SavedReplyList, saved_replies.listed(self.store, self.callers.verified(caller), self.reply_bounds)
        )

    @rpc
    def create_saved_reply(self, caller, request):
        request = load(contract.NewSavedReply(), request)
        return answer(
            contract.SavedReply,
            saved_replies.create(self.store, self.callers.verified(caller), self.reply_bounds, request),
        )

    @rpc
    def update_saved_reply(self, caller, reply_id, request):
        request = load(contract.SavedReplyChange(), request)
        return answer(
            contract.SavedReply,
            saved_replies.update(self.store, self.callers.verified(caller), self.reply_bounds, reply_id, request),
        )

    @rpc
    def delete_saved_reply(self, caller, reply_id):
        saved_replies.delete(self.store, self.callers.verified(caller), reply_id)

    @rpc
    def fill_saved_reply(self, caller, reply_id, query):
        query = load(contract.FillQuery(), query)
        return answer(
            contract.FilledReply,
            saved_replies.fill(self.store, self.catalog, self.callers.verified(caller), reply_id, query["thread_id"]),
        )

    @rpc
    def get_away_message(self, caller, query):
        query = load(contract.AwayQuery(), query)
        current = away.current(self.store, self.callers.verified(caller), query.get("company_id"))
        return None if current is None else answer(contract.AwayMessage, current)

    @rpc
    def set_away_message(self, caller, request):
        request = load(contract.AwayMessageSetting(), request)
        return answer(contract.AwayMessage, away.put(self.store, self.catalog, self.callers.verified(caller), request))

    @rpc
    def clear_away_message(self, caller):
        away.clear(self.store, self.callers.verified(caller))

    # moderation of contact details ----------------------------------------------------------

    @rpc
    def moderation_queue(self, caller, query):
        query = load(contract.ModerationQuery(), query)
        return answer(contract.ReviewPage, reviews.queue(self.store, self.callers.verified(caller), query))

    @rpc
    def decide_message(self, caller, message_id, request):
        request = load(contract.ModerationDecision(), request)
        return answer(
            contract.Review,
            reviews.decide(
                self.store,
                self.outbox,
                self.callers.verified(caller),
                message_id,
                request,
                self.limits.marketplace_domains,
            ),
        )

    @rpc
    def moderation_decisions(self, caller, query):
        query = load(contract.DecisionsQuery(), query)
        return answer(contract.DecisionPage, reviews.decisions(self.store, self.callers.verified(caller), query))

    # a marketplace moving in (imports.py) ----------------------------------------------------

    @rpc
    def import_history(self, caller, batch):
        """One batch of CS-Cart's Message Center history, from the import command only."""
        imports.check_importer(self.callers.verified(caller))
        batch = load(contract.ImportBatch(), batch)
        return answer(contract.ImportedBatch, imports.import_threads(self.store, self.catalog, batch["threads"]))

    # a customer's data on request (privacy.py) -------------------------------------------------

    @rpc
    def export_customer(self, caller, customer_id, query):
        """One page of the customer's conversations, for them or the administration (manage_privacy)."""
        customer_id = load_id(customer_id, "customer_id")
        query = load(privacy_contract.ExportQuery(), query)
        return answer(
            privacy_contract.ConversationsExport,
            privacy.export_page(
                self.store, self.callers.verified(caller), customer_id, query.get("cursor"), query["limit"]
            ),
        )

    @rpc
    def erase_customer(self, caller, customer_id):
        """Start the customer's erasure (or answer the one running): the next round of
        resume_erasures, in whichever replica, does it."""
        customer_id = load_id(customer_id, "customer_id")
        return answer(
            privacy_contract.ErasureStarted,
            privacy.request_erasure(self.store, self.callers.verified(caller), customer_id, self.privacy_policy),
        )

    @rpc
    def erasure_status(self, caller, erasure_id):
        return answer(
            privacy_contract.Erasure, privacy.erasure_status(self.store, self.callers.verified(caller), erasure_id)
        )

    @timer(interval=2)
    def resume_erasures(self):
        """Erasures just asked for, and those a stopped process left half done (their lease ran out)."""
        others = privacy.Others(self.notifications.erase_customer, self.catalog.erase_customer)
        privacy.resume(self.store, others, self.privacy_policy)

    @timer(interval=60)
    def retire_conversations(self):
        """RETENTION_DAYS: conversations closed or deleted longer ago are removed whole."""
        privacy.retire(self.store, self.notifications.forget_threads, self.privacy_policy, now())

    @timer(interval=1)
    def relay_events(self):
        """Publish the events that could not go out with their message (the outbox)."""
        self.outbox.relay()

    @timer(interval=5)
    def resume_broadcasts(self):
        """Deliver the announcements a stopped process left half written."""
        broadcasts.resume_broadcasts(self.store, self.outbox)

    @timer(interval=5)
    def remind_vendors(self):
        """Remind vendors of questions left unanswered, and escalate them (reminders.py): every
        replica runs it, and a conditional write decides which one sends each reminder."""
        reminders.send_due(self.store, self.dispatch, self.reminder_policy)
        reminders.relay(self.store, self.dispatch)

    @timer(interval=60)
    def sweep_attachments(self):
        """Remove uploads no message took in time, and deleted threads' files past their retention."""
        attachments.sweep(self.store, now())

    @event_handler(CATALOG, VENDOR_DELETED)
    def on_vendor_deleted(self, payload):
        cascades.vendor_deleted(self.store, str(payload["company_id"]), self.limits.files)

    @event_handler(CATALOG, CUSTOMER_DELETED)
    def on_customer_deleted(self, payload):
        customer_id = str(payload["customer_id"])
        cascades.customer_deleted(self.store, customer_id, self.limits.files)
        if self.privacy_policy.on_customer_deleted:  # ERASE_ON_CUSTOMER_DELETED
            privacy.request_erasure(self.store, STOREFRONT_SYNC, customer_id, self.privacy_policy)

    @event_handler(CATALOG, CONTEXT_CHANGED)
    def on_context_changed(self, payload):
        cascades.context_changed(self.store, self.catalog, payload["object"])


def answer(schema, content: dict) -> dict:
    """The answer in its wire form, dumped once, here, with the contract's answer schema: times
    written as the contract writes them, the contract's names (`from`, `to`), nothing it does
    not name."""
    return schema().dump(content)


def _deliver(store, outbox, announcement):
    """Outside the request: the admin has the answer already. An error must not stop the
    service (a managed thread's would); the announcement's lease runs out and
    resume_broadcasts takes it up again."""
    try:
        broadcasts.deliver_broadcast(store, outbox, announcement)
    except Exception:
        log.exception("announcement %s not delivered yet", announcement["_id"])
