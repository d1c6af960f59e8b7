"""A message body made ready to read in one picklable call, for the converter's worker process
(render and extract together: a module of its own, above both).

The reader shows a body with the Line API (only the visible rows are drawn),
over lines folded to its width beforehand. Everything that costs time per
character happens here, away from the UI: html2text (pure Python, it holds the
GIL for 100-200 ms on a 1 MB newsletter, so a thread beside the UI still
stalls it), the code and link pick, and the folding of both text views.

    prepared = await app.converter.run(functools.partial(prepare, html, subject, excerpt, width))
    folded = await app.converter.run(functools.partial(fold, text, new_width))   # on resize
    spans = await app.converter.run(functools.partial(find, text, "query"))      # search, huge bodies

Folding only ever breaks lines: ``Folded.offsets`` says where each folded line
starts in the unfolded text, so a match found in the text maps to the rows it
covers (:func:`find` searches the text, not the rows, so a match across a
fold is still one match). No UI import here: the worker process imports this.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rich.cells import cell_len, get_character_cell_size

from tmtui.extract import CodeMatch, mail_code
from tmtui.extract.links import RankedLink, best_link
from tmtui.render import limits
from tmtui.render.convert import html_to_text
from tmtui.render.output import Rendered, fallback
from tmtui.safety import sanitize_text

SOURCE_LIMIT = 2_000_000  # characters of HTML the source view shows
MAX_MATCHES = 10_000  # beyond this a count says "10000+": more would only cost time


@dataclass(frozen=True)
class Folded:
    """A text broken into rows of at most ``width`` cells."""

    lines: tuple[str, ...]
    offsets: tuple[int, ...]  # where each row starts in the unfolded text
    width: int


@dataclass(frozen=True)
class Prepared:
    """Everything the reader shows of a body, ready to draw."""

    rendered: Rendered
    code: CodeMatch | None
    link: RankedLink | None
    source: str  # the sanitised HTML, as the source view shows it
    plain: Folded
    folded_source: Folded


def prepare(html: str, subject: str, excerpt: str, width: int, *, bare: bool = False) -> Prepared:
    """Convert, pick the code and the link, fold both text views to ``width`` cells.

    ``bare``: show the HTML as bare text (when converting it stopped the worker twice)."""
    source = sanitize_text(html[:SOURCE_LIMIT])
    rendered = _bare(html) if bare else html_to_text(html)
    code = mail_code(subject, excerpt, rendered.text)
    link = best_link(rendered.links, rendered.text)
    return Prepared(rendered, code, link, source, fold(rendered.text, width), fold(source, width))


def _bare(html: str) -> Rendered:
    cut, note = limits.cut_input(html, limits.MAX_INPUT)
    return fallback(sanitize_text(cut), max_output=limits.MAX_OUTPUT, notes=[note] if note else [],
                    truncated=bool(note))


def fold(text: str, width: int) -> Folded:
    """Rows of at most ``width`` terminal cells, broken after a space in the second half
    of a row where there is one, else at the width. Tabs become spaces (one cell each,
    the same length: offsets stay true). Linear; ASCII lines are measured by length."""
    width = max(2, width)
    lines: list[str] = []
    offsets: list[int] = []
    start = 0
    for line in text.replace("\t", " ").split("\n"):
        if line.isascii():
            _fold_ascii(line, start, width, lines, offsets)
        else:
            _fold_cells(line, start, width, lines, offsets)
        start += len(line) + 1
    return Folded(tuple(lines), tuple(offsets), width)


def _fold_ascii(line: str, start: int, width: int, lines: list[str], offsets: list[int]) -> None:
    at = 0
    while len(line) - at > width:
        cut = line.rfind(" ", at + width // 2, at + width)
        cut = at + width if cut < 0 else cut + 1
        lines.append(line[at:cut])
        offsets.append(start + at)
        at = cut
    lines.append(line[at:])
    offsets.append(start + at)


def _fold_cells(line: str, start: int, width: int, lines: list[str], offsets: list[int]) -> None:
    if cell_len(line) <= width:
        lines.append(line)
        offsets.append(start)
        return
    at = 0  # where the current row starts
    cells = 0  # its width so far
    space = -1  # the last space in its second half (the row breaks after it)
    for i, char in enumerate(line):
        size = get_character_cell_size(char)
        if cells + size > width:
            cut = space + 1 if space >= 0 else i
            lines.append(line[at:cut])
            offsets.append(start + at)
            at, space = cut, -1
            cells = cell_len(line[at:i])
        cells += size
        if char == " " and cells > width // 2:
            space = i
    lines.append(line[at:])
    offsets.append(start + at)


def find(text: str, query: str, limit: int = MAX_MATCHES) -> tuple[tuple[int, int], ...]:
    """Where ``query`` occurs in ``text``, ignoring case: (start, end) spans, in order,
    at most ``limit`` of them."""
    if not query:
        return ()
    spans: list[tuple[int, int]] = []
    for match in re.finditer(re.escape(query), text, re.IGNORECASE):
        spans.append(match.span())
        if len(spans) >= limit:
            break
    return tuple(spans)
