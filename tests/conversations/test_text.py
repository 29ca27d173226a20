"""Message bodies: what survives sanitising, and the words search finds."""

from html.parser import HTMLParser

import pytest

from services.common.errors import ValidationFailed
from services.conversations import text

# Each of these must come out with nothing a browser would run.
XSS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<svg onload=alert(1)><circle/></svg>",
    "<svg><script>alert(1)</script></svg>",
    '<a href="javascript:alert(1)">click</a>',
    '<a href="JaVaScRiPt:alert(1)">click</a>',
    '<a href="&#106;avascript:alert(1)">click</a>',
    '<a href="java\tscript:alert(1)">click</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>',
    '<a href="https://ok.test" onclick="alert(1)" style="x">ok</a>',
    "<iframe src=https://evil.test></iframe>",
    "<body onload=alert(1)>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    '<div style="background:url(javascript:alert(1))">x</div>',
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    '"><script>alert(1)</script>',
    'https://ok.test/"onmouseover=alert(1)//',
    "<object data=javascript:alert(1)>",
    "<details open ontoggle=alert(1)>",
    "<form><button formaction=javascript:alert(1)>x</button></form>",
]


class Elements(HTMLParser):
    """Every element and attribute a browser would build from the markup."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found = []

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, dict(attrs)))


@pytest.mark.parametrize("hostile", XSS)
def test_nothing_executable_survives(hostile):
    try:
        body = text.prepare(hostile + " trailing words")["body"]
    except ValidationFailed:
        return  # nothing readable was left: refused as empty, which stores nothing at all
    parser = Elements()
    parser.feed(body)
    for tag, attrs in parser.found:
        assert tag in ("a", "br"), body
        assert set(attrs) <= {"href", "rel"}, body
        if "href" in attrs:
            assert attrs["href"].lower().startswith(("http://", "https://", "mailto:")), body
            assert attrs["rel"] == "nofollow noreferrer noopener"


def test_links_are_kept_safe_and_bare_urls_become_links():
    prepared = text.prepare('See <a href="https://shop.test/a">this</a> or https://shop.test/b?x=1&y=2.\nThanks')
    assert prepared["body"] == (
        'See <a href="https://shop.test/a" rel="nofollow noreferrer noopener">this</a> or '
        '<a href="https://shop.test/b?x=1&amp;y=2" rel="nofollow noreferrer noopener">https://shop.test/b?x=1&amp;y=2</a>.<br>\nThanks'
    )
    assert prepared["text"] == "See this or https://shop.test/b?x=1&y=2.\nThanks"


def test_other_markup_is_dropped_but_its_text_kept():
    assert text.prepare("<b>bold</b> and <i>it</i> a < b")["body"] == "bold and it a &lt; b"


@pytest.mark.parametrize("raw", ["", "   \n ", "<script>x</script>"])
def test_an_empty_message_is_refused(raw):
    with pytest.raises(ValidationFailed) as error:
        text.prepare(raw)
    assert "body" in error.value.details


def test_bodies_over_ten_thousand_characters_after_trimming_are_refused():
    assert text.prepare("  " + "x" * 10_000 + "  ")["text"] == "x" * 10_000
    with pytest.raises(ValidationFailed):
        text.prepare("x" * 10_001)


def test_search_words_ignore_case_and_accents():
    assert text.words("Crème BRÛLÉE, crème!") == ["creme", "brulee"]
    assert text.query_words("BRULEE creme") == ["brulee", "creme"]
