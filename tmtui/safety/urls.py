"""URLs from mail: only absolute http, https and mailto are offered, made safe to show."""

from __future__ import annotations

import re
from urllib.parse import quote

__all__ = ["MAX_URL", "SAFE_SCHEMES", "safe_url"]

MAX_URL = 4096
SAFE_SCHEMES = frozenset({"http", "https", "mailto"})
_SCHEME = re.compile(r"([a-zA-Z][a-zA-Z0-9+.\-]*):")
# C0 controls and space: browsers strip them from both ends of a URL.
_URL_EDGE = "".join(chr(c) for c in range(0x21))
# Characters a URL must not carry as they are: ASCII controls, space and the
# characters that end or confuse a Markdown destination; C1, invisible,
# bidi, spacing and separator characters, surrogates, non-characters, tags.
_URL_UNSAFE = re.compile(
    '[\x00-\x20"<>\\\\^`{|}\x7f-\xa0\u00ad\u061c\u115f\u1160\u180e\u2000-\u200f'
    "\u2028-\u202f\u205f-\u206f\u3000\u3164\ud800-\udfff\ufdd0-\ufdef\ufeff"
    "\ufff9-\uffff\U000e0000-\U000e0fff]"
)


def _quote_char(match: re.Match[str]) -> str:
    char = match.group()
    return quote("\ufffd" if "\ud800" <= char <= "\udfff" else char, safe="")


def safe_url(url: str | None) -> str | None:
    """``url`` made safe to show and open, or None if it is not an absolute
    ``http``/``https``/``mailto`` URL.

    Tabs and newlines are dropped as browsers do (so ``java\\nscript:`` is
    caught), the scheme is lower-cased, and anything invisible, spacing or
    Markdown-significant is percent-encoded, so the URL shows what it is.
    A ``mailto`` keeps its address only: query fields such as ``attach=``
    have been abused against mail clients. The UI must also run every
    clicked link through this (a Markdown widget links bare URLs itself).
    """
    if not url or len(url) > MAX_URL:
        return None
    url = url.strip(_URL_EDGE).replace("\t", "").replace("\n", "").replace("\r", "")
    match = _SCHEME.match(url)
    if match is None or match.group(1).lower() not in SAFE_SCHEMES:
        return None
    scheme, rest = match.group(1).lower(), url[match.end():]
    if scheme == "mailto":
        rest = rest.split("?", 1)[0]
    rest = _URL_UNSAFE.sub(_quote_char, rest)
    if scheme == "mailto":
        local, at, domain = rest.strip("/").partition("@")
        if not (local and at and domain):
            return None  # no address to write to
    elif not rest.startswith("//") or not _host_of(rest[2:]):
        return None
    return f"{scheme}:{rest}"


def _host_of(authority_and_rest: str) -> str:
    """The host of ``user@host:port/path...`` ("" when there is none: ``https://@``)."""
    authority = re.split(r"[/?#]", authority_and_rest, maxsplit=1)[0]
    host = authority.rpartition("@")[2]
    return host if host.startswith("[") else host.partition(":")[0]
