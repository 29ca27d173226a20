"""The database stops for 10 s (as in a restart or a failover) while customers post, and a
file is fetched by its signed link: the one read the gateway makes of the database itself."""

import time

from tests.faults import figures as check
from tests.faults.figures import Figures
from tests.faults.shop import SIZE_CHART

OUTAGE_SECONDS = 10


def test_b_a_database_outage_answers_503_at_once_and_loses_nothing(faulty, shop, report):
    figures = Figures(f"b. database stopped {OUTAGE_SECONDS} s")
    link = shop.file_link()
    fetched = {}

    def stop():
        faulty.database.stop()
        fetched["during"] = faulty.call("GET", link)

    traffic = shop.traffic().start()
    time.sleep(3)
    ended, readiness = faulty.outage(stop, faulty.database.start, OUTAGE_SECONDS)
    time.sleep(8)
    traffic.stop()
    try:
        assert readiness["checks"]["database"] is False and readiness["checks"]["broker"] is True, readiness
        during = fetched["during"]
        assert during.status_code == 503 and during.json()["error"] == {
            "code": "unavailable",
            "message": "The database is not reachable; try again shortly.",
            "details": {},
        }, (during.status_code, during.text)
        after = faulty.call("GET", link)
        assert after.status_code == 200 and after.content == SIZE_CHART, (after.status_code, after.text[:300])
        assert faulty.call("GET", "/healthz").status_code == 200
        check.check_answers(figures, traffic)
        check.check_recovery(figures, traffic.first_success_after(ended))
        assert figures.slowest_503 <= check.SLOWEST_503, f"a 503 took {figures.slowest_503:.1f} s"
        check.check_running(figures, faulty)
        check.check_every_message_once(figures, faulty, shop, traffic)
    finally:
        report(figures)
