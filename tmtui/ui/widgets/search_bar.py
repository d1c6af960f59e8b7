"""The reader's search line: what is searched for, and "3/17" (which match, of how many)."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Input, Static

PLACEHOLDER = "search the body (enter: keep, esc: clear)"


class SearchBar(Horizontal):
    """An input for the query and the count beside it; hidden until opened.

    The owner listens to ``Input.Changed`` / ``Input.Submitted`` from ``#search-input``
    and reports the count with :meth:`show_count`."""

    DEFAULT_CSS = """
    SearchBar { height: 1; display: none; background: $boost; }
    SearchBar > Input, SearchBar > Input:focus { width: 1fr; height: 1; border: none; padding: 0; }
    SearchBar > Static { width: auto; padding: 0 1; }
    SearchBar > #search-prompt { padding: 0 0 0 1; text-style: bold; }
    """

    def compose(self) -> ComposeResult:
        # Whatever is typed is a literal: the placeholder and the count are ours, never markup.
        yield Static("/", id="search-prompt")
        field = Input(id="search-input", placeholder=PLACEHOLDER, select_on_focus=False)
        field.can_focus = False  # until opened: the reader's keys are not typed into it
        yield field
        yield Static(id="search-count")

    @property
    def input(self) -> Input:
        return self.query_one("#search-input", Input)

    @property
    def term(self) -> str:
        """What is searched for ("" when closed)."""
        return self.input.value if self.display else ""

    def open(self, placeholder: str = "") -> None:
        """``placeholder`` says something about this search in the line itself (a toast would cover the count)."""
        self.input.placeholder = placeholder or PLACEHOLDER
        self.display = True
        self.input.can_focus = True
        self.input.focus()

    def close(self) -> None:
        self.input.value = ""
        self.show_count(None, 0)
        self.display = False
        self.input.can_focus = False

    def show_count(self, current: int | None, total: int, *, capped: bool = False, busy: bool = False) -> None:
        if busy:
            text = Text("searching…", style="dim")
        elif not self.input.value:
            text = Text("")
        elif total == 0:
            text = Text("no match", style="bold red")
        else:
            more = "+" if capped else ""
            text = Text(f"{(current or 0) + 1}/{total}{more}", style="bold")
            text.append("  n/N", style="dim")
        self.query_one("#search-count", Static).update(text)
