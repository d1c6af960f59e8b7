"""Choose the form a message body is saved in: text, Markdown or the HTML as received."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from tmtui.ui.keys import ListDialog

# (form, key, what the list says): the forms of tmtui.ui.body_save.
FORMS = (("text", "t", "Text (.txt): headers and the body as plain text"),
         ("markdown", "m", "Markdown (.md): headers and the body as Markdown"),
         ("html", "h", "HTML (.html): the body's HTML as received, not rendered"))


class SaveBodyDialog(ListDialog[str | None]):
    """Returns "text", "markdown" or "html", or None when cancelled; t, m, h choose at once."""

    BINDINGS = [Binding("escape", "dismiss(None)", "Cancel"),
                *[Binding(key, f"dismiss('{form}')", label.split(" (")[0], show=False)
                  for form, key, label in FORMS]]

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static("Save the message as", classes="dialog-title")
            yield OptionList(*[Option(f"{key}  {label}", id=form) for form, key, label in FORMS])
            yield Static("t, m, h or enter saves into the download folder · escape cancels",
                         classes="dialog-hint")

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()

    @on(OptionList.OptionSelected)
    def chosen(self) -> None:
        highlighted = self.query_one(OptionList).highlighted
        if highlighted is not None:
            self.dismiss(FORMS[highlighted][0])
