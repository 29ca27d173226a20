"""The inbound process, wired: its settings checked, its SMTP server and HTTP port started,
stopped on SIGTERM once the mails in hand are answered.

Plain threads, no eventlet: aiosmtpd runs its event loop in a thread of its own, each mail is
worked on by a thread of a small pool (RPC through services/common/rpc_client.py, as the
gateway does), and the HTTP port is http.server's, a thread per connection.
"""

import logging
import os
import signal
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from services.common import logs
from services.common.config import load_settings
from services.common.listening import port_of_our_own
from services.common.mongo import connect, speaking_ours, until_reachable
from services.common.rpc_client import ThreadClients
from services.common.secrets_policy import WeakSecret, check_signing_secret

from .clients import Services
from .files import Files
from .http import InboundApp, InboundHttp
from .ledger import Ledger
from .receiving import Receiver
from .smtp import ReplyServer, Replies

log = logging.getLogger("services.inbound_mail")

# Mails worked on at once from SMTP: each holds a thread while it waits for the services.
SMTP_WORKERS = 8


def main() -> None:
    settings = load_settings()
    logs.configure(os.environ.get("LOG_LEVEL", "INFO"), os.environ.get("LOG_FORMAT", "plain"))
    logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd's line per connection
    try:
        check_secrets(settings)
    except WeakSecret as refusal:
        raise SystemExit(f"inbound_mail refuses to start: {refusal}")
    if not settings.REPLY_DOMAIN:
        log.warning("REPLY_DOMAIN is not set: mails carry no reply address, and every mail here is refused")

    database = connect(settings)[settings.MONGO_DB]
    # The indexes are made in the background: the process serves (and answers 451 while the
    # database is away) rather than waiting for it to start.
    threading.Thread(
        target=until_reachable,
        args=(lambda: Ledger.create_indexes(database), "inbound_mail indexes"),
        kwargs={"first_delay": 1.0, "longest_delay": 15.0},
        daemon=True,
    ).start()
    services = Services(ThreadClients(settings.AMQP_URI, settings.RPC_TIMEOUT))
    receiver = Receiver(settings, services, speaking_ours(Ledger(database)), speaking_ours(Files(database, settings)))
    pool = ThreadPoolExecutor(max_workers=SMTP_WORKERS, thread_name_prefix="reply")

    smtp_server = ReplyServer(Replies(receiver, settings, pool), settings)
    host = settings.GATEWAY_HOST
    with port_of_our_own("inbound_mail", "INBOUND_SMTP_PORT", host, settings.INBOUND_SMTP_PORT):
        smtp_server.start()
    with port_of_our_own("inbound_mail", "INBOUND_HTTP_PORT", host, settings.INBOUND_HTTP_PORT):
        http = InboundHttp(
            (host, settings.INBOUND_HTTP_PORT), InboundApp(settings, receiver, smtp_server, services, database)
        )
    threading.Thread(target=http.serve_forever, name="http", daemon=True).start()
    log.info(
        "inbound_mail: SMTP on %s:%d for %s, HTTP on %s:%d",
        settings.GATEWAY_HOST,
        settings.INBOUND_SMTP_PORT,
        settings.REPLY_DOMAIN or "(no reply domain)",
        settings.GATEWAY_HOST,
        settings.INBOUND_HTTP_PORT,
    )

    stopping = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stopping.set())
    stopping.wait()
    log.info("inbound_mail stopping")
    if smtp_server.server is not None:
        smtp_server.loop.call_soon_threadsafe(smtp_server.server.close)  # no new connections
    http.shutdown()
    pool.shutdown(wait=True)  # the mails in hand are finished,
    time.sleep(0.5)  # and their answers written by the event loop, before it stops
    smtp_server.stop()


def check_secrets(settings) -> None:
    if settings.REPLY_DOMAIN:
        check_signing_secret(settings, log, "REPLY_SIGNING_KEY")
    if settings.INBOUND_HTTP_SIGNING_KEY:
        check_signing_secret(settings, log, "INBOUND_HTTP_SIGNING_KEY")


if __name__ == "__main__":
    main()
