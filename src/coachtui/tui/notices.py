"""One notice per remote change, in words, without a wall of toasts: at most one per pane every
`WINDOW` seconds. The first change shows at once; what follows within the window is told once
at its end ("5 changes in Actions", or the one change itself)."""

from __future__ import annotations

import time
from collections.abc import Callable

from coachtui.live.changes import Change
from coachtui.live.events import Pane

WINDOW = 2.0  # seconds
TITLES = {Pane.HEADER: "Session", Pane.GOALS: "Goals", Pane.ACTIONS: "Actions", Pane.AGREEMENTS: "Agreements"}

Show = Callable[[str, str, int], None]  # (message, title, how many changes it tells of)
Later = Callable[[float, Callable[[], None]], object]  # run a callable after some seconds


class Notices:
    def __init__(self, show: Show, later: Later, window: float = WINDOW) -> None:
        self.show = show
        self.later = later
        self.window = window
        self._last: dict[Pane, float] = {}
        self._waiting: dict[Pane, list[Change]] = {}
        self.shown = 0  # notices shown (tests count them)

    def add(self, change: Change) -> None:
        pane = change.pane
        now = time.monotonic()
        waiting = self._waiting.get(pane)
        if waiting is None and now - self._last.get(pane, -self.window) >= self.window:
            self._tell(pane, change.summary(), 1)
            return
        if waiting is None:
            waiting = self._waiting[pane] = []
            self.later(self._last[pane] + self.window - now, lambda: self._flush(pane))
        waiting.append(change)

    def _flush(self, pane: Pane) -> None:
        changes = self._waiting.pop(pane, [])
        if len(changes) == 1:
            self._tell(pane, changes[0].summary(), 1)
        elif changes:
            self._tell(pane, f"{len(changes)} changes in {TITLES[pane]}", len(changes))

    def _tell(self, pane: Pane, text: str, count: int) -> None:
        self._last[pane] = time.monotonic()
        self.shown += 1
        self.show(text, TITLES[pane], count)
