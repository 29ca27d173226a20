"""The database stops for 10 s (as in a restart or a failover) while customers post."""
import time

from tests.faults import figures as check
from tests.faults.figures import Figures

OUTAGE_SECONDS = 10


def test_b_a_database_outage_answers_503_at_once_and_loses_nothing(faulty, shop, report):
    figures = Figures(f"b. database stopped {OUTAGE_SECONDS} s")
    traffic = shop.traffic().start()
    time.sleep(3)
    ended, readiness = faulty.outage(faulty.database.stop, faulty.database.start, OUTAGE_SECONDS)
    time.sleep(8)
    traffic.stop()
    try:
        assert readiness["checks"]["database"] is False and readiness["checks"]["broker"] is True, readiness
        assert faulty.call("GET", "/healthz").status_code == 200
        check.check_answers(figures, traffic)
        check.check_recovery(figures, traffic.first_success_after(ended))
        assert figures.slowest_503 <= check.SLOWEST_503, f"a 503 took {figures.slowest_503:.1f} s"
        check.check_running(figures, faulty)
        check.check_every_message_once(figures, faulty, shop, traffic)
    finally:
        report(figures)
