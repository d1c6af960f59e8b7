"""The baseline app: a bare Textual app with a Header, a 50-row DataTable and a Footer."""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.widgets import DataTable, Footer, Header

ROWS = 50


class BareApp(App[None]):
    def compose(self) -> ComposeResult:
        yield Header()
        yield DataTable(cursor_type="row")
        yield Footer()

    def on_mount(self) -> None:
        table: DataTable[str] = self.query_one(DataTable)
        table.add_columns("From", "Subject", "When")
        table.add_rows((f"Sender {n}", f"Subject of message {n}", f"{n}m") for n in range(ROWS))
        table.focus()
