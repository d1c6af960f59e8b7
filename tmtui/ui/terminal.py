"""What tmtui writes to the terminal besides the screen: title, desktop notifications.

Every payload is reduced to printable ASCII first, so no sender-controlled byte can
end the sequence early or start another one.
"""

from __future__ import annotations

import re
from typing import Any

from textual.app import App

from tmtui.safety import sanitize_line

_UNSAFE = re.compile(r"[^\x20-\x7e]|;")  # ';' separates OSC 777 fields


def _payload(text: str, limit: int) -> str:
    return _UNSAFE.sub("", sanitize_line(text, max_len=limit)).strip()


def _write(app: App[Any], sequence: str) -> None:
    driver = app._driver  # Textual has no public raw-write API (bell() uses it too)
    if not app.is_headless and driver is not None:
        driver.write(sequence)


def set_title(app: App[Any], title: str) -> None:
    """OSC 2 window title. Callers pass counts and app names only, never mail content."""
    _write(app, f"\x1b]2;{_payload(title, 60)}\x07")


def desktop_notify(app: App[Any], title: str, body: str) -> None:
    """OSC 777 (rxvt, foot, WezTerm, Ghostty…) and OSC 9 (iTerm2, Windows Terminal, kitty)."""
    clean_title, clean_body = _payload(title, 60), _payload(body, 120)
    _write(app, f"\x1b]777;notify;{clean_title};{clean_body}\x1b\\")
    _write(app, f"\x1b]9;{clean_title}: {clean_body}\x07")
