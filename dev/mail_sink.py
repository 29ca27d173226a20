"""The development mail sink: a real SMTP server (aiosmtpd) that keeps each mail as a file.

`make run` starts it when SMTP_HOST is unset, and the tests start it as the SMTP server the
notifications service talks to. Each accepted mail becomes `<dir>/<time>-<n>.eml`, written to
a temporary name first so a reader never sees half a mail, and one line is logged.
"""

import argparse
import asyncio
import email
import email.policy
import itertools
import logging
import os
import signal
import threading
import time
from pathlib import Path

from aiosmtpd.controller import Controller

log = logging.getLogger("mail_sink")


class KeepAsFiles:
    def __init__(self, directory: Path, answer_after: float = 0.0):
        self.directory = directory
        self.answer_after = answer_after
        self.counter = itertools.count(1)

    async def handle_DATA(self, server, session, envelope):
        if self.answer_after:  # a slow relay: each mail is answered this much later
            await asyncio.sleep(self.answer_after)
        name = f"{time.time_ns()}-{next(self.counter)}"
        partial = self.directory / f".{name}.tmp"
        partial.write_bytes(envelope.original_content or envelope.content)
        os.replace(partial, self.directory / f"{name}.eml")
        parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
        log.info("mail to %s: %s", ", ".join(envelope.rcpt_tos), parsed.get("Subject", ""))
        return "250 Message accepted for delivery"


def read_mails(directory: Path) -> list:
    """Every mail the sink kept, oldest first, parsed."""
    mails = []
    for path in sorted(directory.glob("*.eml"), key=lambda p: tuple(int(x) for x in p.stem.split("-"))):
        mails.append(email.message_from_bytes(path.read_bytes(), policy=email.policy.default))
    return mails


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=1025)
    parser.add_argument("--dir", type=Path, default=Path("var/mail"))
    parser.add_argument(
        "--answer-after", type=float, default=0.0, help="seconds before each mail is accepted (a slow relay)"
    )
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd's per-connection chatter
    args.dir.mkdir(parents=True, exist_ok=True)
    controller = Controller(KeepAsFiles(args.dir, args.answer_after), hostname=args.host, port=args.port)
    controller.start()
    log.info("listening on %s:%s, keeping mail in %s", args.host, args.port, args.dir)
    stopped = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stopped.set())
    stopped.wait()
    controller.stop()


if __name__ == "__main__":
    main()
