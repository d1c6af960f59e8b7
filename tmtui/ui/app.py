"""The App is thin: take the config and the sync core (build_app makes both), push the picker.

It is also the one bridge from the store to the UI: it subscribes once, and its
listener only posts a :class:`StoreChanged` (so nothing a screen does can ever
raise into the sync layer). The App hands each one to the announcer (new mail)
and forwards it to the screens.
"""

from __future__ import annotations

import asyncio
import gc
from collections.abc import Awaitable, Callable, Iterable, Sequence
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from textual import events
from textual.app import SystemCommand
from textual.binding import Binding
from textual.notifications import Notify
from textual.screen import Screen
from textual.theme import Theme
from textual.worker import Worker, WorkerState

from tmtui import state
from tmtui.config import Config
from tmtui.humanize import describe
from tmtui.safety import sanitize_line
from tmtui.state import SavedMailbox
from tmtui.store import Change
from tmtui.sync import SyncWorker
from tmtui.sync.merge import Merge
from tmtui.ui import clipboard, elsewhere
from tmtui.ui.announcer import Announcer
from tmtui.ui.collector import IdleCollector
from tmtui.ui.held_deletes import HeldDeletes
from tmtui.ui.lifetimes import FreshContextExecutor, prune_closed_watchers
from tmtui.ui.messages import StoreChanged
from tmtui.ui.rules import start_rules
from tmtui.ui.screens.base import TmtuiScreen
from tmtui.ui.widgets.status import MailboxStatus, retry_words

if TYPE_CHECKING:
    from tmtui.render.pool import ConverterPool

T = TypeVar("T")
Banner = str | Callable[[str | None], str]  # a line, or a line for a mailbox (the demo's)


def css_path() -> Path:
    """tmtui.tcss ships inside the wheel; a source checkout keeps it at the top level."""
    here = Path(__file__).resolve().parent.parent
    for candidate in (here / "tmtui.tcss", here.parent / "tmtui.tcss"):
        if candidate.is_file():
            return candidate
    raise FileNotFoundError("tmtui.tcss is missing from the installation")


CONVERTER_DELAY = 1.0  # seconds after mount: start-up and the first listing come first
PRUNE_DELAY = 1.0  # seconds after a screen change: the screen it closed has been removed by then


def _settle_collector(collector: IdleCollector) -> None:
    gc.freeze()
    gc.enable()
    collector.start()


class TmtuiApp(HeldDeletes):
    TITLE = "tmtui"
    CSS_PATH = css_path()
    BINDINGS = [
        Binding("q", "quit", "Quit", tooltip="Quit"),
        Binding("ctrl+q", "quit", "Quit", show=False, tooltip="Quit"),
        Binding("question_mark", "help", "Keys", tooltip="These keys"),
        Binding("ctrl+z", "suspend_process", "Suspend", show=False, tooltip="Suspend (fg resumes)"),
    ]

    MAX_TOASTS = 2  # stacked at most: at 80x24 more would cover half the reader
    NOTIFICATION_TIMEOUT = 4

    def __init__(self, config: Config, sync: SyncWorker, *,
                 saved: Sequence[SavedMailbox] | None = None, start_address: str | None = None,
                 warnings: Sequence[str] = (), banner: Banner | None = None) -> None:
        """``saved`` None: the sync core reads the state file (when it persists)."""
        super().__init__()
        self.config = config
        self.sync = sync
        self.store = sync.store
        sync.on_warning = lambda text: self.notify(text, severity="warning", markup=False, timeout=10)
        sync.on_external = self._changed_elsewhere
        sync.deletes.on_failure = self._delete_failed
        self.saved = saved
        self.start_address = start_address
        self.startup_warnings = list(warnings)
        self.persist = sync.persist
        self._banner = banner
        self.announcer = Announcer(self, self.store, config, fetch=sync.fetch)
        self.collector = IdleCollector(busy=self._screen_working)  # full collector passes in the user's pauses
        self._stack_depth = 0

    def on_mount(self) -> None:
        # Closed screens must not stay alive (tmtui.ui.lifetimes): thread workers' contexts,
        # and the watchers widgets put on the app, once their screen has been removed.
        asyncio.get_running_loop().set_default_executor(FreshContextExecutor(thread_name_prefix="tmtui"))
        self.screen_change_signal.subscribe(self, self._screen_changed)
        self._apply_theme()
        self.store.subscribe(self._store_changed)
        warning = self.sync.load_saved(self.saved)
        if warning:
            self.startup_warnings.append(warning)
        for warning in self.startup_warnings:
            self.notify(warning, severity="warning", markup=False, timeout=10)
        self.announcer.rules = start_rules(self, self.config, self.sync)  # new mail goes to them too
        start = self.start_address.lower() if self.start_address else None
        if start and start in self.store:
            self.open_inbox(start)  # saved: straight in; the picker is imported and built when needed
        else:
            from tmtui.ui.screens.picker import PickerScreen

            self.push_screen(PickerScreen(auto_create=not self.store.mailboxes and not start))
            if start:
                self.run_worker(self._open_start_address(start), exit_on_error=False)
        # Start-up objects live as long as the app: keep them out of the collector's
        # full passes, whose 50 ms pauses otherwise land while mail arrives. `tmtui`
        # starts with the collector off (launch.run_tui): on again from here, its full
        # passes run when input pauses (tmtui.ui.collector), not on a key.
        self.set_timer(0.5, lambda: _settle_collector(self.collector))
        self.set_timer(CONVERTER_DELAY, lambda: self.converter.start_soon())

    def _screen_working(self) -> bool:
        """The shown screen's worker runs (a body converting, rows filling): the user waits for it (the
        app's own workers, the sync core's among them, run all the time)."""
        screen = self.screen
        return any(worker.node is screen and not worker.is_finished for worker in self.workers)

    def _screen_changed(self, _screen: Screen) -> None:
        self.set_timer(PRUNE_DELAY, lambda: prune_closed_watchers(self))
        if len(self.screen_stack) < self._stack_depth:
            self.collector.soon()  # a closed screen's cycles: collected in the next short pause
        self._stack_depth = len(self.screen_stack)

    def on_ready(self) -> None:
        """The first frame is on screen: now the sync core, whose first request
        builds the HTTP stack (a fifth of start-up, which that frame does not need)."""
        self.run_worker(self.sync.run(), name="sync", group="sync", exclusive=True, exit_on_error=False)

    @cached_property
    def converter(self) -> ConverterPool:
        """Converts mail bodies in a worker process, so the UI's GIL never holds
        html2text (``await app.converter.render(html)``, or ``.html_to_text(html)``
        from a thread worker). Spawned a second after mount, not on the first frame's path."""
        from tmtui.render.pool import ConverterPool

        return ConverterPool()

    @property
    def banner(self) -> str | None:
        """The line above the screens, for the open mailbox (the one in focus)."""
        return self.banner_for(self.sync.focused)

    def banner_for(self, address: str | None) -> str | None:
        """A fixed banner, or the demo's, which names ``address`` (the mailbox to send mail to)."""
        return self._banner(address) if callable(self._banner) else self._banner

    def _apply_theme(self) -> None:
        """The config's theme (a setting) wins, else the one last picked in the app, else the default.

        Only a theme picked in the app is remembered: Textual announces our own
        start-up choice too, on the next message, so that one announcement is skipped.
        """
        remembered = state.load_preferences().get("theme") if self.persist else None
        wanted = self.config.theme or remembered or "textual-dark"
        self._theme_at_start: str | None = None
        if wanted not in self.available_themes:
            self.notify(f"Unknown theme {sanitize_line(wanted, 40)}; using textual-dark",
                        severity="warning", markup=False)
        elif wanted != self.theme:
            self._theme_at_start = wanted
            self.theme = wanted
        self.theme_changed_signal.subscribe(self, self._remember_theme)

    def _remember_theme(self, theme: Theme) -> None:
        if self._theme_at_start == theme.name:
            self._theme_at_start = None  # set from the config or preferences, not picked
            return
        self._theme_at_start = None
        if not self.persist:
            return
        preferences = state.load_preferences()
        if preferences.get("theme") != theme.name:
            try:
                state.save_preferences({**preferences, "theme": theme.name})
            except state.StateError as exc:
                self.notify(str(exc), severity="warning", markup=False)

    def _changed_elsewhere(self, merge: Merge) -> None:
        added = [m.address for m in merge.added_elsewhere]
        for line in elsewhere.notices(added, merge.removed_elsewhere):
            self.notify(sanitize_line(line, 200), markup=False, timeout=6)
        if merge.removed_elsewhere:
            self._leave_forgotten({a.lower() for a in merge.removed_elsewhere})

    def _leave_forgotten(self, gone: set[str]) -> None:
        """An open mailbox forgotten by another tmtui: back to the picker, not an empty inbox."""
        from tmtui.ui.screens.inbox import InboxScreen

        def open_inbox() -> InboxScreen | None:
            return next((s for s in self.screen_stack if isinstance(s, InboxScreen) and s.address in gone), None)

        inbox = open_inbox()
        if inbox is None:
            return
        while self.screen is not inbox:  # the reader and dialogs above it go too
            self.pop_screen()
        self.leave_inbox()

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

    def offline_line(self, address: str) -> str | None:
        """`Offline (cannot reach the server), retrying in 5 s` while the mailbox is offline.

        Commands then fail at once with this line instead of waiting on a network
        that is known to be down (the watcher keeps trying; `r` tries now).
        """
        mailbox = self.store.get(address)
        if mailbox is None or mailbox.connection != "offline":
            return None
        status = MailboxStatus.of(mailbox)
        why = f" ({sanitize_line(mailbox.detail, 80)})" if mailbox.detail else ""
        retry = retry_words(status.retry_in)
        return f"Offline{why}" + (f", {retry}" if retry else "")

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

    def on_notify(self, event: Notify) -> None:
        """Before Textual shows a toast (it runs next): drop the same text shown already, and all
        but the newest few, so toasts never pile up."""
        newest = event.notification
        shown = [n for n in self._notifications if (n.message, n.title) != (newest.message, newest.title)]
        keep = shown[len(shown) - (self.MAX_TOASTS - 1):] if self.MAX_TOASTS > 1 else []
        for notification in list(self._notifications):
            if notification not in keep:
                self._unnotify(notification, refresh=False)

    def _store_changed(self, change: Change) -> None:
        """The one store listener: it only queues a message, so it cannot fail the sync layer."""
        self.post_message(StoreChanged(change))

    def on_store_changed(self, message: StoreChanged) -> None:
        change = message.change
        if change.added or change.removed:
            self.collector.touched()  # mail arriving (a big listing paging in) is shown now: no pause yet
        self.announcer.changed(change)
        for screen in self.screen_stack:
            if isinstance(screen, TmtuiScreen):
                screen.post_message(StoreChanged(change))

    def copy_to_clipboard(self, text: str) -> None:
        """Every copy, ours and Textual's own (an input's, a selection's), goes through one place."""
        clipboard.copy(self, text)

    def action_help(self) -> None:
        from tmtui.ui.dialogs.help import HelpDialog

        if isinstance(self.screen, HelpDialog):
            return
        self.push_screen(HelpDialog(self.screen, getattr(self.screen, "help_title", None)
                                    or self.screen.title or self.title))

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

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.InputEvent):
            self.collector.touched()  # a key or the mouse: no full collector pass for a while
        await super().on_event(event)

    async def on_unmount(self) -> None:
        self.collector.stop()
        if self.announcer.rules is not None:
            await self.announcer.rules.aclose()  # pending deletions dropped, programs stopped
        if "converter" in self.__dict__:  # built (cached_property): stop its worker
            self.converter.close()
        await self.sync.close()  # the sync core owns the client and closes it
