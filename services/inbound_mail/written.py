"""What the person wrote: a reply's text without the mail it quotes and without a signature.

Three steps:
1. Where the quoted mail begins, if the client marks it in a way we can see whatever its
   language: our own first line (REPLY_ABOVE_THIS_LINE), a header line naming the reply
   address, or an "Original Message" rule. Only below something written, so a reply written
   under the quote is not cut away.
2. mail-parser-reply splits the rest at the quote headers of the clients in twelve languages
   ("On … wrote:", "From: … Sent: …") and finds the signature: a sign-off of its lists ("Best
   regards", "Viele Grüße"), "-- ", "Sent from my iPhone". A sign-off counts only as what a
   signature is, a short closing line and a few lines under it at the end: "Thanks, that works
   for me." in the middle of a reply stays.
3. Lines quoted with ">" go (a reply written below the quote, or between its lines, keeps
   only its own lines), then whatever is left of a quote header or a device's last line.
"""

import re

from mailparser_reply.parser import EmailMessage

from services.common.reply_addresses import LOCAL_PREFIX, REPLY_ABOVE_THIS_LINE, TOKEN_LENGTH

# The languages whose headers and sign-offs are looked for. Danish is left out: its sign-offs
# ("Tak", "Kh", "Knus") are matched at the start of a line, and "Take care…" would end a reply.
LANGUAGES = ("en", "de", "fr", "es", "it", "nl", "pl", "sv", "cs", "ja", "ko", "zh")
REPLY_ADDRESS = re.compile(re.escape(LOCAL_PREFIX) + f"[a-z2-7]{{{TOKEN_LENGTH}}}@", re.IGNORECASE)
SPACE = r"(?:\s|&nbsp;)*"  # QQ Mail writes &nbsp; in its plain text
ORIGINAL_MESSAGE = re.compile(
    rf"^\s*[-_=]{{3,}}{SPACE}(original message|forwarded message|ursprüngliche nachricht|message d'origine"
    rf"|mensaje original|messaggio originale|oorspronkelijk bericht|originalmeddelande|wiadomość oryginalna"
    rf"|původní zpráva|исходное сообщение|mensagem original|原始邮件|元のメッセージ|원본 메시지){SPACE}[-_=]{{3,}}\s*$",
    re.IGNORECASE,
)
RULE = re.compile(r"^\s*[-_=*]{5,}\s*$")
# A device's last line that the library does not know (it knows "Sent from my …").
DEVICE_LINE = re.compile(
    r"^(sent (from|with) (yahoo|aol|mail|outlook|samsung|proton|my)\b.*|get outlook for \w+.*"
    r"|envoy[ée] (de|depuis) .*|von meinem .*gesendet|enviado desde .*|inviato da .*)$",
    re.IGNORECASE,
)
# "<date> <name> <address> wrote:" in a language the library does not know: a last line that
# names an address and ends in a colon introduces the quote; Gmail breaks it after "<".
QUOTE_HEADER = re.compile(r"\S+@\S+.*:\s*$")
# What a signature's first line may be: a closing ("Best regards,", "Viele Grüße"), not a sentence.
CLOSING_MAX = 40
SIGNATURE_LINES_MAX = 6


def written_part(text: str) -> str:
    lines = text.replace("\r\n", "\n").split("\n")
    lines = lines[: _quote_start(lines)]
    parsed = EmailMessage(text="\n".join(lines), languages=list(LANGUAGES), keep_hyphen_lists=True).read()
    body = _without_signature(parsed.SIGNATURE_REGEX, parsed.replies[0].full_body) if parsed.replies else ""
    kept = [line.rstrip() for line in body.split("\n") if not line.lstrip().startswith(">")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(_without_tail(kept))).strip()


def _quote_start(lines: list[str]) -> int | None:
    """The index of the line the quoted mail begins with, when something is written above it."""
    written = False
    for index, line in enumerate(lines):
        if line.lstrip().startswith(">"):
            continue
        if written and (REPLY_ABOVE_THIS_LINE in line or REPLY_ADDRESS.search(line) or ORIGINAL_MESSAGE.match(line)):
            # Gmail breaks "On …, Message Center <reply+…> wrote:" after the "<".
            return index - 1 if lines[index - 1].rstrip().endswith("<") else index
        written = written or bool(line.strip())
    return None


def _without_signature(signature: re.Pattern[str], body: str) -> str:
    """The body above its signature: the first block the library's pattern finds that is one."""
    position = 0
    while (found := signature.search(body, position)) is not None:
        if _is_signature(found.group()):
            return body[: found.start()]
        line_start = found.start() + len(found.group()) - len(found.group().lstrip())
        position = body.find("\n", line_start) + 1
        if position == 0:
            break
    return body


def _is_signature(block: str) -> bool:
    """Whether a block the library's pattern found is a signature, judged by its lines above any
    quote: a quoted one is the quoted mail's, and a closing is a short line, not a sentence."""
    if block.strip().startswith(">"):
        return False
    lines = []
    for line in block.strip().split("\n"):
        if line.lstrip().startswith(">") or QUOTE_HEADER.search(line):
            break
        if line.strip():
            lines.append(line.strip())
    first = lines[0] if lines else ""
    if first.startswith(("--", "__")) or DEVICE_LINE.match(first) or first.lower().startswith("sent from my"):
        return True  # a delimiter, or a device's line: what follows is never the reply
    # "Thanks, Bob" closes; "Thanks, that works" is a sentence.
    goes_on = any(word[:1].islower() for word in first.partition(",")[2].split())
    return (
        0 < len(first) <= CLOSING_MAX
        and not first.endswith((".", "?", "!"))
        and not goes_on
        and len(lines) <= SIGNATURE_LINES_MAX
    )


def _without_tail(lines: list[str]) -> list[str]:
    """Without what is left at the end of a quote's beginning or a device's signature."""
    while lines:
        last = lines[-1].strip()
        if not last or DEVICE_LINE.match(last) or RULE.match(last) or ORIGINAL_MESSAGE.match(last):
            lines.pop()
        elif QUOTE_HEADER.search(last):
            lines.pop()
            if lines and lines[-1].rstrip().endswith("<"):
                lines.pop()
        else:
            break
    return lines
