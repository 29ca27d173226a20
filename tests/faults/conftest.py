"""The fault suite: the whole system on a broker, a database and a mail server of its own,
which the tests stop, cut and kill while customers post (see the README's Reliability section).

Each test appends its figures to one table, printed at the end of the run (`make faults`) and
kept in var/faults.json.
"""

from pathlib import Path

import pytest

from tests.faults.figures import Figures
from tests.faults.shop import Shop
from tests.faults.system import FaultySystem
from tests.fixtures.tables import keep_and_print

TABLE: list[Figures] = []
RESULTS = Path(__file__).resolve().parents[2] / "var" / "faults.json"


@pytest.fixture(scope="session")
def faulty(tmp_path_factory):
    system = FaultySystem(tmp_path_factory.mktemp("faults"))
    try:
        system.start_all()
        admin = system.token("admin", sub="faults-admin")
        # Mail at once, one per message, and retried within seconds: what the checks count.
        system.set_notifications(
            admin, {"coalesce_seconds": 0, "retry": {"attempts": 20, "first_delay_seconds": 1, "max_delay_seconds": 4}}
        )
        yield system
    finally:
        system.stop_all()


@pytest.fixture
def shop(faulty):
    faulty.wait_serving()
    return Shop(faulty)


@pytest.fixture
def report():
    def add(figures: Figures) -> None:
        TABLE.append(figures)

    return add


def pytest_terminal_summary(terminalreporter):
    if not TABLE:
        return
    keep_and_print(
        terminalreporter,
        "faults: what clients saw (make faults)",
        COLUMNS,
        [figures.row() for figures in TABLE],
        RESULTS,
    )


COLUMNS = [
    ("scenario", "scenario"),
    ("acknowledged", "posts 201"),
    ("stored", "stored"),
    ("duplicates", "dupl."),
    ("mails_most_per_message", "mails/msg max"),
    ("unmailed", "unmailed"),
    ("redelivered", "same mail again"),
    ("bell_most_per_message", "bell/msg max"),
    ("bell_missing", "bell missing"),
    ("pages_resynced", "pages resynced"),
    ("recovery_seconds", "s to first 201"),
    ("slowest_503", "slowest 503 s"),
    ("running", "running"),
    ("answers", "answers (status×n)"),
]
