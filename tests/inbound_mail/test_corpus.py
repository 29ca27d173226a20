"""Real-shaped replies (tests/inbound_mail/corpus: Gmail, Outlook, Apple Mail, Thunderbird,
mobile clients and webmails, in fourteen languages, each as its client writes it) keep only
what their writer wrote: no quoted mail, no signature, no "Sent from my iPhone"."""

from pathlib import Path

import pytest
import yaml

from services.inbound_mail import reading, written

CORPUS = Path(__file__).parent / "corpus"
EXPECTED = yaml.safe_load((CORPUS / "expected.yaml").read_text())


def test_the_corpus_is_large_enough_and_every_reply_has_its_answer():
    mails = sorted(path.name for path in CORPUS.glob("*.eml"))
    assert len(mails) >= 30
    assert mails == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_a_reply_keeps_only_what_was_written(name):
    expected = EXPECTED[name]
    text, files = (expected, []) if isinstance(expected, str) else (expected["text"], expected["files"])
    mail = reading.read((CORPUS / name).read_bytes())
    assert written.written_part(mail.text) == text.strip()
    assert [file.name for file in mail.files] == files


def test_the_whole_corpus_at_once(capsys):
    """The figure for the README: how many of the replies come out exactly as written."""
    right = []
    for name, expected in sorted(EXPECTED.items()):
        text = expected if isinstance(expected, str) else expected["text"]
        right.append(written.written_part(reading.read((CORPUS / name).read_bytes()).text) == text.strip())
    with capsys.disabled():
        print(f"\nreply corpus: {sum(right)} of {len(right)} replies kept exactly as written")
    assert all(right)
