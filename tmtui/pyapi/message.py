"""The values the Python API hands out: :class:`Message` and :class:`Summary`.

Every string in them comes from a mail or the server and passes the one
sanitising boundary (:mod:`tmtui.safety`) first, as in ``tmtui read --json``:
no terminal control sequence, bidi override or zero-width character survives,
so printing one is safe. URLs are kept exactly (never followed or rewritten).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from tmtui.api.models import Attachment, MessageSummary
from tmtui.api.models import Message as ApiMessage
from tmtui.extract import find_code, rank_links
from tmtui.render import Rendered
from tmtui.safety import sanitize_line, sanitize_text

__all__ = ["Attachment", "Message", "Summary"]

_LINE = 1000  # cells kept of a one-line field (as in the headless JSON)
_URL = 10_000  # URLs are never cut in practice


@dataclass(frozen=True, slots=True)
class Message:
    """One mail, read in full.

    - ``text``: the body as text (HTML converted by html2text; links written
      ``label [n]`` and listed at the end); ``html``: the body's HTML.
    - ``code``: the one-time code (:mod:`tmtui.extract`), or None.
    - ``link``: the confirmation / sign-in / reset link, or None.
    - ``links``: every link of the body, best first, unsubscribe last.
    - ``attachments``: name, size (bytes) and type of each; :meth:`AsyncMailbox.save` writes them.
    - ``date``: the server's time of arrival (UTC).
    - ``id``: the server's id, kept exactly as given, to pass back to ``read`` / ``delete``.
    """

    id: str
    sender: str
    subject: str
    date: datetime
    text: str
    html: str
    code: str | None
    link: str | None
    attachments: tuple[Attachment, ...] = ()
    links: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Summary:
    """One row of the inbox: what the listing says, without the body."""

    id: str
    sender: str
    subject: str
    excerpt: str
    date: datetime
    read: bool
    has_attachments: bool


def _line(value: str) -> str:
    return sanitize_line(value, _LINE)


def message_of(mail: ApiMessage, rendered: Rendered) -> Message:
    """A :class:`Message` from the API's message and its rendered body."""
    code = find_code(mail.subject, rendered.text)
    ranked = rank_links(rendered.links, text=rendered.text)
    best = ranked[0] if ranked and ranked[0].kind == "action" else None
    return Message(
        id=mail.id, sender=_line(mail.sender), subject=_line(mail.subject), date=mail.timestamp,
        text=sanitize_text(rendered.text), html=sanitize_text(mail.html),
        code=None if code is None else sanitize_line(code.value, 40),
        link=None if best is None else sanitize_line(best.url, _URL),
        attachments=tuple(Attachment(_line(a.name), a.size, _line(a.type)) for a in mail.attachments),
        links=tuple(sanitize_line(link.url, _URL) for link in ranked),
    )


def summary_of(message: MessageSummary) -> Summary:
    return Summary(id=message.id, sender=_line(message.sender), subject=_line(message.subject),
                   excerpt=_line(message.excerpt), date=message.timestamp, read=message.read,
                   has_attachments=message.has_attachment)
