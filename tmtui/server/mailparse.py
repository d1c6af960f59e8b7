"""Raw RFC 5322 bytes -> the stored form of a mail (sender, subject, HTML body, attachments).

Uses the standard library's ``email`` package with ``policy.default`` (RFC 2047
headers, RFC 2231 file names). Mail from the internet is often broken, so every
step has a fallback (mailtext.py): a header that will not parse is read raw; a
message that will not parse at all is stored as escaped source text. A mail
is never dropped, with one exception: a message of more than ``max_parts``
MIME parts raises :class:`TooManyParts` (SMTP refuses it with 554), and the
parser stops creating parts as soon as it passes the cap. 25 MB can hold
~470,000 parts, hours of CPU and gigabytes of Message objects.

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
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from email.feedparser import BytesFeedParser
from email.header import decode_header, make_header
from email.message import Message
from email.policy import EmailPolicy
from pathlib import Path
from typing import cast

from tmtui.server.mailtext import (
    clean_header,
    clean_text,
    decode_bytes,
    excerpt_of,
    html_to_text,
    text_to_html,
)

__all__ = [
    "MAX_PARTS", "Attachment", "ParsedMail", "TooManyParts", "clean_header", "clean_text", "decode_bytes",
    "excerpt_of", "html_to_text", "parse_file", "parse_message", "safe_filename", "text_to_html",
]

log = logging.getLogger(__name__)

MAX_DEPTH = 40  # nested multiparts deeper than this are a bomb, not a mail
MAX_PARTS = 1000
MAX_PARSED_HEADER = 16 * 1024  # longer header values skip policy.default's parser
READ_CHUNK = 256 * 1024
FALLBACK_BYTES = 1_000_000  # an unparseable mail keeps this much of its source


class TooManyParts(ValueError):
    """The message has more MIME parts than allowed."""

    def __init__(self, limit: int) -> None:
        super().__init__(limit)  # args: what pickling (from the parser process) rebuilds it with
        self.limit = limit

    def __str__(self) -> str:
        return f"more than {self.limit} MIME parts"


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


class _PartCounter:
    """The parser's message factory: raises TooManyParts once ``limit`` parts exist."""

    def __init__(self, limit: int, factory: Callable[..., Message]) -> None:
        self._left = limit + 1  # FeedParser makes one throwaway instance to probe the factory
        self._limit = limit
        self._factory = factory

    def __call__(self, policy: EmailPolicy = _POLICY) -> Message:
        self._left -= 1
        if self._left < 0:
            raise TooManyParts(self._limit)
        return self._factory(policy=policy)


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


class UniqueNames:
    """fetch_attachment is by name, so two parts called the same must differ: "a", "a (2)", "a (3)"...

    Linear: each name remembers the next number to try, so 8,000 parts named
    "a" cost 8,000 probes, not 32 million (17 s before). ``probes`` counts them.
    """

    def __init__(self) -> None:
        self._taken: set[str] = set()
        self._next: dict[str, int] = {}
        self.probes = 0

    def claim(self, name: str) -> str:
        self.probes += 1
        if name not in self._taken:
            self._taken.add(name)
            return name
        stem, dot, ext = name.rpartition(".")
        if not dot:
            stem, ext = name, ""
        n = self._next.get(name, 2)
        while True:
            candidate = f"{stem} ({n}){dot}{ext}"
            n += 1
            self.probes += 1
            if candidate not in self._taken:
                break
        self._next[name] = n
        self._taken.add(candidate)
        return candidate


class _Walker:
    def __init__(self) -> None:
        self.html: list[str] = []
        self.text: list[str] = []
        self.attachments: list[Attachment] = []
        self._names = UniqueNames()

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
        name = self._names.claim(safe_filename(filename, ctype, len(self.attachments) + 1))
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


def _feed(chunks: Iterable[bytes], max_parts: int) -> Message:
    parser = BytesFeedParser(_factory=_PartCounter(max_parts, _POLICY.message_factory or Message),
                             policy=_POLICY)
    for chunk in chunks:
        parser.feed(chunk)
    return parser.close()


def _file_chunks(path: Path) -> Iterable[bytes]:
    with path.open("rb") as source:
        while chunk := source.read(READ_CHUNK):
            yield chunk


def parse_message(raw: bytes, envelope_from: str | None = None, *, max_parts: int = MAX_PARTS) -> ParsedMail:
    """Parse raw mail bytes; best effort. Raises only TooManyParts."""
    try:
        return _parsed(_feed((raw,), max_parts), envelope_from)
    except TooManyParts:
        raise
    except Exception:
        log.warning("stored an unparseable mail as plain source text", exc_info=True)
        return _fallback(raw[:FALLBACK_BYTES], envelope_from)


def parse_file(path: Path, envelope_from: str | None = None, *, max_parts: int = MAX_PARTS) -> ParsedMail:
    """The same for a mail spooled to disk, read a chunk at a time (the raw bytes never sit in memory whole)."""
    try:
        return _parsed(_feed(_file_chunks(path), max_parts), envelope_from)
    except TooManyParts:
        raise
    except Exception:
        log.warning("stored an unparseable mail as plain source text", exc_info=True)
        with path.open("rb") as source:
            return _fallback(source.read(FALLBACK_BYTES), envelope_from)


def _parsed(msg: Message, envelope_from: str | None) -> ParsedMail:
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
    text = decode_bytes(raw, None)
    return ParsedMail(
        mail_from=clean_header(envelope_from or ""),
        subject="(unreadable message)",
        body_html=f"<pre>{html.escape(text)}</pre>",
        excerpt=excerpt_of(text),
    )
