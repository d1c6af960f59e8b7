"""What a running TUI says when another tmtui (a script, a second TUI) changes the saved mailboxes.

The sync core merges the state file and updates the store; the new rows just
appear. A notice says why, so a mailbox that appears or vanishes is never a mystery.
"""

from __future__ import annotations

from collections.abc import Sequence

from tmtui.safety import sanitize_line


def _what(addresses: Sequence[str]) -> tuple[str, str]:
    """(subject, verb agreement) naming one mailbox, or counting several."""
    if len(addresses) == 1:
        return sanitize_line(addresses[0], 80), "was"
    return f"{len(addresses)} mailboxes", "were"


def notices(added: Sequence[str], forgotten: Sequence[str]) -> list[str]:
    """One line for the mailboxes another tmtui added, one for those it forgot."""
    lines = []
    if added:
        subject, _ = _what(added)
        lines.append(f"{subject} added by another tmtui")
    if forgotten:
        subject, verb = _what(forgotten)
        lines.append(f"{subject} {verb} forgotten by another tmtui")
    return lines
