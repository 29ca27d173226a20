"""Each process is killed (kill -9) in turn while customers post, then started again as
Kubernetes would start a new pod; the gateway's killed worker is replaced by gunicorn."""

import os
import signal
import time

from tests.faults import figures as check
from tests.faults.figures import Figures
from tests.faults.pages import OpenPage

# Kubernetes takes a moment to notice a dead container and start another.
RESTART_AFTER_SECONDS = 2


def test_c_killing_each_process_in_turn_loses_nothing_and_doubles_nothing(faulty, shop, report):
    figures = Figures("c. kill -9 each process in turn")
    page = OpenPage(faulty.push_url, shop.vendor_token).open()
    traffic = shop.traffic().start()
    restarted = []
    try:
        for name in ("conversations", "notifications", "catalog_context", "gateway worker", "push"):
            time.sleep(2)
            if name == "gateway worker":
                os.kill(faulty.gateway_workers()[0], signal.SIGKILL)
            else:
                faulty.kill(name)
                time.sleep(RESTART_AFTER_SECONDS)
                faulty.start(name)
            restarted.append(time.monotonic())
            faulty.wait_serving()
            time.sleep(1)
        time.sleep(5)
    finally:
        traffic.stop()
    # Read once the traffic is over: a post the killed process held keeps its Idempotency-Key
    # pending for its grace (409s), so the first 201 after a restart may come after the next
    # fault began; it is still that restart's recovery, and the limit still holds it.
    recoveries = [traffic.first_success_after(moment) for moment in restarted]
    try:
        check.check_answers(figures, traffic)
        check.check_recovery(figures, max(recoveries, key=lambda seconds: seconds or 1e9))
        check.check_running(figures, faulty)
        reconnected = page.connections >= 2
        figures.pages_resynced = "reconnected 1/1" if reconnected else "reconnected 0/1"
        assert reconnected, "the open page did not reconnect to the restarted push process"
        check.check_every_message_once(figures, faulty, shop, traffic)
    finally:
        page.close()
        report(figures)
