"""Contact details in a message's text: where they are and what kind they are.

Marketplaces keep the sale on the marketplace, so buyers and sellers are kept from trading
addresses, numbers and outside links in their messages (moderation.py decides what to do
with what is found here). Pure: text in, spans out; no framework, no database.

What is found, each by its own pass, then merged:
- `email`: addresses, and their disguises ("john at gmail dot com", "anna(at)gmx(punkt)de",
  "carlos arroba hotmail").
- `phone`: numbers libphonenumber (`phonenumbers`) finds valid in the marketplace's region or
  written internationally; national numbers of other countries by their shape (a trunk 0, or
  nine digits and more in groups); shorter digit runs after a word that announces a number
  ("call me", "Handy", "portable", "móvil"); digits spelled out in English, German, French or
  Spanish ("zero one seven one …").
- `link`: web addresses whose host is not one of the marketplace's own or allowed domains.
- `messenger`: messenger links (wa.me, t.me …), "@handles", and invitations to continue on a
  messenger ("WhatsApp me", "write me on Telegram", "mon Insta : …").
- `blocked_word`: words and phrases the administration blocks, in any case and accents.

Never found: order numbers, tracking numbers, product codes, prices, dates and times. They
are marked first (`_protected`), and a run of digits that falls on one is not a phone number.

Every pass reads the text as disguises.py reads it (zero-width characters gone, full-width
forms and look-alike letters read, spelled separators as `@` and `.`), and each span found is
mapped back to what was written. A link's host is the one a browser opens (WHATWG URL
parsing, `ada-url`): `https://evil.example\\@127.0.0.1/` opens evil.example.
"""

import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import ada_url
import phonenumbers

from . import disguises

EMAIL, PHONE, LINK, MESSENGER, BLOCKED_WORD = "email", "phone", "link", "messenger", "blocked_word"
KINDS = (EMAIL, PHONE, LINK, MESSENGER, BLOCKED_WORD)
REPLACEMENT = "[contact details removed]"


@dataclass(frozen=True)
class Span:
    start: int
    end: int
    kind: str


@dataclass(frozen=True)
class Policy:
    """What the marketplace allows: its phone region (ISO 3166 alpha-2, as libphonenumber takes
    it), the domains whose links are its own or allowed (a subdomain of one is allowed too),
    and the administration's blocked words."""

    region: str = "US"
    allowed_domains: tuple[str, ...] = ()
    blocked_words: tuple[str, ...] = ()


def detect(text: str, policy: Policy = Policy()) -> list[Span]:
    """The contact details in `text`, in order, none overlapping another, where they were
    written (however they were disguised)."""
    reading = disguises.read(text)
    read = reading.text
    protected = _protected(read)

    def written(start: int, end: int) -> str:
        return text[slice(*reading.written(start, end))]

    found = (
        _emails(read)
        + _links(read, policy.allowed_domains, written)
        + _messengers(read)
        + _phones(read, policy.region, protected)
        + _blocked(read, policy.blocked_words)
    )
    return [Span(*reading.written(span.start, span.end), span.kind) for span in _merged(found, read)]


def masked(text: str, spans: list[Span], replacement: str = REPLACEMENT) -> str:
    """`text` with each span replaced."""
    parts, at = [], 0
    for span in spans:
        parts.append(text[at : span.start])
        parts.append(replacement)
        at = span.end
    parts.append(text[at:])
    return "".join(parts)


# Emails ------------------------------------------------------------------------------------

PLAIN_EMAIL = re.compile(r"(?<![\w.+-])(?:mailto:)?[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[^\W\d_]{2,}\b")
_AT = (
    r"(?:\s*(?:@|\(\s*(?:at|a|@|ät|arroba|arobase)\s*\)|\[\s*(?:at|a|@|ät|arroba|arobase)\s*\]"
    r"|\{\s*(?:at|@)\s*\}|<\s*at\s*>)\s*|\s+(?:at|ät|arroba|arobase|chez|bei|chiocciola|собака)\s+)(?!www\b)"
)
_DOT = (
    r"(?:\s*(?:\.|\(\s*(?:dot|punkt|point|punto)\s*\)|\[\s*(?:dot|punkt|point|punto)\s*\]|\{\s*dot\s*\})\s*"
    r"|\s+(?:dot|punkt|point|punto|ponto|period|точка)\s+)"
)
# Top-level domains a disguised address may end in: the common ones, so that "at" and "point"
# in a sentence do not make one ("el punto de vista" has no address in it).
_MAIL_TLDS = (
    r"(?:com|net|org|info|biz|io|shop|store|online|email|co\.uk|co|de|fr|es|it|nl|be|ch|at|eu|uk|us|ca|"
    r"pl|pt|se|mx|ar|br|ru)"
)
_PROVIDERS = (
    r"(?:gmail|googlemail|hotmail|yahoo|outlook|gmx|icloud|aol|protonmail|proton|wanadoo|laposte|"
    r"t-online|freenet|yandex|libero|uol|bol|mail\.ru)"
)
DISGUISED_EMAIL = re.compile(
    rf"(?<![\w@])[\w+-]{{2,64}}(?:{_DOT}[\w+-]{{1,64}}){{0,3}}{_AT}"
    rf"(?:[\w-]{{2,63}}(?:{_DOT}[\w-]{{2,63}}){{0,2}}{_DOT}{_MAIL_TLDS}\b|{_PROVIDERS}\b)",
    re.IGNORECASE,
)


def _emails(text: str) -> list[Span]:
    spans = [Span(m.start(), m.end(), EMAIL) for m in PLAIN_EMAIL.finditer(text)]
    for match in DISGUISED_EMAIL.finditer(text):
        spans.append(Span(match.start(), match.end(), EMAIL))
    return spans


# Links -------------------------------------------------------------------------------------

_TLDS = (
    "com|net|org|info|biz|io|co|me|shop|store|online|site|app|dev|xyz|top|eu|de|at|ch|fr|be|es|it|nl|"
    "uk|us|ca|pl|pt|se|dk|no|fi|ie|cz|ru|рф|cn|jp|br|mx|ar|au|tv|ly|gl|link|page"
)
# A bare host's labels may be in any script (lampen-günstig.de, лампы.рф): a browser reads them
# as IDN.
LINK_PATTERN = re.compile(
    r"(?:(?:https?|ftp)://|www\.)[^\s<>\"']+[^\s<>\"'.,;:!?)\]]"
    rf"|(?<![\w@.\-/])(?:[^\W_](?:[^\W_]|-){{0,62}}\.)+(?:{_TLDS})(?![\w-])(?:/[^\s<>\"']*[^\s<>\"'.,;:!?)\]])?",
    re.IGNORECASE,
)
DISGUISED_LINK = re.compile(
    r"(?<![\w@])(?:www\s*(?:\.|\s+dot\s+|\s+punkt\s+|\s+point\s+|\s+punto\s+)\s*)?[\w-]{2,63}"
    r"\s*(?:\(\s*(?:dot|punkt|point|punto)\s*\)|\[\s*(?:dot|punkt|point|punto)\s*\]|\s+dot\s+)\s*"
    r"(?:com|net|org|info|shop|store|de|fr|es|co\.uk)\b",
    re.IGNORECASE,
)
MESSENGER_HOSTS = (
    "wa.me",
    "t.me",
    "telegram.me",
    "telegram.dog",
    "m.me",
    "signal.me",
    "line.me",
    "viber.me",
    "whatsapp.com",
    "api.whatsapp.com",
    "chat.whatsapp.com",
    "wechat.com",
    "weixin.qq.com",
    "threema.id",
    "kik.me",
    "discord.gg",
    "discord.com",
    "paypal.me",
    "instagram.com",
    "facebook.com",
    "fb.me",
    "snapchat.com",
    "tiktok.com",
)


SCHEME = re.compile(r"(?:https?|ftp)://", re.IGNORECASE)


def _host(link: str) -> str:
    """The host a browser opens for `link`, in ASCII (punycode): WHATWG URL parsing reads `\\`
    as `/`, drops user info and maps IDN. A link it refuses is read the plain way."""
    try:
        return ada_url.URL(link if SCHEME.match(link) else "http://" + link).hostname.lower()
    except ValueError:
        bare = SCHEME.sub("", link, count=1)
        return re.split(r"[/\\?#:]", bare, maxsplit=1)[0].lower().split("@")[-1]


def _ascii(domain: str) -> str:
    try:
        return ada_url.idna.encode(domain).decode("ascii")
    except (ValueError, UnicodeError):
        return domain


def _under(host: str, domains: Iterable[str]) -> bool:
    return any(host == domain or host.endswith("." + domain) for domain in domains)


def _links(text: str, allowed_domains: tuple[str, ...], written: Callable[[int, int], str] | None = None) -> list[Span]:
    """`written(start, end)`: what was written where the text read says a link is. A link is
    allowed only as written, too: read as Latin, `mаrketplace.example` with a Cyrillic а would
    pass for the marketplace's own."""
    allowed = tuple(_ascii(domain.lower().lstrip(".")) for domain in allowed_domains if domain)
    spans = []
    for match in LINK_PATTERN.finditer(text):
        host = _host(match.group(0))
        if not host.startswith("www.") and "/" not in match.group(0) and not _plausible_bare(match.group(0)):
            continue
        if _under(host, MESSENGER_HOSTS):
            spans.append(Span(match.start(), match.end(), MESSENGER))
        elif not _allowed(host, allowed) or (
            written and not _allowed(_host(disguises.visible(written(*match.span()))), allowed)
        ):
            spans.append(Span(match.start(), match.end(), LINK))
    spans += [Span(m.start(), m.end(), LINK) for m in DISGUISED_LINK.finditer(text)]
    return spans


def _allowed(host: str, allowed: tuple[str, ...]) -> bool:
    return _under(host.removeprefix("www."), allowed) or _under(host, allowed)


def _plausible_bare(candidate: str) -> bool:
    """A host written without scheme: its top-level domain in one case ("lamp.It is nice" is a
    sentence missing a space, "Lampen-Shop.de" an address)."""
    tld = candidate.rsplit(".", 1)[-1]
    return tld.islower() or tld.isupper()


# Messengers --------------------------------------------------------------------------------

_MESSENGERS = (
    r"(?:whats\s?app|watsapp|wa|telegram|tg|signal|viber|we\s?chat|weixin|skype|threema|kik|"
    r"discord|snap(?:chat)?|insta(?:gram)?|ig|facebook|fb|messenger|tiktok|line|zap|whats|"
    r"телеграм\w*|телег\w|тг|вотсап\w*|ватсап\w*|вацап\w*|вайбер\w*|инст\w*)"
)
# A messenger named with what follows it: a handle, a number, a name after a colon.
MESSENGER_HANDLE = re.compile(
    rf"\b{_MESSENGERS}\b\s*(?:[:=]|\s(?:is|ist|est|es|id|name|nummer|number|numéro|número|handle|username|"
    r"pseudo|usuario)\b:?)\s*(?:@?[\w.\-]{3,40}|\+?\d[\d \-]{5,})",
    re.IGNORECASE,
)
# "my WhatsApp", "mon Insta", "mi Telegram": a person speaks of their own account.
MESSENGER_OWNED = re.compile(
    rf"\b(?:my|mein(?:e|en)?|mon|ma|mi|mis)\s+{_MESSENGERS}\b(?!\s+(?:app|group|gruppe))", re.IGNORECASE
)
# "WhatsApp me", "telegram us"
MESSENGER_VERB = re.compile(r"\b(?:whats\s?app|telegram|signal|viber|wechat|skype|dm|pm)\s+(?:me|us)\b", re.IGNORECASE)
# An invitation to go on elsewhere: "write me on Telegram", "schreib mir per WhatsApp",
# "contactez-moi sur WhatsApp", "escríbeme por WhatsApp".
MESSENGER_INVITATION = re.compile(
    r"(?:\b(?:contact|reach|find|follow|add|message|text|write|call|dm|ping|chat\s+with|talk\s+to|join|hit)"
    r"\s+(?:me|us)\b[^.!?\n]{0,25}?\b(?:on|via|at|through|over|in)\s+"
    r"|\b(?:schreib\w*|meld\w*|kontaktier\w*|erreich\w*|ruf\w*|such\w*|folg\w*|add\w*|kontakt|erreichbar)"
    r"\b[^.!?\n]{0,25}?\b(?:auf|per|über|via|bei|unter|in)\s+"
    r"|\b(?:contacte[rz]?|contacte-moi|contactez-(?:moi|nous)|écri(?:s|vez|re)(?:-moi|-nous)?|ajoute[rz]?(?:-moi|-nous)?"
    r"|appelle[rz]?(?:-moi|-nous)?|suivez(?:-nous|-moi)?|retrouvez(?:-nous|-moi)?|joignable|dispo(?:nible)?)"
    r"\b[^.!?\n]{0,25}?\b(?:sur|par|via|en)\s+"
    r"|\b(?:escr[ií]be(?:me|nos)?|cont[aá]cta(?:me|nos)?|ll[aá]ma(?:me|nos)|agr[eé]ga(?:me|nos)|añáde(?:me|nos)"
    r"|b[uú]sca(?:me|nos)|s[ií]gue(?:me|nos)|m[aá]nda(?:me|nos)|h[aá]bla(?:me|nos)|disponible)"
    r"\b[^.!?\n]{0,25}?\b(?:por|en|al|v[ií]a)\s+"
    rf"){_MESSENGERS}\b",
    re.IGNORECASE,
)
# Not inside a link's path or user info (`https://shop.example\\@name` opens shop.example).
HANDLE = re.compile(r"(?<![\w@.\\/])@[^\W\d][\w.]{2,29}\b")


def _messengers(text: str) -> list[Span]:
    spans = []
    for pattern in (MESSENGER_HANDLE, MESSENGER_OWNED, MESSENGER_VERB, MESSENGER_INVITATION, HANDLE):
        spans += [Span(m.start(), m.end(), MESSENGER) for m in pattern.finditer(text)]
    return spans


# Phone numbers -----------------------------------------------------------------------------

# What a number may be without being a phone number: each is marked before numbers are looked for.
_CODE_WORDS = (
    r"(?:order|orders|order\s+(?:no|nr|number|id)|invoice|receipt|tracking(?:\s+(?:no|number|code|id))?|"
    r"parcel|shipment|sku|ean|upc|gtin|isbn|mpn|asin|model|serial(?:\s+number)?|s/n|sn|part(?:\s+number)?|"
    r"item(?:\s+number)?|pn|p/n|article|ref(?:erence)?|case|ticket|iban|bic|"
    r"bestellung|bestellnummer|bestell-nr\.?|auftrag(?:snummer)?|rechnung(?:snummer)?|lieferschein|"
    r"sendung(?:snummer)?|paket(?:nummer)?|artikel(?:nummer)?|art\.?-?\s?nr\.?|modell|seriennummer|"
    r"commande|facture|colis|suivi|référence|réf\.?|numéro\s+de\s+(?:commande|suivi|série)|"
    r"pedido|factura|envío|seguimiento|referencia|albarán|n(?:[º°]|[úu]mero)\s*de\s+(?:pedido|serie|seguimiento)|"
    r"cep|plz|n\.?\s?[º°o]|nr\.?|no\.|#)"
)
CODE = re.compile(rf"\b{_CODE_WORDS}\s*[:#.\-]?\s*(?:[A-Z0-9][A-Z0-9/\-]*\d[A-Z0-9/\-]*)", re.IGNORECASE)
HASH_CODE = re.compile(r"#\s?[A-Z0-9][A-Z0-9\-]*\d", re.IGNORECASE)
_CURRENCY = r"(?:[$€£¥]|\bUSD\b|\bEUR\b|\bGBP\b|\bCHF\b)"
PRICE = re.compile(
    rf"{_CURRENCY}\s?\d[\d.,' ]{{0,15}}\d(?:[.,]-)?|{_CURRENCY}\s?\d"
    r"|\b\d[\d.,' ]{0,15}\s?(?:[$€£¥]|USD|EUR|GBP|CHF|euros?|dollars?|pounds?|francs?|pesos?)(?!\w)",
    re.IGNORECASE,
)
DATE = re.compile(
    r"(?<![\d.\-/])(?:\d{4}-\d{1,2}-\d{1,2}|\d{1,2}[./-]\d{1,2}[./-](?:\d{4}|\d{2}))(?![\d]|[./-]\d)"
    r"|(?<![\d:])\d{1,2}[:h]\d{2}(?::\d{2})?(?![\d:])"
    r"|\b\d{1,2}(?:st|nd|rd|th|er|\.)?\s+(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec|januar|februar|märz|"
    r"mai|juni|juli|august|oktober|dezember|janvier|février|mars|avril|juin|juillet|août|septembre|octobre|"
    r"novembre|décembre|enero|febrero|marzo|abril|mayo|junio|julio|agosto|septiembre|octubre|noviembre|"
    r"diciembre)\w*\.?(?:\s+\d{2,4})?\b",
    re.IGNORECASE,
)
MEASURE = re.compile(r"\b\d+(?:[.,]\d+)?\s?(?:x|×)\s?\d+(?:[.,]\d+)?(?:\s?(?:x|×)\s?\d+(?:[.,]\d+)?)?", re.IGNORECASE)

# A run of digits with the separators people put in numbers.
DIGIT_RUN = re.compile(r"(?<![\w+])(?:\+|\b00)?\(?\d(?:[ \t.\-/()]{0,3}\d){5,}\)?")
# Words that announce a number within a few words before it.
PHONE_CUE = re.compile(
    r"\b(?:call|calls|phone|tel|tele|telephone|mobile|mob|cell|cellphone|number|text|sms|ring|dial|fax|hotline|"
    r"whats\s?app|telegram|signal|viber|"
    r"ruf|rufe|rufen|anrufen|anruf|telefon|handy|handynummer|nummer|mobil|festnetz|erreichbar|"
    r"appel|appelez|appelle|appeler|téléphone|portable|numéro|fixe|joindre|"
    r"llama|llámame|llamar|llamada|teléfono|móvil|movil|celular|número|numero|contacto|"
    r"liga|ligue|ligar|telefone|zap|chiamami|chiama|chiamare|cellulare|telefono|"
    r"звоните|звони|позвоните|номер|телефон|тел|мобильный)\b[^\n]{0,25}$",
    re.IGNORECASE,
)
MAX_PHONE_DIGITS = 15  # E.164


def _protected(text: str) -> list[tuple[int, int]]:
    ranges = []
    for pattern in (CODE, HASH_CODE, PRICE, DATE, MEASURE):
        ranges += [(m.start(), m.end()) for m in pattern.finditer(text)]
    return ranges


def _overlaps(start: int, end: int, ranges: list[tuple[int, int]]) -> bool:
    return any(start < other_end and other_start < end for other_start, other_end in ranges)


def _phones(text: str, region: str, protected: list[tuple[int, int]]) -> list[Span]:
    spans = []
    for match in phonenumbers.PhoneNumberMatcher(text, (region or "US").upper(), leniency=phonenumbers.Leniency.VALID):
        if not _overlaps(match.start, match.end, protected):
            spans.append(Span(match.start, match.end, PHONE))
    for run_match in DIGIT_RUN.finditer(text):
        start, end = run_match.span()
        run = run_match.group(0)
        if _overlaps(start, end, protected) or not _phone_shaped(run, text[max(0, start - 40) : start]):
            continue
        spans.append(Span(start, end, PHONE))
    spans += _spelled_numbers(text)
    return spans


def _phone_shaped(run: str, before: str) -> bool:
    digits = re.sub(r"\D", "", run)
    if not 6 <= len(digits) <= MAX_PHONE_DIGITS:
        return False
    grouped = bool(re.search(r"\d[ \t.\-/()]+\d", run))
    if run.startswith("+") or run.startswith("00"):
        return len(digits) >= 8
    if re.match(r"\(?0[1-9]", run):  # a national number's trunk prefix
        return len(digits) >= 9 or (len(digits) >= 7 and grouped)
    if len(digits) >= 9 and grouped:
        return True
    return bool(PHONE_CUE.search(before))


_DIGIT_WORDS = {
    # English, German, French, Spanish (and "oh" for zero, as numbers are read out).
    "zero": 0,
    "oh": 0,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "null": 0,
    "eins": 1,
    "zwei": 2,
    "zwo": 2,
    "drei": 3,
    "vier": 4,
    "fünf": 5,
    "funf": 5,
    "sechs": 6,
    "sieben": 7,
    "acht": 8,
    "neun": 9,
    "zéro": 0,
    "un": 1,
    "une": 1,
    "deux": 2,
    "trois": 3,
    "quatre": 4,
    "cinq": 5,
    "sept": 7,
    "huit": 8,
    "neuf": 9,
    "cero": 0,
    "uno": 1,
    "dos": 2,
    "tres": 3,
    "cuatro": 4,
    "cinco": 5,
    "seis": 6,
    "siete": 7,
    "ocho": 8,
    "nueve": 9,
    # Italian, Portuguese, Russian.
    "due": 2,
    "tre": 3,
    "quattro": 4,
    "sei": 6,
    "sette": 7,
    "otto": 8,
    "nove": 9,
    "um": 1,
    "dois": 2,
    "três": 3,
    "quatro": 4,
    "sete": 7,
    "oito": 8,
    "ноль": 0,
    "один": 1,
    "два": 2,
    "три": 3,
    "четыре": 4,
    "пять": 5,
    "шесть": 6,
    "семь": 7,
    "восемь": 8,
    "девять": 9,
}
_DOUBLES = {"double": 2, "triple": 3, "doppel": 2}
SPELLED_TOKEN = re.compile(r"[^\W\d_]+|\d+", re.UNICODE)
SPELLED_GAP = re.compile(r"[\s,.\-/]*")
SPELLED_MIN_DIGITS = 7


def _spelled_numbers(text: str) -> list[Span]:
    """Runs of digit words (and digits) read out: seven digits or more, at least three spelled."""
    spans = []
    run_start: int | None = None
    run_end = 0  # read only while run_start is set, which sets it too
    digits = spelled = 0
    pending_double = 1
    at = 0
    for token in SPELLED_TOKEN.finditer(text):
        gap = text[at : token.start()]
        at = token.end()
        word = token.group(0).lower()
        continues = run_start is not None and SPELLED_GAP.fullmatch(gap)
        value = None
        if word.isdigit():
            value = len(word)
        elif word in _DIGIT_WORDS:
            value, spelled = 1 * pending_double, spelled + 1
            pending_double = 1
        elif word in _DOUBLES and (continues or run_start is None):
            pending_double = _DOUBLES[word]
            if run_start is None:
                run_start, run_end, digits, spelled = token.start(), token.end(), 0, 0
            continue
        if value is not None and (continues or run_start is None):
            if run_start is None:
                run_start, digits, spelled = token.start(), 0, 1 if not word.isdigit() else 0
            digits += value
            run_end = token.end()
            continue
        if run_start is not None and digits >= SPELLED_MIN_DIGITS and spelled >= 3:
            spans.append(Span(run_start, run_end, PHONE))
        run_start, digits, spelled, pending_double = None, 0, 0, 1
        if value is not None:  # a digit word after a break starts a run of its own
            run_start, run_end, digits, spelled = token.start(), token.end(), value, 0 if word.isdigit() else 1
    if run_start is not None and digits >= SPELLED_MIN_DIGITS and spelled >= 3:
        spans.append(Span(run_start, run_end, PHONE))
    return spans


# Blocked words -----------------------------------------------------------------------------


def _folded(text: str) -> tuple[str, list[int]]:
    """`text` without case and accents, and where each of its characters came from."""
    chars, origin = [], []
    for index, char in enumerate(text):
        for part in unicodedata.normalize("NFKD", char):
            if unicodedata.combining(part):
                continue
            for folded in part.casefold():
                chars.append(folded)
                origin.append(index)
    return "".join(chars), origin


def _blocked(text: str, blocked_words: tuple[str, ...]) -> list[Span]:
    words = [w for w in (_folded(word.strip())[0] for word in blocked_words) if w]
    if not words:
        return []
    folded, origin = _folded(text)
    pattern = re.compile(
        r"(?<!\w)(?:" + "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)) + r")(?!\w)"
    )
    return [Span(origin[m.start()], origin[m.end() - 1] + 1, BLOCKED_WORD) for m in pattern.finditer(folded)]


# Merging -----------------------------------------------------------------------------------

JOINING_GAP = re.compile(r"[\s:,;\-–—]*")


def _merged(spans: list[Span], text: str) -> list[Span]:
    """Overlapping spans as one (the longer one's kind), and spans only punctuation apart too:
    "WhatsApp: +49 171 …" is one detail, masked once."""
    merged: list[Span] = []
    for span in sorted(spans, key=lambda s: (s.start, -s.end)):
        if span.end <= span.start:
            continue
        if merged and (span.start < merged[-1].end or JOINING_GAP.fullmatch(text[merged[-1].end : span.start])):
            last = merged[-1]
            kind = last.kind if last.end - last.start >= span.end - span.start else span.kind
            merged[-1] = Span(last.start, max(last.end, span.end), kind)
        else:
            merged.append(span)
    return merged
