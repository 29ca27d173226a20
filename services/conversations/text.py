"""Message bodies: safe HTML, plain text, and the words search looks for.

Only `<a>` links survive sanitising (nh3), with rel="nofollow noreferrer noopener" and
http(s)/mailto targets; bare URLs become links; line breaks are kept as <br>. `text` is the
plain text a notification or a preview uses.
"""

import html
import re
import unicodedata
from typing import Any

import nh3

from services.common.errors import ValidationFailed

BODY_MAX = 10_000
PREVIEW_LENGTH = 255
LINK_REL = "nofollow noreferrer noopener"
# A URL stops at white space, quotes and angle brackets; a trailing full stop or bracket
# belongs to the sentence, not the link.
BARE_URL = re.compile(r"""\bhttps?://[^\s<>"']+[^\s<>"'.,;:!?)\]]""", re.IGNORECASE)
LINK = re.compile(r"(<a\b[^>]*>.*?</a>)", re.IGNORECASE | re.DOTALL)
WORD = re.compile(r"\w+")
MAX_WORDS = 2000


def _clean(markup: str) -> str:
    return nh3.clean(
        markup,
        tags={"a", "br"},
        attributes={"a": {"href"}},
        link_rel=LINK_REL,
        url_schemes={"http", "https", "mailto"},
        strip_comments=True,
    )


def _linkify(cleaned: str) -> str:
    parts = LINK.split(cleaned)
    for index in range(0, len(parts), 2):  # even parts lie outside existing links
        parts[index] = BARE_URL.sub(lambda m: f'<a href="{m.group(0)}">{m.group(0)}</a>', parts[index])
    return "".join(parts)


def prepare(raw: str | None, required: bool = True) -> dict[str, Any]:
    """The stored forms of a message body; raises ValidationFailed when it is too long, or empty
    while `required` (a message of files alone has no text)."""
    trimmed = (raw or "").strip()
    if not trimmed and not required:
        return {"body": "", "text": "", "words": []}
    if not trimmed:
        raise ValidationFailed("The message is empty.", {"body": ["Write a message."]})
    if len(trimmed) > BODY_MAX:
        raise ValidationFailed(
            "The message is too long.", {"body": [f"At most {BODY_MAX} characters, got {len(trimmed)}."]}
        )
    lines = trimmed.replace("\r\n", "\n").replace("\r", "\n")
    text = html.unescape(nh3.clean(lines, tags=set()))
    body = _clean(_linkify(_clean(lines))).replace("\n", "<br>\n")
    if not text.strip():
        raise ValidationFailed("The message has no text.", {"body": ["Write a message."]})
    return {"body": body, "text": text, "words": words(text)}


def plain(text: str) -> dict[str, Any]:
    """The stored forms of text that holds no markup (a message whose contact details were
    masked, made from its plain text): its bare URLs become links, its line breaks <br>."""
    body = _clean(_linkify(html.escape(text, quote=False))).replace("\n", "<br>\n")
    return {"body": body, "text": text, "words": words(text)}


def preview(text: str) -> str:
    return text[:PREVIEW_LENGTH]


def normalise(word: str) -> str:
    """Case- and accent-insensitive form: 'Café' and 'CAFE' are the same word."""
    decomposed = unicodedata.normalize("NFKD", word)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()


def words(text: str) -> list[str]:
    unique = dict.fromkeys(normalise(word) for word in WORD.findall(text))
    return list(unique)[:MAX_WORDS]


def query_words(q: str) -> list[str]:
    return words(q or "")
