"""The footer with `? Keys` first, so the way to every key stays on screen at any width."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.events import Resize
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

HELP_ACTIONS = ("help", "app.help")
COMPACT_BELOW = 100  # columns: narrower terminals get the tighter spacing


class KeysFooter(Footer):
    """Textual's footer, `? Keys` moved to the front; compact on narrow terminals.

    Keys that do not fit are cut at the right edge (Textual's footer does not
    wrap), so the one key that lists all the others goes first.
    """

    def compose(self) -> ComposeResult:
        widgets = list(super().compose())
        first = [w for w in widgets if isinstance(w, FooterKey) and w.action in HELP_ACTIONS]
        yield from first + [w for w in widgets if w not in first]

    def on_resize(self, event: Resize) -> None:
        self.compact = event.size.width < COMPACT_BELOW
