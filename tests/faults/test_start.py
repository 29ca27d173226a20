"""A service that starts while the database is away waits for it, then serves: a process
started during an outage (a new pod, a restart) must not exit."""

import eventlet
from nameko.standalone.rpc import ClusterRpcProxy

from dev import embedded_mongo
from dev.ports import free_port
from services.catalog_context.service import CatalogContextService
from tests.fixtures.callers import CALLER_SIGNING_KEY


def test_a_service_started_while_the_database_is_down_waits_for_it_then_serves(
    container_factory, rabbit_config, tmp_path
):
    port = free_port()
    container = container_factory(
        CatalogContextService,
        {
            **rabbit_config,
            "MONGO_URI": f"mongodb://127.0.0.1:{port}/{embedded_mongo.CLIENT_OPTIONS}",
            "MONGO_DB": "waiting",
            "CALLER_SIGNING_KEY": CALLER_SIGNING_KEY,
        },
    )
    starting = eventlet.spawn(container.start)
    eventlet.sleep(5)
    assert not starting.dead, "the service gave up starting while the database was away"
    database, _ = embedded_mongo.start(tmp_path / "db", port)
    try:
        with eventlet.Timeout(60):
            starting.wait()
        with ClusterRpcProxy(rabbit_config, timeout=10) as cluster:
            assert cluster.catalog_context.health() is True
    finally:
        embedded_mongo.stop(database)
