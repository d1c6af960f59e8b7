"""A mailbox's state, expiry and counts as the header and the picker show them.

:class:`MailboxStatus` is a snapshot taken by the screen (from the store and
the clock); widgets take it through a reactive, so a tick or a store change
that alters nothing on screen costs one comparison.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from rich.cells import cell_len
from rich.text import Text
from textual.reactive import reactive
from textual.widgets import Static

from tmtui import clock
from tmtui.safety import sanitize_line
from tmtui.store import ConnectionState, Mailbox

STATE_STYLE = {
    "live": "bold green",
    "polling": "yellow",
    "connecting": "cyan",
    "reconnecting": "yellow",
    "offline": "bold red",
    "lost": "bold red",
}


class HasState(Protocol):
    @property
    def connection(self) -> ConnectionState: ...

    @property
    def detail(self) -> str: ...

    @property
    def retry_in(self) -> int | None: ...


@dataclass(frozen=True, slots=True)
class MailboxStatus:
    """What a screen shows of one mailbox at one moment (the countdown as text)."""

    address: str
    expires: str
    connection: ConnectionState
    detail: str
    total: int
    unread: int
    complete: bool
    label: str = ""
    note: str = ""
    retry_in: int | None = None
    """Offline: whole seconds to the next try (0: trying now); None otherwise."""

    @classmethod
    def of(cls, mailbox: Mailbox, now: datetime | None = None) -> MailboxStatus:
        now = now or clock.now()
        retry_in = None
        if mailbox.connection == "offline" and mailbox.retry_at is not None:
            retry_in = max(0, math.ceil((mailbox.retry_at - now).total_seconds()))
        return cls(mailbox.address, countdown(mailbox.expires_at, now), mailbox.connection,
                   mailbox.detail, len(mailbox.messages), mailbox.unread, mailbox.complete,
                   mailbox.label, mailbox.note, retry_in)

    def matches(self, query: str) -> bool:
        """The picker's filter: the query in the label, the note or the address."""
        query = query.casefold()
        return any(query in field.casefold() for field in (self.label, self.note, self.address))


def countdown(expires_at: datetime | None, now: datetime | None = None) -> str:
    """`23h 59m`, `4m 10s`, `expired`; `-` when unknown."""
    if expires_at is None:
        return "-"
    left = int((expires_at - (now or clock.now())).total_seconds())
    if left <= 0:
        return "expired"
    hours, rest = divmod(left, 3600)
    minutes, seconds = divmod(rest, 60)
    if hours:
        return f"{hours}h {minutes:02d}m"
    return f"{minutes}m {seconds:02d}s"


def retry_words(retry_in: int | None) -> str:
    """`retrying in 5 s`, `retrying now`; empty when no retry is planned."""
    if retry_in is None:
        return ""
    return f"retrying in {retry_in} s" if retry_in > 0 else "retrying now"


def state_text(mailbox: HasState, *, short: bool = False, retry: bool = True) -> Text:
    """`● live`, or the state with its one-line detail and, offline, the next try.

    ``short``: the state and the next try only (the picker's column), whole words;
    ``retry`` False: without the next try (a narrow column).
    """
    style = STATE_STYLE.get(mailbox.connection, "")
    text = Text("● ", style=style)
    text.append(mailbox.connection, style=style)
    if mailbox.detail and not short:
        text.append(f" ({sanitize_line(mailbox.detail, max_len=80)})", style="dim")
    when = retry_words(mailbox.retry_in) if retry else ""
    if when:
        text.append(f", {when}", style="dim")
    return text


class InboxHeader(Static):
    """The inbox's top line: address, expiry, connection state and counts.

    ``address`` is shown even before the mailbox is in the store; ``status``
    is bound by the inbox screen (``data_bind``).
    """

    status: reactive[MailboxStatus | None] = reactive(None, init=False, repaint=False)

    def __init__(self, address: str, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.address = address
        self._plain = ""

    def on_mount(self) -> None:
        self.watch_status(self.status)

    def on_resize(self) -> None:
        self.watch_status(self.status)

    def _line(self, status: MailboxStatus | None, *, compact: bool, detail: bool, tiny: bool = False) -> Text:
        """`address   expires in 23h 59m   ● live   5 messages, 2 unread`, or
        `address  23h 59m  ● live  5 (2 unread)` (with or without the state's detail)."""
        gap = "  " if compact else "   "
        header = Text()
        header.append(sanitize_line(self.address, max_len=80), style="bold")
        if status is None:
            return header
        header.append(f"{gap}{status.expires}{gap}" if compact else f"{gap}expires in {status.expires}{gap}")
        header.append_text(state_text(status, short=not detail))
        if tiny:  # a long address at 60 columns: the unread count alone
            header.append(f"{gap}{status.unread} unread")
        elif compact:
            header.append(f"{gap}{status.total} ({status.unread} unread)")
        else:
            header.append(f"{gap}{status.total} message{'s' if status.total != 1 else ''}, "
                          f"{status.unread} unread")
        if not status.complete and status.total:
            header.append(" (loading…)", style="dim")
        return header

    def watch_status(self, status: MailboxStatus | None) -> None:
        width = max(1, self.screen.size.width - 2) if self.is_attached else 1
        # A narrow terminal: shorter forms, the state's reason kept as long as it fits.
        header = self._line(status, compact=False, detail=True)
        for compact, detail, tiny in ((True, True, False), (True, False, False), (True, False, True)):
            if header.cell_len <= width:
                break
            header = self._line(status, compact=compact, detail=detail, tiny=tiny)
        if header.plain == self._plain:
            return
        # A full layout only when the header would take another number of lines.
        relayout = -(-header.cell_len // width) != -(-cell_len(self._plain) // width)
        self._plain = header.plain
        self.update(header, layout=relayout)
