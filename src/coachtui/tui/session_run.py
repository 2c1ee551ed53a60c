"""The session open now, and everything that belongs to it.

A `SessionRun` is built when a session opens and disposed of when another opens (or the app
quits). It owns what must never reach another session: the model and the edits made on it, the
drafts file, the notes connection, the history, the notice throttle and the notices held while
a dialog is open, the reports not handled yet, the frame pacing and its timers, and the dialogs and
editors opened for it. The app's one SSE connection stays app-wide and routes events to the
current run's model.

Disposing a run is the whole teardown of a switch: its timers stop, its notes worker is
cancelled, its reports and held notices are dropped, its drafts are written out, its model stops
reporting (late answers change that model only), and every callback it handed out does nothing
from then on (`guard`). Edits in flight are not cancelled: they were made in that session and
finish there, told as a notification, never applied to the next.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, Protocol, overload

from textual.screen import Screen
from textual.timer import Timer
from textual.worker import Worker

from coachtui.api.client import ApiClient
from coachtui.drafts import Drafts
from coachtui.live.changes import Report
from coachtui.live.edits import LocalEdits
from coachtui.live.events import Pane
from coachtui.live.model import SessionModel
from coachtui.tui.frame_pacer import FramePacer
from coachtui.tui.notices import Notices, Show

if TYPE_CHECKING:  # (the notes client, websockets and pycrdt are imported when the notes start)
    from coachtui.live.notes.client import NotesConnection
    from coachtui.live.notes.kept_blocks import KeptBlocks

HISTORY_KEPT = 2000  # reports; the oldest go first (the history screen lists them all)


class History(Sequence[Report]):
    """The reports since the session was opened, oldest first, the newest `kept` of them.

    `total` counts every report ever added: a reader that remembers it learns how many are new
    even once the oldest are trimmed away and the length stays the same."""

    def __init__(self, kept: int = HISTORY_KEPT) -> None:
        self.kept = kept
        self._reports: list[Report] = []
        self.total = 0

    def add(self, report: Report) -> None:
        self._reports.append(report)
        self.total += 1

    def trim(self) -> None:
        del self._reports[: -self.kept]

    @overload
    def __getitem__(self, index: int) -> Report: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[Report]: ...
    def __getitem__(self, index: int | slice) -> Report | Sequence[Report]:
        return self._reports[index]

    def __len__(self) -> int:
        return len(self._reports)

    def __iter__(self) -> Iterator[Report]:
        return iter(self._reports)


class Later(Protocol):
    def __call__(self, delay: float, callback: Callable[[], None]) -> Timer: ...


class SessionRun:
    def __init__(
        self,
        model: SessionModel,
        api: ApiClient,
        *,
        drafts: Drafts | None,
        show_notice: Show,
        set_timer: Later,
        monotonic: Callable[[], float],
    ) -> None:
        self.model = model
        self.session_id = model.session_id
        self.edits = LocalEdits(model, api)
        self.drafts = drafts  # unsaved editor text of this session (its own key, its own file)
        self.drafts_offered = False
        self.history = History()
        self.inbox: list[Report] = []  # reports not handled yet
        self.held_notices: dict[str, tuple[str, int]] = {}  # title → (latest text, changes)
        self._set_timer = set_timer
        self.notices = Notices(show_notice, self.later)
        self.notes: NotesConnection | None = None
        self.notes_blocks: KeptBlocks | None = None  # its document's blocks, kept between versions
        self.notes_worker: Worker[None] | None = None
        self.notes_failed = False
        self.notes_caught_up = False
        self.notes_after_panes = False  # the notes start once every pane has had an answer
        # Start-up: the panes' first answers are drawn together (tui/run_frames.py); since when
        # the first of them waits for the others.
        self.first_paint_together = False
        self.first_answer_at: float | None = None
        # What the next frame draws besides the inbox (tui/run_frames.py), one frame at most
        # every FRAME on the app's clock.
        self.panes_queued: set[Pane] = set()
        self.panes_posted: set[Pane] = set()  # their PaneChanged message is on its way
        self.notes_queued = False
        self.frames = FramePacer(monotonic, self.later)
        self.screens: list[Screen[Any]] = []  # editors and dialogs opened for this session
        self.closed = False
        self._timers: set[Timer] = set()

    def guard(self, callback: Callable[..., None]) -> Callable[..., None]:
        """`callback`, made to do nothing once this run is disposed of."""

        def guarded(*args: Any) -> None:
            if not self.closed:
                callback(*args)

        return guarded

    def later(self, delay: float, callback: Callable[[], None]) -> Timer:
        """A timer of this run: it never fires once the run is disposed of."""

        def fire() -> None:
            self._timers.discard(timer)
            if not self.closed:
                callback()

        timer = self._set_timer(delay, fire)
        self._timers.add(timer)
        return timer

    def dispose(self) -> None:
        """Another session opens (or the app quits): nothing of this one reaches it."""
        if self.closed:
            return
        self.closed = True
        for timer in self._timers:
            timer.stop()
        self._timers.clear()
        if self.notes_worker is not None:
            self.notes_worker.cancel()
        self.inbox.clear()
        self.held_notices.clear()
        self.panes_queued.clear()
        if self.drafts is not None:
            self.drafts.flush()
        self.model.dispose()
