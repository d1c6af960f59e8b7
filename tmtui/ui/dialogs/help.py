"""`?`: every key of the screen underneath, with what it does, in two columns where they fit.

The list is made from the screen's active bindings (so it cannot drift from
the code) and scrolls when the terminal is too small for it.
"""

from __future__ import annotations

from typing import Any

from rich.console import Console, ConsoleOptions, RenderResult
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Static

from tmtui.safety import sanitize_line
from tmtui.ui.keys import MOVES, Move, scroll

# Textual's own generic keys (horizontal moves, focus cycling, text copy, a table's
# ctrl+home/end beside g/G) are noise in a list meant to show what tmtui does.
GENERIC_ACTIONS = {"scroll_left", "scroll_right", "page_left", "page_right",
                   "cursor_left", "cursor_right", "scroll_top", "scroll_bottom",
                   "app.focus_next", "app.focus_previous", "focus_next", "focus_previous",
                   "screen.copy_text", "copy_text"}
PALETTE_ACTIONS = ("command_palette", "app.command_palette")
TWO_COLUMNS = 64  # content width from which the keys are laid out side by side


def describe_keys(screen: Screen[Any]) -> list[tuple[str, str]]:
    """(keys, what they do) for the bindings active on ``screen``: footer keys first.

    Keys that do the same are shown together (``↓ j  Down``), however their
    bindings spell it.
    """
    groups: list[tuple[str, list[str]]] = []
    by_name: dict[str, int] = {}  # an action, or a description in lower case -> its group
    actives = sorted(screen.active_bindings.values(), key=lambda a: not a.binding.show)
    for active in actives:
        binding = active.binding
        if binding.action in GENERIC_ACTIONS:
            continue
        description = binding.tooltip or binding.description or binding.action
        if binding.action in PALETTE_ACTIONS:
            description = "Command palette, themes"
        names = (binding.action.removeprefix("app."), description.lower())
        index = next((by_name[n] for n in names if n in by_name), None)
        if index is None:
            index = len(groups)
            groups.append((description, []))
        for name in names:
            by_name.setdefault(name, index)
        keys = groups[index][1]
        display = screen.app.get_key_display(binding)
        if display not in keys:
            keys.append(display)
    return [(" ".join(keys), description) for description, keys in groups]


def key_table(rows: list[tuple[str, str]], width: int) -> Table:
    """The keys as a table: two columns side by side when ``width`` allows, else one."""
    columns = 2 if width >= TWO_COLUMNS and len(rows) > 1 else 1
    table = Table.grid(padding=(0, 2 if columns == 1 else 1), expand=True)
    for _ in range(columns):
        table.add_column(no_wrap=True, style="bold")
        table.add_column(ratio=1)
    half = -(-len(rows) // columns)  # down the left column first, then the right
    for i in range(half):
        cells: list[Text] = []
        for column in range(columns):
            index = column * half + i
            keys, description = rows[index] if index < len(rows) else ("", "")
            cells += [Text(keys), Text(description)]
        table.add_row(*cells)
    return table


class KeyTable:
    """The key table laid out for the width it is drawn at (one or two columns)."""

    def __init__(self, rows: list[tuple[str, str]]) -> None:
        self.rows = rows

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        yield key_table(self.rows, options.max_width)


class HelpDialog(ModalScreen[None]):
    BINDINGS = [
        Binding("escape,q,question_mark", "dismiss", "Close", show=False),
        *[Binding(keys, f"scroll_keys('{how}')", description, show=False)
          for how, (keys, description) in MOVES.items()],
    ]

    def __init__(self, screen: Screen[Any], title: str) -> None:
        super().__init__()
        self.rows = describe_keys(screen)
        self.title_text = title

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog help-dialog"):
            yield Static(Text(f"Keys: {sanitize_line(self.title_text, max_len=80)}"), classes="dialog-title")
            with VerticalScroll(id="help-keys"):
                yield Static(KeyTable(self.rows), id="help-table")
            yield Static("escape closes · j/k and PgUp/PgDn scroll", classes="dialog-hint")

    def on_mount(self) -> None:
        self.query_one("#help-keys").can_focus = False  # the dialog's keys scroll it

    def action_scroll_keys(self, how: Move) -> None:
        scroll(self.query_one("#help-keys"), how)
