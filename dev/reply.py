"""Answer a notification mail of the development mail sink by replying to it, as a mail client
would: `python -m dev.reply var/mail/<file>.eml "Yes, it does."`.

The reply goes by SMTP to the inbound process (INBOUND_SMTP_PORT), from the address the mail
was sent to, to its Reply-To, quoting it under "On … wrote:" as Gmail does; the message then
appears in the conversation, on the demo pages too.
"""

import argparse
import smtplib
import sys
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import format_datetime, make_msgid
from datetime import datetime, timezone
from pathlib import Path

from services.common.config import load_settings


def reply_to(original: EmailMessage, text: str) -> EmailMessage:
    reply = EmailMessage()
    reply["From"] = original["To"]
    reply["To"] = original["Reply-To"]
    reply["Subject"] = "Re: " + str(original["Subject"])
    reply["Date"] = format_datetime(datetime.now(timezone.utc))
    reply["Message-ID"] = make_msgid(domain="reply.dev.example")
    reply["In-Reply-To"] = reply["References"] = original["Message-ID"]
    quoted = "\n".join("> " + line for line in original.get_body(("plain",)).get_content().splitlines())
    reply.set_content(f"{text}\n\nOn {original['Date']}, {original['From']} wrote:\n{quoted}\n")
    return reply


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("mail", type=Path, help="a notification mail the sink kept (var/mail/*.eml)")
    parser.add_argument("text", help="what to answer")
    args = parser.parse_args()
    original = BytesParser(policy=policy.default).parsebytes(args.mail.read_bytes())
    if original["Reply-To"] is None:
        sys.exit("This mail has no Reply-To: it was sent while REPLY_DOMAIN was unset.")
    settings = load_settings()
    with smtplib.SMTP("127.0.0.1", settings.INBOUND_SMTP_PORT, timeout=30) as smtp:
        refused = smtp.send_message(reply_to(original, args.text))
    print(f"sent to {original['Reply-To']}" + (f"; refused: {refused}" if refused else ""))


if __name__ == "__main__":
    main()
