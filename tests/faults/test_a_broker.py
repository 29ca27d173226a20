"""The broker goes away for 10 s (as in an upgrade) while customers post, then comes back."""

import time

from tests.faults import figures as check
from tests.faults.figures import Figures
from tests.faults.pages import OpenPage

OUTAGE_SECONDS = 10


def test_a_broker_outage_loses_nothing_and_doubles_nothing(faulty, shop, report):
    figures = Figures(f"a. broker away {OUTAGE_SECONDS} s")
    page = OpenPage(faulty.push_url, shop.vendor_token).open()
    traffic = shop.traffic().start()
    time.sleep(3)
    ended, readiness = faulty.outage(faulty.broker.pause, faulty.broker.resume, OUTAGE_SECONDS)
    time.sleep(8)
    traffic.stop()
    try:
        assert readiness["checks"]["broker"] is False and readiness["checks"]["database"] is True, readiness
        assert faulty.call("GET", "/healthz").status_code == 200
        check.check_answers(figures, traffic)
        check.check_recovery(figures, traffic.first_success_after(ended))
        assert figures.slowest_503 <= check.SLOWEST_503, f"a 503 took {figures.slowest_503:.1f} s"
        check.check_running(figures, faulty)
        resynced = page.wait_told("resync", timeout=30)
        figures.pages_resynced = "1/1" if resynced else "0/1"
        assert resynced, "the open page was not told to resync after the broker came back"
        check.check_every_message_once(figures, faulty, shop, traffic)
    finally:
        page.close()
        report(figures)
