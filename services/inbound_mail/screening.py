"""Mail no person wrote, and mail that is not from whom it says.

No loops and no noise: an out-of-office reply or a bounce answering a notification must never
become a message (which would be mailed, and answered again). They are accepted and dropped:
refusing a bounce only makes another. Where the receiving MTA checked the sender and wrote
`Authentication-Results` (RFC 8601), a failed DKIM, SPF or DMARC check refuses the mail.

With INBOUND_TRUSTED_AUTHSERV_ID set (the checking mail server in front of this process), a
mail is taken only when that server's results say DKIM or SPF passed for the From's domain:
then a forged From is refused even with a reply address in hand. Only the topmost results of
that server count: it writes its own above whatever the mail came with (and should remove any
that claim its name, as RFC 8601 §5 asks).
"""

import re

from .reading import Mail

AUTO_REPLY, BOUNCE = "auto_reply", "bounce"

# RFC 3834's Auto-Submitted, and the headers older auto-responders use instead.
AUTOMATIC_PRECEDENCE = {"bulk", "auto_reply", "junk"}
AUTORESPONDER_HEADERS = ("X-Autoreply", "X-Autorespond", "X-Auto-Reply", "X-Autoresponse")
# Subjects that out-of-office replies begin with (after any "Re:"), in the languages of the
# mail clients that write them without the headers above.
OUT_OF_OFFICE = re.compile(
    r"^\s*((re|aw|sv|antw|r|rif)\s*:\s*)*("
    r"auto(matic|matische|matisch|matiskt)?[ -]?(reply|response|answer|antwort|antwoord|svar)"
    r"|autoreply|auto\s*:|out of (the )?office|away from (the )?office|on vacation|abwesenheit(snotiz)?"
    r"|r[ée]ponse automatique|absent(e)? du bureau|absence du bureau|risposta automatica|fuori (sede|ufficio)"
    r"|respuesta autom[áa]tica|fuera de la oficina|afwezig(heid)?|automatyczna odpowied[źz]"
    r"|poza biurem|fr[åa]nvaro|automatick[áa] odpov[ěe]d|nepř[íi]tomnost|自動応答|自動返信|不在|自动回复|자동 응답"
    r")(?![a-z])",
    re.IGNORECASE,
)
BOUNCE_SENDERS = {"mailer-daemon", "postmaster"}
AUTHENTICATION_FAILURE = re.compile(r"(?:^|[;\s])(dkim|spf|dmarc)\s*=\s*fail\b", re.IGNORECASE)
COMMENT = re.compile(r"\([^()]*\)")


def noise(mail: Mail, envelope_sender: str | None) -> str | None:
    """AUTO_REPLY, BOUNCE, or None for mail a person sent. `envelope_sender` is SMTP's MAIL
    FROM ("<>" for the null sender of bounces), None where there was no envelope (HTTP)."""
    message = mail.message
    return_path = str(message.get("Return-Path", "") or "").strip()
    if envelope_sender in ("", "<>") or return_path == "<>" or message.get_content_type() == "multipart/report":
        return BOUNCE
    if mail.sender.partition("@")[0].lower() in BOUNCE_SENDERS:
        return BOUNCE
    if str(message.get("Auto-Submitted", "no")).strip().lower().split(";")[0] != "no":
        return AUTO_REPLY
    if str(message.get("Precedence", "")).strip().lower() in AUTOMATIC_PRECEDENCE:
        return AUTO_REPLY
    if any(message.get(header) is not None for header in AUTORESPONDER_HEADERS):
        return AUTO_REPLY
    if OUT_OF_OFFICE.search(mail.subject):
        return AUTO_REPLY
    return None


def verified_by(mail: Mail, authserv_id: str) -> bool:
    """The topmost Authentication-Results of `authserv_id` say DKIM passed with a signature of
    the From's domain (or a domain it is under), or SPF passed for an envelope sender of it."""
    domain = mail.sender.rpartition("@")[2].lower()
    for header in mail.message.get_all("Authentication-Results") or ():
        server, *results = COMMENT.sub(" ", str(header)).split(";")
        if (server.split() or [""])[0].lower() != authserv_id.lower():
            continue
        return bool(domain) and any(_passes_for(result, domain) for result in results)
    return False


def _passes_for(result: str, domain: str) -> bool:
    words = dict(word.partition("=")[::2] for word in result.lower().split() if "=" in word)
    checked = {
        "dkim": words.get("header.d") or words.get("header.i", "").rpartition("@")[2],
        "spf": words.get("smtp.mailfrom", "").rpartition("@")[2],
    }
    for method, signer in checked.items():
        signer = signer.strip('"')
        if words.get(method) == "pass" and signer and (domain == signer or domain.endswith("." + signer)):
            return True
    return False


def authentication_failure(mail: Mail) -> str | None:
    """Which check the receiving MTA saw fail ("dkim", "spf", "dmarc"), or None. A sender can
    write such a header too, but only to have its own mail refused."""
    for header in mail.message.get_all("Authentication-Results") or ():
        found = AUTHENTICATION_FAILURE.search(COMMENT.sub(" ", str(header)))
        if found:
            return found[1].lower()
    return None
