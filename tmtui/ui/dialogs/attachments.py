"""Choose which attachments to save: one, several, or all."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import SelectionList, Static

from tmtui.api.models import Attachment
from tmtui.humanize import format_size
from tmtui.safety import sanitize_line


class AttachmentDialog(ModalScreen[list[int] | None]):
    """Returns the indexes of the chosen attachments, or None when cancelled."""

    BINDINGS = [
        Binding("escape", "dismiss(None)", "Cancel"),
        Binding("A", "all", "Save all"),
        # priority: the list would otherwise take enter to toggle an option.
        Binding("enter", "save", "Save chosen", priority=True),
    ]

    def __init__(self, attachments: tuple[Attachment, ...]) -> None:
        super().__init__()
        self.attachments = attachments

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static("Save attachments", classes="dialog-title")
            choices = [
                (Text(f"{sanitize_line(a.name, max_len=60)}  {format_size(a.size)}  "
                      f"{sanitize_line(a.type, max_len=40)}"), i)
                for i, a in enumerate(self.attachments)
            ]
            yield SelectionList[int](*choices, id="choices")
            yield Static("space chooses · enter saves chosen (or the highlighted one) · A saves all · "
                         "escape cancels", classes="dialog-hint")

    def on_mount(self) -> None:
        self.query_one(SelectionList).focus()

    def action_all(self) -> None:
        self.dismiss(list(range(len(self.attachments))))

    def action_save(self) -> None:
        choices = self.query_one(SelectionList)
        chosen = sorted(choices.selected)
        if not chosen and choices.highlighted is not None:
            chosen = [choices.highlighted]
        self.dismiss(chosen or None)
