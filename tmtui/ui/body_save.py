"""``s``: save a message body as text, Markdown or HTML into the download directory.

The name comes from the subject, made one harmless file name: slashes become
``-`` (a subject is not a path), control and invisible characters go, a name
never starts with ``-`` or ``.`` (:func:`tmtui.safety.safe_filename`), and it is
cut to :data:`MAX_STEM` characters. The file is written as attachments are
(:func:`tmtui.files.save_atomically`): to a temporary file first, then linked
(or ``O_EXCL``-created) under the first free name, ``name.md``,
``name (1).md``...: an existing file is never replaced, and a failed save
leaves nothing behind.

Text and Markdown are the converted body with the headers
(:mod:`tmtui.maildoc`, the same document ``tmtui read --markdown`` prints);
HTML is the body's HTML exactly as received: a file to keep, not to render here.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from textual.app import App

from tmtui import maildoc
from tmtui.api.models import Message
from tmtui.files import Sink, save_atomically
from tmtui.humanize import describe
from tmtui.render import Rendered
from tmtui.safety import safe_filename, sanitize_line
from tmtui.store import SessionStore

__all__ = ["FORMS", "body_bytes", "body_name", "save_body", "save_body_toast"]

FORMS = {"text": ".txt", "markdown": ".md", "html": ".html"}
MAX_STEM = 80  # characters of the subject kept in the name
_SEPARATORS = re.compile(r"[/\\]+")
_SPACES = re.compile(r"\s+")


def body_name(subject: str, form: str) -> str:
    """``Your code: 4/5`` -> ``Your code_ 4-5.md``: one safe name with the form's extension."""
    stem = _SPACES.sub(" ", _SEPARATORS.sub("-", subject)).strip()[:MAX_STEM]
    # The extension is added before making it safe, so a trailing dot or a device name is handled once.
    return safe_filename(f"{stem or 'message'}{FORMS[form]}", fallback=f"message{FORMS[form]}")


def body_bytes(form: str, address: str, message: Message, rendered: Rendered, excerpt: str = "") -> bytes:
    if form == "html":
        return message.html.encode("utf-8", "replace")  # a lone surrogate cannot be written as UTF-8
    headers = maildoc.fields(address, message, rendered, excerpt)
    document = maildoc.markdown(headers, rendered) if form == "markdown" else maildoc.text(headers, rendered)
    return document.encode("utf-8")


async def save_body(directory: Path, form: str, address: str, message: Message, rendered: Rendered,
                    excerpt: str = "") -> Path:
    """The saved file's absolute path; raises OSError when it cannot be written."""
    data = body_bytes(form, address, message, rendered, excerpt)

    async def write(sink: Sink) -> None:
        sink(data)

    return await save_atomically(directory, body_name(message.subject, form), write)


async def save_body_toast(app: App[Any], store: SessionStore, directory: Path, address: str, form: str,
                          message: Message, rendered: Rendered) -> Path | None:
    """Save from the reader; the toast says the path, or why it could not be saved."""
    mailbox = store.get(address)
    index = mailbox.index_of(message.id) if mailbox is not None else None
    excerpt = mailbox.messages[index].excerpt if mailbox is not None and index is not None else ""
    try:
        path = await save_body(directory, form, address, message, rendered, excerpt)
    except OSError as exc:
        app.notify(describe(exc), severity="error", markup=False, timeout=8)
        return None
    app.notify(f"Saved {sanitize_line(str(path), 500)}", markup=False, timeout=8)
    return path
