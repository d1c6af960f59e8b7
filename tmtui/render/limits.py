"""What a hostile body may cost: caps on input, nesting, output, links and line length.

Every cap that cuts something leaves a note, so the reader sees a visible
``[tmtui: ...]`` line instead of a silently shorter mail.
"""

from __future__ import annotations

MAX_INPUT = 2_000_000  # characters of HTML read; the rest is dropped
MAX_OUTPUT = 1_000_000  # characters of text written; the converter stops there
MAX_DEPTH = 200  # elements nested deeper are flattened (their text stays)
MAX_LINKS = 1000  # distinct link targets numbered per mail
MAX_LABEL = 500  # characters of link text collected per anchor
LABEL_SHOWN = 200  # terminal cells of a link's label kept in Link.label
URL_SHOWN = 300  # the link list shows long URLs cut; Link.url is whole
IMPLIED_END_REACH = 12  # how far down the open elements an implied end is looked for
_TAG_TAIL = 4096  # how far back from a cut the start of an unfinished tag is looked for


class OutputFull(Exception):
    """Raised from the converter's output callback once ``max_output`` characters are out."""


def cut_input(html: str, max_input: int) -> tuple[str, str | None]:
    """``html`` within ``max_input`` characters, never ending inside a tag,
    and the note to show when it was cut."""
    if len(html) <= max_input:
        return html, None
    cut = max_input
    last_open = html.rfind("<", max(0, cut - _TAG_TAIL), cut)
    if last_open > html.rfind(">", max(0, cut - _TAG_TAIL), cut):
        cut = last_open
    return html[:cut], f"the message is longer than {max_input:,} characters, the rest is not shown"


def output_note(max_output: int) -> str:
    return f"the text is longer than {max_output:,} characters, the rest is not shown"


def depth_note(max_depth: int) -> str:
    return f"parts nested deeper than {max_depth} levels are shown flattened"


def markdown_note(max_output: int) -> str:
    return f"the formatted view stops at {max_output:,} characters"


def fold_long_lines(text: str, limit: int = 1000) -> str:
    """Break lines longer than ``limit`` characters, after a space where one
    is in the second half of the span, else at the limit.

    For a text widget: Textual's soft-wrapping TextArea re-divides a whole
    line for every screen row it draws, so one megabyte-long line (a sender's
    choice) costs seconds per repaint. Linear; text without long lines comes
    back as it is.
    """
    limit = max(2, limit)
    if len(text) <= limit:
        return text
    out: list[str] = []
    for line in text.split("\n"):
        while len(line) > limit:
            cut = line.rfind(" ", limit // 2, limit)
            cut = limit if cut < 0 else cut + 1
            out.append(line[:cut])
            line = line[cut:]
        out.append(line)
    return "\n".join(out)
