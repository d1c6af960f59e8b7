"""Name a mailbox: a label ("github sign-up") and an optional note, kept in the registry."""

from __future__ import annotations

from dataclasses import dataclass

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from tmtui.safety import sanitize_line


@dataclass(frozen=True, slots=True)
class LabelChoice:
    label: str
    note: str


class LabelDialog(ModalScreen[LabelChoice | None]):
    """Edit the label and note of ``address``; enter saves, escape cancels."""

    BINDINGS = [Binding("escape", "dismiss(None)", "Cancel")]

    def __init__(self, address: str, label: str = "", note: str = "") -> None:
        super().__init__()
        self.address, self.label, self.note = address, label, note

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(f"Label {sanitize_line(self.address, 80)}", classes="dialog-title", markup=False)
            yield Input(self.label, placeholder="label, e.g. github sign-up", id="label", max_length=64)
            yield Input(self.note, placeholder="note (optional)", id="note", max_length=300)
            yield Static("enter saves · tab: label / note · escape cancels", classes="dialog-hint")

    def on_mount(self) -> None:
        self.query_one("#label", Input).focus()

    @on(Input.Submitted)
    def submit(self) -> None:
        self.dismiss(LabelChoice(self.query_one("#label", Input).value.strip(),
                                 self.query_one("#note", Input).value.strip()))
