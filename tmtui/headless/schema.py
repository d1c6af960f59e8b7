"""The JSON that ``--json`` prints (schema version 1; fields are only ever added).

One JSON document per command, UTF-8, on one line when stdout is not a
terminal (indented when it is). Times are ISO 8601 in UTC (``2026-03-05T10:42:17Z``)
or ``null`` when unknown. Every string that comes from a mail or the server is
sanitised first (:func:`tmtui.safety.sanitize_line` for one-line fields,
:func:`tmtui.safety.sanitize_text` for ``text`` and ``html``): no terminal
control sequence, C0/C1 control (other than newline and tab in ``text`` /
``html``), bidi override or zero-width character survives, so the decoded
value is as safe to print as the plain output. Tokens never appear, but in
``tmtui export --with-tokens``.

``tmtui new --json`` and ``tmtui open --json`` (``label`` / ``note``: null when not set)::

    {"address": "k3x9@a.test", "user": "k3x9", "domain": "a.test",
     "expires_at": "2026-03-06T10:42:17Z", "label": "github", "note": null}

``tmtui ls --json`` (``default`` marks the mailbox used when none is given;
``server`` is the normalised base URL that issued the session)::

    {"mailboxes": [{"address": "k3x9@a.test", "expires_at": "2026-03-06T10:42:17Z",
                    "default": true, "server": "https://tempmailmmo.com",
                    "label": "github", "note": "sign-up, 2FA on"}]}

``tmtui export`` (every server's saved mailboxes; ``sid_token`` only with
``--with-tokens``; ``tmtui import`` reads this, and also a ``sessions.json``)::

    {"tmtui_export": 1, "exported_at": "2026-03-06T10:42:17Z",
     "mailboxes": [{"address": "k3x9@a.test", "server": "https://tempmailmmo.com",
                    "label": "github", "note": null, "expires_at": "2026-03-06T10:42:17Z",
                    "sid_token": "..."}]}

``tmtui import --json``: ``{"added": 2, "updated": 1, "unchanged": 0}``.

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
are exactly as in the mail: tracking redirects are never followed. The
``read`` / ``wait`` document is built by :func:`tmtui.mailjson.message`, which
the rules' ``run`` and ``webhook`` actions send too.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from tmtui.api.models import MessageSummary
from tmtui.mailjson import iso, line, message, sender, url
from tmtui.state import SavedMailbox

__all__ = ["VERSION", "dumps", "inbox", "iso", "line", "mailboxes", "message", "new_mailbox", "summary",
           "url"]

VERSION = 1
EXPORT_VERSION = 1


def optional(value: str) -> str | None:
    """A label or note: null when not set."""
    return line(value) if value else None


def new_mailbox(address: str, expires_at: datetime | None, label: str = "", note: str = "") -> dict[str, Any]:
    user, _, domain = address.rpartition("@")
    return {"address": line(address), "user": line(user), "domain": line(domain),
            "expires_at": iso(expires_at), "label": optional(label), "note": optional(note)}


def mailboxes(saved: list[SavedMailbox]) -> dict[str, Any]:
    last = len(saved) - 1
    return {"mailboxes": [{"address": line(m.address), "expires_at": iso(m.expires_at),
                           "default": index == last, "server": line(m.server),
                           "label": optional(m.label), "note": optional(m.note)}
                          for index, m in enumerate(saved)]}


def export(saved: list[SavedMailbox], *, with_tokens: bool, now: datetime) -> dict[str, Any]:
    """The registry as ``tmtui import`` reads it; tokens only when asked for."""
    entries = []
    for m in saved:
        entry: dict[str, Any] = {"address": line(m.address), "server": line(m.server),
                                 "label": optional(m.label), "note": optional(m.note),
                                 "expires_at": iso(m.expires_at)}
        if with_tokens:
            entry["sid_token"] = m.sid_token.reveal() if m.sid_token else None
        entries.append(entry)
    return {"tmtui_export": EXPORT_VERSION, "exported_at": iso(now), "mailboxes": entries}


def summary(message: MessageSummary) -> dict[str, Any]:
    return {"id": line(message.id), "from": line(message.sender), **sender(message.sender),
            "subject": line(message.subject),
            "excerpt": line(message.excerpt), "date": iso(message.timestamp), "read": message.read,
            "has_attachments": message.has_attachment, "folder": line(message.folder)}


def inbox(address: str, messages: list[MessageSummary]) -> dict[str, Any]:
    return {"address": line(address), "messages": [summary(m) for m in messages]}


def dumps(document: dict[str, Any], *, pretty: bool) -> str:
    return json.dumps(document, ensure_ascii=False, indent=2 if pretty else None)
