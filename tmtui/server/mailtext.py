"""Text helpers for stored mail: safe strings, charset fallbacks, HTML <-> text, excerpts.

Mail from the internet is often broken, so every helper has a fallback and
none raises: unknown or lying charsets decode as UTF-8, then cp1252, then
latin-1; any str becomes encodable as UTF-8.
"""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

EXCERPT_CHARS = 100
EXCERPT_SCAN = 4096  # characters of text looked at for the excerpt
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_SPACES = re.compile(r"\s+")
_FALLBACK_CHARSETS = ("utf-8", "cp1252", "latin-1")  # latin-1 decodes any bytes


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
    # Only the start matters: flattening a whole 3 MB body made a million fragments (60 MB).
    flat = _SPACES.sub(" ", _CONTROL.sub(" ", text.lstrip()[:EXCERPT_SCAN])).strip()
    if len(flat) <= EXCERPT_CHARS:
        return flat
    return flat[: EXCERPT_CHARS - 1].rstrip() + "…"
