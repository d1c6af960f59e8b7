"""Dialogs of the mailbox picker: a new random address, a custom name, reopen an address."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Generic, TypeVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.validation import Regex, ValidationResult, Validator
from textual.widgets import Checkbox, Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from tmtui.api.rules import USER_RULE, user_problem
from tmtui.safety import sanitize_line
from tmtui.ui.keys import Move, move

R = TypeVar("R")

ADDRESS_PATTERN = re.compile(r"[^@\s]{1,64}@[A-Za-z0-9.-]{1,253}")


@dataclass(frozen=True, slots=True)
class CustomAddress:
    user: str
    domain: str | None
    label: str = ""  # "" for none


class _CatalogDialog(ModalScreen[R], Generic[R]):
    """A dialog offering the domains of the live catalog (escape cancels)."""

    BINDINGS = [Binding("escape", "dismiss(None)", "Cancel")]

    def __init__(self, domains: list[str], default: str | None) -> None:
        super().__init__()
        self.domains, self.default = domains, default


@dataclass(frozen=True, slots=True)
class NewAddress:
    domain: str | None
    label: str  # "" for none
    private: bool


LABEL_MAX = 64  # as the label dialog (`e`) takes


class NewAddressDialog(_CatalogDialog[NewAddress | None]):
    """A new random address: `enter` creates at once on the default domain.

    The label field has the focus, so a label is typed straight away; the arrow
    keys move the domain list meanwhile (`tab` reaches it, and the private
    toggle, which `space` flips). `enter` creates from anywhere in the dialog.
    """

    DEFAULT_CSS = """
    NewAddressDialog #new-domain { max-height: 6; }
    NewAddressDialog #private { border: none; padding: 0; height: 1; margin-top: 1; }
    """
    BINDINGS = [
        Binding("escape", "dismiss(None)", "Cancel"),
        Binding("enter", "create", "Create", priority=True),
        Binding("up", "move('up')", show=False),
        Binding("down", "move('down')", show=False),
        Binding("pageup", "move('page_up')", show=False),
        Binding("pagedown", "move('page_down')", show=False),
    ]

    def __init__(self, domains: list[str], default: str | None, *, private: bool = False) -> None:
        super().__init__(domains, default)
        self.private = private

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static("New random address: choose a domain", classes="dialog-title")
            options = [Option(Text(sanitize_line(d, max_len=80)), id=str(i)) for i, d in enumerate(self.domains)]
            yield OptionList(*options, id="new-domain")
            yield Input(placeholder="label (optional), e.g. github sign-up", id="new-label", max_length=LABEL_MAX)
            yield Checkbox("Private: an unguessable 16-character name", self.private, id="private")
            yield Static("label: optional · ↑↓ domain · tab, space: private\nenter creates · escape cancels",
                         classes="dialog-hint")

    def on_mount(self) -> None:
        option_list = self.query_one(OptionList)
        option_list.border_title = "Domain"
        if self.domains:
            option_list.highlighted = self.domains.index(self.default) if self.default in self.domains else 0
        label = self.query_one("#new-label", Input)
        label.border_title = "Label"
        label.focus()
        self.query_one(".dialog").styles.padding = (0, 2)  # no blank rows: four domains still fit 60x20

    def action_move(self, how: Move) -> None:
        if not isinstance(self.focused, OptionList):  # the list moves itself when it has the focus
            move(self.query_one(OptionList), how)

    def action_create(self) -> None:
        domain = None
        if self.domains:
            domain = self.domains[self.query_one(OptionList).highlighted or 0]
        self.dismiss(NewAddress(domain, self.query_one("#new-label", Input).value.strip(),
                                self.query_one("#private", Checkbox).value))


def name_problem(value: str) -> str | None:
    """Why ``value`` cannot be a name (the API's rule, and which characters break it), or None."""
    if user_problem(value) is None:
        return None
    # A character is allowed when three of it make a valid name: the rule stays in one place.
    odd = dict.fromkeys(c for c in value if user_problem(c * 3) is not None)
    if not odd:
        return USER_RULE
    shown = " ".join("space" if c == " " else sanitize_line(c, 2) for c in odd)
    return f"{USER_RULE} (not allowed: {sanitize_line(shown, 40)})"


class _UserValidator(Validator):
    def validate(self, value: str) -> ValidationResult:
        problem = name_problem(value)
        return self.success() if problem is None else self.failure(problem)


class CustomAddressDialog(_CatalogDialog[CustomAddress | None]):
    """A chosen name and domain, and an optional label: `enter` (in any of them) creates.

    The name is checked as it is typed and never rewritten: what is claimed is
    what was typed. The domains are a list inside the dialog (no dropdown that
    opens over it, and no second `enter` to get past one).
    """

    # No row for an error not shown (and no blank rows, on_mount): the whole dialog fits 60x20.
    DEFAULT_CSS = """
    CustomAddressDialog #user-error { display: none; }
    """

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static("Custom address", classes="dialog-title")
            yield Input(placeholder=f"name ({USER_RULE})", id="user",
                        validators=[_UserValidator()], validate_on=["changed", "submitted"])
            yield Label("", id="user-error", markup=False)
            if self.domains:
                options = [Option(Text(sanitize_line(d, max_len=80)), id=str(i))
                           for i, d in enumerate(self.domains)]
                yield OptionList(*options, id="domain")
            yield Input(placeholder="label (optional), e.g. github sign-up", id="custom-label", max_length=LABEL_MAX)
            yield Static("enter creates · tab: next field · escape cancels", classes="dialog-hint")

    def on_mount(self) -> None:
        name = self.query_one("#user", Input)
        name.border_title = "Name"  # captions on the borders: no row taken at 60x20
        self.query_one(".dialog").styles.padding = (0, 2)  # over the app's dialog style
        if self.domains:
            domains = self.query_one("#domain", OptionList)
            domains.border_title = "Domain"
            domains.highlighted = self.domains.index(self.default) if self.default in self.domains else 0
        self.query_one("#custom-label", Input).border_title = "Label"
        name.focus()

    @on(Input.Changed, "#user")
    def show_validation(self, event: Input.Changed) -> None:
        problem = name_problem(event.value) if event.value else None  # empty is the start, not an error
        self._say(problem)

    def _say(self, problem: str | None) -> None:
        error = self.query_one("#user-error", Label)
        error.update(problem or "")
        error.display = bool(problem)

    @on(Input.Submitted, "#user")
    @on(Input.Submitted, "#custom-label")
    @on(OptionList.OptionSelected, "#domain")
    def submit(self) -> None:
        name = self.query_one("#user", Input)
        problem = name_problem(name.value)
        if problem is not None:
            self._say(problem)
            name.focus()
            return
        domain = None
        if self.domains:
            highlighted = self.query_one("#domain", OptionList).highlighted
            domain = self.domains[highlighted or 0]
        self.dismiss(CustomAddress(name.value, domain, self.query_one("#custom-label", Input).value.strip()))


class ReopenDialog(ModalScreen[str | None]):
    """Reopen an existing address (its mail stays on the server after a session ends)."""

    BINDINGS = [Binding("escape", "dismiss(None)", "Cancel")]

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static("Reopen an existing address", classes="dialog-title")
            yield Input(placeholder="user@domain", id="address",
                        validators=[Regex(ADDRESS_PATTERN.pattern, failure_description="not an address")])
            yield Label("", id="address-error", markup=False)
            yield Static("enter opens · escape cancels", classes="dialog-hint")

    @on(Input.Submitted, "#address")
    def submit(self, event: Input.Submitted) -> None:
        value = event.value.strip().lower()
        if not ADDRESS_PATTERN.fullmatch(value):
            self.query_one("#address-error", Label).update("Enter a full address: user@domain")
            return
        self.dismiss(value)
