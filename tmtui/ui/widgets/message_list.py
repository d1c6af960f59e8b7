"""A virtual list of message rows drawn with the Line API.

A DataTable measures every cell on first layout (~0.7 s for 10,000 rows), so the
inbox draws only the visible rows: cost per frame and per key does not grow with
the mailbox. Row text is sanitised and drawn as plain segments, never markup.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from tmtui import clock
from tmtui.api.models import MessageSummary
from tmtui.extract import mail_code
from tmtui.humanize import relative_time
from tmtui.safety import cell_width, fit_cells, sanitize_line
from tmtui.safety.addresses import sender_line
from tmtui.ui.keys import bindings_for

SENDER_WIDTH = 22
TIME_WIDTH = 8
MAILBOX_WIDTH = 14
LINE_CACHE_SIZE = 512  # drawn lines kept: a few screenfuls, in every state a row can be drawn in


@dataclass(frozen=True, slots=True)
class Row:
    """The display form of one message, computed once per message."""

    id: str
    sender: str
    subject: str
    timestamp: datetime
    read: bool
    attached: bool
    junk: bool
    excerpt: str = ""
    mailbox: str = ""
    """The All mailboxes view: the row's mailbox (label or address, sanitised), drawn as a column."""


def to_row(message: MessageSummary) -> Row:
    sender = sender_line(message.sender, 80, narrow=True)  # a lying name shows "! address (name)"
    return Row(message.id, sender, sanitize_line(message.subject, max_len=300) or "(no subject)",
               message.timestamp, message.read, message.has_attachment, message.is_junk,
               sanitize_line(message.excerpt, max_len=300))


BADGE_CONFIDENCE = 0.5


def code_badge(row: Row) -> str:
    """The one-time code a row's subject or excerpt shows, if any."""
    match = mail_code(row.subject, row.excerpt)  # the listing only: what the server excerpted
    return match.value[:12] if match is not None and match.confidence >= BADGE_CONFIDENCE else ""


class MessageList(ScrollView, can_focus=True):
    """Rows of messages with a cursor, marks and a highlight for new arrivals.

    The owner (the inbox screen) binds ``rows``, ``new_ids`` and ``now`` with
    ``data_bind``; a change to any of them repaints what is visible. Marks are
    the list's own (space toggles them), a reactive so the owner can clear
    them. One exception to "data in, repaint follows": a cursor move repaints
    just the two lines it touches with ``refresh_line`` (Line API), not the
    whole list.
    """

    COMPONENT_CLASSES = {
        "message-list--cursor",
        "message-list--unread",
        "message-list--new",
        "message-list--marked",
        "message-list--dim",
        "message-list--badge",
    }

    DEFAULT_CSS = """
    MessageList { height: 1fr; overflow-x: hidden; }
    MessageList > .message-list--cursor { background: $accent 60%; }
    MessageList:focus > .message-list--cursor { background: $accent; color: $text; }
    MessageList > .message-list--unread { text-style: bold; }
    MessageList > .message-list--new { color: $text-success; }
    MessageList > .message-list--marked { color: $text-warning; }
    MessageList > .message-list--dim { color: $text-muted; }
    MessageList > .message-list--badge { text-style: bold reverse; }
    """

    BINDINGS = [
        *bindings_for({"down": "cursor(1)", "up": "cursor(-1)", "page_down": "page(1)",
                       "page_up": "page(-1)", "first": "first", "last": "last"}),
        Binding("space", "toggle_mark", "Mark", show=False, tooltip="Mark / unmark"),
        Binding("enter", "select", "Open", tooltip="Open the message"),
    ]

    cursor: reactive[int] = reactive(0, always_update=True, init=False)
    rows: reactive[tuple[Row, ...]] = reactive((), init=False, repaint=False)
    """Newest first, as they are shown (the owner applies the filter)."""
    new_ids: reactive[frozenset[str]] = reactive(frozenset(), init=False)
    marked: reactive[frozenset[str]] = reactive(frozenset(), init=False)
    now: reactive[datetime] = reactive(clock.now, init=False)
    """What the relative times ("5 min ago") are relative to."""

    @dataclass
    class Selected(Message):
        """The user opened a message."""

        message_id: str

    @dataclass
    class Highlighted(Message):
        message_id: str | None

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._badges: dict[str, str] = {}  # computed when a row is first drawn
        self._base_style: Style | None = None  # the list's own style, during one render pass
        self._components: dict[tuple[str, bool], Style] = {}  # component styles, during one render pass
        self._lines: dict[tuple[Row, int, Style, str, bool], Strip] = {}  # drawn rows (render_line)

    # Data ------------------------------------------------------------------

    def watch_rows(self, old: tuple[Row, ...], new: tuple[Row, ...]) -> None:
        """Keep the cursor on the same message if it is still there.

        Marks stay when a filter hides their rows (the owner drops the marks of
        messages that left the mailbox): a bulk delete counts the hidden ones.
        """
        current = old[self.cursor].id if 0 <= self.cursor < len(old) else None
        self._set_virtual_height(len(new))
        index = self._index_of(current) if current is not None else None
        self.cursor = index if index is not None else min(self.cursor, max(0, len(new) - 1))
        self.refresh()

    def _index_of(self, message_id: str) -> int | None:
        for i, row in enumerate(self.rows):
            if row.id == message_id:
                return i
        return None

    @property
    def current_id(self) -> str | None:
        if 0 <= self.cursor < len(self.rows):
            return self.rows[self.cursor].id
        return None

    def move_to(self, message_id: str) -> None:
        index = self._index_of(message_id)
        if index is not None:
            self.cursor = index

    # Cursor ----------------------------------------------------------------

    def validate_cursor(self, value: int) -> int:
        return max(0, min(value, len(self.rows) - 1)) if self.rows else 0

    def watch_cursor(self, old: int, new: int) -> None:
        self.refresh_line(old)
        self.refresh_line(new)
        top = round(self.scroll_y)
        height = max(1, self.scrollable_content_region.height)
        if new < top:
            self.scroll_to(y=new, animate=False, immediate=True)
        elif new >= top + height:
            self.scroll_to(y=new - height + 1, animate=False, immediate=True)
        self.post_message(self.Highlighted(self.current_id))

    def action_cursor(self, delta: int) -> None:
        self.cursor += delta

    def action_page(self, direction: int) -> None:
        self.cursor += direction * max(1, self.scrollable_content_region.height - 1)

    def action_first(self) -> None:
        self.cursor = 0

    def action_last(self) -> None:
        self.cursor = len(self.rows) - 1

    def action_toggle_mark(self) -> None:
        current = self.current_id
        if current is None:
            self.notify("Nothing to mark: the list is empty", timeout=2)
            return
        self.marked ^= {current}
        self.cursor += 1

    def action_select(self) -> None:
        if self.current_id is None:
            self.notify("Nothing to open: the list is empty", timeout=2)
            return
        self.post_message(self.Selected(self.current_id))

    def on_click(self, event: events.Click) -> None:
        index = round(self.scroll_y) + event.y
        if 0 <= index < len(self.rows):
            if index == self.cursor and event.chain > 1:
                self.action_select()
            self.cursor = index

    # Drawing ---------------------------------------------------------------

    def render_lines(self, crop: Region) -> list[Strip]:
        # `rich_style` walks every ancestor's styles (~0.2 ms here); each line needs it
        # up to three times, which made a full repaint of 30 rows cost ~25 ms.
        self._base_style = self.rich_style
        try:
            return super().render_lines(crop)
        finally:
            self._base_style = None
            self._components.clear()

    @property
    def _list_style(self) -> Style:
        return self._base_style if self._base_style is not None else self.rich_style

    def _component(self, name: str, *, partial: bool = False) -> Style:
        """A component style, looked up once per render pass (each lookup walks the CSS rules)."""
        if self._base_style is None:  # outside a pass the CSS may have changed since
            return self.get_component_rich_style(name, partial=partial)
        key = (name, partial)
        style = self._components.get(key)
        if style is None:
            style = self._components[key] = self.get_component_rich_style(name, partial=partial)
        return style

    def render_line(self, y: int) -> Strip:
        index = round(self.scroll_y) + y
        width = self.scrollable_content_region.width
        if not 0 <= index < len(self.rows):
            return Strip.blank(width, self._list_style)
        row = self.rows[index]
        style = self._row_style(row, index)
        # A new mail shifts every row below it by one line: each is drawn again, but its
        # text is the same, so the line is too (style, time and mark are in the key).
        key = (row, width, style, relative_time(row.timestamp, self.now), row.id in self.marked)
        strip = self._lines.get(key)
        if strip is None:
            if len(self._lines) >= LINE_CACHE_SIZE:
                self._lines.clear()
            strip = Strip(self._segments(row, index, width, style)).adjust_cell_length(width, style)
            self._lines[key] = strip
        return strip

    def _row_style(self, row: Row, index: int) -> Style:
        style = self._list_style
        if not row.read:
            style += self._component("message-list--unread")
        if row.id in self.new_ids:
            style += self._component("message-list--new")
        if row.id in self.marked:
            style += self._component("message-list--marked")
        if index == self.cursor:
            style += self._component("message-list--cursor")
        return style

    def _badge_style(self) -> Style:
        """The list's own text and background colours swapped, in bold, on every row.

        The row's colours (cursor, marked, new mail) never reach the badge, so
        none of them can hide it; its two colours are the theme's main text
        pair, readable in every theme, with 16 colours, the terminal's own ANSI
        palette (ANSI themes) and NO_COLOR alike.
        """
        return self._list_style + self._component("message-list--badge", partial=True)

    def _segments(self, row: Row, index: int, width: int, style: Style) -> list[Segment]:
        dim = style + self._component("message-list--dim", partial=True)
        badge_style = self._badge_style()
        marker = ("*" if row.id in self.marked else " ") + ("●" if not row.read else " ")
        flags = ("@" if row.attached else " ") + ("J" if row.junk else " ")
        when = relative_time(row.timestamp, self.now).rjust(TIME_WIDTH)
        code = self._badges.get(row.id)
        if code is None:
            code = self._badges[row.id] = code_badge(row)
        badge = f" {code}" if code else ""
        sender_width = min(SENDER_WIDTH, max(8, width // 4))
        mailbox_width = min(MAILBOX_WIDTH, max(6, width // 6)) if row.mailbox else 0
        # Widths as the terminal counts them: sanitised text measures the same for Rich
        # and wcwidth, and fit_cells keeps it so when it cuts (tmtui.safety.width).
        fixed = cell_width(marker) + 1 + sender_width + 1 + 1 + cell_width(flags) + 1 + TIME_WIDTH
        fixed += mailbox_width + 1 if mailbox_width else 0
        subject_width = max(0, width - fixed - cell_width(badge))
        segments = [
            Segment(marker + " ", style),
            *([Segment(fit_cells(row.mailbox, mailbox_width) + " ", dim)] if mailbox_width else []),
            Segment(fit_cells(row.sender, sender_width) + " ", style),
            Segment(fit_cells(row.subject, subject_width), style),
            Segment(badge, badge_style),
            Segment(" " + flags + " ", dim),
            Segment(when, dim),
        ]
        return segments

    def _set_virtual_height(self, height: int) -> None:
        """A layout repaints every widget of the screen: only when the scrollbar comes or goes.

        Otherwise (a new mail, a filter key) the scroll range and the scrollbar are
        updated in place, as Textual does for a resize that needs no layout.
        """
        size = Size(self.size.width, height)
        if size == self.virtual_size:
            return
        room = self.container_size.height
        if size.width != self.virtual_size.width or (height > room) != (self.virtual_size.height > room):
            self.virtual_size = size
        else:
            self.set_reactive(MessageList.virtual_size, size)
            self._scroll_update(size)

    def on_unmount(self) -> None:
        # Frozen with a big listing (tmtui.ui.collector), a closed list would keep its rows.
        self.set_reactive(MessageList.rows, ())
        self._badges.clear()

    def on_resize(self) -> None:
        self.virtual_size = Size(self.size.width, len(self.rows))
