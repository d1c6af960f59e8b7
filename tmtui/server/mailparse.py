"""Raw RFC 5322 bytes -> the stored form of a mail (sender, subject, HTML body, attachments).

Uses the standard library's ``email`` package with ``policy.default`` (RFC 2047
headers, RFC 2231 file names). Mail from the internet is often broken, so every
step has a fallback: unknown or lying charsets decode as UTF-8, then cp1252,
then latin-1; a header that will not parse is read raw; a message that will
not parse at all is stored as escaped source text. A mail is never dropped.

``policy.default``'s header parser is quadratic in memory on long runs of
RFC 2047 encoded words (a 640 KB Subject takes 2.5 GB, a 1 MB one gets the
server killed) and slow on any very long header, so a header value longer
than ``MAX_PARSED_HEADER`` is decoded with the linear legacy decoder instead
(:class:`_BoundedPolicy`).
"""

from __future__ import annotations

import html
import logging
import mimetypes
import re
from dataclasses import dataclass, field
from email.header import decode_header, make_header
from email.message import Message
from email.parser import BytesParser
from email.policy import EmailPolicy
from html.parser import HTMLParser
from typing import cast

log = logging.getLogger(__name__)

EXCERPT_CHARS = 100
MAX_DEPTH = 40  # nested multiparts deeper than this are a bomb, not a mail
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_SPACES = re.compile(r"\s+")
_FALLBACK_CHARSETS = ("utf-8", "cp1252", "latin-1")  # latin-1 decodes any bytes
MAX_PARSED_HEADER = 16 * 1024  # longer header values skip policy.default's parser


def _legacy_decode(value: str) -> str:
    """RFC 2047 decoding in linear time and memory (email.header)."""
    unfolded = "".join(value.splitlines())
    try:
        return str(make_header(decode_header(unfolded)))
    except Exception:
        return unfolded


class _BoundedPolicy(EmailPolicy):
    """``policy.default``, except that a header value longer than
    ``MAX_PARSED_HEADER`` comes back as a plain ``str`` decoded by
    :func:`_legacy_decode`. ``Message`` reads Content-Type, -Disposition and
    their parameters from a ``str`` as well, so nothing else changes."""

    def header_fetch_parse(self, name: str, value: str) -> str:
        if not hasattr(value, "name") and len(value) > MAX_PARSED_HEADER:
            return _legacy_decode(value)
        # A str subclass (a header object) that typeshed types as Any.
        return cast(str, super().header_fetch_parse(name, value))


_POLICY = _BoundedPolicy()  # the same settings as policy.default


@dataclass(frozen=True, slots=True)
class Attachment:
    name: str
    type: str
    data: bytes


@dataclass(frozen=True, slots=True)
class ParsedMail:
    mail_from: str
    subject: str
    body_html: str
    excerpt: str
    attachments: tuple[Attachment, ...] = field(default=())
    spam: bool = False


def clean_text(value: str) -> str:
    """Make any str safe to encode as UTF-8 (bytes smuggled in as surrogates become text)."""
    try:
        value.encode("utf-8")
        return value
    except UnicodeEncodeError:
        pass
    try:
        return decode_bytes(value.encode("utf-8", "surrogateescape"), None)
    except UnicodeEncodeError:
        return value.encode("utf-8", "replace").decode("utf-8")


def clean_header(value: str) -> str:
    """One line: no CR/LF or other controls, runs of blanks collapsed."""
    return _SPACES.sub(" ", _CONTROL.sub(" ", clean_text(value))).strip()


def decode_bytes(data: bytes, charset: str | None) -> str:
    """Decode with the declared charset if it works, else the fallbacks; never raises."""
    for name in ((charset,) if charset else ()) + _FALLBACK_CHARSETS:
        try:
            return data.decode(name)
        except (LookupError, UnicodeError, ValueError, TypeError):
            continue
    return data.decode("latin-1")  # unreachable: latin-1 accepts every byte


def text_to_html(text: str) -> str:
    """Plain text as escaped HTML paragraphs (blank lines split, newlines kept)."""
    normalised = text.replace("\r\n", "\n").replace("\r", "\n")
    out = []
    for paragraph in re.split(r"\n[ \t]*\n", normalised):
        if paragraph.strip():
            lines = html.escape(paragraph.strip("\n")).replace("\n", "<br>\n")
            out.append(f"<p>{lines}</p>\n")
    return "".join(out)


class _TextOfHtml(HTMLParser):
    """Visible text of an HTML document, for the list excerpt."""

    _SKIP = frozenset({"script", "style", "head", "title", "template"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self._SKIP:
            self._skipping += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in self._SKIP and self._skipping:
            self._skipping -= 1

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self.parts.append(data)


def html_to_text(markup: str, limit: int = 200_000) -> str:
    parser = _TextOfHtml()
    try:
        parser.feed(markup[:limit])
        parser.close()
    except Exception:  # HTMLParser is lenient, but an excerpt is not worth a crash
        return ""
    return " ".join(parser.parts)


def excerpt_of(text: str) -> str:
    flat = _SPACES.sub(" ", _CONTROL.sub(" ", text)).strip()
    if len(flat) <= EXCERPT_CHARS:
        return flat
    return flat[: EXCERPT_CHARS - 1].rstrip() + "…"


def _header(msg: Message, name: str) -> str:
    """A decoded header value; a header that policy.default cannot parse is decoded raw."""
    try:
        value = msg.get(name)
        return "" if value is None else clean_header(str(value))
    except Exception:
        pass
    for key, raw in msg.raw_items():
        if key.lower() == name:
            try:
                return clean_header(str(make_header(decode_header(raw))))
            except Exception:
                return clean_header(raw)
    return ""


def _part_text(part: Message) -> str:
    payload = part.get_payload(decode=True)
    if not isinstance(payload, bytes):
        payload = b""
    try:
        charset = part.get_content_charset()
    except Exception:
        charset = None
    return clean_text(decode_bytes(payload, charset))


def _filename(part: Message) -> str | None:
    try:
        name = part.get_filename()
    except Exception:
        return None
    return clean_header(name) if name else None


def safe_filename(name: str | None, ctype: str, index: int) -> str:
    """A file name with no path parts or controls; a generated one if there is none."""
    cleaned = clean_header(name or "").replace("/", "_").replace("\\", "_").strip(" .")
    if len(cleaned) > 200:
        stem, dot, ext = cleaned.rpartition(".")
        cleaned = (stem[: 190] + dot + ext[:9]) if dot and len(ext) < 10 else cleaned[:200]
    if cleaned:
        return cleaned
    ext = mimetypes.guess_extension(ctype) or ".bin"
    return f"attachment-{index}{ext}"


def _unique(name: str, taken: set[str]) -> str:
    """fetch_attachment is by name, so two parts called the same must differ."""
    if name not in taken:
        return name
    stem, dot, ext = name.rpartition(".")
    if not dot:
        stem, ext = name, ""
    n = 2
    while True:
        candidate = f"{stem} ({n}){dot}{ext}"
        if candidate not in taken:
            return candidate
        n += 1


class _Walker:
    def __init__(self) -> None:
        self.html: list[str] = []
        self.text: list[str] = []
        self.attachments: list[Attachment] = []
        self._names: set[str] = set()

    def walk(self, part: Message, depth: int = 0) -> None:
        if depth > MAX_DEPTH:
            return
        ctype = part.get_content_type()
        if ctype == "message/rfc822":
            self._attach(part, ctype, _attached_message(part))
            return
        if part.is_multipart():
            payload = part.get_payload()
            for sub in payload if isinstance(payload, list) else ():
                if isinstance(sub, Message):
                    self.walk(sub, depth + 1)
            return
        disposition = part.get_content_disposition()
        filename = _filename(part)
        if ctype in ("text/plain", "text/html") and disposition != "attachment" and not filename:
            (self.html if ctype == "text/html" else self.text).append(_part_text(part))
            return
        data = part.get_payload(decode=True)
        self._attach(part, ctype, data if isinstance(data, bytes) else b"", filename)

    def _attach(self, part: Message, ctype: str, data: bytes, filename: str | None = None) -> None:
        if filename is None:
            filename = _filename(part)
        if filename is None and ctype == "message/rfc822":
            filename = "forwarded-message.eml"
        name = _unique(safe_filename(filename, ctype, len(self.attachments) + 1), self._names)
        self._names.add(name)
        self.attachments.append(Attachment(name=name, type=ctype, data=data))


def _attached_message(part: Message) -> bytes:
    payload = part.get_payload()
    inner = payload[0] if isinstance(payload, list) and payload else None
    if not isinstance(inner, Message):
        return b""
    try:
        return inner.as_bytes()
    except Exception:
        return b""


def parse_message(raw: bytes, envelope_from: str | None = None) -> ParsedMail:
    """Parse raw mail bytes; best effort, never raises."""
    try:
        return _parse(raw, envelope_from)
    except Exception:
        log.warning("stored an unparseable mail as plain source text", exc_info=True)
        return _fallback(raw, envelope_from)


def _parse(raw: bytes, envelope_from: str | None) -> ParsedMail:
    msg = BytesParser(policy=_POLICY).parsebytes(raw)
    walker = _Walker()
    walker.walk(msg)
    if walker.html:
        body = "\n".join(walker.html)
        text = "\n".join(walker.text) if walker.text else html_to_text(body)
    else:
        text = "\n\n".join(walker.text)
        body = text_to_html(text)
    return ParsedMail(
        mail_from=_header(msg, "from") or clean_header(envelope_from or ""),
        subject=_header(msg, "subject"),
        body_html=body,
        excerpt=excerpt_of(text),
        attachments=tuple(walker.attachments),
        spam=_header(msg, "x-spam-flag").upper() == "YES",
    )


def _fallback(raw: bytes, envelope_from: str | None) -> ParsedMail:
    text = decode_bytes(raw[:1_000_000], None)
    return ParsedMail(
        mail_from=clean_header(envelope_from or ""),
        subject="(unreadable message)",
        body_html=f"<pre>{html.escape(text)}</pre>",
        excerpt=excerpt_of(text),
    )
