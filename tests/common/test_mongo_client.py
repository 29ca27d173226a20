"""How the services talk to MongoDB (services/common/mongo.py): on a replica set a write is
acknowledged by a majority and retried once across a failover, reads go to the primary; what
the URI says itself wins (the embedded development database turns retryable writes off)."""

import pytest
from pymongo import ReadPreference

from services.common.config import load_settings
from services.common.mongo import COMMANDS, connect


def client_for(uri):
    return connect(load_settings({"MONGO_URI": uri}))


def test_a_replica_set_gets_majority_writes_retried_writes_and_primary_reads():
    client = client_for("mongodb://mongo-0.mongo:27017,mongo-1.mongo:27017/?replicaSet=rs0")
    assert client.write_concern.document == {"w": "majority"}
    assert client.options.retry_writes is True
    assert client.read_preference == ReadPreference.PRIMARY
    client.close()


def test_the_uri_own_options_win():
    client = client_for("mongodb://127.0.0.1:1/?retryWrites=false&w=1&readPreference=primaryPreferred")
    assert client.write_concern.document == {"w": 1}
    assert client.options.retry_writes is False
    assert client.read_preference == ReadPreference.PRIMARY_PREFERRED
    client.close()


def test_each_command_a_process_sends_is_counted_by_name(mongo_uri):
    # What the bench sums over the processes as "database commands per message", and what the
    # dashboard divides by the messages posted.
    def counted(name):
        return COMMANDS.labels(name)._value.get()

    client = client_for(mongo_uri)
    records = client["test_command_counts"].records
    before = {name: counted(name) for name in ("insert", "find", "update")}
    records.insert_one({"_id": 1})
    records.update_one({"_id": 1}, {"$set": {"seen": True}})
    assert records.find_one({"_id": 1})["seen"] and list(records.find({}))
    assert {name: counted(name) - before[name] for name in before} == {"insert": 1, "find": 2, "update": 1}
    client.drop_database("test_command_counts")
    client.close()


def test_an_adapter_speaking_ours_raises_our_errors_for_a_database_away_and_a_refusal(mongo_uri):
    """The use cases catch DatabaseAway (a 503, a retry) and DatabaseFailed, never pymongo's."""
    from services.common.errors import DatabaseAway, DatabaseFailed, Unavailable
    from services.common.mongo import speaking_ours

    class Records:
        def __init__(self, db):
            self.db = db

        def add(self, record_id):
            self.db.records.insert_one({"_id": record_id})

    # A port nothing listens on: the server cannot be reached, for real.
    away = connect(load_settings({"MONGO_URI": "mongodb://127.0.0.1:1/?serverSelectionTimeoutMS=300"}))
    with pytest.raises(DatabaseAway) as raised:
        speaking_ours(Records(away["test_ours"])).add(1)
    assert isinstance(raised.value, Unavailable)
    away.close()

    client = client_for(mongo_uri)
    records = speaking_ours(Records(client["test_ours"]))
    client["test_ours"].records.delete_many({})
    records.add(1)
    with pytest.raises(DatabaseFailed):
        records.add(1)  # the same key twice: refused, and not for being away
    client.close()


def test_every_error_of_a_database_out_of_reach_is_a_dependency_down_for_the_callers():
    """A RemoteError names its exception's class: _OperationCancelled (the operations in flight
    when a heartbeat the machine was too busy to answer in time reset the pool) was answered
    500 by the gateway in the fault suite, as not on a hand-written list."""
    from pymongo import errors

    from services.common.rpc_client import DATABASE_DOWN

    def every_subclass(error):
        return [error] + [found for sub in error.__subclasses__() for found in every_subclass(sub)]

    assert {error.__name__ for error in every_subclass(errors.ConnectionFailure)} <= DATABASE_DOWN
    assert "_OperationCancelled" in DATABASE_DOWN and "DuplicateKeyError" not in DATABASE_DOWN
