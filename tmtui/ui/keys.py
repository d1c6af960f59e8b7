"""One set of movement keys for every list: the inbox, the picker's table and the dialogs' lists.

``MOVES`` names the keys once. A widget binds them to its own actions
(:func:`bindings_for`); a dialog binds them at the screen
(:class:`ListDialog`), so keys typed before its list has focus still move it.
"""

from __future__ import annotations

from typing import Generic, Literal, TypeVar

from textual.binding import Binding, BindingType
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import DataTable, OptionList

R = TypeVar("R")
Move = Literal["down", "up", "page_down", "page_up", "first", "last"]

# move -> (keys, description for `?`)
MOVES: dict[Move, tuple[str, str]] = {
    "down": ("j,down", "Down"),
    "up": ("k,up", "Up"),
    "page_down": ("pagedown", "Page down"),
    "page_up": ("pageup", "Page up"),
    "first": ("g,home", "First"),
    "last": ("G,end", "Last"),
}


def bindings_for(actions: dict[Move, str]) -> list[BindingType]:
    """The movement keys bound to a widget's own actions (``{"down": "cursor(1)", ...}``)."""
    return [Binding(MOVES[move][0], action, MOVES[move][1], show=False) for move, action in actions.items()]


def move(widget: Widget, how: Move) -> None:
    """Move the cursor of an OptionList (and SelectionList) or a DataTable."""
    if isinstance(widget, OptionList):
        if widget.highlighted is None and widget.option_count:
            widget.highlighted = 0  # as focus would: a key typed before it moves from the first
        actions = {"down": widget.action_cursor_down, "up": widget.action_cursor_up,
                   "page_down": widget.action_page_down, "page_up": widget.action_page_up,
                   "first": widget.action_first, "last": widget.action_last}
        actions[how]()
    elif isinstance(widget, DataTable):
        if how in ("first", "last"):
            row = 0 if how == "first" else max(0, widget.row_count - 1)
            widget.move_cursor(row=row)
        else:
            getattr(widget, f"action_{'cursor_' if how in ('down', 'up') else ''}{how}")()


class ListDialog(ModalScreen[R], Generic[R]):
    """A dialog around one list, with the movement keys bound at the screen.

    A key typed before the list has focus reaches the screen, which moves the
    list: nothing typed right after the dialog opens is lost. Once the list
    has focus it takes the keys it knows, and the rest (j, k, g, G) come here.
    """

    BINDINGS = [Binding(keys, f"move('{name}')", description, show=False)
                for name, (keys, description) in MOVES.items()]

    def moving_list(self) -> Widget:
        return self.query_one(OptionList)

    def action_move(self, how: Move) -> None:
        move(self.moving_list(), how)


def scroll(widget: Widget, how: Move) -> None:
    """Move the view of a scrolling widget (a pager's keys: by line, page, to either end)."""
    if how in ("down", "up"):
        widget.scroll_relative(y=1 if how == "down" else -1, animate=False)
    elif how == "page_down":
        widget.scroll_page_down(animate=False)
    elif how == "page_up":
        widget.scroll_page_up(animate=False)
    elif how == "first":
        widget.scroll_home(animate=False)
    else:
        widget.scroll_end(animate=False)
