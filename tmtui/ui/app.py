"""The App is thin: read config, build the store and sync worker, push the picker."""

from __future__ import annotations

import gc
import time
from collections.abc import Awaitable, Iterable, Sequence
from pathlib import Path
from typing import TypeVar

from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen
from textual.theme import Theme
from textual.timer import Timer
from textual.worker import Worker, WorkerState

from tmtui import state
from tmtui.api.client import TempMailClient
from tmtui.api.models import MessageSummary
from tmtui.config import Config
from tmtui.humanize import describe
from tmtui.safety import sanitize_line
from tmtui.state import SavedMailbox
from tmtui.store import Change, SessionStore
from tmtui.sync import SyncWorker
from tmtui.ui import terminal

T = TypeVar("T")

TOAST_INTERVAL = 3.0  # seconds between new-mail toasts of one mailbox


def css_path() -> Path:
    """tmtui.tcss ships inside the wheel; a source checkout keeps it at the top level."""
    here = Path(__file__).resolve().parent.parent
    for candidate in (here / "tmtui.tcss", here.parent / "tmtui.tcss"):
        if candidate.is_file():
            return candidate
    raise FileNotFoundError("tmtui.tcss is missing from the installation")


class TmtuiApp(App[None]):
    TITLE = "tmtui"
    CSS_PATH = css_path()
    BINDINGS = [
        Binding("q", "quit", "Quit"),
        Binding("question_mark", "help", "Keys"),
    ]

    def __init__(self, config: Config, client: TempMailClient, *,
                 saved: Sequence[SavedMailbox] = (), start_address: str | None = None,
                 warnings: Sequence[str] = (), persist: bool = True,
                 banner: str | None = None) -> None:
        super().__init__()
        self.config = config
        self.client = client
        self.store = SessionStore()
        self.sync = SyncWorker(client, self.store, config, persist=persist,
                               on_warning=lambda text: self.notify(text, severity="warning",
                                                                   markup=False, timeout=10))
        self.saved = list(saved)
        self.start_address = start_address
        self.startup_warnings = list(warnings)
        self.persist = persist
        self.banner = banner
        self._terminal_title = ""
        self._unannounced: dict[str, list[MessageSummary]] = {}
        self._last_toast: dict[str, float] = {}
        self._toast_timers: dict[str, Timer] = {}

    def on_mount(self) -> None:
        from tmtui.ui.screens.picker import PickerScreen

        self._apply_theme()
        self.store.subscribe(self._on_store_change)
        self.sync.load_saved(self.saved)
        self.run_worker(self.sync.run(), name="sync", group="sync",
                        exclusive=True, exit_on_error=False)
        for warning in self.startup_warnings:
            self.notify(warning, severity="warning", markup=False, timeout=10)
        start = self.start_address.lower() if self.start_address else None
        if start and start in self.store:
            self.open_inbox(start)  # saved: straight in; the picker is built when needed
        else:
            self.push_screen(PickerScreen(auto_create=not self.saved and not start))
            if start:
                self.run_worker(self._open_start_address(start), exit_on_error=False)
        # Start-up objects live as long as the app: keep them out of the collector's
        # full passes, whose 50 ms pauses otherwise land while mail arrives.
        self.set_timer(0.5, gc.freeze)

    def _apply_theme(self) -> None:
        remembered = state.load_preferences().get("theme") if self.persist else None
        wanted = self.config.theme or remembered or "textual-dark"
        if wanted in self.available_themes:
            self.theme = wanted
        else:
            self.notify(f"Unknown theme {sanitize_line(wanted, 40)}; using textual-dark",
                        severity="warning", markup=False)
        self.theme_changed_signal.subscribe(self, self._remember_theme)

    def _remember_theme(self, theme: Theme) -> None:
        if not self.persist:
            return
        preferences = state.load_preferences()
        if preferences.get("theme") != theme.name:
            try:
                state.save_preferences({**preferences, "theme": theme.name})
            except state.StateError as exc:
                self.notify(str(exc), severity="warning", markup=False)

    async def _open_start_address(self, address: str) -> None:
        opened = await self.attempt(self.sync.reopen(address))
        if opened:
            self.open_inbox(opened)

    def open_inbox(self, address: str) -> None:
        from tmtui.ui.screens.inbox import InboxScreen

        self.sync.focus(address)
        self.push_screen(InboxScreen(address))

    def leave_inbox(self) -> None:
        """Back to the mailbox picker, building it if the app started in an inbox."""
        from tmtui.ui.screens.picker import PickerScreen

        if any(isinstance(screen, PickerScreen) for screen in self.screen_stack):
            self.pop_screen()
        else:
            self.switch_screen(PickerScreen())

    async def attempt(self, awaitable: Awaitable[T]) -> T | None:
        """Await a sync command; a failure becomes one notification line, never a traceback."""
        try:
            return await awaitable
        except Exception as exc:  # every error becomes one clear line
            self.report_error(exc)
            return None

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """A worker that failed unexpectedly still tells the user, in one line."""
        if event.state is WorkerState.ERROR and event.worker.error is not None:
            self.report_error(event.worker.error)

    def report_error(self, exc: BaseException) -> None:
        self.notify(describe(exc), severity="error", markup=False, timeout=8)

    def _on_store_change(self, change: Change) -> None:
        if change.kind in ("messages", "mailboxes"):
            self._update_title()
        if change.kind != "messages" or change.address is None or change.initial:
            return
        mailbox = self.store.get(change.address)
        added = set(change.added)
        fresh = [m for m in mailbox.messages if m.id in added] if mailbox and added else []
        if mailbox is not None and fresh:
            self._announce(mailbox.address, fresh)

    def _announce(self, address: str, fresh: list[MessageSummary]) -> None:
        if self.config.auto_copy_code:
            from tmtui.extract import find_code

            code = find_code(fresh[0].subject, fresh[0].excerpt)
            if code is not None:
                self.copy_to_clipboard(code.value)
                self.notify(f"Copied code {sanitize_line(code.value, 20)}", markup=False)
        # One toast per mailbox every few seconds: a burst becomes "(+N more)" rather
        # than a stack of toasts, each of which costs a layout.
        self._unannounced.setdefault(address, []).extend(fresh)
        wait = self._last_toast.get(address, float("-inf")) + TOAST_INTERVAL - time.monotonic()
        if wait <= 0:
            self._flush_announcement(address)
        elif address not in self._toast_timers:
            self._toast_timers[address] = self.set_timer(wait, lambda: self._flush_announcement(address))

    def _flush_announcement(self, address: str) -> None:
        self._toast_timers.pop(address, None)
        fresh = self._unannounced.pop(address, [])
        if not fresh:
            return
        self._last_toast[address] = time.monotonic()
        newest = max(fresh, key=lambda m: m.timestamp)
        more = f" (+{len(fresh) - 1} more)" if len(fresh) > 1 else ""
        sender, subject = sanitize_line(newest.sender, 60), sanitize_line(newest.subject, 80)
        self.notify(f"{sender}: {subject}{more}", title=f"New mail for {sanitize_line(address, 80)}",
                    markup=False)
        if self.app_focus:
            return  # the extras below are for a terminal in the background
        if self.config.bell:
            self.bell()
        if self.config.desktop_notify:
            terminal.desktop_notify(self, "tmtui: new mail", f"{sender}: {subject}{more}")

    def _update_title(self) -> None:
        if not self.config.terminal_title:
            return
        unread = sum(m.unread for m in self.store.mailboxes)
        title = f"tmtui ({unread} unread)" if unread else "tmtui"
        if title != self._terminal_title:
            self._terminal_title = title
            terminal.set_title(self, title)

    def action_help(self) -> None:
        from tmtui.ui.dialogs.help import HelpDialog

        if isinstance(self.screen, HelpDialog):
            return
        self.push_screen(HelpDialog(self.screen, self.screen.title or self.title))

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        """Every key of the current screen is also a command in the palette."""
        yield from super().get_system_commands(screen)
        seen: set[str] = set()
        for active in screen.active_bindings.values():
            binding = active.binding
            if not binding.description or binding.action in seen or not active.enabled:
                continue
            seen.add(binding.action)
            action, node = binding.action, active.node
            yield SystemCommand(binding.description, f"key: {self.get_key_display(binding)}",
                                lambda a=action, n=node: self.run_action(a, n))

    async def on_unmount(self) -> None:
        await self.sync.close()
        await self.client.aclose()
