"""Small display helpers for a mailbox's connection state and expiry."""

from __future__ import annotations

from datetime import datetime

from rich.text import Text

from tmtui import clock
from tmtui.safety import sanitize_line
from tmtui.store import Mailbox

STATE_STYLE = {
    "live": "bold green",
    "polling": "yellow",
    "connecting": "cyan",
    "reconnecting": "yellow",
    "offline": "bold red",
    "lost": "bold red",
}


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


def state_text(mailbox: Mailbox) -> Text:
    """`● live`, or the state with its one-line detail (sanitised by whoever set it)."""
    text = Text("● ", style=STATE_STYLE.get(mailbox.connection, ""))
    text.append(mailbox.connection, style=STATE_STYLE.get(mailbox.connection, ""))
    if mailbox.detail:
        text.append(f" ({sanitize_line(mailbox.detail, max_len=80)})", style="dim")
    return text
