"""A received mail, read with Python's `email` package: who wrote it, what it says (its
text/plain part, or else text made from its HTML) and the files it carries.

Anything a mail client or a careless MTA may send is read without raising, except a mail
whose structure cannot be trusted to say what it means: no single From address, a multipart
body without its boundaries, headers that run into the body. That is `Malformed`, refused
whole (an SMTP 5xx), rather than read half.
"""

import re
from dataclasses import dataclass, field
from collections.abc import Iterator
from email import errors, policy
from email.headerregistry import Address
from email.message import EmailMessage, MIMEPart
from email.utils import collapse_rfc2231_value
from typing import cast
from email.parser import BytesParser

import html2text

# Defects after which the parts are not what the sender made: refused, never guessed at.
STRUCTURAL_DEFECTS = (
    errors.NoBoundaryInMultipartDefect,
    errors.StartBoundaryNotFoundDefect,
    errors.MultipartInvariantViolationDefect,
    errors.MissingHeaderBodySeparatorDefect,
)
NAME_MAX = 200
MARKDOWN_LINK = re.compile(r"\[([^\]\n]*)\]\((\S+?)\)")
AUTOLINK = re.compile(r"<((?:https?|mailto):[^>\s]+)>")


class Malformed(ValueError):
    """The mail cannot be read as what its sender meant."""


@dataclass(frozen=True)
class File:
    name: str
    content_type: str
    data: bytes


@dataclass(frozen=True)
class Mail:
    message: EmailMessage  # the parsed mail, headers and all (screening.py reads them)
    sender: str  # the From address
    message_id: str  # as given, or "" when the mail has none
    subject: str
    text: str  # the body as text, quotes and signature still in it (written.py takes them out)
    files: tuple[File, ...] = field(default=())


def read(raw: bytes) -> Mail:
    if not raw.strip():
        raise Malformed("The mail is empty.")
    message = BytesParser(policy=policy.default).parsebytes(raw)
    try:
        _check_structure(message)
        return Mail(
            message=message,
            sender=_sender(message),
            message_id=_header(message, "Message-ID"),
            subject=_header(message, "Subject"),
            text=_text(message),
            files=tuple(_files(message)),
        )
    except Malformed:
        raise
    except Exception as error:  # the email package raises many things on hostile headers
        raise Malformed(f"The mail cannot be read ({type(error).__name__}).") from error


def _check_structure(message: EmailMessage) -> None:
    for part in message.walk():
        for defect in part.defects:
            if isinstance(defect, STRUCTURAL_DEFECTS):
                raise Malformed(f"The mail's structure is broken ({type(defect).__name__}).")


def _sender(message: EmailMessage) -> str:
    header = message["From"]
    addresses: tuple[Address, ...] = getattr(header, "addresses", ()) if header is not None else ()
    if len(addresses) != 1 or not addresses[0].username or not addresses[0].domain:
        raise Malformed("The mail must come from one address (its From header).")
    return addresses[0].addr_spec


def _header(message: EmailMessage, name: str) -> str:
    value = message[name]
    return " ".join(str(value).split()) if value is not None else ""


def _text(message: EmailMessage) -> str:
    body = message.get_body(preferencelist=("plain", "html"))
    if body is None:
        return ""
    content = _decoded(body)
    if body.get_content_subtype() == "html":
        return html_to_text(content)
    if _param(body, "format") == "flowed":
        return unflowed(content, delsp=_param(body, "delsp") == "yes")
    return content


def _param(part: MIMEPart, name: str) -> str:
    """A Content-Type parameter in lower case ("" when absent), also when written in RFC 2231's parts."""
    value: str = collapse_rfc2231_value(part.get_param(name, ""))
    return value.lower()


def _payload(part: MIMEPart) -> bytes:
    """A leaf part's bytes, its transfer encoding undone."""
    return cast(bytes, part.get_payload(decode=True) or b"")


def _decoded(part: MIMEPart) -> str:
    try:
        text: str = part.get_content()
    except (LookupError, UnicodeError):  # a charset Python does not know, or bytes that are not it
        text = _payload(part).decode("utf-8", errors="replace")
    return text.replace("\r\n", "\n")


def html_to_text(html: str) -> str:
    """Text as the HTML shows it: paragraphs and line breaks kept, quotes (<blockquote>) as
    `> ` lines, a link as its words and its address."""
    converter = html2text.HTML2Text()
    converter.body_width = 0  # no wrapping of our own
    converter.ignore_images = True
    converter.ignore_emphasis = True
    converter.ignore_tables = True
    converter.unicode_snob = True  # é stays é, not e
    text = AUTOLINK.sub(lambda link: _address(link[1]), converter.handle(html))
    return MARKDOWN_LINK.sub(lambda link: _link(link[1], _address(link[2])), text)


def _address(url: str) -> str:
    return url[len("mailto:") :] if url.lower().startswith("mailto:") else url


def _link(words: str, address: str) -> str:
    return address if words.strip() in ("", address) else f"{words} ({address})"


def unflowed(text: str, delsp: bool = False) -> str:
    """format=flowed (RFC 3676): a line that ends in a space goes on in the next one."""
    lines, current = [], None
    for line in text.split("\n"):
        flowed = line.endswith(" ") and line != "-- "
        piece = line[:-1] if flowed and delsp else line
        current = piece if current is None else current + piece
        if not flowed:
            lines.append(current)
            current = None
    if current is not None:
        lines.append(current)
    return "\n".join(lines)


def _files(message: EmailMessage) -> Iterator[File]:
    for part in message.iter_attachments():
        if part.get_content_maintype() in ("multipart", "message"):
            continue  # a forwarded mail or a nested container is not a file the person chose
        if (
            part.get_content_maintype() == "text"
            and not part.get_filename()
            and part.get_content_disposition() != "attachment"
        ):
            continue  # more of the text (Apple Mail puts what follows a photo in a part of its own)
        data = _payload(part)
        if data:
            yield File(_file_name(part), part.get_content_type(), data)


def _file_name(part: EmailMessage) -> str:
    name = part.get_filename() or ""
    name = re.sub(r"[\x00-\x1f\x7f]", "", name.replace("\\", "/").rsplit("/", 1)[-1]).strip()
    return (name or "attachment")[-NAME_MAX:]
