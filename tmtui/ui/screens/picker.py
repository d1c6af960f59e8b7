"""The mailbox picker: saved mailboxes with unread counts, expiry and state."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.reactive import reactive
from textual.widgets import DataTable, Header, Input, Static

from tmtui.api.errors import AddressInUse, MailboxNotFound
from tmtui.safety import sanitize_line
from tmtui.ui import clipboard
from tmtui.ui.dialogs.confirm import ConfirmDialog
from tmtui.ui.dialogs.label import LabelDialog
from tmtui.ui.dialogs.mailbox_forms import (
    CustomAddressDialog,
    NewAddressDialog,
    ReopenDialog,
)
from tmtui.ui.messages import StoreChanged
from tmtui.ui.screens.base import TmtuiScreen
from tmtui.ui.widgets.footer import KeysFooter
from tmtui.ui.widgets.mailbox_table import ALL_KEY, AllSummary, MailboxTable
from tmtui.ui.widgets.status import MailboxStatus


def server_line(server: str, elsewhere: int) -> str:
    """Whose mailboxes these are, and how many others the state file keeps for other servers."""
    line = f"Server {sanitize_line(server, 100)}"
    if elsewhere == 1:
        line += " · 1 more saved for another server (--server URL)"
    elif elsewhere:
        line += f" · {elsewhere} more saved for other servers (--server URL)"
    return line


class PickerScreen(TmtuiScreen[None]):
    TITLE = "Mailboxes"
    # Short descriptions keep the footer whole at 80 columns; tooltips are for `?`.
    BINDINGS = [
        Binding("n", "new", "New", tooltip="New random address"),
        Binding("c", "custom", "Custom", tooltip="New address with a name and domain you choose"),
        Binding("o", "reopen", "Reopen", tooltip="Reopen an existing address"),
        Binding("enter", "open", "Open", tooltip="Open the highlighted mailbox"),
        Binding("x", "forget", "Forget", tooltip="Forget the mailbox on this computer"),
        Binding("y", "copy", "Copy", tooltip="Copy the address"),
        Binding("e", "label", "Label", tooltip="Label the mailbox (and add a note)"),
        Binding("slash", "filter", "Filter", tooltip="Filter by label, note or address"),
        Binding("escape", "clear_filter", "Clear filter", show=False),
    ]

    mailboxes: reactive[tuple[MailboxStatus, ...]] = reactive((), init=False, repaint=False)
    """One snapshot per mailbox, bound to the table (which repaints itself)."""
    everything: reactive[AllSummary | None] = reactive(None, init=False, repaint=False)
    """The "All mailboxes" row: with two mailboxes or more (with one it would be that inbox again)."""

    def __init__(self, *, auto_create: bool = False) -> None:
        super().__init__()
        self.auto_create = auto_create

    def compose(self) -> ComposeResult:
        yield Header(show_clock=False)
        yield Static("", id="banner", markup=False)
        yield Static("", id="server-line", markup=False)
        # Disabled until '/': a hidden input must never take the focus (and the keys) from the table.
        yield Input(placeholder="filter: label, note or address (escape clears)", id="picker-filter",
                    disabled=True)
        yield MailboxTable(id="mailboxes").data_bind(PickerScreen.everything, PickerScreen.mailboxes)
        yield Static("No mailboxes for this server yet: press n for a random address, c to choose "
                     "a name, o to reopen one.", id="empty-hint")
        yield KeysFooter()

    def on_mount(self) -> None:
        self.refresh_rows()
        self.watch_mailboxes(self.mailboxes)  # an empty start changes nothing, so no watcher ran
        self.show_banner()
        self._ticker = self.set_interval(1.0, self.refresh_rows)
        # The very first run creates one at once. With mailboxes saved for other servers it is
        # not a first run, and this server may be a typo: the user decides, the line says why.
        if self.auto_create and not self.tapp.sync.keeper.elsewhere:
            self.create(None)

    def on_store_changed(self, _message: StoreChanged) -> None:
        if self.is_current:
            self.refresh_rows()

    def on_screen_suspend(self) -> None:
        self._ticker.pause()  # nobody sees the countdowns meanwhile

    def on_screen_resume(self) -> None:
        self._ticker.resume()
        self.refresh_rows()
        self.show_banner()

    @on(DataTable.RowHighlighted)
    def show_banner(self) -> None:
        """The demo's banner names the highlighted mailbox (else the one last open)."""
        banner = self.tapp.banner_for(self.selected or self.tapp.sync.focused)
        widget = self.query_one("#banner", Static)
        widget.display = bool(banner)
        if banner and str(widget.content) != banner:
            widget.update(banner)

    def refresh_rows(self) -> None:
        """A snapshot of every mailbox (that the filter lets through); the table redraws only what differs."""
        query = self.query_one("#picker-filter", Input).value.strip()
        store = self.tapp.store.mailboxes
        statuses = (MailboxStatus.of(m) for m in store)
        # Set before the rows: the table puts the "All mailboxes" row above them.
        self.everything = AllSummary(len(store), sum(m.unread for m in store)) if len(store) > 1 and not query else None
        self.mailboxes = tuple(s for s in statuses if not query or s.matches(query))
        line = self.query_one("#server-line", Static)
        text = server_line(self.tapp.sync.keeper.server, self.tapp.sync.keeper.elsewhere)
        if str(line.content) != text:
            line.update(text)

    def watch_mailboxes(self, mailboxes: tuple[MailboxStatus, ...]) -> None:
        # Empty: the hint right under the server line, not below a table of nothing.
        table = self.query_one("#mailboxes", DataTable)
        self.query_one("#empty-hint").display = not mailboxes and not self.tapp.store.mailboxes
        if table.display != bool(mailboxes):
            table.display = bool(mailboxes)
            if mailboxes:
                table.focus()

    @property
    def _highlighted(self) -> str | None:
        table = self.query_one("#mailboxes", DataTable)
        if not table.row_count:
            return None
        return str(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value)

    @property
    def selected(self) -> str | None:
        """The highlighted mailbox's address (None on the "All mailboxes" row)."""
        key = self._highlighted
        return None if key == ALL_KEY else key

    def _one_mailbox(self, what: str) -> str | None:
        """The highlighted mailbox, else a line saying why ``what`` needs one."""
        if self._highlighted == ALL_KEY:
            self.notify(sanitize_line(f"Highlight one mailbox to {what} (this row is all of them)"), markup=False,
                        timeout=3)
        return self.selected

    # Actions ------------------------------------------------------------------

    def action_open(self) -> None:
        if self._highlighted == ALL_KEY:
            from tmtui.ui.screens.all_mail import AllMailScreen

            self.app.push_screen(AllMailScreen())
        elif self.selected:
            self.tapp.open_inbox(self.selected)

    @on(DataTable.RowSelected)
    def row_selected(self) -> None:
        self.action_open()

    async def _domains(self) -> tuple[list[str], str | None] | None:
        """The live domain catalog (from the store, or asked for once); None on failure."""
        catalog = await self.tapp.attempt(self.tapp.sync.catalog())
        if catalog is None:
            return None
        return list(catalog.domains), catalog.default_domain

    @work(group="picker", exit_on_error=False)
    async def action_new(self) -> None:
        domains = await self._domains()
        if domains is None:
            return
        choice = await self.app.push_screen_wait(
            NewAddressDialog(*domains, private=self.tapp.config.private_addresses))
        if choice is not None:
            self.create(choice.domain, label=choice.label or None, private=choice.private)

    @work(group="picker", exit_on_error=False)
    async def create(self, domain: str | None, *, label: str | None = None, private: bool | None = None) -> None:
        address = await self.tapp.attempt(self.tapp.sync.create(domain, label=label, private=private))
        if address:
            self.notify(f"Created {sanitize_line(address, 80)}", markup=False)
            self.tapp.open_inbox(address)

    async def _claim(self, address: str, claim: Callable[[bool], Awaitable[str]]) -> None:
        """Run ``claim(takeover)``; on 409 ask once whether to take the address over."""
        opened: str | None
        try:
            opened = await claim(False)
        except MailboxNotFound:
            self.notify(f"{sanitize_line(address, 80)} does not exist on the server (deleted, or its "
                        "domain was removed). Create it with c.", severity="error", markup=False)
            return
        except AddressInUse:
            question = f"{sanitize_line(address, 80)} is in use by another session. Take it over?"
            if not await self.app.push_screen_wait(ConfirmDialog(question, yes="Take over")):
                return
            opened = await self.tapp.attempt(claim(True))
        except Exception as exc:
            self.tapp.report_error(exc)
            return
        if opened:
            self.tapp.open_inbox(opened)

    @work(group="picker", exit_on_error=False)
    async def action_custom(self) -> None:
        domains, default = await self._domains() or ([], None)
        choice = await self.app.push_screen_wait(CustomAddressDialog(domains, default))
        if choice is not None:
            await self._claim(f"{choice.user}@{choice.domain or default}",
                              lambda takeover: self.tapp.sync.create_custom(
                                  choice.user, choice.domain, takeover=takeover, label=choice.label or None))

    @work(group="picker", exit_on_error=False)
    async def action_reopen(self) -> None:
        address = await self.app.push_screen_wait(ReopenDialog())
        if address is not None:
            await self._claim(address, lambda takeover: self.tapp.sync.reopen(address, takeover=takeover))

    @work(group="picker", exit_on_error=False)
    async def action_forget(self) -> None:
        address = self._one_mailbox("forget it")
        if address is None:
            return
        question = (f"Forget {sanitize_line(address, 80)}? Its session is removed from this "
                    "computer. The server keeps each mail until it expires (a day after it arrived, "
                    "on tmtui's server), and anyone who knows the address can open it meanwhile.")
        if await self.app.push_screen_wait(ConfirmDialog(question, yes="Forget")):
            self.tapp.sync.forget(address)

    def action_filter(self) -> None:
        box = self.query_one("#picker-filter", Input)
        box.disabled, box.display = False, True
        box.focus()

    @on(Input.Changed, "#picker-filter")
    def filter_changed(self) -> None:
        self.refresh_rows()

    @on(Input.Submitted, "#picker-filter")
    def filter_done(self) -> None:
        self.query_one("#mailboxes", DataTable).focus()

    def action_clear_filter(self) -> None:
        box = self.query_one("#picker-filter", Input)
        if box.display:
            box.value = ""
            box.disabled, box.display = True, False
            self.query_one("#mailboxes", DataTable).focus()

    @work(group="picker", exit_on_error=False)
    async def action_label(self) -> None:
        address = self._one_mailbox("label it")
        mailbox = self.tapp.store.get(address) if address else None
        if address is None or mailbox is None:
            if self._highlighted != ALL_KEY:
                self.notify("No mailbox to label", markup=False)
            return
        choice = await self.app.push_screen_wait(LabelDialog(address, mailbox.label, mailbox.note))
        if choice is not None and await self.tapp.attempt(self.tapp.sync.label(address, choice.label,
                                                                                 note=choice.note)):
            self.notify(f"Labelled {sanitize_line(address, 80)}", markup=False)

    def action_copy(self) -> None:
        address = self._one_mailbox("copy its address")
        if address:
            clipboard.copy(self.app, address, what=address)
