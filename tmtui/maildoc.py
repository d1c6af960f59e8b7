"""One mail as a document to keep or pipe: its headers, then the body as text or Markdown.

``tmtui read ID --markdown`` prints :func:`markdown`; the reader's ``s`` saves
:func:`text` or :func:`markdown` into the download directory, so a saved
``.md`` file and the headless output are the same document. The headers are
those ``tmtui read`` prints (From, To, Subject, Date, Attachments, Code, Link);
the body is the converted one (:class:`tmtui.render.Rendered`), already
sanitised and, in Markdown, escaped so that no sender text becomes a link,
image or raw HTML. Header values are sanitised and escaped here for the same
reason: a subject like ``[click](https://evil.test)`` stays text.
"""

from __future__ import annotations

from tmtui.api.models import Message
from tmtui.extract import mail_code, rank_links
from tmtui.humanize import format_size
from tmtui.mailjson import iso
from tmtui.render import Rendered
from tmtui.render.escape import escape_all
from tmtui.safety import safe_url, sanitize_line, sender_view
from tmtui.safety.addresses import sender_line

__all__ = ["fields", "markdown", "text"]

_CELLS = 500  # a header value is one line of at most this many cells


def fields(address: str, mail: Message, rendered: Rendered, excerpt: str = "") -> list[tuple[str, str]]:
    """(name, value) of each header worth keeping, every value one sanitised line.

    ``excerpt``: the listing's, when known (the codes of the text and HTML parts are compared).
    """
    sender = sender_view(mail.sender)
    warning = f"  ({sanitize_line(sender.warning, 200)})" if sender.flagged else ""
    kept = [("From", sender_line(mail.sender, _CELLS, full=True) + warning),
            ("To", sanitize_line(address, _CELLS)),
            ("Subject", sanitize_line(mail.subject, _CELLS) or "(no subject)"),
            ("Date", iso(mail.timestamp) or "unknown")]
    if mail.attachments:
        kept.append(("Attachments", ", ".join(f"{sanitize_line(a.name, 120)} ({format_size(a.size)})"
                                              for a in mail.attachments)))
    code = mail_code(mail.subject, excerpt, rendered.text)
    if code is not None:
        doubt = f" (uncertain: another part shows {sanitize_line(code.other, 20) or 'no code'})" \
            if code.uncertain else ""
        kept.append(("Code", sanitize_line(code.value, 40) + doubt))
    ranked = rank_links(rendered.links, text=rendered.text)
    if ranked and ranked[0].kind == "action":
        kept.append(("Link", sanitize_line(safe_url(ranked[0].url) or "", 10_000)))
    return kept


def text(headers: list[tuple[str, str]], rendered: Rendered) -> str:
    """``Name: value`` lines, a blank line, the body as plain text."""
    head = "\n".join(f"{name}: {value}" for name, value in headers)
    return f"{head}\n\n{rendered.text.rstrip()}\n"


def markdown(headers: list[tuple[str, str]], rendered: Rendered) -> str:
    """``**Name:** value`` lines (hard breaks), a rule, the body as Markdown.

    Values are escaped; the link is an autolink (``safe_url`` has encoded
    every space, ``<`` and ``>`` in it, so it cannot end early).
    """
    lines = []
    for name, value in headers:
        shown = f"<{value}>" if name == "Link" and value else escape_all(value)
        lines.append(f"**{name}:** {shown}")
    return "  \n".join(lines) + f"\n\n---\n\n{rendered.markdown.rstrip()}\n"
