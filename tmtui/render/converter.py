"""html2text's converter, hardened for hostile mail.

Importing this module imports html2text (tens of milliseconds), so only
:func:`tmtui.render.html_to_text` does, on the first body it converts.

What changes from html2text:

* Tags go through :class:`~tmtui.render.elements.OpenElements`, so nesting is
  bounded and every start gets one end.
* Text is Markdown-escaped completely and links are written with sentinels
  (see :mod:`tmtui.render.escape`), so one pass gives both outputs.
* Output stops at ``max_output`` characters (:class:`OutputFull`).
* The stdlib parser's quadratic corners (unfinished constructs at the end of
  input, ``<![`` junk, bad character references) and html2text's (CSS
  ``@import`` parsing, whitespace runs in ``<pre>``) are stepped around.
"""

from __future__ import annotations

import html as htmllib
import re
from functools import lru_cache

import html2text

from tmtui.render.elements import LINES, STRAY_OK, SWALLOW, VOID, OpenElements
from tmtui.render.escape import EM, HEADING, NBSP_HOLDER, OPEN, STRONG, mark_escapes
from tmtui.render.limits import OutputFull
from tmtui.render.links import LinkTable, label_end
from tmtui.safety import sanitize_text

# "&#" that is not a character reference the stdlib parser accepts makes it
# stop and show the rest of the document as raw text: write it as "&amp;#".
_BAD_CHARREF = re.compile(r"&#(?!(?:[0-9]+|[xX][0-9a-fA-F]+)(?:[^0-9a-fA-F]|\Z))")

Attrs = list[tuple[str, str | None]]


@lru_cache(maxsize=1024)
def _sanitize_small(text: str, multiline: bool = True) -> str:
    """sanitize_text for entity values and alt texts, which repeat a lot."""
    return sanitize_text(text, multiline=multiline)


def _attr(attrs: Attrs, wanted: str) -> str | None:
    return next((value for name, value in attrs if name == wanted), None)


_HEADING_MARK = re.compile(r"#{1,6} ")


class Converter(html2text.HTML2Text):
    """One body, converted once: :meth:`run`, then read :attr:`links` and
    :attr:`flattened`; after :class:`OutputFull`, :meth:`partial`."""

    def __init__(self, *, max_depth: int, max_output: int, width: int) -> None:
        super().__init__(bodywidth=max(0, width))
        self.unicode_snob = True
        self.ul_item_mark = "-"
        self.ignore_tables = True  # mail tables are layout: rows become lines
        self.emphasis_mark = EM
        self.strong_mark = STRONG
        self.links = LinkTable()
        self._elements = OpenElements(max_depth)
        self._size = 0
        self._max_output = max_output
        self._pre = 0  # open <pre> elements
        self._pre_fresh = False  # a <pre> just opened: its first newline is dropped

    @property
    def flattened(self) -> bool:
        return self._elements.flattened

    def run(self, html: str) -> str:
        self.feed(_BAD_CHARREF.sub("&amp;#", html))
        self.close()
        self._end_all(self._elements.end_all())
        self.pbr()
        self.o("", force="end")
        return self.optwrap(self.partial()) if self.body_width else self.partial()

    def close(self) -> None:
        """End of input, linear. The stdlib's end pass re-parses the rest of
        the document once per "<" after an unfinished construct (quadratic;
        fixed in later CPython). What feed() leaves unparsed is exactly such
        a construct running to the end, which HTML5 drops (an unfinished tag,
        comment or declaration, an unclosed script or style), or a short
        unterminated entity, kept as text."""
        tail, self.rawdata = self.rawdata, ""
        if tail.startswith("&") and not self.cdata_elem:
            self.handle_data(_sanitize_small(htmllib.unescape(tail)))

    def parse_marked_section(self, i: int, report: bool = True) -> int:
        try:  # "<![" + junk raises AssertionError in the stdlib
            return super().parse_marked_section(i, report)
        except AssertionError:
            return self.parse_bogus_comment(i, report)

    def partial(self) -> str:
        """The output so far (all of it, after :meth:`run`)."""
        return "".join(self.outtextlist).replace(NBSP_HOLDER, "\xa0")

    def o(self, data: str, puredata: bool = False, force: bool | str = False) -> None:
        # html2text writes a heading's "## " in one call, just after entering it; a
        # sender's own "#" never comes this way (handle_data escapes it).
        if self.inheader and _HEADING_MARK.fullmatch(data):
            data = HEADING + data
        super().o(data, puredata, force)

    def outtextf(self, s: str) -> None:
        self.outtextlist.append(s)
        if s:
            self.lastWasNL = s[-1] == "\n"
            self._size += len(s)
            if self._size > self._max_output:
                raise OutputFull

    # -- tags ------------------------------------------------------------------
    def handle_starttag(self, tag: str, attrs: Attrs) -> None:
        if tag in VOID:
            self._start(tag, attrs)
            return
        ended, shown = self._elements.start(tag)
        self._end_all(ended)
        if shown:
            self._start(tag, attrs)
        elif tag in LINES:  # flattened blocks still start on a new line
            self.pbr()

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID:
            if tag == "br":  # </br> is a line break in browsers too
                self._start(tag, [])
            return
        ended = self._elements.end(tag)
        if ended is not None:
            self._end_all(ended)
        elif tag in STRAY_OK:
            self._end(tag)

    def _end_all(self, tags: tuple[str, ...]) -> None:
        for tag in tags:
            self._end(tag)

    def _start(self, tag: str, attrs: Attrs) -> None:
        self.current_tag = tag
        if tag == "a":
            self._anchor_start(attrs)
        elif tag == "img":
            alt = _attr(attrs, "alt")
            if alt and alt.strip():
                self.handle_data(f" {_sanitize_small(alt, multiline=False)} ")
        elif tag == "pre":
            self.p()
            self._pre += 1
            self._pre_fresh = True
        elif tag in ("td", "th"):
            self.space = True  # keep the cells of a row apart
        elif tag not in SWALLOW:
            self.handle_tag(tag, dict(attrs), True)

    def _end(self, tag: str) -> None:
        self.current_tag = tag
        if tag == "a":
            self._anchor_end()
        elif tag == "pre":
            self._pre -= 1
            self.p()
        elif tag not in SWALLOW:
            self.handle_tag(tag, {}, False)
            if self.quiet < 0:
                self.quiet = 0

    # -- links -----------------------------------------------------------------
    def _anchor_start(self, attrs: Attrs) -> None:
        number = self.links.open(None if self.quiet else _attr(attrs, "href"))
        self.astack.append(None)  # html2text: no paragraph breaks inside a link
        if number is not None:
            self.o(OPEN)

    def _anchor_end(self) -> None:
        if self.astack:
            self.astack.pop()
        number = self.links.close()
        if number is not None:
            self.o(label_end(number))

    # -- text ------------------------------------------------------------------
    def handle_data(self, data: str, entity_char: bool = False) -> None:
        if self.quiet or self.style:  # hidden; skips html2text's quadratic CSS parsing
            return
        self.links.collect(data)
        if self._pre:
            self._pre_data(data)
        else:  # entity_char=True: skip html2text's escaping (ours is complete)
            super().handle_data(mark_escapes(data), True)

    def _pre_data(self, data: str) -> None:
        """Preformatted text as escaped lines with hard breaks: an indented
        code block could be ended by sender text and is not needed."""
        if self._pre_fresh:
            self._pre_fresh = False
            data = data[1:] if data.startswith("\n") else data
        for number, line in enumerate(data.split("\n")):
            if number:
                self.o("  \n> " if self.blockquote else "  \n")
            body = line.lstrip(" \t")
            if body:
                lead = "\xa0" * len(line[: len(line) - len(body)].expandtabs(4))
                self.o(lead + mark_escapes(body))

    def handle_charref(self, name: str) -> None:
        try:
            self._reference(self.charref(name))
        except (ValueError, OverflowError):
            self._reference("\ufffd")

    def handle_entityref(self, name: str) -> None:
        self._reference(self.entityref(name))

    def _reference(self, text: str) -> None:
        if text in (NBSP_HOLDER, "\xa0"):
            if not self.quiet:
                super().handle_data(NBSP_HOLDER, True)
        elif text:
            if not (text.isascii() and text.isprintable()):
                text = _sanitize_small(text)
            self.handle_data(text)
