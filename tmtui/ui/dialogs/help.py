"""`?`: every key of the screen underneath, with what it does."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import DataTable, Static

# Textual's own generic keys (horizontal scrolling, focus cycling, text copy) are
# noise in a list meant to show what tmtui does.
GENERIC_ACTIONS = {"scroll_left", "scroll_right", "page_left", "page_right",
                   "app.focus_next", "app.focus_previous", "focus_next", "focus_previous",
                   "screen.copy_text", "copy_text"}


def describe_keys(screen: Screen[Any]) -> list[tuple[str, str]]:
    """(keys, what they do) for the bindings active on ``screen``: footer keys first."""
    seen: dict[str, list[str]] = {}
    actives = sorted(screen.active_bindings.values(), key=lambda a: not a.binding.show)
    for active in actives:
        binding = active.binding
        if binding.action in GENERIC_ACTIONS:
            continue
        description = binding.tooltip or binding.description or binding.action
        if binding.action in ("command_palette", "app.command_palette"):
            description = "Command palette: every action, themes"
        keys = seen.setdefault(description, [])
        display = screen.app.get_key_display(binding)
        if display not in keys:
            keys.append(display)
    return [(" ".join(keys), description) for description, keys in seen.items()]


class HelpDialog(ModalScreen[None]):
    BINDINGS = [Binding("escape,q,question_mark", "dismiss", "Close", show=False)]

    def __init__(self, screen: Screen[Any], title: str) -> None:
        super().__init__()
        self.rows = describe_keys(screen)
        self.title_text = title

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog help-dialog"):
            yield Static(f"Keys: {self.title_text}", markup=False, classes="dialog-title")
            table: DataTable[Text] = DataTable(cursor_type="row", zebra_stripes=True)
            table.add_columns("Key", "Action")
            for keys, description in self.rows:
                table.add_row(Text(keys, style="bold"), Text(description))
            yield table
            yield Static("escape closes", classes="dialog-hint")
