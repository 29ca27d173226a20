"""The conversations service's view of the catalog: an RPC proxy with a deadline, calling as
the system (CONVERSATIONS_SERVICE, signed with CALLER_SIGNING_KEY like any caller).

nameko's service-to-service RPC waits for ever; a catalog that is down or slow must become a
clear 503 (Unavailable), not a request hanging until the gateway gives up.
"""
import eventlet
from nameko.exceptions import UnknownService
from nameko.extensions import DependencyProvider
from nameko.rpc import RpcProxy

from services.common.caller import CONVERSATIONS_SERVICE
from services.common.config import load_settings
from services.common.errors import Unavailable
from services.common.events import CATALOG
from services.common.mongo import Mongo
from services.common.signing import Signature

from . import mongo_inbox
from .limits import Limits
from .mongo_store import MongoThreads


class CatalogClient:
    def __init__(self, proxy, timeout: float, signature: Signature):
        self.proxy = proxy
        self.timeout = timeout
        self.signature = signature

    def _call(self, method: str, *args):
        failure = Unavailable("The catalog did not answer in time; try again shortly.")
        try:
            with eventlet.Timeout(self.timeout, failure):
                return getattr(self.proxy, method)(self.signature.signed(CONVERSATIONS_SERVICE), *args)
        except UnknownService:
            raise Unavailable("The catalog service is not running; try again shortly.")

    def resolve(self, object_type: str, object_id: str) -> dict:
        return self._call("resolve", object_type, object_id)

    def get_vendor(self, company_id: str) -> dict:
        return self._call("get_vendor", company_id)

    def list_vendors(self, status: str | None) -> list[dict]:
        return self._call("list_vendors", status)


class Catalog(RpcProxy):
    def __init__(self, **options):
        super().__init__(CATALOG, **options)

    def setup(self):
        super().setup()
        settings = load_settings(self.container.config)
        # Half the gateway's deadline: the caller hears why (the catalog) before it gives up.
        self.timeout = settings.RPC_TIMEOUT / 2
        self.signature = Signature(settings.CALLER_SIGNING_KEY)

    def get_dependency(self, worker_ctx):
        return CatalogClient(super().get_dependency(worker_ctx), self.timeout, self.signature)


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


class RateLimits(DependencyProvider):
    """How much one person may send (limits.py), from the settings, read once."""

    def setup(self):
        self.limits = Limits.from_settings(load_settings(self.container.config))

    def get_dependency(self, worker_ctx):
        return self.limits


class Store(Mongo):
    """The conversations' store on MongoDB, with the inbox reader INBOX_READER names: one per
    process, since the windowed reader remembers how far back each inbox's pages reached."""

    def __init__(self):
        super().__init__(MongoThreads)

    def setup(self):
        super().setup()
        self.reader = mongo_inbox.reader(load_settings(self.container.config).INBOX_READER, self.db)

    def get_dependency(self, worker_ctx):
        return MongoThreads(self.db, self.reader)
