"""What new mail sets off: the toast, the auto-copied code, the bell, the desktop notice, the title.

Which mail is new is decided once, by the store: a change's ``added`` ids
(mail that arrived after the mailbox was first listed in this run; the first
listing and the pages behind it are backfill). This module only decides how to
tell the user, and keeps it bearable: one toast per mailbox every few seconds,
a burst folded into "(+N more)".
"""

from __future__ import annotations

import time
from typing import Any

from textual.app import App
from textual.timer import Timer

from tmtui.api.models import MessageSummary
from tmtui.config import Config
from tmtui.safety import copy_safe, sanitize_line
from tmtui.store import Change, SessionStore
from tmtui.ui import terminal

TOAST_INTERVAL = 3.0  # seconds between new-mail toasts of one mailbox


class Announcer:
    def __init__(self, app: App[Any], store: SessionStore, config: Config) -> None:
        self.app = app
        self.store = store
        self.config = config
        self._terminal_title = ""
        self._unannounced: dict[str, list[MessageSummary]] = {}
        self._last_toast: dict[str, float] = {}
        self._toast_timers: dict[str, Timer] = {}

    def changed(self, change: Change) -> None:
        """Hear of one (possibly merged) store change."""
        if change.touches("messages", "mailboxes"):
            self.update_title()
        if not change.added or change.address is None:
            return
        mailbox = self.store.get(change.address)
        if mailbox is None:
            return
        added = set(change.added)
        # In mailbox order (newest first); ids already gone again are not announced.
        fresh = [m for m in mailbox.messages if m.id in added]
        if fresh:
            self._announce(mailbox.address, fresh)

    def _announce(self, address: str, fresh: list[MessageSummary]) -> None:
        if self.config.auto_copy_code:
            self._copy_code(fresh[0])
        # One toast per mailbox every few seconds: a burst becomes "(+N more)" rather
        # than a stack of toasts, each of which costs a layout.
        self._unannounced.setdefault(address, []).extend(fresh)
        wait = self._last_toast.get(address, float("-inf")) + TOAST_INTERVAL - time.monotonic()
        if wait <= 0:
            self._flush(address)
        elif address not in self._toast_timers:
            self._toast_timers[address] = self.app.set_timer(wait, lambda: self._flush(address))

    def _copy_code(self, newest: MessageSummary) -> None:
        from tmtui.extract import find_code

        code = find_code(newest.subject, newest.excerpt)
        if code is not None:
            self.app.copy_to_clipboard(copy_safe(code.value))
            self.app.notify(f"Copied code {sanitize_line(code.value, 20)}", markup=False)

    def _flush(self, address: str) -> None:
        self._toast_timers.pop(address, None)
        fresh = self._unannounced.pop(address, [])
        if not fresh:
            return
        self._last_toast[address] = time.monotonic()
        newest = max(fresh, key=lambda m: m.timestamp)
        more = f" (+{len(fresh) - 1} more)" if len(fresh) > 1 else ""
        sender, subject = sanitize_line(newest.sender, 60), sanitize_line(newest.subject, 80)
        self.app.notify(f"{sender}: {subject}{more}",
                        title=f"New mail for {sanitize_line(address, 80)}", markup=False)
        if self.app.app_focus:
            return  # the extras below are for a terminal in the background
        if self.config.bell:
            self.app.bell()
        if self.config.desktop_notify:
            terminal.desktop_notify(self.app, "tmtui: new mail", f"{sender}: {subject}{more}")

    def update_title(self) -> None:
        """The terminal's title counts unread mail over every mailbox (when enabled)."""
        if not self.config.terminal_title:
            return
        unread = sum(m.unread for m in self.store.mailboxes)
        title = f"tmtui ({unread} unread)" if unread else "tmtui"
        if title != self._terminal_title:
            self._terminal_title = title
            terminal.set_title(self.app, title)
