"""The app's notes-reading half: the open run's notes on a connection of their own (started
here, its worker in the "notes" group), and what they show: the document, its status, the
changes not sent yet, and who is here. A document change is drawn with the run's next frame
(tui/run_frames.py); the reports of a run disposed of are dropped.
"""

from __future__ import annotations

import ssl
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from textual import work

from coachtui.live.notes.reports import Me, NotesObserver
from coachtui.live.status import ConnectionStatus, ConnState
from coachtui.tui.messages import NotesChanged, NotesStatusChanged, NotesUnsent, PresenceChanged
from coachtui.tui.notes_writing import NotesWritingApp
from coachtui.tui.session_run import SessionRun
from coachtui.tui.widgets.notes import NotesPane
from coachtui.tui.widgets.session_header import SessionHeader

if TYPE_CHECKING:
    from coachtui.live.notes.client import NotesConnection

NOTES_GROUP = "notes"


class NotesShowingApp(NotesWritingApp):
    """The CoachApp's notes-reading half (see tui/app.py for the rest)."""

    notes_options: NotesOptions

    @property
    def notes(self) -> NotesConnection | None:
        return self.session_run.notes if self.session_run is not None else None

    def start_notes(self, run: SessionRun) -> None:
        """The session's shared notes, on a connection of their own: losing them disturbs
        nothing else, and the reverse."""
        self.workers.cancel_group(self, NOTES_GROUP)
        run.notes_caught_up = False
        run.notes_failed = False
        if not self.notes_options.enabled:
            return
        # (Imported here: the client, websockets and pycrdt are not needed for the first paint.)
        from coachtui.live.notes.client import NotesConnection

        options = self.notes_options
        run.notes = NotesConnection(
            self.api,
            run.session_id,
            _NotesReports(self, run),
            me=self._me,
            invisible=options.invisible,
            url=options.url,
            ssl_context=options.ssl_context,
            clock=self.clock,
            read_only=options.read_only,
            **options.connection,
        )
        for pane in self.session_screen.query(NotesPane):
            pane.show([], "Connecting to the notes…")
            pane.set_read_only(options.read_only)
        for header in self.session_screen.query(SessionHeader):
            header.show_presence(None, None)  # (who was here was in the last session's notes)
        self.session_screen.show_notes_unsent(0)
        run.notes_worker = self.run_notes(run.notes)

    @work(group=NOTES_GROUP, exit_on_error=False, name="notes")
    async def run_notes(self, notes: NotesConnection) -> None:
        await notes.run()

    def _me(self) -> Me | None:
        """Who we are in this session's notes (None until the session header is known)."""
        header = self.live.model.header if self.live is not None else None
        me = self.api.user_id
        if header is None or me is None:
            return None
        for role, user in (("Coach", header.coach), ("Coachee", header.coachee)):
            if user is not None and user.id == me:
                return Me(me, user.name, role)
        return None

    def on_notes_status_changed(self, message: NotesStatusChanged) -> None:
        if not self._session_screen_up():
            return
        self.session_screen.show_notes_status(message.status)
        if message.status.state is ConnState.ERROR and message.status.last_error:
            for pane in self.session_screen.query(NotesPane):
                pane.say(message.status.last_error.message)
        self._show_presence()

    def _show_notes(self) -> None:
        run = self.session_run
        if run is None or run.notes is None or not self._session_screen_up():
            return
        from coachtui.live.notes.document import trim
        from coachtui.live.notes.kept_blocks import KeptBlocks

        run.notes_queued = False
        if run.notes_blocks is None or run.notes_blocks.fragment is not run.notes.fragment:
            run.notes_blocks = KeptBlocks(run.notes.fragment)
        found = run.notes_blocks.blocks()
        lines = trim([line for block in found for line in block.lines])
        for pane in self.session_screen.query(NotesPane):
            pane.set_read_only(run.notes.writer.read_only)  # (the screen may be newer than the run)
            pane.show(lines, "No notes yet for this session.", found)
        self.notes_redrawn(found)

    def on_notes_unsent(self, message: NotesUnsent) -> None:
        if self._session_screen_up():
            self.session_screen.show_notes_unsent(message.count)

    def on_presence_changed(self, _: PresenceChanged) -> None:
        self._show_presence()

    def _show_presence(self) -> None:
        if self.notes is None or not self._session_screen_up():
            return
        connected = self.notes.status.state is ConnState.CONNECTED
        me = self._me() if connected and not self.notes.invisible else None
        for header in self.session_screen.query(SessionHeader):  # (none before the screen is composed)
            header.show_presence(self.notes.roster.by_role() if connected else None, me.role if me else None)

    def _session_screen_up(self) -> bool:
        """Mounted, and the app not shutting down (messages still arrive while it does)."""
        return self.session_screen.is_mounted and bool(self.screen_stack) and not self._exit


class _NotesReports(NotesObserver):
    """One run's notes reports become messages, one queued document redraw at a time; those of
    a run disposed of are dropped (another session's notes never reach the screen)."""

    def __init__(self, app: NotesShowingApp, run: SessionRun) -> None:
        self.app = app
        self.session_run = run

    def notes_status(self, status: ConnectionStatus) -> None:
        if not self.session_run.closed:
            self.app.post_message(NotesStatusChanged(status))

    def notes_changed(self) -> None:
        if not self.session_run.closed and not self.session_run.notes_queued:
            self.session_run.notes_queued = True
            self.app.post_message(NotesChanged())

    def presence_changed(self) -> None:
        if not self.session_run.closed:
            self.app.post_message(PresenceChanged())

    def notes_unsent(self, count: int) -> None:
        if not self.session_run.closed:
            self.app.post_message(NotesUnsent(count))


@dataclass
class NotesOptions:
    """How to reach the notes: `url` overrides the token's server (`--collab-url`)."""

    enabled: bool = True
    url: str | None = None
    invisible: bool = False
    read_only: bool = False  # `--read-only` or COACHTUI_NOTES_READ_ONLY: the notes are never written
    ssl_context: ssl.SSLContext | None = None
    connection: dict[str, Any] = field(default_factory=dict)  # tests: backoff, renew_every, …
