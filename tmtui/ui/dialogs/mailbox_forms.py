"""Dialogs of the mailbox picker: pick a domain, choose a custom name, reopen an address."""

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
from textual.widgets import Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from tmtui.api.rules import USER_RULE, user_problem
from tmtui.safety import sanitize_line

R = TypeVar("R")

ADDRESS_PATTERN = re.compile(r"[^@\s]{1,64}@[A-Za-z0-9.-]{1,253}")


@dataclass(frozen=True, slots=True)
class CustomAddress:
    user: str
    domain: str | None


class _CatalogDialog(ModalScreen[R], Generic[R]):
    """A dialog offering the domains of the live catalog (escape cancels)."""

    BINDINGS = [Binding("escape", "dismiss(None)", "Cancel")]

    def __init__(self, domains: list[str], default: str | None) -> None:
        super().__init__()
        self.domains, self.default = domains, default


class DomainDialog(_CatalogDialog[str | None]):
    """Choose the domain of a new random address from the live catalog."""

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static("New random address: choose a domain", classes="dialog-title")
            options = [Option(Text(sanitize_line(d, max_len=80)), id=str(i)) for i, d in enumerate(self.domains)]
            yield OptionList(*options, id="domains")
            yield Static("enter creates · escape cancels", classes="dialog-hint")

    def on_mount(self) -> None:
        option_list = self.query_one(OptionList)
        if self.default in self.domains:
            option_list.highlighted = self.domains.index(self.default)
        option_list.focus()

    @on(OptionList.OptionSelected)
    def chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(self.domains[int(event.option.id or 0)])


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
    """A chosen name and domain: `enter` (in the name or the list of domains) creates.

    The name is checked as it is typed and never rewritten: what is claimed is
    what was typed. The domains are a list inside the dialog (no dropdown that
    opens over it, and no second `enter` to get past one).
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
            yield Static("enter creates · tab: name / domain · escape cancels", classes="dialog-hint")

    def on_mount(self) -> None:
        name = self.query_one("#user", Input)
        name.border_title = "Name"  # captions on the borders: no row taken at 60x20
        if self.domains:
            domains = self.query_one("#domain", OptionList)
            domains.border_title = "Domain"
            domains.highlighted = self.domains.index(self.default) if self.default in self.domains else 0
        name.focus()

    @on(Input.Changed, "#user")
    def show_validation(self, event: Input.Changed) -> None:
        problem = name_problem(event.value) if event.value else None  # empty is the start, not an error
        self.query_one("#user-error", Label).update(problem or "")

    @on(Input.Submitted, "#user")
    @on(OptionList.OptionSelected, "#domain")
    def submit(self) -> None:
        name = self.query_one("#user", Input)
        problem = name_problem(name.value)
        if problem is not None:
            self.query_one("#user-error", Label).update(problem)
            name.focus()
            return
        domain = None
        if self.domains:
            highlighted = self.query_one("#domain", OptionList).highlighted
            domain = self.domains[highlighted or 0]
        self.dismiss(CustomAddress(name.value, domain))


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
