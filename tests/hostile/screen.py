"""What the app would write to the terminal, and what must never be in it.

``terminal_problems(app)`` renders the current screen the way the driver would
(every strip through ``Strip.render``: text plus Textual's own SGR and OSC 8
sequences) and reports:

* any character a terminal could act on, or that hides or reorders text, in
  a segment's text (C0 including TAB and newline, ESC, DEL, C1, bidi controls,
  zero-width and other invisible format characters, surrogates,
  non-characters, tag characters);
* any escape sequence in the rendered output other than the ones Textual
  writes itself (SGR ``ESC[...m`` and OSC 8 hyperlinks whose target is
  printable ASCII);
* a row the terminal would draw wider or narrower than Textual laid it out
  (its wcwidth differs from the screen width): invisible or mis-measured
  characters push what follows off the row (issue 12.2).
"""

from __future__ import annotations

import re
from collections.abc import Collection

from textual.app import App
from wcwidth import wcswidth

# Anything a terminal could act on, or that hides or reorders text.
FORBIDDEN = re.compile(
    "[\x00-\x1f\x7f-\x9f\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff"
    "\ud800-\udfff\ufdd0-\ufdef\ufffe\uffff\U000e0000-\U000e007f]"
)
# Textual's own output: SGR, and OSC 8 links (id and URL printable ASCII).
OWN_SEQUENCE = re.compile(r"\x1b\[[0-9;:]*m|\x1b\]8;[\x20-\x7e]*?\x1b\\")


def _show(text: str, at: int) -> str:
    return repr(text[max(0, at - 20): at + 20])


def terminal_output(app: App[object]) -> str:
    """The bytes (as str) a real driver would write for the whole screen."""
    console = app.console
    return "".join(strip.render(console) for strip in app.screen._compositor.render_strips())


def terminal_problems(app: App[object], ignore_rows: Collection[int] = ()) -> list[str]:
    """Problems in every screen row but ``ignore_rows`` (rows that belong to
    another case, such as the other inbox rows)."""
    problems: list[str] = []
    console = app.console
    for row, strip in enumerate(app.screen._compositor.render_strips()):
        if row in ignore_rows:
            continue
        for segment in strip:
            found = FORBIDDEN.search(segment.text)
            if found:
                problems.append(f"row {row}: control {found.group()!r} in "
                                f"{_show(segment.text, found.start())}")
        text = strip.text
        if not FORBIDDEN.search(text) and wcswidth(text) != strip.cell_length:
            problems.append(f"row {row}: {wcswidth(text)} cells on a terminal, laid out as "
                            f"{strip.cell_length}: {text[:60]!r}")
        rest = OWN_SEQUENCE.sub("", strip.render(console))
        found = FORBIDDEN.search(rest)
        if found:
            problems.append(f"row {row} as written: {found.group()!r} near {_show(rest, found.start())}")
    return problems
