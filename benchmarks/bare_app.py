"""The floor for start-up: a minimal Textual app (header, a DataTable of 3 rows, footer), run as
its own process the way `coachtui session <id>` is. It quits on `q` like coachtui."""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.widgets import DataTable, Footer, Header

MARKER = "Bare row 3"  # painted with the table: the first screen is up


class BareApp(App[None]):
    BINDINGS = [("q", "quit", "Quit")]

    def compose(self) -> ComposeResult:
        yield Header()
        yield DataTable()
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("Status", "Action", "Due")
        for i in (1, 2, 3):
            table.add_row("Not started", f"Bare row {i}", "2026-12-04")


if __name__ == "__main__":
    BareApp().run()
