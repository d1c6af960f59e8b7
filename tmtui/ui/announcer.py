"""What new mail sets off: the toast, the auto-copied code, the bell, the desktop notice, the title.

Which mail is new is decided once, by the store: a change's ``added`` ids
(mail that arrived after the mailbox was first listed in this run; the first
listing and the pages behind it are backfill). This module only decides how to
tell the user, and keeps it bearable: one toast per mailbox every few seconds,
a burst folded into "(+N more)".
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from textual.app import App
from textual.timer import Timer

from tmtui.api.models import Message, MessageSummary
from tmtui.config import Config
from tmtui.safety import sanitize_line
from tmtui.safety.addresses import sender_line
from tmtui.store import Change, SessionStore
from tmtui.ui import clipboard, terminal

if TYPE_CHECKING:
    from tmtui.rules.engine import RuleEngine

TOAST_INTERVAL = 3.0  # seconds between new-mail toasts of one mailbox


class Announcer:
    def __init__(self, app: App[Any], store: SessionStore, config: Config, *,
                 fetch: Callable[[str, str], Awaitable[Message]] | None = None) -> None:
        self.app = app
        self._fetch = fetch  # (address, id) -> the whole mail, for auto_copy_code
        self.store = store
        self.config = config
        self._terminal_title = ""
        self._unannounced: dict[str, list[MessageSummary]] = {}
        self._last_toast: dict[str, float] = {}
        self._toast_timers: dict[str, Timer] = {}
        self._toast_after_frame: set[str] = set()  # addresses whose toast waits for the next frame
        self.rules: RuleEngine | None = None  # the App's, when the config has rules

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
        if fresh and self.rules is not None:
            self.rules.arrived(mailbox.address, fresh)
        if fresh:
            self._announce(mailbox.address, fresh)

    def _announce(self, address: str, fresh: list[MessageSummary]) -> None:
        if self.config.auto_copy_code:
            self._copy_code(address, fresh[0])
        # One toast per mailbox every few seconds: a burst becomes "(+N more)" rather
        # than a stack of toasts, each of which costs a layout.
        self._unannounced.setdefault(address, []).extend(fresh)
        if address in self._toast_timers or address in self._toast_after_frame:
            return  # a toast is on its way: it will count these too
        wait = self._last_toast.get(address, float("-inf")) + TOAST_INTERVAL - time.monotonic()
        if wait > 0:
            self._toast_timers[address] = self.app.set_timer(wait, lambda: self._flush(address))
            return
        # After the frame that shows the new rows: mounting a toast and the layout it needs
        # took ~20 ms each, and held the first rows of a burst (and the next listing) that long.
        self._toast_after_frame.add(address)
        if not self.app.call_after_refresh(self._flush, address):
            self._flush(address)

    def _copy_code(self, address: str, newest: MessageSummary) -> None:
        from tmtui.extract import mail_code

        if self._fetch is not None and mail_code(newest.subject, newest.excerpt) is not None:
            self.app.run_worker(self._copy_checked(address, newest), group="auto-copy", exit_on_error=False)

    async def _copy_checked(self, address: str, newest: MessageSummary) -> None:
        """Copy the code only if every part of the mail shows it (tmtui.extract.pick):
        the listing has the text part's start, the body the HTML part."""
        from tmtui.extract import mail_code
        from tmtui.render import html_to_text

        assert self._fetch is not None
        try:
            message = await self._fetch(address, newest.id)
        except Exception:
            return  # best effort: gone meanwhile, or offline; the reader still shows the code
        rendered = await asyncio.to_thread(html_to_text, message.html)
        code = mail_code(newest.subject, newest.excerpt, rendered.text)
        if code is None:
            return
        shown = sanitize_line(code.value, 20)
        if code.uncertain:
            other = sanitize_line(code.other, 20) or "none"
            self.app.notify(f"Code not copied: the parts of this mail show different codes ({shown}, {other})",
                            severity="warning", markup=False)
            return
        clipboard.copy(self.app, code.value, what=f"code {shown}")

    def _flush(self, address: str) -> None:
        self._toast_timers.pop(address, None)
        self._toast_after_frame.discard(address)
        fresh = self._unannounced.pop(address, [])
        if not fresh:
            return
        self._last_toast[address] = time.monotonic()
        newest = max(fresh, key=lambda m: m.timestamp)
        more = f" (+{len(fresh) - 1} more)" if len(fresh) > 1 else ""
        sender, subject = sender_line(newest.sender, 60, full=True), sanitize_line(newest.subject, 80)
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
