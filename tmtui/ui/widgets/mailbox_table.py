"""The picker's table of mailboxes, fed one snapshot per mailbox through a reactive."""

from __future__ import annotations

from dataclasses import dataclass

from rich.cells import cell_len
from rich.text import Text
from textual.binding import Binding
from textual.reactive import reactive
from textual.widgets import DataTable

from tmtui.safety import sanitize_line
from tmtui.ui.keys import MOVES, Move, bindings_for, move
from tmtui.ui.widgets.status import MailboxStatus, state_text

COLUMNS = ("label", "address", "unread", "expires", "state")
LABEL_WIDTH = 16
ALL_KEY = "all mailboxes"  # no "@": never a mailbox's address


@dataclass(frozen=True, slots=True)
class AllSummary:
    """The first row, "All mailboxes": how many there are and their unread mail together."""

    mailboxes: int
    unread: int


class MailboxTable(DataTable[Text]):
    """One row per mailbox: label, address, unread count, expiry and connection state.

    ``mailboxes`` is bound by the picker (``data_bind``); the table changes only
    the rows and cells that differ, so the cursor stays where it was.
    """

    BINDINGS = [*bindings_for({how: f"move('{how}')" for how in MOVES}),
                Binding("enter", "select_cursor", "Open", show=False, tooltip="Open the mailbox")]

    mailboxes: reactive[tuple[MailboxStatus, ...]] = reactive((), init=False, repaint=False)
    everything: reactive[AllSummary | None] = reactive(None, init=False, repaint=False)
    """The "All mailboxes" row on top, or None for none (one mailbox, or a filter typed)."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=True)
        self._labels = False
        self._columns(labels=False)

    def _columns(self, *, labels: bool) -> None:
        """The Label column is there only while some mailbox has a label (`e`): without
        one it would take room the state needs at 80 columns. It has a width of its
        own, as a column sized to empty cells would cut labels to five cells."""
        self.clear(columns=True)
        self._labels = labels
        if labels:
            self.add_column("Label", key="label", width=LABEL_WIDTH)
        for key, title in zip(COLUMNS[1:], ("Address", "Unread", "Expires", "State"), strict=True):
            self.add_column(title, key=key)

    def _state_cell(self, status: MailboxStatus, everyone: tuple[MailboxStatus, ...]) -> Text:
        """The state with its next try when the table has the room, else the state alone:
        whole words either way, never cut at the screen's edge."""
        state = state_text(status, short=True)
        if not self.size.width:
            return state
        # Each column has a cell of padding on either side.
        others = max((cell_len(s.address) for s in everyone), default=0) + len("Unread") + len("Expires")
        if self._labels:
            others += LABEL_WIDTH
        room = self.size.width - others - 2 * len(self.columns) - 1
        return state if state.cell_len <= room else state_text(status, short=True, retry=False)

    def on_resize(self) -> None:
        self.watch_mailboxes((), self.mailboxes)  # the state cells' form follows the width

    def action_move(self, how: Move) -> None:
        move(self, how)

    def watch_everything(self, summary: AllSummary | None) -> None:
        if (summary is None) == (ALL_KEY in self.rows):
            self._rebuild()  # a row on top (or gone from it): the rows cannot be reordered in place
        elif summary is not None:
            for column, cell in zip(COLUMNS[1:3], self._all_cells(summary)[1:3], strict=True):
                self.update_cell(ALL_KEY, column, cell, update_width=True)

    def _all_cells(self, summary: AllSummary) -> tuple[Text, ...]:
        return (Text(""), Text(f"All mailboxes ({summary.mailboxes})", style="bold"),
                Text(str(summary.unread) if summary.unread else "", style="bold"), Text(""), Text(""))

    def _rebuild(self) -> None:
        """Every row anew, the cursor kept on the row it was on."""
        selected = None
        if self.row_count:
            selected = self.coordinate_to_cell_key(self.cursor_coordinate).row_key.value
        self.clear()
        self.watch_mailboxes((), self.mailboxes)
        if selected is not None and selected in self.rows:
            self.move_cursor(row=self.get_row_index(selected))

    def watch_mailboxes(self, old: tuple[MailboxStatus, ...], new: tuple[MailboxStatus, ...]) -> None:
        labels = any(status.label for status in new)
        if labels != self._labels:
            self._columns(labels=labels)
            old = ()  # every row anew, in the new columns
        if self.everything is not None and ALL_KEY not in self.rows:
            top = self._all_cells(self.everything)
            self.add_row(*(top if labels else top[1:]), key=ALL_KEY)
        before = {status.address: status for status in old}
        wanted = {status.address for status in new}
        for key in [k for k in self.rows if k.value not in wanted and k.value != ALL_KEY]:
            self.remove_row(key)
        for status in new:
            if before.get(status.address) == status and status.address in self.rows:
                continue
            cells: tuple[Text, ...] = (Text(sanitize_line(status.label, max_len=LABEL_WIDTH), style="bold"),
                     Text(sanitize_line(status.address, max_len=80)),
                     Text(str(status.unread) if status.unread else "", style="bold"),
                     Text(status.expires),
                     self._state_cell(status, new))
            columns: tuple[str, ...] = COLUMNS
            if not labels:
                cells, columns = cells[1:], COLUMNS[1:]
            if status.address in self.rows:
                for column, cell in zip(columns, cells, strict=True):
                    # The column grows with its text, so a longer state is never cut mid-word.
                    self.update_cell(status.address, column, cell, update_width=True)
            else:
                self.add_row(*cells, key=status.address)
