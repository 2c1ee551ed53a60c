"""Pick one of your sessions: today's first, then upcoming, then past."""

from __future__ import annotations

import datetime as dt

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Static

from coachtui.api.models import EnrichedSession
from coachtui.text import inert
from coachtui.tui.widgets.key_bar import KeyBar


def picker_order(rows: list[EnrichedSession], today: dt.date) -> list[EnrichedSession]:
    def key(r: EnrichedSession) -> tuple[int, float]:
        day = r.date.astimezone().date()
        ts = r.date.timestamp()
        if day == today:
            return (0, ts)
        return (1, ts) if day > today else (2, -ts)

    return sorted(rows, key=key)


class PickerScreen(Screen[None]):
    BINDINGS = [Binding("escape", "app.pop_screen", "Back", id="back", show=True)]

    def __init__(self, *, can_go_back: bool = False, today: dt.date | None = None) -> None:
        super().__init__()
        self.can_go_back = can_go_back
        self.today = today

    def compose(self) -> ComposeResult:
        yield Static("Choose a coaching session (Enter opens it)", id="picker-title")
        table: DataTable[Text] = DataTable(id="sessions", cursor_type="row", zebra_stripes=True)
        table.border_title = "Sessions"
        yield table
        yield KeyBar([*(self.BINDINGS if self.can_go_back else []), *self.app.BINDINGS])

    class NeedSessions(Message):
        """The picker wants the session list; the app fetches it (screens never call the network)."""

        def __init__(self, picker: PickerScreen) -> None:
            super().__init__()
            self.picker = picker

    class OpenRequested(Message):
        def __init__(self, session_id: str) -> None:
            super().__init__()
            self.session_id = session_id

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        for key, label, width in (
            ("when", "When", 22),
            ("title", "Title", 34),
            ("with", "Coach → Coachee", 30),
        ):
            table.add_column(label, key=key, width=width)
        table.loading = True
        self.post_message(self.NeedSessions(self))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return self.can_go_back if action == "app.pop_screen" else True

    def show_error(self, message: str) -> None:
        table = self.query_one(DataTable)
        table.loading = False
        table.border_subtitle = inert(message, limit=70)
        self.notify(message, severity="error")

    def show_sessions(self, rows: list[EnrichedSession]) -> None:
        today = self.today or dt.date.today()
        table = self.query_one(DataTable)
        table.loading = False
        for r in picker_order(rows, today):
            local = r.date.astimezone()
            label = (
                "Today " + local.strftime("%H:%M")
                if local.date() == today
                else local.strftime("%a %d %b %Y %H:%M")
            )
            people = f"{r.coach.name if r.coach else '?'} → {r.coachee.name if r.coachee else '?'}"
            table.add_row(
                Text(label, style="bold" if local.date() == today else ""),
                Text(inert(r.title or r.display_title or "—", limit=60)),
                Text(inert(people, limit=60)),
                key=r.id,
            )
        table.border_subtitle = (
            f"{len(rows)} sessions" if rows else "no sessions in the last and next 30 days"
        )
        table.focus()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        if event.row_key.value:
            self.post_message(self.OpenRequested(event.row_key.value))
