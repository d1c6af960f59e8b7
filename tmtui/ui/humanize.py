"""One clear line for the user from any error the lower layers raise."""

from __future__ import annotations

from tmtui.api import errors
from tmtui.safety import sanitize_line

_PLAIN: dict[type[errors.ApiError], str] = {
    errors.MailboxNotFound: "That mailbox no longer exists on the server",
    errors.AddressInUse: "That address is in use by another session",
    errors.InvalidSession: "The session has expired; reopening the mailbox",
    errors.TooLarge: "The attachment is larger than the 5 MB the server allows",
    errors.RequestTimeout: "The server did not answer in time",
    errors.TransportError: "Cannot reach the server",
    errors.Forbidden: "The server refused the request",
}


def describe(exc: BaseException) -> str:
    """A single sanitised line; never a traceback, never a token."""
    if isinstance(exc, errors.RateLimited):
        wait = f"; retry in {exc.retry_after:.0f} s" if exc.retry_after else ""
        return f"The server is rate limiting requests{wait}"
    if isinstance(exc, errors.ProtocolError):
        # Our own wording (action and field, never the server's value).
        return sanitize_line(f"Unexpected response from the server: {exc.message}", max_len=200)
    for kind, text in _PLAIN.items():
        if isinstance(exc, kind):
            return text
    if isinstance(exc, errors.ApiError):
        detail = sanitize_line(exc.server_error or exc.message, max_len=120)
        return f"Server error: {detail}" if detail else "The server returned an error"
    if isinstance(exc, OSError):
        reason = exc.strerror or type(exc).__name__
        where = f": {exc.filename}" if exc.filename else ""
        return sanitize_line(f"{reason}{where}", max_len=160)
    return sanitize_line(f"Unexpected error: {type(exc).__name__}", max_len=160)
