"""The MongoDB dependency: one client per service process, indexes made at start.

Each worker gets the service's store (a small object with domain verbs), never the raw
client. A store class names its indexes in `create_indexes(db)`.
"""

import contextlib
import functools
import logging
import time
from collections.abc import Callable, Iterator, Mapping
from typing import Any, TypeVar

from nameko.extensions import DependencyProvider
from prometheus_client import Counter
from nameko.containers import WorkerContext
from pymongo import MongoClient, monitoring, uri_parser
from pymongo.collection import Collection
from pymongo.database import Database
from pymongo.errors import ConnectionFailure, DuplicateKeyError, PyMongoError

from .config import Settings, load_settings
from .errors import DatabaseAway, DatabaseFailed
from .remembered import Memory

log = logging.getLogger(__name__)


# A database that is down or restarting becomes a 503 within about 2 s, not a 30 s hang, and
# calls work again as soon as it is back: the client reconnects by itself. A server that
# accepted a command and then hangs is given up after SOCKET_MS: longer than the slowest
# command we send takes on a loaded development database (an announcement writes 1,000
# threads in one insert; 8 s was too short for it in the fault suite).
SERVER_SELECTION_MS = 2000
CONNECT_MS = 2000
SOCKET_MS = 30000


# On a replica set (the MongoDB Community Operator's three members in production): a write is
# acknowledged once most members hold it, so a failover loses no acknowledged message; a write
# cut by a failover is retried once by the driver (the store's writes are idempotent by _id and
# unique keys); reads go to the primary, so a page shows what the post before it wrote. The
# URI's own options win (the embedded development database sets retryWrites=false).
REPLICA_SET_DEFAULTS = {"w": "majority", "retryWrites": True, "readPreference": "primary"}


# A stored document as the driver reads and writes it; the adapters give it its fields.
Document = dict[str, Any]
# The services' database, as the driver hands it to an adapter.
Db = Database[Document]
Done = TypeVar("Done")

COMMANDS = Counter(
    "message_center_database_commands_total",
    "Commands this process sent to the database, by name (insert, update, find, …)",
    ["command"],
)


class CommandCounter(monitoring.CommandListener):
    """Counts every command a client sends: what one posted message costs the database, summed
    over the processes (the bench's "database commands per message"), and in production a
    rate to watch. The driver's own monitoring (hello) is not a command event."""

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        COMMANDS.labels(event.command_name).inc()

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        pass

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        pass


def replica_set_defaults(uri: str) -> dict[str, Any]:
    """REPLICA_SET_DEFAULTS but those `uri` sets itself: what every writer of ours writes with
    (the bench's floors too, so they pay the same write concern)."""
    given = {name.lower() for name in uri_parser.parse_uri(uri)["options"]}
    return {name: value for name, value in REPLICA_SET_DEFAULTS.items() if name.lower() not in given}


def connect(settings: Settings) -> MongoClient[Document]:
    defaults = replica_set_defaults(settings.MONGO_URI)
    return MongoClient(
        settings.MONGO_URI,
        tz_aware=True,
        serverSelectionTimeoutMS=SERVER_SELECTION_MS,
        connectTimeoutMS=CONNECT_MS,
        socketTimeoutMS=SOCKET_MS,
        appname="message-center",
        event_listeners=[CommandCounter()],
        **defaults,
    )


def answers(uri: str) -> bool:
    """Whether a MongoDB server answers a ping at `uri` within about 2 s (a readiness check)."""
    client: MongoClient[Document] = MongoClient(uri, serverSelectionTimeoutMS=2000, connectTimeoutMS=2000)
    try:
        client.admin.command("ping")
        return True
    except Exception:
        return False
    finally:
        client.close()


def until_reachable(
    work: Callable[[], Done], what: str, first_delay: float, longest_delay: float, give_up_after: float | None = None
) -> Done:
    """`work()`, done again while the database cannot be reached, after a delay doubling from
    `first_delay` to `longest_delay`; its last failure is raised once the next try would come
    later than `give_up_after` seconds from now (never, when None)."""
    give_up = None if give_up_after is None else time.monotonic() + give_up_after
    delay = first_delay
    while True:
        try:
            return work()
        except ConnectionFailure as error:
            if give_up is not None and time.monotonic() + delay > give_up:
                raise
            log.warning("%s: the database is not reachable (%s); trying again in %g s", what, error, delay)
            time.sleep(delay)
            delay = min(delay * 2, longest_delay)


def record_of(document: Document) -> dict[str, Any]:
    """A document as a store's port gives it: its `_id` is the record's `id`, first. A projection
    may leave the id out (`{"_id": 0}`): then so does the record."""
    record = {name: value for name, value in document.items() if name != "_id"}
    return {"id": document["_id"], **record} if "_id" in document else record


def document_of(record: Mapping[str, Any]) -> dict[str, Any]:
    """A record as MongoDB keeps it: its `id` as the document's `_id`, first (without one,
    pymongo would give the document an ObjectId of its own)."""
    return {"_id": record["id"], **{name: value for name, value in record.items() if name != "id"}}


def insert_once(collection: Collection[Document], document: Document) -> bool:
    """Insert `document`; False when one with the same unique key is stored already: a request
    done again, or an event delivered again, writes the same ids, and finds its own."""
    try:
        collection.insert_one(document)
        return True
    except DuplicateKeyError:
        return False


def update_by_id(
    collection: Collection[Document], document_id: str, update: Document, conditions: Document | None = None
) -> Document | None:
    """Apply `update` to the document with this _id if it meets `conditions`; the document as it
    is afterwards, or None when there is none that does (another worker took it first).

    An update and a read, both by _id (first in the filter, so every MongoDB-wire server looks
    the document up by it), rather than find_one_and_update: the development database
    (SecantusDB) runs findAndModify as a write filtered by {_id, $and: [query]}, which no index
    serves, so every call read the whole collection (seconds at 100,000 threads: see the
    README's performance section). The read may include a write that landed in between; it
    never shows an older state than ours.
    """
    if collection.update_one({"_id": document_id, **(conditions or {})}, update).matched_count == 0:
        return None
    return collection.find_one({"_id": document_id})


def _with_subclasses(error: type[BaseException]) -> set[str]:
    names = {error.__name__}
    for subclass in error.__subclasses__():
        names |= _with_subclasses(subclass)
    return names


# The names a RemoteError carries when a service could not reach its database: ConnectionFailure
# and every error pymongo derives from it (among them `_OperationCancelled`, raised for the
# operations in flight when a failed heartbeat resets the pool), found rather than listed.
AWAY_ERROR_NAMES = frozenset(_with_subclasses(ConnectionFailure))


@contextlib.contextmanager
def our_errors() -> Iterator[None]:
    """The block's database errors as ours, never the driver's: DatabaseAway for a server that
    cannot be reached (an Unavailable: a 503 at the gateway, a retry for the timers),
    DatabaseFailed for any other refusal. What calls it knows nothing of pymongo."""
    try:
        yield
    except ConnectionFailure as error:
        raise DatabaseAway(f"The database is not reachable: {error}") from error
    except PyMongoError as error:
        raise DatabaseFailed(f"The database refused a command: {error}") from error


class speaking_ours:
    """An adapter (a store, a ledger) whose every verb raises our errors (`our_errors`): the use
    cases catch those."""

    def __init__(self, adapter: object) -> None:
        self._adapter = adapter

    def __getattr__(self, name: str) -> Any:
        verb = getattr(self._adapter, name)
        if not callable(verb):
            return verb

        @functools.wraps(verb)
        def translated(*args: Any, **kwargs: Any) -> Any:
            with our_errors():
                return verb(*args, **kwargs)

        return translated


class Mongo(DependencyProvider):  # type: ignore[misc]  # nameko ships no types: its base is Any
    """`Mongo(StoreClass)`; `remembers=True` gives each worker's store the container's Memory
    too (`StoreClass(db, memory)`), for what it keeps between workers (remembered.py);
    `ours=True` makes its verbs raise our errors (`speaking_ours`)."""

    # store_class: a class built from the database (and the Memory), with a create_indexes(db).
    def __init__(self, store_class: type[Any], remembers: bool = False, ours: bool = False) -> None:
        self.store_class = store_class
        self.remembers = remembers
        self.ours = ours
        self.client: MongoClient[Document] | None = None
        self.db: Database[Document] | None = None
        self.memory = Memory()

    def setup(self) -> None:
        settings = load_settings(self.container.config)
        client = self.client = connect(settings)
        db = self.db = client[settings.MONGO_DB]
        # Before the service takes any work (unique indexes keep it from doubling any). A
        # database that is away holds the start back, and the process waits for it rather than
        # exiting: alive, not ready (its health RPC is not served yet).
        until_reachable(lambda: self.store_class.create_indexes(db), "starting", first_delay=1.0, longest_delay=15.0)

    def stop(self) -> None:
        if self.client is not None:
            self.client.close()

    def kill(self) -> None:
        self.stop()

    def get_dependency(self, worker_ctx: WorkerContext) -> Any:
        store = self.store_class(self.db, self.memory) if self.remembers else self.store_class(self.db)
        return speaking_ours(store) if self.ours else store
