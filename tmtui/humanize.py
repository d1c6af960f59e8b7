"""Words for people: sizes, ages and errors, each as one short line.

Shared by the TUI and the headless commands, so both say the same thing the
same way; nothing here imports Textual.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

from tmtui.api import errors
from tmtui.safety import sanitize_line

__all__ = ["describe", "format_size", "in_words", "relative_time"]


def format_size(n: int) -> str:
    """Bytes for people: ``512 B``, ``1.2 KB``, ``34 MB`` (binary multiples)."""
    n = max(0, int(n))
    if n < 1024:
        return f"{n} B"
    value = float(n)
    for unit in ("KB", "MB", "GB", "TB"):
        value /= 1024
        shown = f"{value:.1f}" if value < 9.95 else f"{value:.0f}"
        if float(shown) < 1024 or unit == "TB":
            return f"{shown} {unit}"
    raise AssertionError("unreachable")


def relative_time(dt: datetime, now: datetime) -> str:
    """``just now``, ``5m``, ``3h``, ``2d``, else the date (``2026-03-05``).

    Naive datetimes are taken as UTC. A time slightly in the future (clock
    skew) is "just now"; further ahead it shows as a date.
    """
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    if now.tzinfo is None:
        now = now.replace(tzinfo=UTC)
    seconds = (now - dt).total_seconds()
    if -120 < seconds < 60:
        return "just now"
    if 0 < seconds < 3600:
        return f"{int(seconds // 60)}m"
    if 0 < seconds < 86400:
        return f"{int(seconds // 3600)}h"
    if 0 < seconds < 7 * 86400:
        return f"{int(seconds // 86400)}d"
    return dt.astimezone(now.tzinfo).strftime("%Y-%m-%d")


_PLAIN: dict[type[errors.ApiError], str] = {
    errors.MailboxNotFound: "That mailbox no longer exists on the server",
    errors.AddressInUse: "That address is in use by another session",
    errors.InvalidSession: "The session has expired; reopening the mailbox",
    errors.TooLarge: "The attachment is larger than the 5 MB the server allows",
    errors.RequestTimeout: "The server did not answer in time",
    errors.TransportError: "Cannot reach the server",
    errors.Forbidden: "The server refused the request",
}


# The API layer's messages name the action ("get_email_list: ...") and the library's
# exception ("(ConnectError)") for the logs; people get words.
_ACTIONS = {
    "get_email_list": "listing mail", "fetch_email": "opening a message", "del_email": "deleting mail",
    "get_domains": "listing domains", "get_email_address": "creating an address",
    "set_email_user": "naming an address", "open_email_address": "reopening an address",
    "fetch_attachment": "downloading an attachment", "events": "the event stream",
    "health": "checking the server",
}
_NAMES = "|".join(_ACTIONS)
_ACTION_PREFIX = re.compile(rf"^({_NAMES}): ")
_ACTION_NAME = re.compile(rf"\b({_NAMES})\b")
_EXCEPTION_NAME = re.compile(r" ?\((?:[A-Z][a-z]+)+(?:Error|Timeout|Exception)\)")


def in_words(message: str) -> str:
    """An API message with its action and exception names turned into words (or dropped)."""
    message = _EXCEPTION_NAME.sub("", message)
    prefix = _ACTION_PREFIX.match(message)
    if prefix:
        message = f"{message[prefix.end():]} ({_ACTIONS[prefix.group(1)]})"
    return _ACTION_NAME.sub(lambda m: _ACTIONS[m.group(1)], message)


def describe(exc: BaseException) -> str:
    """Any error the lower layers raise as a single sanitised line; never a
    traceback, never a token."""
    if isinstance(exc, errors.RateLimited):
        wait = f"; retry in {exc.retry_after:.0f} s" if exc.retry_after else ""
        return f"The server is rate limiting requests{wait}"
    if isinstance(exc, errors.ProtocolError):
        # Our own wording (action and field, never the server's value).
        return sanitize_line(f"Unexpected response from the server: {in_words(exc.message)}", max_len=200)
    for kind, text in _PLAIN.items():
        if isinstance(exc, kind):
            return text
    if isinstance(exc, errors.ApiError):
        detail = sanitize_line(exc.server_error or in_words(exc.message), max_len=120)
        return f"Server error: {detail}" if detail else "The server returned an error"
    if isinstance(exc, OSError):
        reason = exc.strerror or type(exc).__name__
        where = f": {exc.filename}" if exc.filename else ""
        return sanitize_line(f"{reason}{where}", max_len=160)
    return sanitize_line(f"Unexpected error: {type(exc).__name__}", max_len=160)
