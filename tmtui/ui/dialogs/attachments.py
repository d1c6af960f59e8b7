"""Choose which attachments to save: one, several, or all."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import SelectionList, Static

from tmtui.api.models import Attachment
from tmtui.humanize import format_size
from tmtui.safety import sanitize_line
from tmtui.ui.keys import ListDialog


class Choices(SelectionList[int]):
    """Space picks; enter asks the dialog to save (a SelectionList would toggle)."""

    BINDINGS = [Binding("enter", "submit", "Save chosen", show=False)]

    @dataclass
    class Submitted(Message):
        pass

    def action_submit(self) -> None:
        self.post_message(self.Submitted())


class AttachmentDialog(ListDialog[list[int] | None]):
    """Returns the indexes of the chosen attachments, or None when cancelled.

    Keys are handled in the order typed, by the list or, before it has focus,
    by the dialog: `Down Down Enter` typed at once saves the third item.
    """

    BINDINGS = [
        Binding("escape", "dismiss(None)", "Cancel"),
        Binding("A", "all", "Save all"),
        Binding("enter", "save", "Save chosen"),
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
            yield Choices(*choices, id="choices")
            yield Static("space chooses · enter saves chosen (or the highlighted one) · A saves all · "
                         "escape cancels", classes="dialog-hint")

    def on_mount(self) -> None:
        self.query_one(Choices).focus()

    def action_all(self) -> None:
        self.dismiss(list(range(len(self.attachments))))

    @on(Choices.Submitted)
    def action_save(self) -> None:
        choices = self.query_one(Choices)
        chosen = sorted(choices.selected)
        if not chosen and choices.highlighted is not None:
            chosen = [choices.highlighted]
        self.dismiss(chosen or None)
