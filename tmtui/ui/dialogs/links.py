"""Pick one of a message's numbered links to copy."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from tmtui.render import Link
from tmtui.safety import sanitize_line
from tmtui.safety.links import link_line


class LinkDialog(ModalScreen[str | None]):
    BINDINGS = [Binding("escape", "dismiss(None)", "Cancel")]

    def __init__(self, links: Sequence[Link]) -> None:
        super().__init__()
        self.links = list(links)

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static("Copy a link", classes="dialog-title")
            yield OptionList(*[
                Option(Text(f"[{link.number}] {sanitize_line(link.label, max_len=40)}  "
                            f"{link_line(link.url, link.label, max_len=100)}"), id=str(i))
                for i, link in enumerate(self.links)
            ])
            yield Static("enter copies · escape cancels", classes="dialog-hint")

    @on(OptionList.OptionSelected)
    def chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(self.links[int(event.option.id or 0)].url)
