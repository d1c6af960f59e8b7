"""A message body drawn with the Line API: only the rows on screen are ever rendered.

A TextArea given a megabyte builds its document, wraps and measures it on the
UI thread (a stall of its own); this view is handed rows already folded to its
width in the converter's worker (:mod:`tmtui.reading`) and draws the
visible ones, so opening, scrolling and highlighting cost the same for a
line as for a megabyte. The text is sanitised upstream and drawn as plain
segments, never markup. Search matches are (start, end) spans in the unfolded
text; ``Folded.offsets`` maps them onto rows.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right

from rich.segment import Segment
from rich.style import Style
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from tmtui.reading import Folded

EMPTY = Folded((), (), 0)
GUTTER = 3  # cells beside the text: the padding (one each side) and the scrollbar


class BodyView(ScrollView, can_focus=False):
    """Rows of a folded body, with search matches highlighted (the current one apart).

    Never focused: the reader's keys scroll it, the same way in every view."""

    COMPONENT_CLASSES = {"body-view--match", "body-view--current"}

    DEFAULT_CSS = """
    BodyView { height: 1fr; padding: 0 1; overflow-x: hidden; overflow-y: scroll;
               scrollbar-size-vertical: 1; }
    BodyView > .body-view--match { text-style: reverse; }
    BodyView > .body-view--current { color: $accent; text-style: bold reverse underline; }
    """

    class Refold(Message):
        """The view's width changed: its rows should be folded anew (``wanted_width``)."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.folded = EMPTY
        self._starts: tuple[int, ...] = ()  # of the matches, in order
        self._ends: tuple[int, ...] = ()
        self.current: int | None = None  # index of the current match

    @staticmethod
    def text_width(outer: int) -> int:
        """The cells a row may take in a view ``outer`` cells wide."""
        return max(20, outer - GUTTER)

    @property
    def wanted_width(self) -> int:
        """The width rows should be folded to now (0 while not laid out)."""
        return self.scrollable_content_region.width

    @property
    def text(self) -> str:
        """The rows as shown, one per line."""
        return "\n".join(self.folded.lines)

    def show(self, folded: Folded, *, keep_place: bool = False) -> None:
        """New rows; ``keep_place``: the same text folded anew, keep its top row in view."""
        offset = self.folded.offsets[self.top] if keep_place and self.top < len(self.folded.offsets) else 0
        self.folded = folded
        self.virtual_size = Size(self.size.width, len(folded.lines))
        self.scroll_to(y=self.row_of(offset) if keep_place else 0, animate=False, immediate=True)
        if self.current is not None:
            self.reveal(self.current)
        self.refresh()

    def on_resize(self) -> None:
        self.virtual_size = Size(self.size.width, len(self.folded.lines))
        if self.folded.lines and self.wanted_width and self.wanted_width != self.folded.width:
            self.post_message(self.Refold())

    @property
    def top(self) -> int:
        return round(self.scroll_y)

    def row_of(self, offset: int) -> int:
        """The row that shows the character at ``offset`` of the unfolded text."""
        return max(0, bisect_right(self.folded.offsets, offset) - 1)

    def shows(self, offset: int) -> bool:
        """Whether the character at ``offset`` of the unfolded text is in view."""
        row = self.row_of(offset)
        return self.top <= row < self.top + max(1, self.scrollable_content_region.height)

    def set_matches(self, spans: tuple[tuple[int, int], ...], current: int | None) -> None:
        self._starts = tuple(start for start, _ in spans)
        self._ends = tuple(end for _, end in spans)
        self.current = current
        if current is not None:
            self.reveal(current)
        self.refresh()

    def reveal(self, index: int) -> None:
        """Scroll the match into view (a third down the view) if it is not in it."""
        if not 0 <= index < len(self._starts):
            return
        if not self.shows(self._starts[index]):
            row, height = self.row_of(self._starts[index]), self.scrollable_content_region.height
            self.scroll_to(y=max(0, row - height // 3), animate=False, immediate=True)

    def render_line(self, y: int) -> Strip:
        index = self.top + y
        width = self.scrollable_content_region.width
        style = self.rich_style
        lines = self.folded.lines
        if not 0 <= index < len(lines):
            return Strip.blank(width, style)
        return Strip(self._segments(index, lines[index], style)).adjust_cell_length(width, style)

    def _segments(self, index: int, line: str, style: Style) -> list[Segment]:
        """The row, cut where matches begin and end."""
        start = self.folded.offsets[index]
        end = start + len(line)
        first = bisect_right(self._ends, start)  # the first match ending after the row starts
        last = bisect_left(self._starts, end)  # ... and the first starting after it ends
        if first >= last:
            return [Segment(line, style)]
        match = style + self.get_component_rich_style("body-view--match", partial=True)
        current = style + self.get_component_rich_style("body-view--current", partial=True)
        segments: list[Segment] = []
        at = 0
        for i in range(first, last):
            begin, stop = max(0, self._starts[i] - start), min(len(line), self._ends[i] - start)
            if begin > at:
                segments.append(Segment(line[at:begin], style))
            segments.append(Segment(line[begin:stop], current if i == self.current else match))
            at = stop
        if at < len(line):
            segments.append(Segment(line[at:], style))
        return segments
