"""Contact details disguised to pass a filter, read as they are meant (issue 21).

People who want to trade off the marketplace write `t\u200b.me/johnny` (a zero-width space),
`evil．com` (a full-width dot), `4I5 555 267I` (letters for digits), `415_555_2671`,
`john_at_gmail_dot_com`, `myshop . com` or `hxxps://…`. `read` undoes these before
contact_details.py looks for details, and keeps, for each character it reads, the part of the
written text it came from: a mask covers what was written, and nothing else. Pure: text in,
a `Reading` out.

What is undone, in this order:
- Unicode compatibility forms (NFKC: full-width letters, digits, `＠` and `．`, no-break and
  thin spaces), format characters (zero-width spaces and joiners, bidi controls, the soft
  hyphen), dashes of every width and ideographic full stops;
- Cyrillic and Greek letters that look Latin, inside a word that has Latin letters too
  (`t.mе`, `gmаil`): a word wholly Russian or Greek is left as it is;
- defanged links (`hxxps://`, `[.]`) and spelled separators in brackets or joined by `_` or
  `-` (`(at)`, `[dot]`, `{punkt}`, `_at_`, `-arroba-`, `(собака)`), in English, German,
  French, Spanish, Portuguese, Italian and Russian, as `@` and `.`; spelled separators between
  spaces ("john at gmail dot com") are left to the detector, which knows when they are words;
- a dot with spaces around it before a top-level domain (`myshop . com`);
- `_ ~ · •` between digits, as a dash, and `*` unless a unit follows (a size's times sign);
- letters that look like digits (O o I i l S B Z) in a word that is otherwise digits.
"""

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Reading:
    """The text as read, and for each of its characters where it came from in the written
    text: `starts[i]` to `ends[i]`."""

    text: str
    starts: tuple[int, ...]
    ends: tuple[int, ...]

    def written(self, start: int, end: int) -> tuple[int, int]:
        """The written text's span that the read span `start`–`end` came from."""
        return self.starts[start], self.ends[end - 1]


def read(written: str) -> Reading:
    reading = _compatible(written)
    reading = _substituted(reading, WORD, _latin)
    # Before the separators: "0l7l_2345678" is digits joined by one once its letters are read.
    reading = _substituted(reading, DIGIT_WORD, lambda m: m.group(0).translate(DIGIT_LOOKALIKES))
    for pattern, replacement in SEPARATORS:
        reading = _substituted(reading, pattern, replacement)
    return reading


# Compatibility forms and invisible characters ------------------------------------------------


def visible(written: str) -> str:
    """`written` as it shows: compatibility forms read, no invisible characters, and nothing
    else undone (a look-alike letter stays what it is)."""
    return _compatible(written).text


# Dashes of every width, the minus sign; the ideographic full stops that browsers read as dots.
_CHARACTERS = {**{chr(code): "-" for code in range(0x2010, 0x2016)}, "\u2212": "-", "\u3002": ".", "\uff61": "."}


def _compatible(written: str) -> Reading:
    """NFKC, a base character with its combining marks at a time (so each mark stays with its
    letter), without format characters (Cf: zero-width, bidi, soft hyphen). Format characters
    belong to the characters on both sides of them: a mask over either takes them too, and
    leaves no bidi override to turn the mask's words around."""
    chars: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    at, hidden_from = 0, None
    while at < len(written):
        end = at + 1
        while end < len(written) and unicodedata.combining(written[end]):
            end += 1
        for char in unicodedata.normalize("NFKC", written[at:end]):
            if unicodedata.category(char) == "Cf":
                if hidden_from is None:
                    hidden_from = at
                    if ends:
                        ends[-1] = _hidden_run_end(written, at)
                continue
            chars.append(_CHARACTERS.get(char, char))
            starts.append(at if hidden_from is None else hidden_from)
            ends.append(end)
            hidden_from = None
        at = end
    return Reading("".join(chars), tuple(starts), tuple(ends))


def _hidden_run_end(written: str, at: int) -> int:
    while at < len(written) and unicodedata.category(written[at]) == "Cf":
        at += 1
    return at


def _substituted(
    reading: Reading, pattern: re.Pattern[str], replacement: str | Callable[[re.Match[str]], str]
) -> Reading:
    """`reading` with each match of `pattern` replaced. A replacement as long as its match
    (letters read as other letters) keeps each character's origin; any other comes from the
    whole of what the match covered."""
    chars: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    at = 0
    text = reading.text
    for match in pattern.finditer(text):
        if match.end() == match.start():
            continue
        chars.append(text[at : match.start()])
        starts += reading.starts[at : match.start()]
        ends += reading.ends[at : match.start()]
        put = replacement if isinstance(replacement, str) else replacement(match)
        chars.append(put)
        if len(put) == match.end() - match.start():
            starts += reading.starts[match.start() : match.end()]
            ends += reading.ends[match.start() : match.end()]
        else:
            starts += [reading.starts[match.start()]] * len(put)
            ends += [reading.ends[match.end() - 1]] * len(put)
        at = match.end()
    chars.append(text[at:])
    starts += reading.starts[at:]
    ends += reading.ends[at:]
    return Reading("".join(chars), tuple(starts), tuple(ends))


# Letters that look Latin ---------------------------------------------------------------------

LATIN_LOOKALIKES = str.maketrans(
    "аеорсухіјѕԁһԛԝАВЕКМНОРСТХУІЈЅοαινκρτΑΒΕΗΙΚΜΝΟΡΤΧΥΖ", "aeopcyxijsdhqwABEKMHOPCTXYIJSoaivkptABEHIKMNOPTXYZ"
)
LOOKING_LATIN = re.compile("[аеорсухіјѕԁһԛԝАВЕКМНОРСТХУІЈЅοαινκρτΑΒΕΗΙΚΜΝΟΡΤΧΥΖ]")
LATIN = re.compile("[a-zA-Z]")
WORD = re.compile(r"[\w.-]+")


def _latin(word: re.Match[str]) -> str:
    """A word with a Latin letter and a look-alike one, read as Latin; any other as it is."""
    written: str = word.group(0)
    if LATIN.search(written) and LOOKING_LATIN.search(written):
        return written.translate(LATIN_LOOKALIKES)
    return written


# Spelled and defanged separators ------------------------------------------------------------

_AT_WORDS = r"(?:at|ät|@|arroba|arobase|chiocciola|klammeraffe|собака)"
_DOT_WORDS = r"(?:dot|punkt|point|punto|ponto|period|точка|\.)"
_SPELLED = r"(?:at|ät|arroba|arobase|chiocciola|собака|dot|punkt|point|punto|ponto|точка)"
# Top-level domains a spaced-out dot may come before ("myshop . com").
_TLDS = (
    r"(?:com|net|org|info|biz|io|co|me|shop|store|online|site|app|de|at|ch|fr|be|es|it|nl|uk|us|ca|pl|pt|"
    r"br|ru|рф|eu|se|dk|no|fi|ie|cz|mx|ar|au)"
)
_UNITS = r"(?:mm|cm|m|in|ft|px|см|мм|м)"
_BRACKETED = r"\s*(?:\(\s*{0}\s*\)|\[\s*{0}\s*\]|\{{\s*{0}\s*\}}|<\s*{0}\s*>)\s*"
SEPARATORS = (
    # hxxp://, hXXps://, h**p://: a link defanged as security reports do.
    (re.compile(r"\bh(?:xx|\*\*|__)p(?=s?\s*[:\[(])", re.IGNORECASE), "http"),
    (re.compile(r"(?<=[^\W_])\s*\[\s*:\s*\]\s*(?=//)"), ":"),
    (re.compile(_BRACKETED.format(_AT_WORDS), re.IGNORECASE), "@"),
    (re.compile(_BRACKETED.format(_DOT_WORDS), re.IGNORECASE), "."),
    # john_at_gmail_dot_com, max-at-gmx-punkt-de: a spelled separator joined to its words.
    (
        re.compile(rf"(?<=[^\W_])\s*[_-]{{1,2}}{_SPELLED}[_-]{{1,2}}\s*(?=[^\W_])", re.IGNORECASE),
        lambda m: "." if re.search(_DOT_WORDS, m.group(0), re.IGNORECASE) else "@",
    ),
    # "myshop . com": spaces on both sides of a dot (a sentence's full stop has none before it).
    (re.compile(rf"(?<=[^\W_])\s+\.\s+(?={_TLDS}(?![\w-]))", re.IGNORECASE), "."),
    (re.compile(r"(?<=\d) *[_~·•∙⋅‧] *(?=\d)"), "-"),
    # A star is a times sign in sizes ("1000*2000*300 mm"), a dash when no unit follows.
    (re.compile(rf"(?<=\d) *\* *(?=\d)(?![\d*.,  ]{{0,30}}{_UNITS}(?!\w))", re.IGNORECASE), "-"),
)


# Letters among digits ------------------------------------------------------------------------

DIGIT_LOOKALIKES = str.maketrans("OoIilSBZ", "00111582")
# A word of digits and look-alike letters, with at least one digit.
DIGIT_WORD = re.compile(r"(?<![^\W\d_])(?=[OoIilSBZ]*\d)[0-9OoIilSBZ]+(?![^\W\d_])")
