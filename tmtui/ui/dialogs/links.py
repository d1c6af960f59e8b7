"""Pick one of a message's numbered links to copy, or to open in the browser."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from tmtui.render import Link
from tmtui.safety import sanitize_line
from tmtui.safety.links import link_line
from tmtui.ui.keys import ListDialog


class LinkDialog(ListDialog[str | None]):
    """Copy a link: move and enter, or type its number (``[12]``: 1 then 2).

    With ``opener``, ``o`` hands the highlighted link to it (to open in the
    browser) and the dialog closes with None; ``opening`` makes enter and the
    numbers open too (the reader's ``o`` when the mail has no confirmation link).
    """

    BINDINGS = [Binding("escape", "dismiss(None)", "Cancel"),
                Binding("o", "open", "Open in the browser", show=False),
                *[Binding(str(d), f"number({d})", "Copy link [n]", show=False) for d in range(10)]]

    def __init__(self, links: Sequence[Link], opener: Callable[[str, str], None] | None = None, *,
                 opening: bool = False) -> None:
        super().__init__()
        self.links = list(links)
        self.opener = opener
        self.opening = opening and opener is not None
        self._typed = ""

    def _pick(self, index: int) -> None:
        link = self.links[index]
        if self.opening and self.opener is not None:
            self.dismiss(None)
            self.opener(link.url, link.label)
        else:
            self.dismiss(link.url)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return self.opener is not None if action == "open" else True

    def action_open(self) -> None:
        highlighted = self.query_one(OptionList).highlighted
        if self.opener is not None and highlighted is not None:
            self.opening = True
            self._pick(highlighted)

    def compose(self) -> ComposeResult:
        verb = "opens" if self.opening else "copies"
        hint = f"a number or enter {verb}{' · o opens' if self.opener and not self.opening else ''} · escape cancels"
        with Vertical(classes="dialog"):
            yield Static("Open a link in the browser" if self.opening else "Copy a link", classes="dialog-title")
            yield OptionList(*[
                Option(Text(f"[{link.number}] {sanitize_line(link.label, max_len=40)}  "
                            f"{link_line(link.url, link.label, max_len=100)}"), id=str(i))
                for i, link in enumerate(self.links)
            ])
            yield Static(hint, classes="dialog-hint")

    def action_number(self, digit: int) -> None:
        """Copy link [n] once the digits typed name exactly one link; until then, highlight it."""
        typed = self._typed + str(digit)
        numbers = [str(link.number) for link in self.links]
        if not any(n.startswith(typed) for n in numbers):
            typed = str(digit)  # a fresh number
            if not any(n.startswith(typed) for n in numbers):
                self._typed = ""
                self.notify(f"No link [{sanitize_line(typed, 10)}]", markup=False, timeout=2)
                return
        self._typed = typed
        if typed in numbers:
            self.query_one(OptionList).highlighted = numbers.index(typed)
        if [n for n in numbers if n.startswith(typed)] == [typed]:
            self._pick(numbers.index(typed))

    @on(OptionList.OptionSelected)
    def chosen(self) -> None:
        # The highlight now, not the event's: a key typed before enter may have moved it since.
        highlighted = self.query_one(OptionList).highlighted
        if highlighted is not None:
            self._pick(highlighted)
