"""The inbox of one mailbox: live rows, newest first, with marks and a filter.

State flows down: the screen keeps what the widgets show in reactives (the
rows after the filter, the new-mail highlight, the header's snapshot, the
clock) and binds them to the widgets with ``data_bind``. It learns of store
changes from the App's :class:`~tmtui.ui.messages.StoreChanged`.
"""

from __future__ import annotations

from datetime import datetime

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.reactive import reactive
from textual.widgets import Input, Static
from textual.worker import Worker

from tmtui import clock
from tmtui.api.models import MessageSummary
from tmtui.safety import sanitize_line
from tmtui.store import Mailbox
from tmtui.ui import clipboard, collector
from tmtui.ui.dialogs.confirm import ConfirmDialog
from tmtui.ui.messages import StoreChanged
from tmtui.ui.row_cache import ROWS_PER_SLICE, RowCache
from tmtui.ui.row_filter import RowFilter
from tmtui.ui.screens.base import TmtuiScreen
from tmtui.ui.widgets.footer import KeysFooter
from tmtui.ui.widgets.message_list import MessageList, Row
from tmtui.ui.widgets.status import InboxHeader, MailboxStatus, retry_words


def empty_text(address: str, status: MailboxStatus | None, *, filtered: bool) -> str:
    """What an empty inbox says: why it is empty, and what happens next."""
    if filtered:
        return "No messages match the filter."
    where = sanitize_line(address, 80)
    if status is None or status.connection == "connecting":
        return f"Connecting to the server for {where}…"
    if status.connection == "offline":
        retry = retry_words(status.retry_in) or "retrying soon"
        why = f" ({sanitize_line(status.detail, 80)})" if status.detail else ""
        return (f"Offline - {retry}{why}. Mail sent to {where} meanwhile is kept by the server "
                "and shows up once the connection is back; r tries now.")
    if status.connection == "lost":
        return f"{where} cannot be reached: {sanitize_line(status.detail, 80) or 'the session was lost'}."
    if status.connection == "reconnecting":
        return (f"Reconnecting to the server. Mail sent to {where} meanwhile shows up once "
                "the connection is back.")
    return f"No mail yet. Send something to {where}; it appears here the moment it arrives."


class InboxScreen(TmtuiScreen[None]):
    AUTO_FOCUS = "MessageList"
    BINDINGS = [
        Binding("d", "delete", "Delete", tooltip="Delete marked, or this one"),
        Binding("u", "undo", "Undo", show=False, tooltip="Undo the last delete"),
        Binding("r", "refresh", "Refresh", tooltip="Refresh now"),
        # Priority: resolved the moment the key arrives, so the keys typed right after `/`
        # (sent to the focused widget as they arrive) already find the filter focused.
        Binding("slash", "filter", "Filter", tooltip="Filter by sender or subject", priority=True),
        Binding("y", "copy_address", "Copy", tooltip="Copy the address"),
        Binding("escape", "back", "Back", tooltip="Back (or clear the filter)"),
    ]

    # Data for the widgets (bound in compose): the widgets repaint, not the screen.
    rows: reactive[tuple[Row, ...]] = reactive((), init=False, repaint=False)
    """The rows the list shows: the mailbox's, newest first, after the filter."""
    new_ids: reactive[frozenset[str]] = reactive(frozenset(), init=False, repaint=False)
    """New mail that arrived while the inbox was open and has not been opened yet."""
    status: reactive[MailboxStatus | None] = reactive(None, init=False, repaint=False)
    filter_text: reactive[str] = reactive("", init=False, repaint=False)
    now: reactive[datetime] = reactive(clock.now, init=False, repaint=False)
    """The time the list's "5 min ago" column is relative to (ticks every 30 s)."""

    def __init__(self, address: str) -> None:
        super().__init__()
        self.address = address
        self.title = sanitize_line(address, 80)
        self.help_title = f"Inbox · {sanitize_line(address, 80)}"
        self._rows = RowCache()
        self._source: tuple[Row, ...] = ()  # the mailbox's rows, newest first (before the filter)
        self._stale = True  # the store moved since _source was built
        self._filling: Worker[None] | None = None
        self._filter = RowFilter()
        self._typed: str | None = None  # filter text typed and not applied yet
        self._empty_text = ""

    def compose(self) -> ComposeResult:
        if self.tapp.banner:
            yield Static(self.tapp.banner, id="banner", markup=False)
        yield InboxHeader(self.address, id="inbox-header").data_bind(InboxScreen.status)
        yield Input(placeholder="filter by sender or subject", id="filter")
        yield Static("", id="inbox-empty")
        yield MessageList(id="messages").data_bind(InboxScreen.rows, InboxScreen.new_ids,
                                                   InboxScreen.now)
        yield KeysFooter()

    def on_mount(self) -> None:
        self.refresh_rows()
        self.set_interval(1.0, self.refresh_header)
        self.set_interval(30.0, self._tick_times)
        self.query_one(MessageList).focus()

    @property
    def mailbox(self) -> Mailbox | None:
        return self.tapp.store.get(self.address)

    def on_unmount(self) -> None:
        # A big listing froze its rows (collector.settle): a frozen cycle is never collected,
        # so a closed inbox lets go of its rows by hand and gives the rest back to the collector.
        self._rows, self._source, self._filter = RowCache(), (), RowFilter()
        self.set_reactive(InboxScreen.rows, ())
        collector.release()

    def on_screen_resume(self) -> None:
        self.tapp.sync.focus(self.address)
        self._stale = True
        self.refresh_rows()

    def on_store_changed(self, message: StoreChanged) -> None:
        change = message.change
        if change.address not in (None, self.address):
            return
        if change.removed:
            self._rows.forget(change.removed)
            message_list = self.query_one(MessageList)
            if message_list.marked:
                message_list.marked -= set(change.removed)
        if change.added or change.removed:
            self.new_ids = (self.new_ids | set(change.added)) - set(change.removed)
        if change.touches("messages", "mailboxes"):
            self._stale = True
            self.refresh_rows()
        else:
            self.refresh_header()
        mailbox = self.mailbox
        if mailbox is not None and mailbox.problem and change.touches("connection"):
            self.resolve_problem()

    # What the widgets show ------------------------------------------------------------

    def refresh_header(self) -> None:
        mailbox = self.mailbox
        self.status = MailboxStatus.of(mailbox) if mailbox is not None else None

    def _mailbox_rows(self) -> tuple[Row, ...]:
        """Every row of the mailbox, rebuilt only after the store moved (never per filter key).

        Thousands of rows to build (a big mailbox's first listing) are built in
        slices by a worker; until it is done the list keeps showing what it had.
        """
        if self._stale:
            mailbox = self.mailbox
            messages = mailbox.messages if mailbox else []
            if self._rows.missing(messages, more_than=ROWS_PER_SLICE):
                if self._filling is None or self._filling.is_finished:  # when it ends, it looks again
                    self._filling = self._fill_rows(list(messages))
                if not self._source:  # nothing shown yet (a big mailbox opened): the newest first, now
                    self._source = tuple(self._rows.row(m) for m in messages[:ROWS_PER_SLICE])
                return self._source
            self._build_source()
        return self._source

    def _build_source(self) -> None:
        mailbox = self.mailbox
        row = self._rows.row
        self._source, self._stale = tuple(row(m) for m in (mailbox.messages if mailbox else [])), False

    # A description of its own: Textual's default is the repr of the arguments, ~100 ms for 10,000 rows.
    @work(group="inbox-rows", exclusive=True, exit_on_error=False, description="inbox rows")
    async def _fill_rows(self, messages: list[MessageSummary]) -> None:
        await self._rows.fill(messages)
        self._filling = None  # done: should the store have moved on meanwhile, the next fill may start
        self.refresh_rows()
        await self._filter.warm(self._source)  # the first filter key finds the rows lower-cased
        collector.settle()  # the mailbox's summaries and rows live on: out of the collector's full passes

    def refresh_rows(self) -> None:
        source = self._mailbox_rows()
        self._filter.set_rows(source)
        shown = self._filter.matching(self.filter_text)
        self.rows = source if shown is None else tuple(source[i] for i in shown)
        self._show_empty(self.rows)
        self.refresh_header()

    def _show_empty(self, rows: tuple[Row, ...]) -> None:
        empty = self.query_one("#inbox-empty", Static)
        empty.display = not rows
        if not rows:
            text = empty_text(self.address, self.status, filtered=bool(self.filter_text.strip()))
            if text != self._empty_text:
                self._empty_text = text
                empty.update(text)

    def watch_status(self) -> None:
        self._show_empty(self.rows)  # the empty inbox says why: connecting, offline (counting down)

    def watch_filter_text(self) -> None:
        self.refresh_rows()

    def _tick_times(self) -> None:
        self.now = clock.now()

    # Actions ----------------------------------------------------------------------

    @on(MessageList.Selected)
    def open_message(self, event: MessageList.Selected) -> None:
        from tmtui.ui.screens.reader import ReaderScreen

        self.new_ids = self.new_ids - {event.message_id}
        self.app.push_screen(ReaderScreen(self.address, event.message_id), callback=self._read_up_to)

    def _read_up_to(self, message_id: str | None) -> None:
        """Back from the reader: the cursor follows the message read last (n/p move it)."""
        if message_id:
            self.query_one(MessageList).move_to(message_id)

    def action_delete(self) -> None:
        """The marked messages (hidden by the filter or not), else the highlighted one.

        The rows go at once; the server is asked a few seconds later (`u` undoes).
        A question is pushed now, not from a worker: a `y` typed right after `d`
        answers it.
        """
        message_list = self.query_one(MessageList)
        marked = sorted(message_list.marked)
        ids = marked or ([message_list.current_id] if message_list.current_id else [])
        if not ids:
            self.notify("No message matches the filter" if self.filter_text.strip() else
                        "Nothing to delete: the inbox is empty", timeout=3)
            return
        hidden = len(set(marked) - {row.id for row in message_list.rows})
        if len(ids) == 1 and not hidden:
            self._delete(ids)
            return
        question = f"Delete {len(ids)} marked message{'s' if len(ids) != 1 else ''}"
        if hidden:
            question += f" ({hidden} hidden by the filter)"
        self.app.push_screen(ConfirmDialog(f"{question} from {sanitize_line(self.address, 80)}?", yes="Delete"),
                             callback=lambda yes: self._delete(ids) if yes else None)

    def _delete(self, ids: list[str]) -> None:
        self.query_one(MessageList).marked = frozenset()
        self.tapp.delete_messages(self.address, ids)

    def action_undo(self) -> None:
        restored = self.tapp.undo_delete(self.address)
        if restored:
            self._build_source()  # the store has them back already; show them before moving there
            self.refresh_rows()
            self.query_one(MessageList).move_to(restored[0])

    @work(group="inbox-refresh", exclusive=True, exit_on_error=False)
    async def action_refresh(self) -> None:
        mailbox = self.mailbox
        if mailbox is not None and mailbox.connection == "offline":
            self.tapp.sync.focus(self.address)  # wakes its watcher: it tries again now
            self.notify("Offline: trying to reach the server again now", markup=False, timeout=3)
            return
        if await self.tapp.attempt(self._refreshed()):
            total = len(self.mailbox.messages) if self.mailbox else 0
            self.notify(f"Up to date, {total} message{'s' if total != 1 else ''}", markup=False, timeout=3)

    async def _refreshed(self) -> bool:
        await self.tapp.sync.refresh(self.address)
        return True

    def action_filter(self) -> None:
        box = self.query_one("#filter", Input)
        if self.focused is box:  # a `/` typed in the filter is text
            box.insert_text_at_cursor("/")
            return
        box.display = True
        self.set_focus(box)  # now, not later: the keys typed right after `/` are the filter's

    @on(Input.Changed, "#filter")
    def filter_changed(self, event: Input.Changed) -> None:
        """Keys that piled up while the app was busy filter once, for the last of them.

        The filter runs from the screen's queue, behind the changes already in it: a
        key typed alone is filtered at once, a burst of queued keys (fast typing, a
        paste, a busy loop) once.
        """
        if self._typed is None:
            self.call_later(self._apply_typed)
        self._typed = event.value

    def _apply_typed(self) -> None:
        typed, self._typed = self._typed, None
        if typed is not None:
            self.filter_text = typed

    @on(Input.Submitted, "#filter")
    def filter_done(self) -> None:
        self.query_one(MessageList).focus()

    def action_copy_address(self) -> None:
        clipboard.copy(self.app, self.address, what=self.address)

    def action_back(self) -> None:
        box = self.query_one("#filter", Input)
        if box.display:
            box.value = ""
            box.display = False
            self.query_one(MessageList).focus()
            return
        self.tapp.commit_deletes(self.address)  # leaving the mailbox: no undo any more
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
