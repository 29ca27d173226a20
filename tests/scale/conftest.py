"""The scale-out test: the whole system with 1, then 3 replicas of each nameko service (2 of
the gateway and of push), on a broker, a database and a mail server of its own.

Each run adds a row to one table, printed at the end (`make scale`) and kept in var/scale.json.
"""

import time
from pathlib import Path

import pytest

from tests.fixtures.tables import keep_and_print
from tests.scale.checks import COLUMNS, Row
from tests.scale.system import ScaledSystem

REPLICAS = {"conversations": 3, "catalog_context": 3, "notifications": 3, "gateway": 2, "push": 2}
# A question unanswered this long reminds its vendor, this long escalates it (the defaults are
# 24 and 48 hours): reached while the test's customers are still posting.
REMIND_AFTER_SECONDS, ESCALATE_AFTER_SECONDS = 20, 40
TABLE: list[dict] = []
RESULTS = Path(__file__).resolve().parents[2] / "var" / "scale.json"


@pytest.fixture(scope="module")
def scaled(tmp_path_factory):
    system = ScaledSystem(
        tmp_path_factory.mktemp("scale"),
        REPLICAS,
        {
            "REMIND_VENDOR_AFTER_HOURS": str(REMIND_AFTER_SECONDS / 3600),
            "ESCALATE_AFTER_HOURS": str(ESCALATE_AFTER_SECONDS / 3600),
        },
    )
    try:
        system.start_all(replicas=1)
        admin = system.token("admin", sub="scale-admin")
        # Mail at once, one per message (coalescing 0), so every mail can be counted.
        system.set_notifications(
            admin, {"coalesce_seconds": 0, "retry": {"attempts": 20, "first_delay_seconds": 1, "max_delay_seconds": 4}}
        )
        time.sleep(6)  # each notifications replica remembers the settings for 5 s
        yield system
    finally:
        system.stop_all()


@pytest.fixture
def report():
    def add(row: Row) -> None:
        TABLE.append(row.as_dict())

    return add


def pytest_terminal_summary(terminalreporter):
    if not TABLE:
        return
    keep_and_print(terminalreporter, "scale-out: 1 and 3 replicas on one machine (make scale)", COLUMNS, TABLE, RESULTS)
    rates = {row["processes"].split(",")[0]: row["per_second"] for row in TABLE}
    if len(rates) == 2 and all(rates.values()):
        one, three = rates.values()
        terminalreporter.write_line(
            f"3 replicas / 1 replica: {three / one:.2f}x messages/s. Every replica shares this machine's "
            "cores with the others, the database, the broker and the clients: on 2 cores, more replicas "
            "cannot post faster, and this is no measure of scaling out across machines."
        )
