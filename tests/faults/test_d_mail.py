"""The mail server is down for 30 s while customers post: mail waits and goes once, after."""

import time

from tests.faults import figures as check
from tests.faults.figures import Figures

OUTAGE_SECONDS = 30


def test_d_a_mail_server_outage_delays_mail_and_sends_it_once(faulty, shop, report):
    figures = Figures(f"d. SMTP down {OUTAGE_SECONDS} s")
    traffic = shop.traffic().start()
    time.sleep(2)
    faulty.mail.stop()
    time.sleep(OUTAGE_SECONDS)
    faulty.mail.start()
    ended = time.monotonic()
    time.sleep(3)
    traffic.stop()
    try:
        check.check_answers(figures, traffic)
        check.check_recovery(figures, traffic.first_success_after(ended))
        assert traffic.statuses.keys() == {201}, "posting does not wait for mail"
        check.check_running(figures, faulty)
        check.check_every_message_once(figures, faulty, shop, traffic)
    finally:
        report(figures)
