"""The connection status bar: the state by its exact name, colour-coded, with its detail."""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable

from rich.table import Table
from rich.text import Text
from textual.reactive import reactive
from textual.timer import Timer
from textual.widgets import Static

from coachtui.live.status import ConnectionStatus, ConnState
from coachtui.text import inert
from coachtui.tui.theme_styles import theme_styles
from coachtui.tui.widgets.entity_table import local_time

# Each state by a theme colour (see theme_styles), so a theme switch reaches it.
STATE_COLOUR = {
    ConnState.CONNECTED: "success",
    ConnState.CONNECTING: "primary",
    ConnState.RECONNECTING: "warning",
    ConnState.DISCONNECTED: None,  # dim
    ConnState.ERROR: "error",
}


FLASH_FOR = 4.0  # seconds a change notice stays in the status line


class StatusBar(Static):
    status: reactive[ConnectionStatus] = reactive(ConnectionStatus, always_update=True)
    notes: reactive[ConnectionStatus | None] = reactive(None, always_update=True)  # None: no notes
    unsent: reactive[int] = reactive(0)  # our changes to the notes the server does not have yet

    def __init__(
        self, host: str, user: str, *, clock: Callable[[], float] = time.monotonic, id: str | None = None
    ) -> None:
        super().__init__(id=id)
        self.host = host
        self.user = user
        self.clock = clock
        self.palette: dict[str, str] = {}
        # A change notice, one line in the status line (as k9s and lazygit flash theirs): it
        # covers no row, and the history (h) keeps the detail.
        self.flashed: Text | None = None
        self.told: deque[str] = deque(maxlen=50)  # the latest notices, plain (tests read them)
        self._flash_timer: Timer | None = None

    def on_mount(self) -> None:
        # Only the countdown moves on its own; one tick a second is plenty.
        self.set_interval(1.0, self._tick)
        self.palette = theme_styles(self.app)
        self.watch(self.app, "theme", self._retheme, init=False)

    def _retheme(self) -> None:
        self.palette = theme_styles(self.app)
        self.refresh()

    def state_style(self, state: ConnState) -> str:
        colour = STATE_COLOUR[state]
        return f"bold {self.palette.get(colour, colour)}" if colour else "bold dim"

    def _tick(self) -> None:
        counting = [s for s in (self.status, self.notes) if s is not None]
        if any(s.state is ConnState.RECONNECTING and s.next_retry_at is not None for s in counting):
            self.refresh()

    def flash(self, text: str, title: str, seconds: float = FLASH_FOR) -> None:
        """Show a notice in the status line for `seconds` (a newer one takes its place)."""
        self.flashed = Text.assemble((f"{inert(title, limit=20)}: ", "bold"), inert(text, limit=300))
        self.told.append(self.flashed.plain)
        if self._flash_timer is not None:
            self._flash_timer.stop()
        self._flash_timer = self.set_timer(seconds, self._unflash)
        self.refresh()

    def _unflash(self) -> None:
        self._flash_timer = None
        self.flashed = None
        self.refresh()

    def watch_status(self, status: ConnectionStatus) -> None:
        for state in ConnState:
            self.set_class(status.state is state, f"-{state.name.lower()}")

    def describe(self) -> tuple[Text, Text]:
        """The state with its detail (left), and who is connected where (right)."""
        text = self._state(self.status, "")
        who = Text(f"{inert(self.user, limit=24)}@{inert(self.host, limit=40)}", style="dim", no_wrap=True)
        return text, who

    def describe_notes(self) -> Text | None:
        """The notes connection, with the same five state names ("unavailable" with its reason)."""
        s = self.notes
        if s is None:
            return None
        if (
            s.state is ConnState.ERROR
            and s.last_error
            and s.last_error.message.startswith("Notes unavailable")
        ):
            reason = s.last_error.message.removeprefix("Notes unavailable: ").rstrip(".")
            return Text.assemble(
                ("Notes ", "dim"), ("unavailable", "bold dim"), (f" · {inert(reason, limit=50)}", "")
            )
        if self.unsent:
            # First: on a narrow screen the state's detail gives way, this does not.
            changes = f"{self.unsent} change{'s' if self.unsent != 1 else ''} not sent yet"
            text = Text.assemble(("Notes: ", "dim"), (changes, self.state_style(ConnState.RECONNECTING)))
            text.append(" · ", style="dim")
            text.append_text(self._state(s, "", notes=True))
            text.no_wrap, text.overflow = True, "ellipsis"
            return text
        return self._state(s, "Notes: ", notes=True)

    def _state(self, s: ConnectionStatus, label: str, *, notes: bool = False, detail: bool = True) -> Text:
        text = Text(no_wrap=True, overflow="ellipsis")
        style = self.state_style(s.state)
        if label:
            text.append(label, style="dim")
        text.append("● ", style=style)
        text.append(s.state.value, style=style)
        if not detail:
            return text
        details: list[str] = []
        if s.state is ConnState.RECONNECTING:
            details.append(f"attempt {s.attempt}")
            if s.next_retry_at is not None:
                left = max(0, round(s.next_retry_at - self.clock()))
                details.append(f"next try in {left}s" if left else "trying now")
        if s.state in (ConnState.RECONNECTING, ConnState.ERROR) and s.last_error:
            details.append(inert(s.last_error.message, limit=70))
        if s.state is ConnState.ERROR and s.hint:
            details.append(s.hint)
        if s.state is ConnState.CONNECTED and not notes:
            details.append(
                f"last event {local_time(s.last_event_at)}" if s.last_event_at else "no events yet"
            )
        for part in details:
            text.append(" · ", style="dim")
            text.append(part)
        return text

    def render(self) -> Table:
        # Columns, so a long error is cut with … before the rest disappears; on a narrow
        # screen the notes state stays and who is connected where gives way.
        left, right = self.describe()
        notes = self.describe_notes()
        grid = Table.grid(expand=True, padding=(0, 2))
        cells: list[Text] = []
        flashed = self.flashed
        if flashed is not None:
            # The state keeps its name and colour; while connected, its detail gives way to the
            # notice a moment (a countdown or an error never does).
            connected = self.status.state is ConnState.CONNECTED
            grid.add_column(no_wrap=True, ratio=None if connected else 1, overflow="ellipsis")
            cells.append(self._state(self.status, "", detail=not connected))
            grid.add_column(ratio=1, no_wrap=True, overflow="ellipsis")
            cells.append(flashed)
        else:
            grid.add_column(ratio=1, no_wrap=True, overflow="ellipsis")
            cells.append(left)
        if notes is not None:
            grid.add_column(no_wrap=True, overflow="ellipsis", max_width=max(self.size.width // 2, 20))
            cells.append(notes)
        if flashed is None and (notes is None or self.size.width >= 110):
            grid.add_column(justify="right", no_wrap=True)
            cells.append(right)
        grid.add_row(*cells)
        return grid
