"""The conversations service's dependencies beyond the store: the catalog (asked as the
system, CONVERSATIONS_SERVICE, through the one shared client), the published-message ids, the
background and the rate limits."""

import logging

from nameko.extensions import DependencyProvider

from services.common import attachment_urls, catalog_client
from services.common.caller import CONVERSATIONS_SERVICE
from services.common.config import load_settings
from services.common.mongo import Mongo

from services.common.signed_proxy import SignedCalls, SignedRpcProxy

from . import mongo_inbox, privacy, reminders
from .limits import Limits
from .mongo_store import MongoThreads
from .saved_replies import Bounds

log = logging.getLogger(__name__)


class Catalog(catalog_client.Catalog):
    def __init__(self, **options):
        super().__init__(CONVERSATIONS_SERVICE, **options)


class PublishedMessages(DependencyProvider):
    """The ids of messages whose events went out, shared by the process's workers until the
    relay marks them in one write (outbox.Outbox)."""

    def setup(self):
        self.ids = []

    def get_dependency(self, worker_ctx):
        return self.ids


class Background(DependencyProvider):
    """Starts work that goes on after the request that asked for it has its answer."""

    def get_dependency(self, worker_ctx):
        return self.container.spawn_managed_thread


class AttachmentKey(DependencyProvider):
    """The key of attachments' download links (presenters.attachment), checked as the service
    starts, as the gateway checks it: a weak ATTACHMENT_URL_KEY stops the process."""

    def setup(self):
        self.key = attachment_urls.url_key(load_settings(self.container.config), log)

    def get_dependency(self, worker_ctx):
        return self.key


class RateLimits(DependencyProvider):
    """How much one person may send (limits.py), from the settings, read once."""

    def setup(self):
        self.limits = Limits.from_settings(load_settings(self.container.config))

    def get_dependency(self, worker_ctx):
        return self.limits


class SavedReplyBounds(DependencyProvider):
    """How many saved replies an owner keeps and how long each may be, from the settings."""

    def setup(self):
        self.bounds = Bounds.from_settings(load_settings(self.container.config))

    def get_dependency(self, worker_ctx):
        return self.bounds


class ReminderPolicy(DependencyProvider):
    """When an unanswered question reminds the vendor and escalates (reminders.py), read once."""

    def setup(self):
        self.policy = reminders.Policy.from_settings(load_settings(self.container.config))

    def get_dependency(self, worker_ctx):
        return self.policy


class PrivacyPolicy(DependencyProvider):
    """What an erasure keeps and how long conversations are kept (privacy.py), read once."""

    def setup(self):
        self.policy = privacy.Policy.from_settings(load_settings(self.container.config))

    def get_dependency(self, worker_ctx):
        return self.policy


class NotificationsClient:
    """The notifications service as a customer's erasure and retention ask it: to forget what
    it holds of a customer, or of conversations removed whole."""

    def __init__(self, calls: SignedCalls):
        self.calls = calls

    def erase_customer(self, request: dict) -> dict:
        return self.calls(CONVERSATIONS_SERVICE, "erase_customer", request)

    def forget_threads(self, thread_ids: list[str]) -> dict:
        return self.calls(CONVERSATIONS_SERVICE, "forget_threads", thread_ids)


class Notifications(SignedRpcProxy):
    service_named = "notifications"

    def __init__(self, **options):
        super().__init__("notifications", **options)

    def client(self, calls: SignedCalls) -> NotificationsClient:
        return NotificationsClient(calls)


class Store(Mongo):
    """The conversations' store on MongoDB, with the inbox reader INBOX_READER names: one per
    process, since the windowed reader remembers how far back each inbox's pages reached."""

    def __init__(self):
        super().__init__(MongoThreads)

    def setup(self):
        super().setup()
        self.reader = mongo_inbox.reader(load_settings(self.container.config).INBOX_READER, self.db)

    def get_dependency(self, worker_ctx):
        return MongoThreads(self.db, self.reader, self.memory)
