"""The one sanitising boundary for sender-controlled text, URLs and file names.

Everything a stranger can put in a mail (subject, sender, body, attachment
names, link labels, link targets) passes through here before it reaches the
terminal, a browser or the file system. Choices, applied consistently:

* Terminal control sequences (7-bit ``ESC`` forms and the 8-bit C1 forms) are
  removed with their parameters and bodies. A 7-bit string sequence (OSC, DCS,
  APC, PM, SOS) runs to its terminator or to the end of the text, as a terminal
  would swallow it. An 8-bit string introducer that is never terminated is far
  more often Windows-1252 text decoded as Latin-1 (``ž`` is U+009E) than an
  attack, so only the introducer goes; what follows is ordinary printable text.
* A control character left on its own is *made visible*: C0 as its Unicode
  control picture (``\\x00`` -> ``␀``, ``ESC`` -> ``␛``), DEL as ``␡``, C1,
  surrogates and non-characters as ``\\ufffd``. The reader sees that something
  was there. ``\\r\\n`` and ``\\r`` become ``\\n``.
* Bidi overrides, embeddings, isolates and marks are *removed*, so text shows
  in its true logical order: ``invoice<RLO>fdp.exe`` reads ``invoicefdp.exe``.
  Zero-width and other invisible format characters (ZWSP, ZWNJ, ZWJ, word
  joiner, BOM, soft hyphen, tag characters) are removed too; emoji joined with
  ZWJ show as their parts, which also keeps cell widths predictable.
* Runs of combining marks are capped at four per base character (Zalgo).
* Square brackets and every other printable character stay exactly as
  written: markup safety is the display layer's job (``Text(value)``,
  ``markup=False``).
* A URL is offered only if it is absolute ``http``, ``https`` or ``mailto``
  (:func:`safe_url`), with anything invisible or Markdown-significant
  percent-encoded.

:func:`sanitize_text` is idempotent and linear in time (regexes without
nested quantifiers, plain ``str.replace``).
"""

from __future__ import annotations

import os
import re
import unicodedata
from functools import cache
from pathlib import Path
from urllib.parse import quote

__all__ = [
    "numbered_name",
    "safe_filename",
    "safe_url",
    "sanitize_line",
    "sanitize_text",
    "unique_path",
]

MAX_NAME_BYTES = 255
MAX_COMBINING = 4
ELLIPSIS = "…"

# Terminal control sequences. Every branch is a run of disjoint character
# classes, so matching is linear.
_STRING_BODY = r"[^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?"
_C1_STRING_BODY = r"[^\x07\x1b\x90\x98\x9b-\x9f]*(?:\x07|\x1b\\|\x9c)"
_SEQUENCE = re.compile(
    r"(?:\x1b\[|\x9b)[\x30-\x3f]*[\x20-\x2f]*[\x40-\x7e]?"  # CSI
    rf"|\x1b[\]P_^X]{_STRING_BODY}"  # OSC, DCS, APC, PM, SOS
    rf"|[\x90\x98\x9d\x9e\x9f]{_C1_STRING_BODY}"  # their 8-bit forms
    r"|\x1b[\x20-\x2f]+[\x30-\x7e]?"  # nF: ESC ( B and friends
    r"|\x1b[\x30-\x7e]"  # Fp, Fe, Fs: ESC 7, ESC c, ESC \ ...
)
_ESC_OR_C1 = re.compile(r"[\x1b\x80-\x9f]")
_C0 = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_C0_PICTURES = {chr(c): chr(0x2400 + c) for c in range(0x20) if c not in (9, 10, 13)}
_C0_PICTURES["\x7f"] = "\u2421"
# Invisible format characters: bidi controls and marks, zero-width, BOM,
# soft hyphen, Mongolian vowel separator, invisible operators, deprecated
# format characters, interlinear annotation. Tag characters (plane 14) are
# matched on their own: astral members make a class slow to scan.
_INVISIBLE = re.compile(
    "[\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u206f\ufeff\ufff9-\ufffb]"
)
_TAGS = re.compile("[\U000e0000-\U000e007f]")
# C1 controls, surrogates (never valid in text) and the BMP non-characters.
_INVALID = re.compile("[\x80-\x9f\ud800-\udfff\ufdd0-\ufdef\ufffe\uffff]")
# One cheap scan that says whether any of the steps above has work to do.
_SUSPECT = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u00ad\u061c\u180e\u200b-\u200f"
    "\u2028\u2029\u202a-\u202e\u2060-\u206f\ud800-\udfff\ufdd0-\ufdef\ufeff"
    "\ufff9-\ufffb\ufffe\uffff]"
)
_SPACES = re.compile(r"\s+")
# Characters Windows forbids in names (the slashes never get this far).
_WINDOWS_ILLEGAL = re.compile(r'[<>:"|?*]')
_WINDOWS_DEVICES = frozenset(
    ["CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$"]
    + [f"{p}{d}" for p in ("COM", "LPT") for d in "123456789\u00b9\u00b2\u00b3"]
)
_SUFFIX = re.compile(r"\.[^.\s]{1,16}\Z")


@cache
def _combining_class() -> str:
    """A regex class of every combining (Mn, Me) code point, built on first use.

    Planes 2-13 and 15-16 hold no marks; the big ideograph, Hangul, surrogate
    and private-use blocks are skipped too (~10 ms once).
    """
    category = unicodedata.category
    spans = ((0x300, 0x3400), (0x4DC0, 0x4E00), (0xA000, 0xAC00), (0xF900, 0x20000),
             (0xE0100, 0xE01F0))
    parts: list[str] = []
    for low, high in spans:
        start = None
        for cp in range(low, high):
            if category(chr(cp)) in ("Mn", "Me"):
                if start is None:
                    start = cp
            elif start is not None:
                parts.append(f"{chr(start)}-{chr(cp - 1)}")
                start = None
        if start is not None:
            parts.append(f"{chr(start)}-{chr(high - 1)}")
    return "".join(parts)


@cache
def _zalgo() -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    """Patterns for the combining-mark cap.

    A class with many astral members scans ~50x slower than a BMP one, so the
    text is probed with the BMP marks plus the hull of each plane's astral
    marks (a superset; emoji and CJK fall outside it); only runs found that
    way are cut with the exact class.
    """
    marks = _combining_class()
    spans = re.findall(".-.", marks, re.S)
    bmp = "".join(p for p in spans if p[0] < "\U00010000")
    hull = ""
    for plane in {ord(p[0]) >> 16 for p in spans} - {0}:
        members = [p for p in spans if ord(p[0]) >> 16 == plane]
        hull += f"{members[0][0]}-{members[-1][2]}"
    n = MAX_COMBINING
    return (
        re.compile(f"[{bmp}{hull}]{{{n + 1}}}"),
        re.compile(f"[{bmp}{hull}]{{{n + 1},}}"),
        re.compile(f"(?<=[{bmp}]{{{n}}})[{bmp}]+"),
        re.compile(f"(?<=[{marks}]{{{n}}})[{marks}]+"),
    )


_ASTRAL = re.compile("[\U00010000-\U0010ffff]")


def _cap_marks(text: str) -> str:
    probe, runs, bmp_excess, excess = _zalgo()
    if not probe.search(text):
        return text
    if not _ASTRAL.search(text):
        return bmp_excess.sub("", text)
    return runs.sub(lambda run: excess.sub("", run.group()), text)


def _clean(value: str, *, multiline: bool, filename: bool = False) -> str:
    """The sanitiser; ``filename`` turns every lone control into ``_``."""
    text = value
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if _SUSPECT.search(text):
        text = _strip_controls(text, multiline=multiline, filename=filename)
    if not multiline and ("\n" in text or "\t" in text):
        space = "_" if filename else " "
        text = text.replace("\n", space).replace("\t", space)
    if text.isascii():
        return text
    if _TAGS.search(text):
        text = _TAGS.sub("", text)
    return _cap_marks(text)


def _strip_controls(text: str, *, multiline: bool, filename: bool) -> str:
    """Sequences and invisible characters out, lone controls made visible
    (or ``_`` in a file name), line and paragraph separators to ``\\n``."""
    if _ESC_OR_C1.search(text):
        text = _SEQUENCE.sub("", text)
    if _INVISIBLE.search(text):
        text = _INVISIBLE.sub("", text)
    if _INVALID.search(text):
        text = _INVALID.sub("_" if filename else "\ufffd", text)
    if _C0.search(text):
        for char, picture in _C0_PICTURES.items():
            if char in text:
                text = text.replace(char, "_" if filename else picture)
    if "\u2028" in text or "\u2029" in text:
        line_break = "\n" if multiline else " "
        text = text.replace("\u2028", line_break).replace("\u2029", line_break)
    return text


def sanitize_text(value: str, *, multiline: bool = True) -> str:
    """Make sender-controlled text safe to show in a terminal.

    Removes control sequences, bidi and zero-width characters; makes lone
    controls visible; normalises line ends; caps combining marks. With
    ``multiline=False`` newlines and tabs become spaces. Idempotent.
    """
    return _clean(value, multiline=multiline)


def sanitize_line(value: str, max_len: int = 200) -> str:
    """One line for a list row or header: sanitised, spaces collapsed, trimmed,
    at most ``max_len`` terminal cells (wide characters count two), ending in
    ``…`` when cut. Huge input is cut before any work, so it stays cheap."""
    max_len = max(1, max_len)
    if (len(value) <= max_len and value.isascii() and value.isprintable()
            and "  " not in value and value == value.strip()):
        # Printable ASCII holds no control or invisible character and is one cell
        # per character: nothing to change. Most subjects and senders take this path.
        return value
    from rich.cells import cell_len, set_cell_size

    budget = max_len * 8 + 256
    cut = len(value) > budget
    text = _clean(value[:budget] if cut else value, multiline=False)
    text = _SPACES.sub(" ", text).strip()
    if not cut and cell_len(text) <= max_len:
        return text
    text = set_cell_size(text, max_len - 1).rstrip()
    return text + ELLIPSIS


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
        if not rest.strip("/"):
            return None
    elif not rest.startswith("//") or rest[2:3] in ("", "/", "?", "#"):
        return None
    return f"{scheme}:{rest}"


def _split_suffix(name: str) -> tuple[str, str]:
    match = _SUFFIX.search(name)
    if match is None or match.start() == 0:
        return name, ""
    return name[: match.start()], match.group()


def _fit_bytes(stem: str, budget: int) -> str:
    encoded = stem.encode("utf-8")
    if len(encoded) <= budget:
        return stem
    return _trim(encoded[: max(0, budget)].decode("utf-8", "ignore"))


def _trim(text: str) -> str:
    """Strip whitespace at both ends and dots at the end (Windows drops them)."""
    text = text.strip()
    end = len(text)
    while end and (text[end - 1] == "." or text[end - 1].isspace()):
        end -= 1
    return text[:end]


def safe_filename(name: str, *, fallback: str = "attachment") -> str:
    """One harmless path component for a sender-chosen file name.

    Keeps only the base name (``/`` and ``\\`` both separate), removes control
    sequences and invisible characters, turns other controls and the
    characters Windows forbids into ``_``, trims spaces and trailing dots,
    prefixes ``_`` to hidden names (``.bashrc``) and Windows device names
    (``CON``, ``lpt1.log``), and keeps the result within 255 UTF-8 bytes with
    its extension. Empty or dots-only names become ``fallback``. Never empty,
    ``.`` or ``..``; idempotent.
    """
    parts = [part for part in re.split(r"[/\\]", name) if part.strip(" .")]
    text = parts[-1] if parts else ""
    if len(text) > 1024:  # the result is 255 bytes at most: keep head and tail
        text = text[:768] + text[-64:]
    text = _clean(text, multiline=False, filename=True)
    text = unicodedata.normalize("NFC", text)
    text = _trim(_WINDOWS_ILLEGAL.sub("_", text))
    if not text.strip("."):
        return "attachment" if fallback == "attachment" else safe_filename(fallback)
    if text.startswith("."):
        text = "_" + text
    stem, suffix = _split_suffix(text)
    if stem.split(".")[0].rstrip().upper() in _WINDOWS_DEVICES:
        stem = "_" + stem
    stem = _fit_bytes(stem, MAX_NAME_BYTES - len(suffix.encode("utf-8")))
    return stem + suffix


def numbered_name(name: str, number: int) -> str:
    """``report.pdf`` -> ``report (2).pdf``, kept within 255 bytes; 0 -> name."""
    name = safe_filename(name)
    if number <= 0:
        return name
    stem, suffix = _split_suffix(name)
    tag = f" ({number})"
    stem = _fit_bytes(stem, MAX_NAME_BYTES - len((tag + suffix).encode("utf-8")))
    return f"{stem}{tag}{suffix}"


def unique_path(directory: Path, name: str) -> Path:
    """A path in ``directory`` that does not exist yet: ``name``, then
    ``stem (1).ext``, ``stem (2).ext``... The name is made safe first.

    This only checks; to claim a name without a race use
    :func:`tmtui.files.save_atomically`.
    """
    for number in range(0, 100_000):
        candidate = Path(directory) / numbered_name(name, number)
        if not os.path.lexists(candidate):
            return candidate
    raise FileExistsError(f"no free name for {safe_filename(name)!r} in {directory}")
