"""The JSON document of one mail, shared by every place that hands a mail to a program.

``tmtui read --json`` and ``tmtui wait --json`` print it (its schema is
documented in :mod:`tmtui.headless.schema`); the rules' ``run`` and
``webhook`` actions (:mod:`tmtui.rules`) send it. It lives below both, so
the scripts and the rule engine (which the TUI uses too) build one document
the same way. Every string from the mail is sanitised here; tokens never
appear.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from tmtui.api.models import Message
from tmtui.extract import mail_code, rank_links
from tmtui.render import Rendered
from tmtui.safety import sanitize_line, sanitize_text, sender_view

__all__ = ["iso", "line", "message", "url"]

_LINE = 1000  # cells kept of a one-line field
_URL = 10_000  # URLs are never cut (render.safe_url allows 8192 characters)


def iso(value: datetime | None) -> str | None:
    """ISO 8601 in UTC (``2026-03-05T10:42:17Z``); a naive time is taken as UTC."""
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def line(value: str) -> str:
    return sanitize_line(value, _LINE)


def url(value: str) -> str:
    return sanitize_line(value, _URL)


def sender(value: str) -> dict[str, Any]:
    """The sender's real address and, when the display name lies about it, why."""
    view = sender_view(value)
    return {"from_address": view.address or None, "from_warning": line(view.warning) or None}


def message(address: str, mail: Message, rendered: Rendered, excerpt: str = "") -> dict[str, Any]:
    """The document of ``mail`` (read from ``address``), with its code and best link.

    ``excerpt``: the listing's, when known (the code of each part is compared).
    """
    code = mail_code(mail.subject, excerpt, rendered.text)
    ranked = rank_links(rendered.links, text=rendered.text)
    return {
        "id": line(mail.id), "address": line(address), "from": line(mail.sender), **sender(mail.sender),
        "subject": line(mail.subject), "date": iso(mail.timestamp),
        "text": sanitize_text(rendered.text), "html": sanitize_text(mail.html),
        "attachments": [{"name": line(a.name), "size": a.size, "type": line(a.type)}
                        for a in mail.attachments],
        "links": [{"url": url(link.url), "label": line(link.label), "kind": link.kind} for link in ranked],
        "code": None if code is None else {"value": line(code.value), "confidence": code.confidence,
                                           "context": line(code.context), "uncertain": code.uncertain,
                                           "other": line(code.other) or None},
        "link": url(ranked[0].url) if ranked and ranked[0].kind == "action" else None,
    }
