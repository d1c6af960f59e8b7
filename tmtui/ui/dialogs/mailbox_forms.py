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
from textual.widgets import Input, Label, OptionList, Select, Static
from textual.widgets.option_list import Option

from tmtui.safety import sanitize_line

USER_PATTERN = re.compile(r"[a-z0-9._-]{3,32}")
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


class _UserValidator(Validator):
    def validate(self, value: str) -> ValidationResult:
        if USER_PATTERN.fullmatch(value.lower()):  # upper case is lowered on submit
            return self.success()
        return self.failure("3-32 characters: a-z 0-9 . _ -")


class CustomAddressDialog(_CatalogDialog[CustomAddress | None]):
    """A chosen name and domain; the name is validated as it is typed."""

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static("Custom address", classes="dialog-title")
            yield Input(placeholder="name (3-32 of a-z 0-9 . _ -)", id="user",
                        validators=[_UserValidator()], validate_on=["changed", "submitted"],
                        restrict=r"[A-Za-z0-9._-]*", max_length=32)
            yield Label("", id="user-error", markup=False)
            options = [(Text(sanitize_line(d, max_len=80)), d) for d in self.domains]
            yield Select(options, value=self.default if self.default in self.domains else Select.BLANK,
                         allow_blank=not self.domains, id="domain")
            yield Static("enter creates · escape cancels", classes="dialog-hint")

    @on(Input.Changed, "#user")
    def show_validation(self, event: Input.Changed) -> None:
        result = event.validation_result
        message = "" if result is None or result.is_valid else "; ".join(result.failure_descriptions)
        self.query_one("#user-error", Label).update(message)

    @on(Input.Submitted, "#user")
    def submit(self, event: Input.Submitted) -> None:
        value = event.value.strip().lower()
        if not USER_PATTERN.fullmatch(value):
            self.query_one("#user-error", Label).update("3-32 characters: a-z 0-9 . _ -")
            return
        domain = self.query_one("#domain", Select).value
        self.dismiss(CustomAddress(value, domain if isinstance(domain, str) else None))


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
