"""How the services talk to MongoDB (services/common/mongo.py): on a replica set a write is
acknowledged by a majority and retried once across a failover, reads go to the primary; what
the URI says itself wins (the embedded development database turns retryable writes off)."""
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
