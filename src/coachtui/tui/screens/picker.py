"""Pick one of your sessions: today's first, then upcoming, then past.

The list covers 30 days back to 30 ahead; `<` and `>` reach further, `/` filters by title or
name, `r` loads it again (also after a failed load, which is said inside the picker).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.geometry import Size
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Input, Static
from textual.widgets.data_table import ColumnKey

from coachtui.api.models import EnrichedSession
from coachtui.session_list import WINDOW, other_participant, relationship_label, session_order, title_of
from coachtui.text import inert
from coachtui.tui.widgets.key_bar import KeyBar
from coachtui.tui.widgets.list_keys import ROW_TABLE_KEYS

WHEN_WIDTH = 21  # "Wed 26 Nov 2026 14:00"
WITH_WIDTH = 22
MIN_TITLE = 16


class SessionTable(DataTable[Text]):
    """The title column takes the width the date and the other participant leave."""

    BINDINGS = ROW_TABLE_KEYS

    def on_resize(self) -> None:
        title = self.columns.get(ColumnKey("title"))
        if title is None:
            return
        # 2 cells of padding per column, and one kept for the vertical scrollbar.
        spare = self.content_region.width - (WHEN_WIDTH + WITH_WIDTH + 3 * 2 + 1)
        title.auto_width = False
        title.width = max(MIN_TITLE, spare)
        total = sum(column.get_render_width(self) for column in self.columns.values())
        self.virtual_size = Size(total, self.virtual_size.height)
        self.refresh(layout=True)


class PickerScreen(Screen[None]):
    AUTO_FOCUS = "#sessions"
    BINDINGS = [
        Binding("escape", "back", "Back", id="back"),
        Binding("r", "reload", "Reload", id="reload"),
        Binding("slash", "filter", "Filter", key_display="/"),
        Binding("less_than_sign", "earlier", "Earlier", key_display="<"),
        Binding("greater_than_sign", "later", "Later", key_display=">"),
    ]

    def __init__(
        self,
        *,
        can_go_back: bool = False,
        today: dt.date | None = None,
        me: str | None = None,
        current: str | None = None,
    ) -> None:
        super().__init__()
        self.can_go_back = can_go_back
        self.current = current  # the session open now: the cursor starts on it, and it is marked
        self.today = today or dt.date.today()
        self.me = me
        self.start = self.today - WINDOW
        self.end = self.today + WINDOW
        self.sessions: list[EnrichedSession] = []
        self.unreadable = 0
        self.loaded = False

    def compose(self) -> ComposeResult:
        yield Static("Choose a coaching session (Enter opens it)", id="picker-title")
        yield Static("", id="picker-message")
        yield Input(placeholder="filter by title or name (Esc clears)", id="picker-filter")
        table = SessionTable(id="sessions", cursor_type="row", zebra_stripes=True)
        table.border_title = "Sessions"
        yield table
        shown = [
            b for b in self.BINDINGS if isinstance(b, Binding) and (b.key != "escape" or self.can_go_back)
        ]
        app_keys = [
            Binding("question_mark", "app.help", "Help", key_display="?"),
            Binding("q", "app.quit", "Quit"),
        ]
        yield KeyBar([*shown, *app_keys], namespace="screen")

    @dataclass
    class NeedSessions(Message):
        """The picker wants sessions between two days; the app fetches them (screens never call
        the network) and answers with show_sessions or show_error."""

        picker: PickerScreen
        start: dt.date
        end: dt.date

    @dataclass
    class OpenRequested(Message):
        session_id: str

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_column("When", key="when", width=WHEN_WIDTH)
        table.add_column("Title", key="title", width=MIN_TITLE)
        table.add_column("With", key="with", width=WITH_WIDTH)
        self.action_reload()

    # -- actions --------------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "back":  # at start-up there is nothing to go back to: Esc only closes the filter
            return self.can_go_back or self.query_one("#picker-filter", Input).display
        return True

    def action_back(self) -> None:
        filter_input = self.query_one("#picker-filter", Input)
        if filter_input.display:
            self._close_filter()
        elif self.can_go_back:
            self.dismiss()

    def action_reload(self) -> None:
        self._say(None)
        self.query_one(DataTable).loading = True
        self.post_message(self.NeedSessions(self, self.start, self.end))

    def action_earlier(self) -> None:
        self.start -= WINDOW
        self.action_reload()

    def action_later(self) -> None:
        self.end += WINDOW
        self.action_reload()

    def action_filter(self) -> None:
        filter_input = self.query_one("#picker-filter", Input)
        filter_input.display = True
        filter_input.focus()

    def _close_filter(self) -> None:
        filter_input = self.query_one("#picker-filter", Input)
        filter_input.value = ""
        filter_input.display = False
        self._fill()
        self.query_one(DataTable).focus()

    def on_input_changed(self, event: Input.Changed) -> None:
        self._fill()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.query_one(DataTable).focus()

    # -- data from the app ----------------------------------------------------------------------

    def _say(self, message: str | None) -> None:
        label = self.query_one("#picker-message", Static)
        label.display = message is not None
        label.update(Text(message or ""))

    def show_error(self, message: str) -> None:
        self.query_one(DataTable).loading = False
        self._say(f"Could not load your sessions: {inert(message, limit=160)} Press r to try again.")

    def show_sessions(self, rows: list[EnrichedSession], unreadable: int = 0) -> None:
        """`unreadable`: sessions the answer had that could not be read (not shown, but said)."""
        self.sessions = session_order(rows, self.today)
        self.unreadable = unreadable
        first = not self.loaded
        self.loaded = True
        table = self.query_one(DataTable)
        table.loading = False
        self._say(None)
        self._fill()
        if first and self.current is not None and self.current in table.rows:
            table.move_cursor(row=table.get_row_index(self.current), animate=False)
        table.focus()

    def _fill(self) -> None:
        table = self.query_one(DataTable)
        needle = self.query_one("#picker-filter", Input).value.strip().casefold()
        current = table.coordinate_to_cell_key(table.cursor_coordinate).row_key if table.row_count else None
        table.clear()
        shown = 0
        for r in self.sessions:
            title = title_of(r)
            people = relationship_label(r)
            if needle and needle not in f"{title or ''} {people}".casefold():
                continue
            local = r.date.astimezone()
            today = local.date() == self.today
            label = "Today " + local.strftime("%H:%M") if today else local.strftime("%a %d %b %Y %H:%M")
            title_cell = (
                Text(inert(title, limit=200), no_wrap=True, overflow="ellipsis")
                if title
                else Text(
                    f"untitled · {inert(people, limit=80)}",
                    style="italic dim",
                    no_wrap=True,
                    overflow="ellipsis",
                )
            )
            if r.id == self.current:
                title_cell = Text.assemble(("open now ", "bold reverse"), " ", title_cell)
                title_cell.no_wrap, title_cell.overflow = True, "ellipsis"
            table.add_row(
                Text(label, style="bold" if today else ""),
                title_cell,
                Text(inert(other_participant(r, self.me), limit=80)),
                key=r.id,
            )
            shown += 1
        if current is not None and current in table.rows:  # (not if the filter hides it now)
            table.move_cursor(row=table.get_row_index(current), animate=False)
        window = f"{self.start:%d %b %Y} – {self.end:%d %b %Y}"
        if not self.sessions:
            table.border_subtitle = f"no sessions {window} (< earlier, > later)"
        elif needle:
            table.border_subtitle = f"{shown} of {len(self.sessions)} sessions match · {window}"
        else:
            table.border_subtitle = f"{len(self.sessions)} sessions · {window}"
        if self.unreadable:
            table.border_subtitle += f" · {self.unreadable} unreadable"

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        if event.row_key.value:
            self.post_message(self.OpenRequested(event.row_key.value))
