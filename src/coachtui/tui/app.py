"""The Textual app: runs the live engine in one async worker and routes its messages to panes."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import signal
import traceback
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import replace
from functools import partial
from pathlib import Path
from typing import Any

import platformdirs
from rich.text import Text
from textual import events, on, work
from textual.app import SystemCommand
from textual.binding import Binding
from textual.screen import Screen
from textual.worker import Worker, WorkerState

from coachtui.api.client import ApiClient
from coachtui.api.errors import ApiError
from coachtui.credentials import Credentials, CredentialsError
from coachtui.drafts import Drafts
from coachtui.live.changes import Change, ConnectionNote, Report, Resync
from coachtui.live.clock import REAL_CLOCK, Clock
from coachtui.live.engine import LiveEngine
from coachtui.live.events import Pane
from coachtui.live.forms import noun
from coachtui.live.observer import LiveObserver
from coachtui.live.status import ConnectionStatus, ConnState, LastError
from coachtui.text import clipboard, inert
from coachtui.tui.attention import Attention, NotifyMode
from coachtui.tui.editing import EDITS_GROUP
from coachtui.tui.messages import (
    AuthLost,
    ConnectionChanged,
    CopyRequested,
    LoggedOut,
    NotesStatusChanged,
    Resynced,
    SessionChosen,
)
from coachtui.tui.notes_showing import NOTES_GROUP, NotesOptions
from coachtui.tui.notices import Notices
from coachtui.tui.picker_data import PickerDataApp
from coachtui.tui.run_frames import RunFramesApp
from coachtui.tui.screens.modals import (
    Notice,
    UnsentQuestion,
    confirm,
    help_screen,
    logged_out,
    session_expired,
)
from coachtui.tui.screens.picker import PickerScreen
from coachtui.tui.screens.session import WIDE, SessionScreen
from coachtui.tui.session_run import SessionRun
from coachtui.tui.widgets.entity_table import EntityTable

log = logging.getLogger(__name__)

LIVE_GROUP = "live"
HELP_SCREEN = "help"
HEAP_SETTLED_BY = 5.0  # seconds after the start: no start-up collects later than this


class CoachApp(PickerDataApp, RunFramesApp):
    CSS_PATH = "app.tcss"
    TITLE = "coachtui"
    ENABLE_COMMAND_PALETTE = True
    BINDINGS = [
        Binding("r", "refresh", "Refresh", id="refresh", show=False),  # in ? help and the palette
        # In ? help and the palette: the bar keeps room for `h History` and `q Quit` at 80 columns.
        Binding("s", "switch", "Switch", id="switch", show=False),
        Binding("question_mark", "help", "Help", id="help", key_display="?"),
        Binding("q", "quit", "Quit", id="quit"),
        # A viewer quits on ctrl+c, from dialogs too (priority: a dialog stops app bindings).
        Binding("ctrl+c", "quit", "Quit", show=False, priority=True),
    ]

    def __init__(
        self,
        api: ApiClient,
        session_id: str | None,
        *,
        user_name: str,
        on_logout: Callable[[], object] = lambda: None,
        stored_login: Callable[[], Credentials | None] = lambda: None,
        activity: Callable[[], Awaitable[None]] | None = None,
        live_options: dict[str, Any] | None = None,
        clock: Clock = REAL_CLOCK,
        today: dt.date | None = None,
        drafts_dir: Path | None = None,
        notify: NotifyMode = NotifyMode.OFF,
        terminal_write: Callable[[str], None] | None = None,
        notes: NotesOptions | None = None,
        throwaway: bool = False,
    ) -> None:
        super().__init__()
        self.api = api
        self.initial_session = session_id
        self.user_name = user_name
        self.on_logout = on_logout
        self.stored_login = stored_login  # re-read on `r` after an expiry: `coachtui login` elsewhere
        self.activity = activity
        self.live_options = live_options or {}
        self.clock = clock
        self.today = today  # the picker's 'today'; None means the real date
        self.drafts_dir = drafts_dir  # unsaved editor text (None: not kept)
        self.throwaway = throwaway  # the demo: its drafts (and all its data) go when it ends
        self.live: LiveEngine | None = None
        self.session_run: SessionRun | None = None  # the session open now (see tui/session_run.py)
        self.session_screen = SessionScreen(api.host, user_name, clock=clock.monotonic)
        self._expired_shown = False
        self._new_login_at: dt.datetime | None = None  # when `r` last picked up a new login
        self._logged_out = False
        self._live_failed = False
        self._last_state: ConnState | None = None
        self._status_posted: tuple[object, ...] | None = None
        self.notes_options = notes if notes is not None else NotesOptions()
        self.attention = Attention(notify, terminal_write or self._write_terminal)

    # -- start-up -----------------------------------------------------------------------------

    def on_mount(self) -> None:
        self.push_screen(self.session_screen)
        if not self.is_headless:
            self._quit_on_signals()
            # (Settled once the panes have their first answers, tui/run_frames.py; by then at
            # the latest: with the picker first, or a server that does not answer.)
            self.set_timer(HEAP_SETTLED_BY, self.settle_startup_heap)
        if self.initial_session:
            # The notes wait for the panes' first paint where they are a tab behind Actions; on
            # a screen wide enough for their column they are part of the first screen.
            self.open_session(self.initial_session, notes_after_panes=self.size.width < WIDE)
        else:
            self.push_screen(PickerScreen(today=self.today, me=self.api.user_id))
            self.call_after_refresh(self._nothing_loading_beneath)

    def _nothing_loading_beneath(self) -> None:
        """No session yet: the panes beneath the picker have nothing to load. (Their loading
        indicators would animate there, redrawing the whole screen 30 times a second.)"""
        if self.session_run is None:
            for table in self.session_screen.query(EntityTable):
                table.loading = False

    def _quit_on_signals(self) -> None:
        """A closed terminal (SIGHUP) or a `kill` (SIGTERM) quits like `q`: the caller's clean-up
        (the demo's throwaway credentials) runs instead of the process dying mid-way."""
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGHUP, signal.SIGTERM):
            try:
                loop.add_signal_handler(sig, partial(self.exit, 128 + sig, 128 + sig))
            except (NotImplementedError, RuntimeError, ValueError):  # not the main thread
                pass

    # -- the session open now: one SessionRun each ------------------------------------------------

    @property
    def history(self) -> Sequence[Report]:
        return self.session_run.history if self.session_run is not None else ()

    @property
    def notices(self) -> Notices:
        """The open session's notice throttle (tests count what it showed)."""
        assert self.session_run is not None, "no session is open"
        return self.session_run.notices

    def open_session(self, session_id: str, *, notes_after_panes: bool = False) -> None:
        """Dispose of the session open now (its dialogs closed, its drafts kept under its own
        key), then open `session_id` in a run of its own on the app's one connection.

        `notes_after_panes` (start-up, where the notes are not on the first screen): the notes
        connect once the panes have had their first answers and been painted (tui/run_frames.py).
        Connecting them (a token request, a WebSocket, the document's sync, and importing
        websockets and pycrdt) took CPU time the first paint of the session's data needed, and
        the notes pane has nothing to keep meanwhile. (A switch starts them at once: the pane
        shows the last session's notes.)"""
        if self.session_run is not None:
            self.close_run(self.session_run)
        starting = self.live is None
        if self.live is None:
            self.live = LiveEngine(
                self.api, session_id, _Reports(self), clock=self.clock, **self.live_options
            )
            model = self.live.model
            self.run_live()
            if self.activity is not None:
                self.run_activity()
        else:
            model = self.live.switch(session_id)
        drafts = (
            Drafts(self.drafts_dir, self.api.base_url, self.api.user_id, session_id)
            if self.drafts_dir
            else None
        )
        self.session_run = SessionRun(
            model,
            self.api,
            drafts=drafts,
            show_notice=self._show_notice,
            set_timer=self.set_timer,
            monotonic=self.clock.monotonic,
        )
        # (A switch draws at once: the last session's rows must not stay under the new header.)
        self.session_run.first_paint_together = starting
        if notes_after_panes and self.notes_options.enabled:
            self.session_run.notes_after_panes = True
        else:
            self.start_notes(self.session_run)

    def close_run(self, run: SessionRun) -> None:
        """Its timers, notes, held notices and late answers end here; its editors and dialogs
        close (their callbacks, guarded by the run, do nothing: typed text stays a draft)."""
        from coachtui.tui.screens.history import HistoryScreen  # (not on the first screen)

        run.dispose()
        self.session_screen.forget_covered()
        while len(self.screen_stack) > 1 and (
            self.screen in run.screens or isinstance(self.screen, HistoryScreen)
        ):
            self.pop_screen()
        run.screens.clear()

    @work(group=LIVE_GROUP, exit_on_error=False, name="live-session")
    async def run_live(self) -> None:
        assert self.live is not None
        await self.live.run()

    @work(group="demo-activity", exit_on_error=False, name="simulated-coachee")
    async def run_activity(self) -> None:
        assert self.activity is not None
        await self.activity()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """A worker that fails is never silent: logged (type and where, not its message, which
        may quote server text), shown, and for the live worker restartable with `r`."""
        worker: Worker[Any] = event.worker
        if event.state is WorkerState.CANCELLED and worker.group == EDITS_GROUP and not self._exit:
            # (Its change was put back and the pane read again: see LocalEdits._interrupted.)
            log.info("worker %s cancelled", worker.name)
            self.notify(
                "A change was interrupted before the server answered: the pane shows what the "
                "server has now.",
                title="Not saved",
                severity="warning",
            )
            return
        if event.state is not WorkerState.ERROR:
            return
        error = worker.error
        where = "".join(traceback.format_tb(error.__traceback__)) if error is not None else ""
        log.error("worker %s failed: %s\n%s", worker.name, type(error).__name__, where)
        if worker.group == LIVE_GROUP and self.live is not None:
            self._live_failed = True
            status = replace(
                self.live.status,
                state=ConnState.ERROR,
                next_retry_at=None,
                last_error=LastError(
                    f"the live connection stopped unexpectedly ({type(error).__name__})",
                    self.clock.now(),
                    self.live.status.attempt,
                ),
                hint="press r to restart it",
                login_expired=False,
            )
            self._status_posted = None
            self.post_message(ConnectionChanged(status))
        elif worker.group == NOTES_GROUP and self.session_run is not None and self.notes is not None:
            if worker is not self.session_run.notes_worker:
                return  # (another session's notes, already let go)
            # The notes stop; everything else goes on. `r` starts them again.
            self.session_run.notes_failed = True
            failed = LastError(
                f"the notes stopped unexpectedly ({type(error).__name__})", self.clock.now(), 0
            )
            self.notes.status = replace(
                self.notes.status,
                state=ConnState.ERROR,
                last_error=failed,
                hint="r restarts them",
                next_retry_at=None,
            )
            self.post_message(NotesStatusChanged(self.notes.status))
        else:
            self.notify(
                f"Something went wrong ({worker.name}: {type(error).__name__}).",
                title="Error",
                severity="error",
                markup=False,
            )

    def _write_terminal(self, sequence: str) -> None:
        if not self.is_headless and self._driver is not None:
            self._driver.write(sequence)
            self._driver.flush()

    def on_app_focus(self, _: events.AppFocus) -> None:
        self.attention.focused = True

    def on_app_blur(self, _: events.AppBlur) -> None:
        self.attention.focused = False

    @on(CopyRequested)
    def copy_row(self, message: CopyRequested) -> None:
        item = self.live.model.states[message.pane].items.get(message.entity_id) if self.live else None
        if item is None:
            return
        text = clipboard((getattr(item, "title", None) or getattr(item, "body", None) or "").strip())
        self.copy_to_clipboard(text)
        what = noun(message.pane)
        # OSC 52: most terminals take it; tmux only with `set -g set-clipboard on`.
        lines = text.count("\n") + 1
        # More than the row shows (more lines, a tail behind "…", characters it does not draw):
        # said, so nothing hidden is pasted into a shell unseen.
        size = f"{len(text)} characters" + (f" on {lines} lines" if lines > 1 else "")
        if lines > 1 or not self.session_screen.pane_widget(message.pane).shows_whole(text):
            size += ", more than the row shows — check before pasting"
        copied = f"Copied the {what}'s text ({size}) to the clipboard."
        self.notify(copied, timeout=3, markup=False)

    def _post_status(self, status: ConnectionStatus) -> None:
        visible = _visible(status)
        if visible != self._status_posted:
            self._status_posted = visible
            self.post_message(ConnectionChanged(status))

    def on_connection_changed(self, message: ConnectionChanged) -> None:
        if self._session_screen_up():
            self.session_screen.show_status(message.status)
        status: ConnectionStatus = message.status
        if status.state is ConnState.ERROR and status.login_expired and status.last_error:
            self.post_message(AuthLost(status.last_error.message, status.last_error.at))
        if status.state is ConnState.CONNECTED and self._last_state is not ConnState.CONNECTED:
            self._expired_shown = False  # a new connection (after `r`) may expire again
        self._last_state = status.state

    def on_auth_lost(self, message: AuthLost) -> None:
        if self._expired_shown or self._logged_out:
            return  # (a server's logout comes with 401s of its own: the logout is what happened)
        if self._new_login_at is not None and (message.at is None or message.at <= self._new_login_at):
            return  # learned before the new login `r` picked up (its report was still queued)
        self._expired_shown = True

        def done(choice: str | None) -> None:
            if choice == "quit":
                self.exit(
                    1,
                    return_code=1,
                    message=Text(
                        f"coachtui: your login on {self.api.host} has expired; run `coachtui login`."
                    ),
                )

        self.push_screen(session_expired(message.message), done)

    def on_logged_out(self, message: LoggedOut) -> None:
        if self._logged_out:
            return
        self._logged_out = True
        self.on_logout()
        # An expiry notice raised by a 401 racing the logout event gives way: the server's
        # logout is the real reason, whichever message arrived first.
        self._close_notices()
        reason = inert(message.reason, limit=200)
        farewell = Text(
            f"coachtui: logged out by the server ({reason}); stored credentials removed. "
            "Run `coachtui login` to sign in again."
        )
        self.push_screen(logged_out(message.reason), lambda _: self.exit(1, return_code=1, message=farewell))

    @on(SessionChosen)
    def session_chosen(self, message: SessionChosen) -> None:
        def back() -> None:
            while isinstance(self.screen, PickerScreen):
                self.pop_screen()

        def switch() -> None:
            back()
            self.open_session(message.session_id)

        self.switch_unless_unsent(switch, stay=back)

    # -- actions --------------------------------------------------------------------------------

    def action_refresh(self) -> None:
        if self._expired_shown:
            self._pick_up_new_login()
        if self._live_failed and self.live is not None:
            self._live_failed = False
            self.run_live()
            return
        if self.session_run is not None and self.session_run.notes_failed:
            self.start_notes(self.session_run)
        elif self.notes is not None and self.notes.status.state is not ConnState.CONNECTED:
            self.notes.retry_now()
        if self.live is not None:
            connected = self.live.status.state is ConnState.CONNECTED
            self.live.retry_now()
            if connected:  # otherwise the status bar itself shows the retry
                self.notify("Refreshing…", timeout=1.5)

    def _pick_up_new_login(self) -> bool:
        try:
            creds = self.stored_login()
        except CredentialsError:
            creds = None
        # SecretStr compared as such: no local holds the plain cookie (tracebacks print locals).
        if creds is not None and creds.cookie != self.api.cookie:
            self.api.use_login(creds.cookie, creds.user_id)
            self._new_login_at = self.clock.now()
            self._expired_shown = False
            if self.live is not None:
                self.live.model.reload_all()
            if self.notes is not None:
                self.notes.retry_now()  # (stopped as "unavailable" when the login expired)
            return True
        return False

    def _close_notices(self) -> None:
        """Close the dialogs on top (the stack changes only once each pop is processed)."""
        on_top = 0
        for screen in reversed(self.screen_stack):
            if not isinstance(screen, Notice):
                break
            on_top += 1
        for _ in range(on_top):
            self.pop_screen()

    def action_use_new_login(self) -> None:
        """`r` in the "Session expired" dialog: continue with a login made elsewhere."""
        if not self._pick_up_new_login():
            self.notify(
                f"No new login for {self.api.host} yet: run `coachtui login` in another terminal.",
                title="Still logged out",
                severity="warning",
                markup=False,
            )
            return
        self._close_notices()
        if self.live is not None:
            self.live.retry_now()
        self.notify("Logged in again; reloading.", timeout=2)

    def action_switch(self) -> None:
        if not isinstance(self.screen, PickerScreen):
            current = self.live.model.session_id if self.live is not None else None
            self.push_screen(
                PickerScreen(
                    can_go_back=self.live is not None, today=self.today, me=self.api.user_id, current=current
                )
            )

    def action_help(self) -> None:
        # One help screen, kept after it closes: opening it again is a repaint, not a new screen
        # to compose, style and lay out (which is most of the time a key press takes).
        if not self.is_screen_installed(HELP_SCREEN):
            self.install_screen(help_screen(), HELP_SCREEN)
        if self.screen is not self.get_screen(HELP_SCREEN):
            self.push_screen(HELP_SCREEN)

    async def action_quit(self) -> None:
        question = self.quit_question() if not isinstance(self.screen, UnsentQuestion) else None
        if question is not None:
            self._ask_before_quitting(question)
            return
        self.workers.cancel_group(self, LIVE_GROUP)
        self.workers.cancel_group(self, NOTES_GROUP)  # the socket just closes: the server drops us
        from coachtui.tui.screens.editor import EditorScreen

        typed = any(isinstance(s, EditorScreen) and s.typed for s in self.screen_stack)
        if typed and self.drafts is not None:
            # ctrl+c in an editor holding typed text: quit, as asked, and say where the text is.
            kept = (
                "coachtui: the demo keeps nothing: the text you had not saved went with it."
                if self.throwaway
                else "coachtui: your unsaved text is kept as a draft; it is offered back when you "
                "open this session again."
            )
            self.exit(0, message=Text(kept))
            return
        self.exit(0)

    def _ask_before_quitting(self, question: Screen[str | None]) -> None:
        """Quitting would lose what was written in the notes (changes not sent yet, offline; a
        composer's text): asked first. (q or ctrl+c again in the question quits.)"""

        def answered(choice: str | None) -> None:
            if choice == "yes":
                self.workers.cancel_group(self, LIVE_GROUP)
                self.workers.cancel_group(self, NOTES_GROUP)
                self.exit(0)

        self.push_screen(question, answered)

    def action_logout(self) -> None:
        def answered(choice: str | None) -> None:
            if choice == "yes":
                self.logout()

        self.push_screen(
            confirm(
                "Log out?",
                f"Log out of {self.api.host} and forget the stored login? "
                f"You will need your password to come back.{self.unsent_warning()}",
                "Log out",
            ),
            answered,
        )

    @work(group="logout", exit_on_error=False)
    async def logout(self) -> None:
        self.workers.cancel_group(self, LIVE_GROUP)
        try:
            await self.api.logout()
        except ApiError:
            pass
        self.on_logout()
        self.exit(0, message="Logged out; stored credentials removed.")

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        yield SystemCommand("Refresh", "Reload every pane now (or retry the connection)", self.action_refresh)
        yield SystemCommand("Switch session", "Open another of your coaching sessions", self.action_switch)
        yield SystemCommand(
            "Logout", "Log out on the server and forget the stored cookie", self.action_logout
        )
        for command in super().get_system_commands(screen):
            if command.title == "Screenshot":  # Textual's says "Failed" without a reason
                yield SystemCommand(
                    "Screenshot", "Save an SVG screenshot of this screen", self.action_save_screenshot
                )
            else:
                yield command

    def action_save_screenshot(self) -> None:
        """Save to Downloads if it exists, else the current directory; say where, or why not."""
        downloads = platformdirs.user_downloads_path()
        directory = downloads if downloads.is_dir() else Path.cwd()
        try:
            path = self.save_screenshot(path=str(directory))
        except OSError as exc:
            self.notify(
                f"Could not save a screenshot in {directory}: {exc.strerror or type(exc).__name__}.",
                title="Screenshot",
                severity="error",
                markup=False,
            )
            return
        self.notify(f"Saved {path}", title="Screenshot", markup=False)

    async def on_unmount(self) -> None:
        if self.session_run is not None:
            self.session_run.dispose()  # its drafts are written: what was typed in the last moment too
        await self.api.aclose()


class _Reports(LiveObserver):
    """The engine's reports become messages: the only way data reaches the screen."""

    def __init__(self, app: CoachApp) -> None:
        self.app = app

    def status_changed(self, status: ConnectionStatus) -> None:
        self.app._post_status(status)

    def pane_changed(self, pane: Pane) -> None:
        self.app._post_pane_changed(pane)

    def login_lost(self, message: str) -> None:
        self.app.post_message(AuthLost(message, self.app.clock.now()))

    def logged_out(self, reason: str) -> None:
        self.app.post_message(LoggedOut(reason))

    def changed(self, change: Change) -> None:
        self.app._report_arrived(change)

    def connection_noted(self, note: ConnectionNote) -> None:
        self.app._report_arrived(note)

    def resynced(self, report: Resync) -> None:
        self.app.post_message(Resynced(report))


def _visible(status: ConnectionStatus) -> tuple[object, ...]:
    """What the status bar renders from a status, with times cut to the second it shows."""
    last_event = status.last_event_at.replace(microsecond=0) if status.last_event_at else None
    return (
        status.state,
        status.attempt,
        status.next_retry_at,
        status.last_error,
        status.hint,
        status.login_expired,
        last_event,
    )
