"""The JSON that ``--json`` prints (schema version 1; fields are only ever added).

One JSON document per command, UTF-8, on one line when stdout is not a
terminal (indented when it is). Times are ISO 8601 in UTC (``2026-03-05T10:42:17Z``)
or ``null`` when unknown. Every string that comes from a mail or the server is
sanitised first (:func:`tmtui.safety.sanitize_line` for one-line fields,
:func:`tmtui.safety.sanitize_text` for ``text`` and ``html``): no terminal
control sequence, C0/C1 control (other than newline and tab in ``text`` /
``html``), bidi override or zero-width character survives, so the decoded
value is as safe to print as the plain output. Tokens never appear.

``tmtui new --json``::

    {"address": "k3x9@a.test", "user": "k3x9", "domain": "a.test",
     "expires_at": "2026-03-06T10:42:17Z"}

``tmtui ls --json`` (``default`` marks the mailbox used when none is given)::

    {"mailboxes": [{"address": "k3x9@a.test", "expires_at": "2026-03-06T10:42:17Z",
                    "default": true}]}

``tmtui inbox --json`` (newest first)::

    {"address": "k3x9@a.test",
     "messages": [{"id": "42", "from": "GitHub <noreply@github.com>",
                   "from_address": "noreply@github.com", "from_warning": null,
                   "subject": "Your code", "excerpt": "Your verification code is ...",
                   "date": "2026-03-05T10:42:17Z", "read": false,
                   "has_attachments": false, "folder": "INBOX"}]}

``tmtui read ID --json`` and ``tmtui wait --json``::

    {"id": "42", "address": "k3x9@a.test", "from": "...", "from_address": "...",
     "from_warning": null, "subject": "...",
     "date": "2026-03-05T10:42:17Z",
     "text": "the body as text; links written 'label [n]' and listed at the end",
     "html": "the body's HTML",
     "attachments": [{"name": "report.pdf", "size": 12345, "type": "application/pdf"}],
     "links": [{"url": "https://...", "label": "Verify email",
                "kind": "action" | "other" | "unsubscribe"}],
     "code": {"value": "482913", "confidence": 0.87, "context": "Your code is 482913",
              "uncertain": false, "other": null} | null,
     "link": "https://..." | null}

``from_address`` is the sender's address when the header has one that
follows the address grammar (else null); ``from_warning`` says why the sender
is suspicious when the display name names another address or domain (else
null): disposable mail has no sender authentication. A ``code`` is
``uncertain`` when the mail's text and HTML parts show different codes
(``other`` is what the other part shows), see :mod:`tmtui.extract.pick`.

``links`` are ranked best first (see :mod:`tmtui.extract`); ``link`` is the
first of them when it is a confirmation / sign-in / reset link, else null. URLs
are exactly as in the mail: tracking redirects are never followed.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from tmtui.api.models import Message, MessageSummary
from tmtui.extract import mail_code, rank_links
from tmtui.render import Rendered
from tmtui.safety import sanitize_line, sanitize_text, sender_view
from tmtui.state import SavedMailbox

VERSION = 1
_LINE = 1000  # cells kept of a one-line field
_URL = 10_000  # URLs are never cut (render.safe_url allows 8192 characters)


def iso(value: datetime | None) -> str | None:
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def line(value: str) -> str:
    return sanitize_line(value, _LINE)


def url(value: str) -> str:
    return sanitize_line(value, _URL)


def new_mailbox(address: str, expires_at: datetime | None) -> dict[str, Any]:
    user, _, domain = address.rpartition("@")
    return {"address": line(address), "user": line(user), "domain": line(domain),
            "expires_at": iso(expires_at)}


def mailboxes(saved: list[SavedMailbox]) -> dict[str, Any]:
    last = len(saved) - 1
    return {"mailboxes": [{"address": line(m.address), "expires_at": iso(m.expires_at),
                           "default": index == last, "server": line(m.server)}
                          for index, m in enumerate(saved)]}


def sender(value: str) -> dict[str, Any]:
    """The sender's real address and, when the display name lies about it, why."""
    view = sender_view(value)
    return {"from_address": view.address or None, "from_warning": line(view.warning) or None}


def summary(message: MessageSummary) -> dict[str, Any]:
    return {"id": line(message.id), "from": line(message.sender), **sender(message.sender),
            "subject": line(message.subject),
            "excerpt": line(message.excerpt), "date": iso(message.timestamp), "read": message.read,
            "has_attachments": message.has_attachment, "folder": line(message.folder)}


def inbox(address: str, messages: list[MessageSummary]) -> dict[str, Any]:
    return {"address": line(address), "messages": [summary(m) for m in messages]}


def message(address: str, mail: Message, rendered: Rendered, excerpt: str = "") -> dict[str, Any]:
    """``excerpt``: the listing's, when known (the code of each part is compared)."""
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


def dumps(document: dict[str, Any], *, pretty: bool) -> str:
    return json.dumps(document, ensure_ascii=False, indent=2 if pretty else None)
