"""The footer with `? Keys` first, so the way to every key stays on screen at any width."""

from __future__ import annotations

from collections.abc import Hashable

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

    Textual rebuilds every key on each "bindings changed" signal (focus, screen
    resume, ...): at start-up three times in a row for the same keys, each key
    styled three times (mounted, then its ``compact`` flipped to True and back by
    the binding to the footer's). Both were a fifth of the start-up CPU: the keys
    are rebuilt only when what they show changed, and born with the footer's
    ``compact``.
    """

    _shown: Hashable = None  # what the mounted keys were composed from

    def compose(self) -> ComposeResult:
        self._shown = self._keys_signature()
        widgets = list(super().compose())
        for widget in widgets:
            if isinstance(widget, FooterKey) and "-command-palette" not in widget.classes:
                # Bound to Footer.compact (the palette key is not): start with its value.
                widget.set_reactive(FooterKey.compact, self.compact)
                widget.set_class(self.compact, "-compact", update=False)
        first = [w for w in widgets if isinstance(w, FooterKey) and w.action in HELP_ACTIONS]
        yield from first + [w for w in widgets if w not in first]

    def _keys_signature(self) -> Hashable:
        """Everything Footer.compose reads (bindings are frozen dataclasses: comparable)."""
        if not self._bindings_ready or not self.is_attached:
            return None
        active = tuple((binding, enabled, tooltip) for _node, binding, enabled, tooltip
                       in self.screen.active_bindings.values())
        return active, self.show_command_palette, self.combine_groups, self.app.ENABLE_COMMAND_PALETTE

    async def recompose(self) -> None:
        if self._shown is not None and self._keys_signature() == self._shown:
            return  # the same keys again
        await super().recompose()

    def on_resize(self, event: Resize) -> None:
        self.compact = event.size.width < COMPACT_BELOW
