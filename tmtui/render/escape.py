"""Sentinels and Markdown escaping shared by the converter and the output step.

The sentinels are Unicode non-characters, which :func:`tmtui.safety.sanitize_text`
turns into U+FFFD before parsing, so a sender cannot forge them. They let one
html2text pass feed both outputs: the Markdown keeps what they mark, the plain
text drops it.
"""

from __future__ import annotations

import re

ESCAPE = "\ufdd0"  # the next character is escaped in Markdown
EM = "\ufdd1"  # emphasis mark
STRONG = "\ufdd2"  # strong mark
OPEN = "\ufdd3"  # a link label starts
CLOSE = "\ufdd4"  # a link label ends; the link number and END follow
END = "\ufdd5"
HEADING = "\ufdd6"  # html2text's heading mark ("## ") follows: Markdown keeps it, text drops it
NBSP_HOLDER = "&nbsp_place_holder;"  # html2text's own placeholder for &nbsp;

_MD_SPECIAL = re.compile(r"[\\`*_\[\]()<>&#|~]")
# Line starts that would make a list, heading underline or rule. [ \t]*, not
# \s*: html2text's own "^(\s*\d+)" patterns are quadratic on runs of newlines.
_MD_LINE_START = re.compile(r"^([ \t]*)(\d+\.|[-+=])(?=[ \t]|$)", re.M)
_MD_ANY = re.compile(r"[\\`*_\[\]()<>&#|~!+\-.=]")


def _escape_char(match: re.Match[str]) -> str:
    return ESCAPE + match.group()


def _escape_line_start(match: re.Match[str]) -> str:
    indent, marker = match.groups()
    if marker[0].isdigit():  # "1." -> "1\." keeps the number as text
        return f"{indent}{marker[:-1]}{ESCAPE}."
    return f"{indent}{ESCAPE}{marker}"


def mark_escapes(text: str) -> str:
    """Mark every character of mail text that Markdown could act on with
    :data:`ESCAPE` (a backslash in the Markdown output, nothing in the text)."""
    if _MD_SPECIAL.search(text):
        text = _MD_SPECIAL.sub(_escape_char, text)
    if _MD_LINE_START.search(text):
        text = _MD_LINE_START.sub(_escape_line_start, text)
    return text


def escape_all(text: str) -> str:
    """Markdown-escape every punctuation character that could mean anything:
    for text of our own (notes, link lists) written straight into Markdown."""
    return _MD_ANY.sub(r"\\\g<0>", text)
