"""The converter's output turned into what the reader shows: :class:`Rendered`.

Sentinels are resolved into the two forms, notes on what was cut are added as
a visible last line, the link list is appended, and both forms pass
:func:`tmtui.safety.sanitize_text` once more. :func:`fallback` is the bare
text shown when the converter fails.
"""

from __future__ import annotations

import html as htmllib
import re
from dataclasses import dataclass

from tmtui.render.escape import EM, ESCAPE, HEADING, STRONG, escape_all
from tmtui.render.limits import markdown_note, output_note
from tmtui.render.links import Link, LinkTable, markdown_list, resolve, text_list
from tmtui.safety import sanitize_text


@dataclass(frozen=True, slots=True)
class Rendered:
    """A converted body. ``note`` says, in one human line, what was cut."""

    text: str
    links: tuple[Link, ...]
    truncated: bool
    note: str | None
    markdown: str = ""


_TRAILING_SPACE = re.compile(r"(?<![ \t])[ \t]+\n")  # the lookbehind keeps it linear
_BLANK_RUN = re.compile(r"\n{3,}")
_HEADING_MARK = re.compile(HEADING + r"#{1,6} ?")  # plain text: the heading's words only
# For the fallback: a rough tag stripper that cannot fail.
_DROP = re.compile(r"<(script|style|head|title)\b.*?(?:</\1\s*>|\Z)|<!--.*?(?:-->|\Z)", re.S | re.I)
_BREAK = re.compile(r"<(?:br|/?p|/?div|/?li|/?tr|/?h[1-6]|/?blockquote|/?table)\b[^<>]*>?", re.I)
_TAG = re.compile(r"</?[a-zA-Z!?][^>]*>?")
_LINE_SPACE = re.compile(r"[ \t]+")
_BLANK_LINES = re.compile(r"\n[ \t]*\n\s*")


def _sentence(notes: list[str]) -> str | None:
    note = "; ".join(notes)
    return f"{note[:1].upper()}{note[1:]}." if note else None


def assemble(body: str, table: LinkTable, notes: list[str], *, truncated: bool,
             max_output: int) -> Rendered:
    """Resolve the sentinels into the two outputs, add notes and the link list."""
    markdown, text = resolve(body)
    markdown = markdown.replace(ESCAPE, "\\").replace(EM, "_").replace(STRONG, "**").replace(HEADING, "")
    text = _HEADING_MARK.sub("", text.replace(ESCAPE, "").replace(EM, "").replace(STRONG, ""))
    text = _BLANK_RUN.sub("\n\n", _TRAILING_SPACE.sub("\n", text)).strip("\n")
    markdown = _BLANK_RUN.sub("\n\n", markdown).strip("\n")
    markdown_notes = list(notes)
    if len(markdown) > max_output:  # escapes and link syntax make it longer
        markdown = markdown[:max_output]
        markdown_notes.append(markdown_note(max_output))
    if notes:
        text += f"\n\n[tmtui: {'; '.join(notes)}]"
    if markdown_notes:
        markdown += f"\n\n\\[tmtui: {escape_all('; '.join(markdown_notes))}\\]"
    return Rendered(
        text=sanitize_text(text + text_list(table.urls)),
        links=table.links(),
        truncated=truncated or len(markdown_notes) > len(notes),
        note=_sentence(markdown_notes),
        markdown=sanitize_text(markdown + markdown_list(table.urls)),
    )


def fallback(html: str, *, max_output: int, notes: list[str], truncated: bool) -> Rendered:
    """A tag-stripped text for HTML that html2text could not handle."""
    text = _BREAK.sub("\n", _DROP.sub(" ", html))
    text = sanitize_text(htmllib.unescape(_TAG.sub("", text)))
    text = _LINE_SPACE.sub(" ", text)
    text = _BLANK_LINES.sub("\n\n", _TRAILING_SPACE.sub("\n", text)).strip()
    if len(text) > max_output:
        text, truncated = text[:max_output], True
        notes.append(output_note(max_output))
    notes.insert(0, "this message could not be formatted, showing its bare text")
    text = f"{text}\n\n[tmtui: {'; '.join(notes)}]"
    markdown = escape_all(text).replace("\n", "  \n")
    return Rendered(text=text, links=(), truncated=truncated, note=_sentence(notes), markdown=markdown)
