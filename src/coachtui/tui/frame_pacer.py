"""One frame at most every FRAME for the open run, timed on the app's injected clock."""

from __future__ import annotations

from collections.abc import Callable

FRAME = 1 / 60  # Textual paints at most 60 times a second


class FramePacer:
    """Draws at once when the last frame is a frame old; otherwise once, at the next frame,
    whatever was asked for meanwhile (the terminal could not have shown a version between)."""

    def __init__(
        self, monotonic: Callable[[], float], later: Callable[[float, Callable[[], None]], object]
    ) -> None:
        self._monotonic = monotonic
        self._later = later  # the run's timers: a frame due when the run is disposed of never comes
        self.drawn_at = float("-inf")
        self.due = False  # a frame is waiting for its time

    def request(self, draw: Callable[[], None]) -> None:
        if self.due:
            return  # (the frame on its way draws what is asked now too)
        wait = self.drawn_at + FRAME - self._monotonic()
        if wait > 0:
            self.due = True
            self._later(wait, lambda: self._draw(draw))
        else:
            self._draw(draw)

    def _draw(self, draw: Callable[[], None]) -> None:
        self.due = False
        self.drawn_at = self._monotonic()
        draw()
