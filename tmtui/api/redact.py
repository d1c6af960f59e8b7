"""Keep tokens out of log records, including the ones httpx and httpcore write.

The mailbox event token travels in the SSE URL (``/events/mailbox?token=...``)
because the contract puts it there, and in the ``X-Mailbox-Event-Token``
response header. httpx logs every request URL at INFO and httpcore traces
response headers at DEBUG, so without help the token would reach any log
handler the application (or a test's ``caplog``) installs. A
:class:`logging.Filter` on those loggers rewrites each record with the token
replaced before any handler sees it.

A logger's filters only run for records logged *to that logger*, not for
records propagating from its children, so the filter is attached to every
httpcore child logger by name, not just to ``httpcore``.
"""

from __future__ import annotations

import logging
import re

# Names containing "token": sid_token, mailbox_event_token, X-Mailbox-Event-Token.
_NAME = r"[\w\[\]-]*token[\w\[\]-]*"
_PATTERNS = (
    # Query or form parameter: token=VALUE, sid_token=VALUE.
    re.compile(rf"(?i)(\b{_NAME}(?:=|%3D))[^&\s\"'<>)]*"),
    # httpcore's DEBUG trace of response headers: (b'x-mailbox-event-token', b'VALUE').
    re.compile(rf"(?i)(b?['\"]{_NAME}['\"],\s*b?['\"])[^'\"]*"),
    # A JSON member or dict item: "mailbox_event_token": "VALUE".
    re.compile(rf"(?i)(['\"]{_NAME}['\"]\s*:\s*b?['\"])[^'\"]*"),
    # A header line: X-Mailbox-Event-Token: VALUE.
    re.compile(rf"(?i)(\b{_NAME}:[ \t]*)[^\s,;'\"]+"),
)

# Loggers httpx 0.28 / httpcore 1.x write to; existing children are added at
# install time in case a newer httpcore adds more.
_HTTP_LOGGERS = (
    "httpx",
    "httpcore",
    "httpcore.connection",
    "httpcore.http11",
    "httpcore.http2",
    "httpcore.proxy",
    "httpcore.socks",
)


def redact(text: str) -> str:
    """Return ``text`` with the value of every token-named parameter, header or field masked."""
    if "oken" not in text and "OKEN" not in text:
        return text  # cheap path: most records mention no token at all
    for pattern in _PATTERNS:
        text = pattern.sub(r"\1***", text)
    return text


class RedactTokensFilter(logging.Filter):
    """Rewrites a record's message with token values masked; never drops records."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a malformed record is not ours to fix; let it through
            return True
        cleaned = redact(message)
        if cleaned != message:
            # Freeze the formatted text so handlers cannot re-format the raw args.
            record.msg = cleaned
            record.args = None
        return True


_FILTER = RedactTokensFilter()


def install_log_redaction() -> None:
    """Attach the redacting filter to the httpx/httpcore loggers (idempotent)."""
    names = set(_HTTP_LOGGERS)
    names.update(
        name
        for name in logging.Logger.manager.loggerDict
        if name.startswith(("httpx.", "httpcore."))
    )
    for name in sorted(names):
        logger = logging.getLogger(name)
        if _FILTER not in logger.filters:
            logger.addFilter(_FILTER)
