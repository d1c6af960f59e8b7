"""The reader's lines above the body: the headers, the attachments, and the code and link line.

Pure: each function turns a message (or what was picked from it) into a
:class:`~rich.text.Text`, every untrusted part through :mod:`tmtui.safety`.
"""

from __future__ import annotations

from datetime import datetime

from rich.cells import cell_len
from rich.text import Text

from tmtui.api.models import Message
from tmtui.extract import CodeMatch, RankedLink
from tmtui.humanize import format_size
from tmtui.safety import sanitize_line
from tmtui.safety.addresses import sender_line, sender_view
from tmtui.safety.links import inspect_link


def header_text(message: Message, address: str) -> Text:
    """From, To, Subject and Date, the sender's warning beside it, and a Junk tag."""
    header = Text()
    sender = sender_view(message.sender)
    for label, value in (("From", sender_line(message.sender, 500, full=True)), ("To", address),
                         ("Subject", message.subject or "(no subject)"),
                         ("Date", _local(message.timestamp))):
        header.append(f"{label:>8}: ", style="bold")
        header.append(sanitize_line(value, max_len=500))
        if label == "From" and sender.flagged:
            header.append(f"  {sanitize_line(sender.warning, 200)}", style="bold red")
        header.append("\n")
    header.rstrip()
    if message.id.lower().startswith("junk:"):
        header.append("   [Junk]", style="bold red")
    return header


def with_view(header: Text, view: str, width: int) -> Text:
    """The header and which view shows the body."""
    header = header.copy()
    line = f"view: {view} (v)"
    last_line = header.plain.rsplit("\n", 1)[-1]
    # Beside the date when it fits, else on a line of its own: never broken in two.
    fits = cell_len(last_line) + 3 + len(line) <= width - 2
    header.append(f"   {line}" if fits else f"\n{'View':>8}: {view} (v)", style="dim")
    return header


def attachments_text(message: Message) -> Text:
    text = Text("Attachments (a saves): ", style="bold")
    for i, item in enumerate(message.attachments, 1):
        text.append(f"\n  {i}. ")
        text.append(sanitize_line(item.name, max_len=120), style="underline")
        text.append(f"  {format_size(item.size)}  {sanitize_line(item.type, max_len=60)}", style="dim")
    return text


def code_line(code: CodeMatch | None, link: RankedLink | None, width: int) -> Text:
    """The one-time code and the confirmation link, and the key that copies each."""
    text = Text()
    if code:
        text.append("Code ", style="bold")
        text.append(sanitize_line(code.value, max_len=20), style="bold reverse")
        if code.uncertain:
            text.append(f"  ! {disagreement(code)}", style="bold red")
        text.append("  y copies", style="dim")
    if link:
        if code:
            text.append("   ")
        text.append("Link ", style="bold")
        view = inspect_link(link.url, link.label)
        hint = "  flagged: l to choose it" if view is None or view.flagged else "  Y copies"
        room = width - text.cell_len - len(hint) - 9  # "Link ", padding: the URL gets the rest
        text.append(view.line(room) if view else "", style="underline")
        text.append(hint, style="dim" if view and not view.flagged else "bold red")
    return text


def disagreement(code: CodeMatch) -> str:
    other = f"shows {sanitize_line(code.other, 20)}" if code.other else "shows no code"
    return f"another part of this mail {other}"


def _local(stamp: datetime) -> str:
    return stamp.astimezone().strftime("%a %d %b %Y %H:%M:%S %Z")
