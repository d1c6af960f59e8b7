"""Mailboxes and sessions for one headless command: resolve, renew, persist.

A :class:`Context` owns the API client for the command's lifetime. It picks the
mailbox (``--address`` or the most recently added saved one), reuses the saved
``sid_token``, and on 401 reopens the mailbox with that token
(``open_email_address``), as the TUI's watcher does; every new token and expiry
goes back to the state file, merged into what is there now (the TUI may be
running and saving too).
"""

from __future__ import annotations

import sys
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

from tmtui import state
from tmtui.api.client import TempMailClient
from tmtui.api.errors import AddressInUse, InvalidSession, MailboxNotFound
from tmtui.api.models import Session, SessionMeta
from tmtui.api.secret import Secret
from tmtui.config import Config
from tmtui.headless import EXIT_LOCAL, EXIT_NOT_FOUND
from tmtui.safety import sanitize_line

T = TypeVar("T")


class HeadlessError(Exception):
    """Ends the command with ``code`` and one line on stderr."""

    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass(slots=True)
class Box:
    """The mailbox a command works on and its current session."""

    address: str
    sid: Secret | None
    expires_at: datetime | None = None


def warn(message: str) -> None:
    print(f"tmtui: {message}", file=sys.stderr)


class Context:
    def __init__(self, config: Config, client: TempMailClient) -> None:
        self.config = config
        self.client = client
        self._boxes: list[Box] = []
        self._dirty: set[str] = set()
        self._unsubscribe = client.subscribe_meta(self._on_meta)

    # -- state file ---------------------------------------------------------------

    def saved(self) -> list[state.SavedMailbox]:
        mailboxes, warning = state.load()
        if warning:
            warn(warning)
        return mailboxes

    def persist(self, box: Box, *, make_default: bool = False) -> None:
        """Write ``box`` into the state file; ``make_default`` moves it to the end."""
        saved = self.saved()
        entry = state.SavedMailbox(box.address, box.sid, box.expires_at)
        index = next((i for i, m in enumerate(saved) if m.address.lower() == box.address.lower()), None)
        if index is None or make_default:
            if index is not None:
                del saved[index]
            saved.append(entry)
        else:
            saved[index] = entry
        try:
            state.save(saved)
        except state.StateError as exc:
            raise HeadlessError(EXIT_LOCAL, str(exc)) from None
        self._dirty.discard(box.address.lower())

    def _on_meta(self, sid: Secret, meta: SessionMeta) -> None:
        for box in self._boxes:
            if box.sid == sid and meta.expires_at is not None and meta.expires_at != box.expires_at:
                box.expires_at = meta.expires_at
                self._dirty.add(box.address.lower())

    def close(self) -> None:
        """Save renewed expiry times; a failure here only warns (the work is done)."""
        self._unsubscribe()
        for box in self._boxes:
            if box.address.lower() in self._dirty:
                try:
                    self.persist(box)
                except HeadlessError as exc:
                    warn(str(exc))

    # -- mailboxes ------------------------------------------------------------------

    def adopt(self, session: Session, *, make_default: bool = False) -> Box:
        box = Box(session.address, session.sid_token, session.meta.expires_at)
        self._boxes.append(box)
        self.persist(box, make_default=make_default)
        return box

    async def mailbox(self, address: str | None) -> Box:
        """The saved mailbox ``address`` (default: the last saved); an unsaved
        address is opened on the server and saved."""
        saved = self.saved()
        if address is None:
            if not saved:
                raise HeadlessError(EXIT_NOT_FOUND, "no saved mailbox: create one with `tmtui new`")
            entry = saved[-1]
        else:
            wanted = address.strip().lower()
            entry = next((m for m in saved if m.address.lower() == wanted), None)
            if entry is None:
                return self.adopt(await self._open(address.strip(), None))
        box = Box(entry.address, entry.sid_token, entry.expires_at)
        self._boxes.append(box)
        if box.sid is None:
            await self.recover(box)
        return box

    async def _open(self, address: str, sid: Secret | None) -> Session:
        try:
            return await self.client.open_email_address(address, sid_token=sid, lang=self.config.lang)
        except MailboxNotFound:
            raise HeadlessError(EXIT_NOT_FOUND, f"mailbox {sanitize_line(address)} no longer exists "
                                                "on the server") from None
        except AddressInUse:
            raise HeadlessError(EXIT_NOT_FOUND, f"mailbox {sanitize_line(address)} was taken over by "
                                                "another session") from None

    async def recover(self, box: Box) -> None:
        """Reopen ``box`` with its saved token and save the session that comes back."""
        session = await self._open(box.address, box.sid)
        box.sid, box.expires_at = session.sid_token, session.meta.expires_at or box.expires_at
        self.persist(box)

    async def call(self, box: Box, action: Callable[[Secret], Awaitable[T]]) -> T:
        """Run a mailbox call; on 401 reopen the mailbox once and run it again."""
        if box.sid is None:
            await self.recover(box)
        assert box.sid is not None
        try:
            return await action(box.sid)
        except InvalidSession:
            await self.recover(box)
        assert box.sid is not None
        try:
            return await action(box.sid)
        except InvalidSession:
            raise HeadlessError(EXIT_NOT_FOUND, f"the session of {sanitize_line(box.address)} was "
                                                "lost and could not be restored") from None

    def event_token(self, box: Box) -> Secret | None:
        meta = self.client.latest_meta(box.sid) if box.sid else None
        return meta.event_token if meta else None
