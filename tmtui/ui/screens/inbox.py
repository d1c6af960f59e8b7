"""The inbox of one mailbox: live rows, newest first, with marks and a filter."""

from __future__ import annotations

from rich.cells import cell_len
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Footer, Input, Static

from tmtui import clock
from tmtui.api.models import MessageSummary
from tmtui.safety import sanitize_line
from tmtui.store import Mailbox
from tmtui.ui.dialogs.confirm import ConfirmDialog
from tmtui.ui.messages import StoreChanged
from tmtui.ui.screens.base import TmtuiScreen
from tmtui.ui.widgets.message_list import MessageList, Row, to_row
from tmtui.ui.widgets.status import countdown, state_text


class InboxScreen(TmtuiScreen[None]):
    AUTO_FOCUS = "MessageList"
    BINDINGS = [
        Binding("d", "delete", "Delete", tooltip="Delete the highlighted message, or the marked ones"),
        Binding("r", "refresh", "Refresh", tooltip="Fetch the list again now"),
        Binding("slash", "filter", "Filter", tooltip="Filter by sender or subject as you type"),
        Binding("y", "copy_address", "Copy", tooltip="Copy the address"),
        Binding("escape", "back", "Back", tooltip="Back to the mailboxes (or clear the filter)"),
    ]

    def __init__(self, address: str) -> None:
        super().__init__()
        self.address = address
        self.title = address
        self._rows: dict[str, tuple[MessageSummary, Row]] = {}
        self._seen: set[str] | None = None  # ids shown so far; None before the first listing
        self._fresh: set[str] = set()
        self._header_plain = ""

    def compose(self) -> ComposeResult:
        if self.tapp.banner:
            yield Static(self.tapp.banner, id="banner", markup=False)
        yield Static(id="inbox-header")
        yield Input(placeholder="filter by sender or subject", id="filter")
        yield Static("", id="inbox-empty")
        yield MessageList(id="messages")
        yield Footer()

    def on_mount(self) -> None:
        super().on_mount()
        self.refresh_header()
        self.refresh_rows()
        self.set_interval(1.0, self.refresh_header)
        self.set_interval(30.0, self._tick_times)
        self.query_one(MessageList).focus()

    @property
    def mailbox(self) -> Mailbox | None:
        return self.tapp.store.get(self.address)

    def on_screen_resume(self) -> None:
        self.tapp.sync.focus(self.address)
        self.refresh_rows()

    def on_store_changed(self, message: StoreChanged) -> None:
        if message.change.address not in (None, self.address):
            return
        if message.change.kind in ("messages", "mailboxes"):
            self.refresh_rows()
        self.refresh_header()
        mailbox = self.mailbox
        if mailbox is not None and mailbox.problem and message.change.kind == "connection":
            self.resolve_problem()

    # Drawing --------------------------------------------------------------------

    def refresh_header(self) -> None:
        mailbox = self.mailbox
        header = Text()
        header.append(sanitize_line(self.address, max_len=80), style="bold")
        if mailbox is not None:
            header.append(f"   expires in {countdown(mailbox.expires_at)}   ")
            header.append_text(state_text(mailbox))
            total = len(mailbox.messages)
            header.append(f"   {total} message{'s' if total != 1 else ''}, {mailbox.unread} unread")
            if not mailbox.complete and total:
                header.append(" (loading…)", style="dim")
        if header.plain == self._header_plain:
            return  # the countdown shows minutes: most ticks change nothing
        # A full layout only when the header would take another number of lines.
        width = max(1, self.size.width - 2)
        relayout = -(-header.cell_len // width) != -(-cell_len(self._header_plain) // width)
        self._header_plain = header.plain
        self.query_one("#inbox-header", Static).update(header, layout=relayout)

    def _row(self, message: MessageSummary) -> Row:
        cached = self._rows.get(message.id)
        if cached is not None and cached[0] == message:
            return cached[1]
        row = to_row(message)
        self._rows[message.id] = (message, row)
        return row

    def refresh_rows(self) -> None:
        mailbox = self.mailbox
        messages = mailbox.messages if mailbox else []
        ids = {m.id for m in messages}
        if self._seen is None:
            if mailbox is not None and mailbox.listed:
                self._seen = set(ids)
        else:
            self._fresh |= ids - self._seen
            self._seen |= ids
        self._fresh &= ids
        query = self.query_one("#filter", Input).value.strip().lower()
        rows = [self._row(m) for m in messages]
        if query:
            rows = [r for r in rows if query in r.sender.lower() or query in r.subject.lower()]
        message_list = self.query_one(MessageList)
        message_list.new_ids = self._fresh
        message_list.set_rows(rows)
        empty = self.query_one("#inbox-empty", Static)
        empty.display = not rows
        if not rows:
            empty.update("No messages match the filter." if query else
                         f"No mail yet. Send something to {sanitize_line(self.address, 80)}; "
                         "it appears here the moment it arrives.")

    def _tick_times(self) -> None:
        message_list = self.query_one(MessageList)
        message_list.now = clock.now()
        message_list.refresh()

    # Actions ----------------------------------------------------------------------

    @on(MessageList.Selected)
    def open_message(self, event: MessageList.Selected) -> None:
        from tmtui.ui.screens.reader import ReaderScreen

        self._fresh.discard(event.message_id)
        self.app.push_screen(ReaderScreen(self.address, event.message_id), callback=self._read_up_to)

    def _read_up_to(self, message_id: str | None) -> None:
        """Back from the reader: the cursor follows the message read last (n/p move it)."""
        if message_id:
            self.query_one(MessageList).move_to(message_id)

    @work(group="inbox-delete", exit_on_error=False)
    async def action_delete(self) -> None:
        message_list = self.query_one(MessageList)
        ids = sorted(message_list.marked) or ([message_list.current_id] if message_list.current_id else [])
        if not ids:
            return
        if len(ids) > 1:
            question = f"Delete {len(ids)} marked messages from {sanitize_line(self.address, 80)}?"
            if not await self.app.push_screen_wait(ConfirmDialog(question, yes="Delete")):
                return
        deleted = await self.tapp.attempt(self.tapp.sync.delete(self.address, ids))
        if deleted is not None:
            message_list.marked.clear()
            self.notify(f"Deleted {len(ids)} message{'s' if len(ids) != 1 else ''}", markup=False)

    @work(group="inbox-refresh", exclusive=True, exit_on_error=False)
    async def action_refresh(self) -> None:
        await self.tapp.attempt(self.tapp.sync.refresh(self.address))

    def action_filter(self) -> None:
        box = self.query_one("#filter", Input)
        box.display = True
        box.focus()

    @on(Input.Changed, "#filter")
    def filter_changed(self) -> None:
        self.refresh_rows()

    @on(Input.Submitted, "#filter")
    def filter_done(self) -> None:
        self.query_one(MessageList).focus()

    def action_copy_address(self) -> None:
        self.app.copy_to_clipboard(self.address)
        self.notify(f"Copied {self.address}", markup=False)

    def action_back(self) -> None:
        box = self.query_one("#filter", Input)
        if box.display:
            box.value = ""
            box.display = False
            self.query_one(MessageList).focus()
            return
        self.tapp.leave_inbox()

    @work(group="inbox-problem", exclusive=True, exit_on_error=False)
    async def resolve_problem(self) -> None:
        mailbox = self.mailbox
        if mailbox is None or mailbox.problem is None:
            return
        sync = self.tapp.sync
        if mailbox.problem == "takeover":
            question = (f"{sanitize_line(self.address, 80)} was taken over by another session. "
                        "Take it back?")
            if await self.app.push_screen_wait(ConfirmDialog(question, yes="Take it back")):
                await self.tapp.attempt(sync.reopen(self.address, takeover=True))
        else:
            question = (f"{sanitize_line(self.address, 80)} no longer exists on the server. "
                        "Forget it on this computer?")
            if await self.app.push_screen_wait(ConfirmDialog(question, yes="Forget")):
                sync.forget(self.address)
                self.dismiss(None)
