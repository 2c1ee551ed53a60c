"""What the open run shows, a frame at a time: the engine's reports (the history, the marks
on rows changed elsewhere, the notices) and its pane changes, and the notes document, all drawn
in one frame at most every FRAME (the run's `FramePacer`, on the app's clock).

A remote edit reaches the app as two reports of one event: its `Change`, then its pane's
change. Both wait for the same frame, whose reports are taken first: the row is drawn once,
with its mark. Notices held while a dialog is open are told when the session screen is back.
"""

from __future__ import annotations

from textual import on

from coachtui import startup_heap
from coachtui.live.changes import Change, ChangeKind, Origin, Report
from coachtui.live.events import Pane
from coachtui.live.model import PaneStatus
from coachtui.text import notice
from coachtui.tui.attention import Attention
from coachtui.tui.messages import HistoryRequested, NotesChanged, PaneChanged, ReportsArrived, Resynced
from coachtui.tui.notes_showing import NotesShowingApp
from coachtui.tui.session_run import SessionRun

# Start-up: how long the panes' first answers wait for the last of them (the header's, one
# request behind the others), to be drawn in one frame.
FIRST_PAINT_WAIT = 0.1


class RunFramesApp(NotesShowingApp):
    """The CoachApp's presentation of the open run (see tui/app.py for the rest)."""

    attention: Attention
    heap_settled = False  # start-up's collector settled (coachtui/startup_heap.py)
    _heap_settle_asked = False

    def settle_startup_heap(self) -> None:
        """Start-up is over (the panes' first answers painted, or the time for them passed): one
        collection, start-up's heap frozen out of later ones, and the collector on again."""
        if not self.heap_settled:
            self.heap_settled = True
            startup_heap.settle(freeze=not self.is_headless)  # (a test process runs many apps)

    # -- messages from the engine ---------------------------------------------------------------
    # In a burst the engine reports a change and a status per event. The handlers read the model,
    # so one queued message per pane is enough, and a status only matters when what the bar
    # shows (to the second) changes: this keeps the queue short, so a key press is not stuck
    # behind a thousand messages.

    def _post_pane_changed(self, pane: Pane) -> None:
        run = self.session_run
        if run is not None and pane not in run.panes_queued:
            run.panes_queued.add(pane)
            if pane not in run.panes_posted:  # (else the message on its way asks for this too)
                run.panes_posted.add(pane)
                self.post_message(PaneChanged(pane))

    def _report_arrived(self, report: Report) -> None:
        run = self.session_run
        if run is None:
            return
        if not run.inbox:
            self.post_message(ReportsArrived())
        run.inbox.append(report)

    def on_reports_arrived(self, _: ReportsArrived) -> None:
        self._frame_wanted()

    def on_pane_changed(self, message: PaneChanged) -> None:
        run = self.session_run
        if run is None:
            return
        if message.pane in run.panes_posted:
            run.panes_posted.discard(message.pane)  # ours: its pane is queued, or drawn already
        else:
            run.panes_queued.add(message.pane)  # the screen's (a column appeared): drawn again
        self._frame_wanted()

    def on_notes_changed(self, _: NotesChanged) -> None:
        self._frame_wanted()

    def _frame_wanted(self) -> None:
        # Drawn at most once a frame: a burst's reports are taken together, so a key press
        # waits behind one batch, not behind a message per event.
        run = self.session_run
        if run is not None and (run.inbox or run.panes_queued or run.notes_queued):
            run.frames.request(self._draw_frame)

    def _draw_frame(self) -> None:
        """What was asked for since the last frame: the reports first, so a row changed
        elsewhere is drawn once, with its mark."""
        run = self.session_run
        if run is None:
            return
        self._take_reports()
        if not self._first_answers_wait(run):
            for pane in [pane for pane in Pane if pane in run.panes_queued]:
                self._show_pane(pane)
        if run.notes_queued:
            self._show_notes()

    def _first_answers_wait(self, run: SessionRun) -> bool:
        """Start-up: the panes' first answers wait for each other (FIRST_PAINT_WAIT at most) and
        are drawn in one frame. Drawn as each came, each relaid out and repainted the whole
        screen, Actions twice (the header names its assignees): ~20 ms of CPU a frame, for
        frames a few milliseconds apart."""
        if not run.first_paint_together or not run.panes_queued:
            return False
        if any(state.status is PaneStatus.LOADING for state in run.model.states.values()):
            now = self.clock.monotonic()
            if run.first_answer_at is None:
                run.first_answer_at = now
                run.later(FIRST_PAINT_WAIT, self._frame_wanted)
                return True
            if now - run.first_answer_at < FIRST_PAINT_WAIT:
                return True
        run.first_paint_together = False
        return False

    def _take_reports(self) -> None:
        """Changes reach the history, their rows' marks and the notices (remote changes only:
        the user knows what they did here)."""
        run = self.session_run
        if run is None or not self._session_screen_up():
            return  # (a report can still arrive while the app shuts down: it has no screen left)
        reports, run.inbox = run.inbox, []
        if not reports:
            return
        marks: dict[Pane, dict[str, str]] = {}  # one repaint per pane for the whole batch
        for report in reports:
            run.history.add(report)
            if isinstance(report, Change) and not report.yours:
                if report.kind is not ChangeKind.REMOVED and report.pane is not Pane.HEADER:
                    label = "new" if report.kind is ChangeKind.ADDED else "edited"
                    pane_marks = marks.setdefault(report.pane, {})
                    if pane_marks.get(report.item_id) != "new":  # added then edited: still new
                        pane_marks[report.item_id] = label
                if report.origin is not Origin.RESYNC:  # the resync's own notice tells of these
                    run.notices.add(report)
        if self._session_screen_up():
            for pane, labels in marks.items():
                self.session_screen.mark(pane, labels)
                run.panes_queued.add(pane)  # drawn in this frame, after the reports
        run.history.trim()
        from coachtui.tui.screens.history import HistoryScreen

        if isinstance(self.screen, HistoryScreen):
            self.screen.reports_added()

    def on_resynced(self, message: Resynced) -> None:
        report = message.report
        self._report_arrived(report)
        self.notify(
            notice(report.summary),
            title="Back online",
            severity="warning" if report.unchecked else "information",
            timeout=8,
            markup=False,
        )
        if report.changes:
            self.attention.alert(f"{len(report.changes)} changes while disconnected")

    def _show_notice(self, text: str, title: str, count: int) -> None:
        if self.session_run is None:
            return
        if self.screen is not self.session_screen:
            # A dialog is open: the notice waits for it to close (a toast mounted on the dialog
            # would cover it and cost every frame of a burst); the latest per pane is kept.
            held = self.session_run.held_notices
            held[title] = (text, count + held.get(title, ("", 0))[1])
            return
        self.session_screen.flash(text, title)
        # The desktop hears how many and where, never what (it may show on a lock screen).
        self.attention.alert(f"{count} change{'s' if count != 1 else ''} in {title}")

    def tell_held_notices(self) -> None:
        """The session screen is back: what was held while a dialog was open, one per pane."""
        if self.session_run is None:
            return
        held, self.session_run.held_notices = self.session_run.held_notices, {}
        if len(held) == 1:
            ((title, (text, count)),) = held.items()
            self.session_screen.flash(text if count == 1 else f"{count} changes", title)
        elif held:  # one line for them all: the history (h) has each
            counts = " · ".join(f"{title} {count}" for title, (_, count) in held.items())
            self.session_screen.flash(f"{counts} (h: history)", "Changed meanwhile")

    @on(HistoryRequested)
    def show_history(self) -> None:
        from coachtui.tui.screens.history import HistoryScreen

        if self.session_run is not None and not isinstance(self.screen, HistoryScreen):
            self.push_screen(HistoryScreen(self.session_run.history))

    def _show_pane(self, pane: Pane) -> None:
        run = self.session_run
        if run is None:
            return
        run.panes_queued.discard(pane)
        if self._session_screen_up():
            self.session_screen.show_pane(run.model, pane)
            if (run.notes_after_panes or not self._heap_settle_asked) and all(
                state.status is not PaneStatus.LOADING for state in run.model.states.values()
            ):
                # Every pane has its first answer: what start-up left for after its paint.
                if run.notes_after_panes:
                    run.notes_after_panes = False
                    self.call_after_refresh(run.guard(lambda: self.start_notes(run)))
                if not self._heap_settle_asked:
                    self._heap_settle_asked = True
                    self.call_after_refresh(self.settle_startup_heap)
            if pane is Pane.HEADER and run.notes is not None:
                run.notes.announce_now()  # our role is known now: the others see us at once
                self._show_presence()
            if run.notes is not None and not run.notes_caught_up:
                # Reports that came before the screen was up (a fast notes server) are shown now.
                run.notes_caught_up = True
                self.session_screen.show_notes_status(run.notes.status)
                if run.notes.synced:
                    self._show_notes()
                self._show_presence()
            self.show_to_editor(pane)
            self.offer_drafts()
            self.offer_undo()  # (another session: nothing of the last one's to undo)
