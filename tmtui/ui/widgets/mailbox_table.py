"""The picker's table of mailboxes, fed one snapshot per mailbox through a reactive."""

from __future__ import annotations

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


class MailboxTable(DataTable[Text]):
    """One row per mailbox: label, address, unread count, expiry and connection state.

    ``mailboxes`` is bound by the picker (``data_bind``); the table changes only
    the rows and cells that differ, so the cursor stays where it was.
    """

    BINDINGS = [*bindings_for({how: f"move('{how}')" for how in MOVES}),
                Binding("enter", "select_cursor", "Open", show=False, tooltip="Open the mailbox")]

    mailboxes: reactive[tuple[MailboxStatus, ...]] = reactive((), init=False, repaint=False)

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

    def watch_mailboxes(self, old: tuple[MailboxStatus, ...], new: tuple[MailboxStatus, ...]) -> None:
        labels = any(status.label for status in new)
        if labels != self._labels:
            self._columns(labels=labels)
            old = ()  # every row anew, in the new columns
        before = {status.address: status for status in old}
        wanted = {status.address for status in new}
        for key in [k for k in self.rows if k.value not in wanted]:
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
