"""HTML mail bodies to terminal text and safe Markdown, with numbered links.

Pure and Textual-free: the reader calls :func:`html_to_text` from a thread
worker. One html2text pass yields both forms:

* ``Rendered.text`` for plain display: links read ``label [n]``, emphasis
  and Markdown escapes are gone, layout tables become lines.
* ``Rendered.markdown`` for a Markdown widget: every character of the mail's
  text is escaped, so there is no raw HTML, no image and no link but ours:
  ``[label][n] \\[n\\]`` with ``[n]: <url>`` at the end, for ``http``,
  ``https`` and ``mailto`` URLs only (others are dropped, their text stays).

Both end with the numbered list of links (``[1] https://...``) that
``Rendered.links`` holds, and both pass :func:`tmtui.safety.sanitize_text`
(the HTML is sanitised before parsing too, entities and alt texts after).

Hostile input is bounded: input over ``max_input`` is cut, elements nested
deeper than ``max_depth`` are flattened (their text stays), output stops at
``max_output`` characters; each leaves a visible ``[tmtui: ...]`` line and a
``note``. The stdlib parser's quadratic corners (unfinished tags, comments
and quotes at the end of input) and html2text's (whitespace runs, CSS
``@import``) are stepped around. If html2text raises anyway, a tag-stripped
text is shown.

For the UI: Textual's ``Markdown`` widget opens clicked links itself unless
built with ``open_links=False``, and its parser also links bare URLs in the
text (``ftp://``, ``www.``); pass every clicked ``href`` through
:func:`tmtui.safety.safe_url`.
"""

from __future__ import annotations

import html as htmllib
import re
from dataclasses import dataclass
from functools import cache, lru_cache

from tmtui.safety import safe_url, sanitize_line, sanitize_text

__all__ = [
    "Link",
    "Rendered",
    "fold_long_lines",
    "html_to_text",
]

MAX_LINKS = 1000
_URL_SHOWN = 300  # the link list shows long URLs cut; Link.url is whole


@dataclass(frozen=True, slots=True)
class Link:
    """A link the user may open: ``number`` matches the ``[n]`` in the text."""

    number: int
    url: str
    label: str


@dataclass(frozen=True, slots=True)
class Rendered:
    """A converted body. ``note`` says, in one human line, what was cut."""

    text: str
    links: tuple[Link, ...]
    truncated: bool
    note: str | None
    markdown: str = ""


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


def html_to_text(
    html: str,
    *,
    max_input: int = 2_000_000,
    max_output: int = 1_000_000,
    max_depth: int = 200,
    width: int = 0,
) -> Rendered:
    """Convert an untrusted HTML body to safe text and Markdown; never raises
    on bad HTML. ``width`` > 0 wraps paragraphs (html2text's wrapping, which
    is slower); 0 leaves wrapping to the widget."""
    notes: list[str] = []
    truncated = False
    if len(html) > max_input:
        cut = max_input
        last_open = html.rfind("<", max(0, cut - 4096), cut)
        if last_open > html.rfind(">", max(0, cut - 4096), cut):
            cut = last_open  # do not end inside a tag
        html, truncated = html[:cut], True
        notes.append(f"the message is longer than {max_input:,} characters, the rest is not shown")
    source = sanitize_text(html)
    converter = _converter_type()(max_depth=max_depth, max_output=max_output, width=width)
    try:
        body = converter.run(source)
    except _OutputFull:
        body = converter.partial()[:max_output]
        truncated = True
        notes.append(f"the text is longer than {max_output:,} characters, the rest is not shown")
    except Exception:  # html2text or HTMLParser choked: show the text anyway
        return _fallback(source, max_output=max_output, notes=notes, truncated=truncated)
    if converter.flattened:
        notes.append(f"parts nested deeper than {max_depth} levels are shown flattened")
    return _assemble(body, converter.urls, converter.labels, notes, truncated=truncated,
                     max_output=max_output)


# Sentinels: Unicode non-characters, which sanitize_text turns into U+FFFD, so
# a sender cannot forge them. They let one html2text pass feed both outputs.
_ESCAPE = "\ufdd0"  # the next character is escaped in Markdown
_EM = "\ufdd1"  # emphasis mark
_STRONG = "\ufdd2"  # strong mark
_OPEN = "\ufdd3"  # a link label starts
_CLOSE = "\ufdd4"  # a link label ends; the link number and _END follow
_END = "\ufdd5"
_NBSP_HOLDER = "&nbsp_place_holder;"  # html2text's own placeholder for &nbsp;
_LINK = re.compile(f"{_OPEN}([^{_OPEN}{_CLOSE}]*){_CLOSE}(\\d+){_END}")
_MD_SPECIAL = re.compile(r"[\\`*_\[\]()<>&#|~]")
_TRAILING_SPACE = re.compile(r"(?<![ \t])[ \t]+\n")  # the lookbehind keeps it linear
_BLANK_RUN = re.compile(r"\n{3,}")
# Line starts that would make a list, heading underline or rule. [ \t]*, not
# \s*: html2text's own "^(\s*\d+)" patterns are quadratic on runs of newlines.
_MD_LINE_START = re.compile(r"^([ \t]*)(\d+\.|[-+=])(?=[ \t]|$)", re.M)


class _OutputFull(Exception):
    """Raised from the output callback once max_output characters are out."""


def _escape_char(match: re.Match[str]) -> str:
    return _ESCAPE + match.group()


def _escape_line_start(match: re.Match[str]) -> str:
    indent, marker = match.groups()
    if marker[0].isdigit():  # "1." -> "1\." keeps the number as text
        return f"{indent}{marker[:-1]}{_ESCAPE}."
    return f"{indent}{_ESCAPE}{marker}"


def _md_escape(text: str) -> str:
    """Escape every character of mail text that Markdown could act on."""
    if _MD_SPECIAL.search(text):
        text = _MD_SPECIAL.sub(_escape_char, text)
    if _MD_LINE_START.search(text):
        text = _MD_LINE_START.sub(_escape_line_start, text)
    return text


def _md_escape_all(text: str) -> str:
    return _MD_ANY.sub(r"\\\g<0>", text)


def _assemble(body: str, urls: list[str], labels: dict[int, str], notes: list[str], *,
              truncated: bool, max_output: int) -> Rendered:
    """Resolve the sentinels into the two outputs, add notes and the link list.

    Markdown links are reference links (``[label][3]`` and ``[3]: <url>`` at
    the end), so a URL used a thousand times is written once."""

    def markdown_link(match: re.Match[str]) -> str:
        number, label = match.group(2), match.group(1).strip()
        return f"[{label}][{number}] \\[{number}\\]" if label else f"[\\[{number}\\]][{number}]"

    def plain_link(match: re.Match[str]) -> str:
        label = match.group(1).strip()
        return f"{label} [{match.group(2)}]" if label else f"[{match.group(2)}]"

    markdown = _LINK.sub(markdown_link, body)
    text = _LINK.sub(plain_link, body)
    for sentinel in (_OPEN, _CLOSE, _END):  # a link cut off by the output cap
        if sentinel in text:
            markdown = markdown.replace(sentinel, "")
            text = text.replace(sentinel, "")
    markdown = markdown.replace(_ESCAPE, "\\").replace(_EM, "_").replace(_STRONG, "**")
    text = text.replace(_ESCAPE, "").replace(_EM, "").replace(_STRONG, "")
    text = _BLANK_RUN.sub("\n\n", _TRAILING_SPACE.sub("\n", text)).strip("\n")
    markdown = _BLANK_RUN.sub("\n\n", markdown).strip("\n")
    markdown_notes = list(notes)
    if len(markdown) > max_output:  # escapes and link syntax make it longer
        markdown = markdown[:max_output]
        markdown_notes.append(f"the formatted view stops at {max_output:,} characters")
    if notes:
        text += f"\n\n[tmtui: {'; '.join(notes)}]"
    if markdown_notes:
        markdown += f"\n\n\\[tmtui: {_md_escape_all('; '.join(markdown_notes))}\\]"
    links = tuple(Link(n, url, labels.get(n, "")) for n, url in enumerate(urls, 1))
    if links:
        shown = [url if len(url) <= _URL_SHOWN else url[: _URL_SHOWN - 1] + "…" for url in urls]
        text += "\n\nLinks:\n" + "\n".join(f"[{n}] {url}" for n, url in enumerate(shown, 1))
        markdown += "\n\n**Links**\n\n" + "  \n".join(
            f"\\[{n}\\] [{_md_escape_all(url)}][{n}]" for n, url in enumerate(shown, 1))
        markdown += "\n\n" + "\n".join(  # "&" escaped: no entity decoding in the URL
            f"[{n}]: <{url}>".replace("&", "\\&") for n, url in enumerate(urls, 1))
    note = "; ".join(markdown_notes)
    return Rendered(
        text=sanitize_text(text),
        links=links,
        truncated=truncated or len(markdown_notes) > len(notes),
        note=f"{note[:1].upper()}{note[1:]}." if note else None,
        markdown=sanitize_text(markdown),
    )


def _fallback(html: str, *, max_output: int, notes: list[str], truncated: bool) -> Rendered:
    """A tag-stripped text for HTML that html2text could not handle."""
    text = _BREAK.sub("\n", _DROP.sub(" ", html))
    text = sanitize_text(htmllib.unescape(_TAG.sub("", text)))
    text = _LINE_SPACE.sub(" ", text)
    text = _BLANK_LINES.sub("\n\n", _TRAILING_SPACE.sub("\n", text)).strip()
    if len(text) > max_output:
        text, truncated = text[:max_output], True
        notes.append(f"the text is longer than {max_output:,} characters, the rest is not shown")
    notes.insert(0, "this message could not be formatted, showing its bare text")
    note = "; ".join(notes)
    text = f"{text}\n\n[tmtui: {note}]"
    markdown = _md_escape_all(text).replace("\n", "  \n")
    return Rendered(text=text, links=(), truncated=truncated,
                    note=f"{note[:1].upper()}{note[1:]}.", markdown=markdown)


_DROP = re.compile(r"<(script|style|head|title)\b.*?(?:</\1\s*>|\Z)|<!--.*?(?:-->|\Z)",
                   re.S | re.I)
_BREAK = re.compile(r"<(?:br|/?p|/?div|/?li|/?tr|/?h[1-6]|/?blockquote|/?table)\b[^<>]*>?",
                    re.I)
_TAG = re.compile(r"</?[a-zA-Z!?][^>]*>?")
_LINE_SPACE = re.compile(r"[ \t]+")
_BLANK_LINES = re.compile(r"\n[ \t]*\n\s*")
_MD_ANY = re.compile(r"[\\`*_\[\]()<>&#|~!+\-.=]")


# The element model that bounds nesting. html2text keeps state per open list
# and blockquote and trusts the tags to balance; here every start tag it sees
# gets exactly one end tag, in order (implied ends are written out, stray ends
# dropped), and elements deeper than max_depth are left out (text kept).
_VOID = frozenset(
    "area base basefont bgsound br col embed frame hr image img input keygen link meta "
    "param source track wbr".split()
)
_ALWAYS = frozenset({"head", "script", "style"})  # their content must stay hidden
_SWALLOW = frozenset({"abbr", "code", "kbd", "tt"})  # inline code would be raw Markdown
_STRAY_OK = frozenset("dd div dt h1 h2 h3 h4 h5 h6 li p td th tr".split())
_BLOCK = frozenset(
    "address article aside blockquote center details dialog dir div dl fieldset figcaption "
    "figure footer form h1 h2 h3 h4 h5 h6 header hgroup main menu nav ol p pre section "
    "summary table ul".split()
)
_SCOPES = (_BLOCK - {"p"}) | frozenset(
    "body button caption dd dt html li marquee object td template tfoot th thead tr".split()
)
_LINES = _BLOCK | frozenset({"dd", "dt", "li", "tr"})
_CELLS = frozenset({"td", "th", "p"})
_ROWS = frozenset({"tr"}) | _CELLS
_SECTIONS = frozenset({"thead", "tbody", "tfoot"}) | _ROWS
# tag -> (elements its start implicitly closes, elements that stop the search)
_IMPLIED: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    **{tag: (frozenset({"p"}), _SCOPES) for tag in _BLOCK},
    "li": (frozenset({"li", "p"}), frozenset({"ul", "ol", "menu", "dir"})),
    "dt": (frozenset({"dt", "dd", "p"}), frozenset({"dl"})),
    "dd": (frozenset({"dt", "dd", "p"}), frozenset({"dl"})),
    "td": (_CELLS, frozenset({"tr", "table"})),
    "th": (_CELLS, frozenset({"tr", "table"})),
    "tr": (_ROWS, frozenset({"table", "thead", "tbody", "tfoot"})),
    **{tag: (_SECTIONS, frozenset({"table"})) for tag in ("thead", "tbody", "tfoot")},
    "option": (frozenset({"option"}), frozenset({"select", "datalist", "optgroup"})),
    "optgroup": (frozenset({"option", "optgroup"}), frozenset({"select"})),
    "a": (frozenset({"a"}), frozenset()),
    "body": (frozenset({"head"}), frozenset()),
}
# "&#" that is not a character reference the stdlib parser accepts makes it
# stop and show the rest of the document as raw text: write it as "&amp;#".
_BAD_CHARREF = re.compile(r"&#(?!(?:[0-9]+|[xX][0-9a-fA-F]+)(?:[^0-9a-fA-F]|\Z))")
_WALK = 12  # how far down the stack an implied end is looked for
_LABEL_MAX = 500


@lru_cache(maxsize=1024)
def _sanitize_small(text: str, multiline: bool = True) -> str:
    """sanitize_text for entity values and alt texts, which repeat a lot."""
    return sanitize_text(text, multiline=multiline)


@cache
def _converter_type() -> type:
    """html2text.HTML2Text hardened for hostile mail (html2text loads here)."""
    import html2text

    class Converter(html2text.HTML2Text):
        def __init__(self, *, max_depth: int, max_output: int, width: int) -> None:
            super().__init__(bodywidth=max(0, width))
            self.unicode_snob = True
            self.ul_item_mark = "-"
            self.ignore_tables = True  # mail tables are layout: rows become lines
            self.emphasis_mark = _EM
            self.strong_mark = _STRONG
            self.urls: list[str] = []
            self.labels: dict[int, str] = {}
            self.flattened = False
            self._numbers: dict[str, int] = {}
            self._anchors: list[tuple[int | None, list[str]]] = []
            self._label_room = 0
            self._stack: list[tuple[str, bool]] = []
            self._open: dict[str, int] = {}
            self._depth = 0
            self._max_depth = max(1, max_depth)
            self._size = 0
            self._max_output = max_output
            self._pre = 0
            self._pre_fresh = False

        def run(self, html: str) -> str:
            self.feed(_BAD_CHARREF.sub("&amp;#", html))
            self.close()
            self._pop_to(0)
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

        def parse_marked_section(self, i: int, report: int = 1) -> int:
            try:  # "<![" + junk raises AssertionError in the stdlib
                return super().parse_marked_section(i, report)
            except AssertionError:
                return self.parse_bogus_comment(i, report)

        def partial(self) -> str:
            return "".join(self.outtextlist).replace(_NBSP_HOLDER, "\xa0")

        def outtextf(self, s: str) -> None:
            self.outtextlist.append(s)
            if s:
                self.lastWasNL = s[-1] == "\n"
                self._size += len(s)
                if self._size > self._max_output:
                    raise _OutputFull

        # -- the element model -------------------------------------------
        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            if tag in _VOID:
                self._start(tag, attrs)
                return
            rule = _IMPLIED.get(tag)
            if rule is not None and any(self._open.get(name) for name in rule[0]):
                self._close_implied(*rule)
            emit = self._depth < self._max_depth or tag in _ALWAYS
            self._stack.append((tag, emit))
            self._open[tag] = self._open.get(tag, 0) + 1
            if emit:
                self._depth += 1
                self._start(tag, attrs)
            else:
                self.flattened = True
                if tag in _LINES:  # flattened blocks still start on a new line
                    self.pbr()

        def handle_endtag(self, tag: str) -> None:
            if tag in _VOID:
                if tag == "br":  # </br> is a line break in browsers too
                    self._start(tag, [])
                return
            if not self._open.get(tag):
                if tag in _STRAY_OK:
                    self._end(tag)
                return
            index = len(self._stack) - 1
            while self._stack[index][0] != tag:
                index -= 1
            self._pop_to(index)

        def _close_implied(self, closes: frozenset[str], stops: frozenset[str]) -> None:
            stack, target = self._stack, -1
            for index in range(len(stack) - 1, max(-1, len(stack) - 1 - _WALK), -1):
                name = stack[index][0]
                if name in closes:
                    target = index
                elif name in stops:
                    break
            if target >= 0:
                self._pop_to(target)

        def _pop_to(self, index: int) -> None:
            stack = self._stack
            while len(stack) > index:
                name, emitted = stack.pop()
                self._open[name] -= 1
                if emitted:
                    self._depth -= 1
                    self._end(name)

        def _start(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            self.current_tag = tag
            if tag == "a":
                self._anchor_start(attrs)
            elif tag == "img":
                alt = next((value for name, value in attrs if name == "alt"), None)
                if alt and alt.strip():
                    self.handle_data(f" {_sanitize_small(alt, multiline=False)} ")
            elif tag == "pre":
                self.p()
                self._pre += 1
                self._pre_fresh = True
            elif tag in ("td", "th"):
                self.space = True  # keep the cells of a row apart
            elif tag not in _SWALLOW:
                self.handle_tag(tag, dict(attrs), True)

        def _end(self, tag: str) -> None:
            self.current_tag = tag
            if tag == "a":
                self._anchor_end()
            elif tag == "pre":
                self._pre -= 1
                self.p()
            elif tag not in _SWALLOW:
                self.handle_tag(tag, {}, False)
                if self.quiet < 0:
                    self.quiet = 0

        # -- links -----------------------------------------------------------
        def _anchor_start(self, attrs: list[tuple[str, str | None]]) -> None:
            href = next((value for name, value in attrs if name == "href"), None)
            url = None if self.quiet else safe_url(href)
            number = self._numbers.get(url) if url else None
            if url and number is None and len(self.urls) < MAX_LINKS:
                self.urls.append(url)
                number = self._numbers[url] = len(self.urls)
            self._anchors.append((number, []))
            self._label_room = _LABEL_MAX
            self.astack.append(None)  # html2text: no paragraph breaks inside a link
            if number is not None:
                self.o(_OPEN)

        def _anchor_end(self) -> None:
            if self.astack:
                self.astack.pop()
            if not self._anchors:
                return
            number, parts = self._anchors.pop()
            if number is None:
                return
            if not self.labels.get(number):
                self.labels[number] = sanitize_line("".join(parts), 200)
            self.o(f"{_CLOSE}{number}{_END}")

        # -- text --------------------------------------------------------------
        def handle_data(self, data: str, entity_char: bool = False) -> None:
            if self.quiet or self.style:  # hidden; skips html2text's quadratic CSS parsing
                return
            if self._anchors and self._anchors[-1][0] is not None and self._label_room > 0:
                self._anchors[-1][1].append(data[: self._label_room])
                self._label_room -= len(data)
            if self._pre:
                self._pre_data(data)
            else:  # entity_char=True: skip html2text's escaping (ours is complete)
                super().handle_data(_md_escape(data), True)

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
                    self.o(lead + _md_escape(body))

        def handle_charref(self, name: str) -> None:
            try:
                self._reference(self.charref(name))
            except (ValueError, OverflowError):
                self._reference("\ufffd")

        def handle_entityref(self, name: str) -> None:
            self._reference(self.entityref(name))

        def _reference(self, text: str) -> None:
            if text in (_NBSP_HOLDER, "\xa0"):
                if not self.quiet:
                    super().handle_data(_NBSP_HOLDER, True)
            elif text:
                if not (text.isascii() and text.isprintable()):
                    text = _sanitize_small(text)
                self.handle_data(text)

    return Converter
