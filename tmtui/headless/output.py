"""Plain output of the headless commands: sanitised, no colours, script-friendly.

Not a terminal (a pipe, ``$(...)``): one record per line, tab-separated where
there are several fields, times in ISO 8601 UTC. A terminal gets aligned
columns and relative times instead. Either way every mail-derived string has
been through :mod:`tmtui.safety`, and tabs or newlines inside a field are
spaces, so a field never spills into the next one.
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from typing import Any

from tmtui.api.models import Attachment, MessageSummary
from tmtui.headless import schema
from tmtui.humanize import format_size, relative_time
from tmtui.safety import sanitize_line
from tmtui.safety.addresses import sender_line


def is_tty() -> bool:
    try:
        return sys.stdout.isatty()
    except (AttributeError, ValueError):
        return False


def say(text: str = "") -> None:
    print(text, flush=True)


def emit_json(document: dict[str, Any]) -> None:
    say(schema.dumps(document, pretty=is_tty()))


def _field(value: str, cells: int = 1000) -> str:
    return sanitize_line(value, cells)


def message_line(message: MessageSummary, *, tty: bool) -> str:
    """One inbox row: ``id<TAB>date<TAB>from<TAB>subject`` (or aligned columns on a terminal)."""
    if not tty:
        return "\t".join((_field(message.id), schema.iso(message.timestamp) or "",
                          sender_line(message.sender, 1000, full=True), _field(message.subject)))
    mark = " " if message.read else "*"
    clip = "@" if message.has_attachment else " "
    when = relative_time(message.timestamp, datetime.now(UTC))
    sender = sender_line(message.sender, 30, full=True, narrow=True)  # a lying name: "! address (name)"
    return (f"{mark}{clip} {_field(message.id, 12):<12} {when:>10}  {sender:<30}  "
            f"{_field(message.subject, 80)}")


def attachments_line(attachments: tuple[Attachment, ...]) -> str:
    return ", ".join(f"{_field(a.name, 120)} ({format_size(a.size)})" for a in attachments)
