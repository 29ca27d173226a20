"""Real parts for every test that needs them.

- `mongo_uri`: MONGO_URI when set, else an embedded SecantusDB started for the session.
- `service_config`: a nameko config on a fresh RabbitMQ vhost (nameko's `rabbit_config`,
  through the management API) and a fresh database, for `container_factory`.
- `mail_sink`: a real SMTP server (dev/mail_sink.py in its own process) and its mailbox.
- `stack`: the whole system, every Procfile process as `make run` starts it (dev/processes.py),
  for end-to-end tests through the gateway's HTTP port.
"""

import gc
import os
import signal
import sys
import traceback
import uuid

import greenlet
import pytest
from pymongo import MongoClient

from dev import embedded_mongo
from tests.fixtures.callers import CALLER_SIGNING_KEY

pytest_plugins = ["tests.fixtures.mail", "tests.fixtures.stack", "tests.fixtures.world"]


def _print_green_threads(signum, frame):
    """`kill -USR2 <pid>` prints where every green thread waits: a suite stuck under eventlet
    shows only the hub's poll to py-spy."""
    for thread in gc.get_objects():
        if isinstance(thread, greenlet.greenlet) and thread.gr_frame is not None:
            print(f"--- {thread!r}", file=sys.stderr)
            traceback.print_stack(thread.gr_frame, file=sys.stderr)


signal.signal(signal.SIGUSR2, _print_green_threads)


@pytest.fixture(scope="session")
def mongo_uri(tmp_path_factory):
    if os.environ.get("MONGO_URI"):
        yield os.environ["MONGO_URI"]
        return
    process, uri = embedded_mongo.start(tmp_path_factory.mktemp("mongo"))
    yield uri
    embedded_mongo.stop(process)


@pytest.fixture(scope="session")
def mongo_client(mongo_uri):
    client = MongoClient(mongo_uri, tz_aware=True)
    yield client
    client.close()


@pytest.fixture
def mongo_db(mongo_client):
    """A database of its own for one test, dropped afterwards."""
    name = f"test_{uuid.uuid4().hex[:12]}"
    yield mongo_client[name]
    mongo_client.drop_database(name)


@pytest.fixture
def service_config(rabbit_config, mongo_uri, mongo_db):
    return {
        "AMQP_URI": rabbit_config["AMQP_URI"],
        "MONGO_URI": mongo_uri,
        "MONGO_DB": mongo_db.name,
        # The services refuse to start on a weak key, and check every caller with it.
        "CALLER_SIGNING_KEY": CALLER_SIGNING_KEY,
    }


# `make check`, the tier a developer runs before each commit, runs what needs none of these:
# a test that asks for one of them, or lives in a folder of whole systems, needs real parts.
REAL_PARTS = {
    "mongo_uri",
    "mongo_client",
    "mongo_db",
    "service_config",
    "rabbit_config",
    "rabbit_manager",
    "container_factory",
    "runner_factory",
    "mail_sink",
    "stack",
    "stack_mail",
    "stack_mongo",
    "vhost_pipeline",
    "web_container_config",
    "lone_inbound",
    "silent_server",
}
WHOLE_SYSTEMS = {"e2e", "faults", "scale", "contract", "deploy", "security", "dev", "ui"}


def pytest_collection_modifyitems(config, items):
    tests = os.path.dirname(os.path.abspath(__file__))
    for item in items:
        folder = os.path.relpath(str(item.fspath), tests).split(os.sep)[0]
        # A store contract runs once a store kind: its MongoDB runs need the database.
        on_mongo = any(
            str(value).startswith("mongo") for value in getattr(getattr(item, "callspec", None), "params", {}).values()
        )
        if folder in WHOLE_SYSTEMS or on_mongo or REAL_PARTS & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.real_parts)


def pytest_configure(config):
    config.addinivalue_line(
        "markers",
        "real_parts: needs RabbitMQ, the database, a mail server or whole processes "
        "(`make check` leaves these to `make test`)",
    )
