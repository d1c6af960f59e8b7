"""All mailboxes: every saved mailbox's mail in one list, newest first, with its mailbox as a column.

The picker's first row opens it. Rows come from :func:`tmtui.all_mail.all_mail`
(a merge of the store's per-mailbox lists) and are rebuilt on every store change
that :func:`~tmtui.all_mail.moves_all_mail`. Message ids are unique only within
a mailbox, so a row of the list is named by a key made of both (:func:`row_key`)
and every command is sent to the row's own mailbox. While this screen is on the
stack the sync core keeps every mailbox live (``SyncWorker.focus_all``: streams
up to ``max_streams``, the rest polled at the fast rate).
"""

from __future__ import annotations

import asyncio
from collections import Counter
from dataclasses import replace
from datetime import datetime

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.reactive import reactive
from textual.widgets import Input, ProgressBar, Static

from tmtui import clock
from tmtui.all_mail import MailRow, all_mail, moves_all_mail, unread_everywhere
from tmtui.api.models import MessageSummary
from tmtui.safety import sanitize_line
from tmtui.ui import clipboard
from tmtui.ui.dialogs.confirm import ConfirmDialog
from tmtui.ui.grouped_deletes import GroupedDeletes
from tmtui.ui.messages import StoreChanged
from tmtui.ui.screens.base import TmtuiScreen
from tmtui.ui.screens.saving_listed import save_listed
from tmtui.ui.widgets.footer import KeysFooter
from tmtui.ui.widgets.message_list import MessageList, Row, to_row

TITLE = "All mailboxes"
TROUBLE = ("connecting", "reconnecting", "offline", "lost")


def row_key(address: str, message_id: str) -> str:
    """A row's name in the list: an address has no whitespace, so the pair never collides."""
    return f"{address}\n{message_id}"


def header_text(mails: int, unread: int, states: Counter[str]) -> str:
    """`All mailboxes · 12 mails · 3 unread`, and the mailboxes that are not live (`· 1 offline`)."""
    line = f"{TITLE} · {mails} mail{'s' if mails != 1 else ''} · {unread} unread"
    for state in TROUBLE:
        if states[state]:
            line += f" · {states[state]} {state}"
    return line


class AllMailScreen(TmtuiScreen[None]):
    AUTO_FOCUS = "MessageList"
    TITLE = TITLE
    help_title = TITLE
    DEFAULT_CSS = """
    #all-header { background: $boost; padding: 0 1; height: auto; }
    #all-filter { display: none; height: 3; margin: 0 1; }
    #all-empty { color: $text-muted; padding: 1 2; height: auto; }
    """
    BINDINGS = [
        Binding("d", "delete", "Delete", tooltip="Delete marked, or this one"),
        Binding("u", "undo", "Undo", show=False, tooltip="Undo the last delete"),
        Binding("a", "save", "Save", tooltip="Save this mail's attachments"),
        Binding("r", "refresh", "Refresh", tooltip="Refresh every mailbox now"),
        Binding("slash", "filter", "Filter", tooltip="Filter (mailbox/from/subject)", priority=True),
        Binding("y", "copy_address", "Copy", tooltip="Copy the mail's address"),
        Binding("escape", "back", "Back", tooltip="Back (or clear the filter)"),
    ]

    rows: reactive[tuple[Row, ...]] = reactive((), init=False, repaint=False)
    new_ids: reactive[frozenset[str]] = reactive(frozenset(), init=False, repaint=False)
    """Keys of mail that arrived while the view was open and has not been opened yet."""
    now: reactive[datetime] = reactive(clock.now, init=False, repaint=False)
    filter_text: reactive[str] = reactive("", init=False, repaint=False)
    _deletes: GroupedDeletes

    def __init__(self) -> None:
        super().__init__()
        self._cache: dict[str, tuple[MessageSummary, str, Row]] = {}
        self._where: dict[str, tuple[str, str]] = {}  # row key -> (address, message id)
        self._previous_focus: str | None = None

    def compose(self) -> ComposeResult:
        if self.tapp.banner_for(None):
            yield Static(self.tapp.banner_for(None) or "", id="banner", markup=False)
        yield Static("", id="all-header", markup=False)
        yield Input(placeholder="filter by mailbox, sender or subject", id="all-filter")
        yield Static("", id="all-empty", markup=False)
        yield MessageList(id="messages").data_bind(AllMailScreen.rows, AllMailScreen.new_ids,
                                                   AllMailScreen.now)
        yield ProgressBar(id="save-progress", show_eta=False)
        yield KeysFooter()

    def on_mount(self) -> None:
        self._deletes = GroupedDeletes(self.tapp.sync.deletes)
        self._previous_focus = self.tapp.sync.focused
        self.tapp.sync.focus_all()
        self.query_one("#save-progress").display = False
        self.refresh_rows()
        self.set_interval(30.0, self._tick_times)
        self.query_one(MessageList).focus()

    def on_screen_resume(self) -> None:
        self.tapp.sync.focus_all()  # back from the reader: every mailbox stays live
        self.refresh_rows()

    def on_store_changed(self, message: StoreChanged) -> None:
        change = message.change
        if change.address is not None and (change.added or change.removed):
            added = {row_key(change.address, i) for i in change.added}
            removed = {row_key(change.address, i) for i in change.removed}
            self.new_ids = (self.new_ids | added) - removed
            message_list = self.query_one(MessageList)
            if removed & message_list.marked:
                message_list.marked -= removed
        if moves_all_mail(change):
            self.refresh_rows()
        else:
            self.refresh_header()

    # What the widgets show ------------------------------------------------------------

    def _row(self, item: MailRow, mailbox: str) -> Row:
        key = row_key(item.address, item.message.id)
        cached = self._cache.get(key)
        if cached is not None and cached[0] == item.message and cached[1] == mailbox:
            return cached[2]
        row = replace(to_row(item.message), id=key, mailbox=mailbox)
        self._cache[key] = (item.message, mailbox, row)
        self._where[key] = item.address, item.message.id
        return row

    def refresh_rows(self) -> None:
        mailboxes = self.tapp.store.mailboxes
        names = {m.address: sanitize_line(m.label or m.address, max_len=80) for m in mailboxes}  # once each
        items = all_mail(mailboxes)
        rows = [self._row(item, names[item.address]) for item in items]
        if len(self._cache) > len(rows):  # mail deleted, a mailbox forgotten: drop what is gone
            keep = {row.id for row in rows}
            self._cache = {k: v for k, v in self._cache.items() if k in keep}
            self._where = {k: v for k, v in self._where.items() if k in keep}
        query = self.filter_text.strip().lower()
        if query:
            rows = [r for r in rows if query in r.sender.lower() or query in r.subject.lower()
                    or query in r.mailbox.lower() or query in self._where[r.id][0]]
        self.rows = tuple(rows)
        self._show_empty(len(items))
        self.refresh_header()

    def refresh_header(self) -> None:
        mailboxes = self.tapp.store.mailboxes
        text = header_text(sum(len(m.messages) for m in mailboxes), unread_everywhere(mailboxes),
                           Counter(m.connection for m in mailboxes))
        header = self.query_one("#all-header", Static)
        if str(header.content) != text:
            header.update(text)

    def _show_empty(self, total: int) -> None:
        empty = self.query_one("#all-empty", Static)
        empty.display = not self.rows
        if self.rows:
            return
        count = len(self.tapp.store.mailboxes)
        if total:
            text = "No messages match the filter."
        elif not count:
            text = "No saved mailboxes: press escape, then n for a new address."
        else:
            text = (f"No mail yet in any of the {count} mailboxes. New mail appears here the moment it "
                    "arrives.")
        if str(empty.content) != text:
            empty.update(text)

    def watch_filter_text(self) -> None:
        self.refresh_rows()

    def _tick_times(self) -> None:
        self.now = clock.now()

    def _current(self) -> tuple[str, str] | None:
        key = self.query_one(MessageList).current_id
        return self._where.get(key) if key is not None else None

    # Actions ----------------------------------------------------------------------

    @on(MessageList.Selected)
    def open_message(self, event: MessageList.Selected) -> None:
        from tmtui.ui.screens.reader import ReaderScreen

        where = self._where.get(event.message_id)
        if where is None:
            return
        address, message_id = where
        self.new_ids = self.new_ids - {event.message_id}
        reader = ReaderScreen(address, message_id, beside=self.beside)  # n, p and d go through these rows
        self.app.push_screen(reader, callback=lambda shown: self._read_up_to(reader.address, shown))

    def beside(self, where: tuple[str, str], step: int) -> tuple[str, str] | None:
        """The mail ``step`` rows from ``where`` in the list as shown (filtered, newest first)."""
        keys = [row.id for row in self.rows]
        key = row_key(*where)
        index = keys.index(key) if key in keys else None
        if index is None or not 0 <= index + step < len(keys):
            return None
        return self._where.get(keys[index + step])

    def _read_up_to(self, address: str, message_id: str | None) -> None:
        """Back from the reader: the cursor follows the message read last (n/p move it)."""
        if message_id:
            self.refresh_rows()
            self.query_one(MessageList).move_to(row_key(address, message_id))

    def action_delete(self) -> None:
        """The marked rows (of any mailbox, hidden by the filter or not), else the highlighted one."""
        message_list = self.query_one(MessageList)
        marked = sorted(k for k in message_list.marked if k in self._where)
        keys = marked or ([message_list.current_id] if message_list.current_id else [])
        if not keys:
            self.notify("No message matches the filter" if self.filter_text.strip() else
                        "Nothing to delete: no mail in any mailbox", timeout=3)
            return
        hidden = len(set(marked) - {row.id for row in message_list.rows})
        if len(keys) == 1 and not hidden:
            self._delete(keys)
            return
        mailboxes = len({self._where[k][0] for k in keys})
        question = f"Delete {len(keys)} marked message{'s' if len(keys) != 1 else ''}"
        if hidden:
            question += f" ({hidden} hidden by the filter)"
        question += f" from {mailboxes} mailbox{'es' if mailboxes != 1 else ''}?"
        self.app.push_screen(ConfirmDialog(question, yes="Delete"),
                             callback=lambda yes: self._delete(keys) if yes else None)

    def _delete(self, keys: list[str]) -> None:
        """Held like the inbox's deletes (sent after a few seconds, `u` undoes), in each row's mailbox."""
        self.query_one(MessageList).marked = frozenset()
        by_mailbox: dict[str, list[str]] = {}
        for key in keys:
            address, message_id = self._where[key]
            by_mailbox.setdefault(address, []).append(message_id)
        count = self._deletes.hold(by_mailbox)
        if count:
            self.tapp.say_deleted(count)

    def action_undo(self) -> None:
        """Undo the latest delete: every mailbox it took rows from."""
        restored = self._deletes.undo()
        if restored is None:
            self.notify("Nothing to undo", timeout=3)
            return
        self.tapp.drop_undo_hints()
        self.notify(sanitize_line(f"Restored {sum(len(h.rows) for h in restored)}"), markup=False, timeout=3)
        self.refresh_rows()
        back = {row_key(held.address, message_id) for held in restored for message_id in held.ids}
        newest = next((row.id for row in self.rows if row.id in back), None)  # the top one of them
        if newest is not None:
            self.query_one(MessageList).move_to(newest)

    def action_save(self) -> None:
        where = self._current()
        if where is None:
            self.notify("Nothing to save: no message here", timeout=2)
            return
        row = self.rows[self.query_one(MessageList).cursor]
        if not row.attached:
            self.notify("This message has no attachments", timeout=3)
            return
        offline = self.tapp.offline_line(where[0])
        if offline:
            self.notify(sanitize_line(f"{offline}: not saved"), severity="error", markup=False, timeout=5)
            return
        self.save(*where)

    @work(group="all-save", exclusive=True, exit_on_error=False)
    async def save(self, address: str, message_id: str) -> None:
        await save_listed(self, address, message_id)

    @work(group="all-refresh", exclusive=True, exit_on_error=False)
    async def action_refresh(self) -> None:
        """A full listing of every mailbox now; an offline one is woken to try again (as `r` in its inbox)."""
        app = self.tapp
        app.sync.focus_all()  # wakes every watcher: an offline one tries again now
        offline = [m.address for m in app.store.mailboxes if app.offline_line(m.address)]
        if offline:
            self.notify(f"{len(offline)} offline: trying to reach the server again now", markup=False, timeout=3)
        online = [m.address for m in app.store.mailboxes if m.address not in offline]
        results = await asyncio.gather(*(app.attempt(self._refreshed(a)) for a in online))
        if not offline and all(results):  # a failure was told already, in its own line
            total = sum(len(m.messages) for m in app.store.mailboxes)
            self.notify(sanitize_line(f"Up to date, {total} message{'s' if total != 1 else ''}"), markup=False,
                        timeout=3)

    async def _refreshed(self, address: str) -> bool:
        await self.tapp.sync.refresh(address)
        return True

    def action_filter(self) -> None:
        box = self.query_one("#all-filter", Input)
        if self.focused is box:  # a `/` typed in the filter is text
            box.insert_text_at_cursor("/")
            return
        box.display = True
        self.set_focus(box)

    @on(Input.Changed, "#all-filter")
    def filter_changed(self, event: Input.Changed) -> None:
        self.filter_text = event.value

    @on(Input.Submitted, "#all-filter")
    def filter_done(self) -> None:
        self.query_one(MessageList).focus()

    def action_copy_address(self) -> None:
        where = self._current()
        if where is None:
            self.notify("No message here", timeout=2)
            return
        clipboard.copy(self.app, where[0], what=where[0])

    def action_back(self) -> None:
        box = self.query_one("#all-filter", Input)
        if box.display:
            box.value = ""
            box.display = False
            self.query_one(MessageList).focus()
            return
        self.tapp.commit_deletes()  # leaving the view: no undo any more
        self.tapp.sync.focus(self._previous_focus)
        self.dismiss(None)
