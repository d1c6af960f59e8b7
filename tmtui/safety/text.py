"""Sender-controlled text made safe for a terminal: see :mod:`tmtui.safety` for the choices.

:func:`sanitize_text` is idempotent and linear in time (regexes without
nested quantifiers, plain ``str.replace``).
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache

from tmtui.safety.width import agree, cell_width, fit_cells

__all__ = ["ELLIPSIS", "MAX_COMBINING", "sanitize_line", "sanitize_text"]

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
# Invisible characters: every Default_Ignorable_Code_Point of Unicode (bidi
# controls and marks, zero-width characters, BOM, soft hyphen, variation
# selectors, the grapheme joiner, Mongolian and Khmer invisibles, the Hangul
# fillers) and the deprecated format characters. Terminals disagree about
# their width (U+3164 is two cells in tmux, none for Rich), so they could pad
# or hide text. The astral ones (tag characters, VS17-256, shorthand and
# musical format controls) are matched on their own: astral members make a
# class slow to scan.
_INVISIBLE_BMP = (
    "\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u202a-\u202e"
    "\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0\ufff0-\ufffb"
)
_INVISIBLE = re.compile(f"[{_INVISIBLE_BMP}]")
_INVISIBLE_ASTRAL = re.compile("[\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0000-\U000e0fff]")
# C1 controls, surrogates (never valid in text) and the BMP non-characters.
_INVALID = re.compile("[\x80-\x9f\ud800-\udfff\ufdd0-\ufdef\ufffe\uffff]")
# One cheap scan that says whether any of the steps above has work to do.
_SUSPECT = re.compile(
    f"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff\ufdd0-\ufdef\ufffe\uffff"
    f"{_INVISIBLE_BMP}]"
)
# Whitespace, and the braille blank that looks like a space but is not one.
_BLANKS = re.compile(r"[\s\u2800]+")
def _class_of(categories: tuple[str, ...]) -> str:
    """A regex class of every code point in ``categories`` (marks only live in
    these spans: planes 2-13 and 15-16 hold none, and the big ideograph,
    Hangul, surrogate and private-use blocks are skipped; ~10 ms once)."""
    category = unicodedata.category
    spans = ((0x300, 0x3400), (0x4DC0, 0x4E00), (0xA000, 0xAC00), (0xF900, 0x20000),
             (0xE0100, 0xE01F0))
    parts: list[str] = []
    for low, high in spans:
        start = None
        for cp in range(low, high):
            if category(chr(cp)) in categories:
                if start is None:
                    start = cp
            elif start is not None:
                parts.append(f"{chr(start)}-{chr(cp - 1)}")
                start = None
        if start is not None:
            parts.append(f"{chr(start)}-{chr(high - 1)}")
    return "".join(parts)


@cache
def _combining_class() -> str:
    """A regex class of every combining (Mn, Me) code point, built on first use."""
    return _class_of(("Mn", "Me"))


@cache
def _zero_width_class() -> str:
    """What draws no cell of its own: combining and spacing marks (Mn, Me, Mc)
    and the Hangul medial vowels and final consonants. A run of them longer
    than any script writes is padding."""
    return _class_of(("Mn", "Me", "Mc")) + "\u1160-\u11ff\ud7b0-\ud7ff"


@cache
def _zalgo() -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    """Patterns for the mark cap (every zero-width class, :func:`_zero_width_class`).

    A class with many astral members scans ~50x slower than a BMP one, so the
    text is probed with the BMP marks plus the hull of each plane's astral
    marks (a superset; emoji and CJK fall outside it); only runs found that
    way are cut with the exact class.
    """
    marks = _zero_width_class()
    spans = sorted(re.findall(".-.", marks, re.S))
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
    if _INVISIBLE_ASTRAL.search(text):
        text = _INVISIBLE_ASTRAL.sub("", text)
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
    ``…`` when cut, with the same width for Rich and the terminal
    (:func:`tmtui.safety.width.agree`).

    The whole value is cleaned before it is cut, so invisible padding cannot
    use up the room and hide what follows it (cleaning is linear)."""
    max_len = max(1, max_len)
    if (len(value) <= max_len and value.isascii() and value.isprintable()
            and "  " not in value and value == value.strip()):
        # Printable ASCII holds no control or invisible character and is one cell
        # per character: nothing to change. Most subjects and senders take this path.
        return value
    from rich.cells import set_cell_size

    text = _BLANKS.sub(" ", _clean(value, multiline=False)).strip()
    # What is left is visible: each cell holds at most one character and its
    # capped marks, so this many characters always fill max_len cells.
    text = agree(text[: max_len * (MAX_COMBINING + 2)])
    if cell_width(text) <= max_len:
        return text
    return fit_cells(set_cell_size(text, max_len - 1).rstrip(), max_len - 1).rstrip() + ELLIPSIS
