"""Snapshots of the session screen and the picker at a fixed size.

Deterministic: demo data pinned to one instant, TZ=UTC, a frozen clock for countdowns, seeded
backoff jitter, a fixed server label, and only states with no time-dependent text.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from collections.abc import Iterator
from typing import Any

import pytest
from textual.widgets import DataTable, TextArea

from coachtui.api.client import ApiClient
from coachtui.devserver.server import DevServer, ServerOptions
from coachtui.live.backoff import Backoff
from coachtui.live.clock import Clock
from coachtui.live.status import ConnState
from coachtui.tui.app import CoachApp
from coachtui.tui.notes_showing import NotesOptions
from coachtui.tui.screens.editor import EditorScreen
from coachtui.tui.screens.picker import PickerScreen
from coachtui.tui.widgets.panes import ActionsPane
from coachtui.tui.widgets.status_bar import StatusBar
from tests.conftest import dev, login_cookie
from tests.tui.factory import notes_options
from tests.tui.scenes import (
    editing_with_a_conflict,
    history_with_a_reconnect,
    notes_with_the_coachee_here,
    others_changes,
)
from tests.waiting import panes_caught_up, settled, until

PINNED = dt.datetime(2026, 1, 15, 12, 0, tzinfo=dt.UTC)
SIZE = (100, 30)


@pytest.fixture
def pinned_server(monkeypatch: pytest.MonkeyPatch) -> Iterator[DevServer]:
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    server = DevServer(ServerOptions(seed=5, now=PINNED, faults=True)).start()
    yield server
    server.close()
    monkeypatch.undo()
    time.tzset()


def pinned_app(server: DevServer, *, picker: bool = False) -> CoachApp:
    demo = server.demo
    assert demo is not None
    cookie = login_cookie(server, demo.coach.email, demo.coach.password)
    api = ApiClient(server.url, cookie=cookie, user_id=demo.coach.user_id)
    return CoachApp(
        api,
        None if picker else demo.today_session_id,
        user_name=demo.coach.name,
        clock=Clock(monotonic=lambda: 1000.0, now=lambda: PINNED),
        today=PINNED.date(),
        live_options={"debounce": 0.02, "backoff": Backoff(base=20, cap=20, rng=random.Random(3))},
        notes=notes_options(server),
    )


def shows(app: CoachApp, state: str) -> bool:
    """The status bar says `state`, and the panes show what it means for them (stale or not)."""
    bar = app.session_screen.query_one(StatusBar)
    return state in " ".join(str(part) for part in bar.describe()) and panes_caught_up(app)


async def settle(pilot: Any, app: CoachApp) -> None:
    await until(pilot, lambda: settled(app))
    await until(pilot, lambda: app.notes is not None and app.notes.status.state is ConnState.CONNECTED)
    # The document drawn, presence shown.
    await until(pilot, lambda: app.notes is not None and app.notes.synced and panes_caught_up(app))
    await pilot.pause()
    bar = app.session_screen.query_one(StatusBar)
    bar.host = "localhost:4000"  # the devserver's port is random
    bar.refresh()
    await pilot.pause()


def test_connected(pinned_server: DevServer, snap_compare: Any) -> None:
    app = pinned_app(pinned_server)

    async def run_before(pilot: Any) -> None:
        await settle(pilot, app)

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_reconnecting(pinned_server: DevServer, snap_compare: Any) -> None:
    app = pinned_app(pinned_server)

    async def run_before(pilot: Any) -> None:
        await settle(pilot, app)
        dev(pinned_server, "sse/drop")
        await until(pilot, lambda: app.live is not None and app.live.status.state is ConnState.RECONNECTING)
        await until(pilot, lambda: shows(app, "Reconnecting"))

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_error(pinned_server: DevServer, snap_compare: Any) -> None:
    app = pinned_app(pinned_server)

    async def run_before(pilot: Any) -> None:
        await settle(pilot, app)
        dev(pinned_server, "sse/fail", status=404, count=1)
        dev(pinned_server, "sse/drop")
        await until(pilot, lambda: app.live is not None and app.live.status.state is ConnState.RECONNECTING)
        await pilot.press("r")  # skip the backoff wait: the retry meets the 404
        await until(pilot, lambda: app.live is not None and app.live.status.state is ConnState.ERROR)
        await until(pilot, lambda: shows(app, "Error"))

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_picker(pinned_server: DevServer, snap_compare: Any) -> None:
    app = pinned_app(pinned_server, picker=True)

    async def run_before(pilot: Any) -> None:
        await until(
            pilot,
            lambda: isinstance(app.screen, PickerScreen) and len(app.screen.query_one(DataTable).rows) == 5,
        )
        await pilot.pause()

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_connected_light_theme(pinned_server: DevServer, snap_compare: Any) -> None:
    # The status colours come from the theme (readable on a light background), not fixed names.
    app = pinned_app(pinned_server)

    async def run_before(pilot: Any) -> None:
        app.theme = "textual-light"
        await settle(pilot, app)

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_connected_narrow(pinned_server: DevServer, snap_compare: Any) -> None:
    app = pinned_app(pinned_server)

    async def run_before(pilot: Any) -> None:
        await settle(pilot, app)

    assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)


# -- the editor ---------------------------------------------------------------------------------


async def unfocused(pilot: Any, app: CoachApp) -> None:
    """No pane focused in the picture. The app gives Actions the focus once its rows are in, a frame
    after it asks: clearing it before that lands would be undone by it."""
    await until(pilot, lambda: app.session_screen.focus_placed)
    app.screen.set_focus(None)
    await pilot.pause()


async def still(pilot: Any, app: CoachApp) -> None:
    """No cursor in the picture: its blink phase would make it depend on the instant it is taken.
    TextArea caches its lines under a key that leaves out the focus, so a line drawn focused in the
    cursor's "off" phase would come back after the blur: the cache is emptied first."""
    app.screen.set_focus(None)
    await pilot.pause()
    for area in app.screen.query(TextArea):
        area.notify_style_update()
        area.refresh()
    await pilot.pause()


def test_editor_changed_elsewhere(pinned_server: DevServer, snap_compare: Any) -> None:
    app = pinned_app(pinned_server)

    async def run_before(pilot: Any) -> None:
        await settle(pilot, app)
        await editing_with_a_conflict(pilot, app, pinned_server, " first")
        await still(pilot, app)

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_editor_new_action(pinned_server: DevServer, snap_compare: Any) -> None:
    app = pinned_app(pinned_server)

    async def run_before(pilot: Any) -> None:
        await settle(pilot, app)
        await pilot.press("2", "n")
        await until(pilot, lambda: isinstance(app.screen, EditorScreen) and app.focused is not None)
        await pilot.press(*"Send the agenda before Tuesday")
        await still(pilot, app)

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_editor_save_error(pinned_server: DevServer, snap_compare: Any) -> None:
    app = pinned_app(pinned_server)

    async def run_before(pilot: Any) -> None:
        await settle(pilot, app)
        await pilot.press("3", "n")
        await until(pilot, lambda: isinstance(app.screen, EditorScreen) and app.focused is not None)
        await pilot.press(*"We both read the chapter")
        dev(pinned_server, "rest/fail_mutations", status=403)
        await pilot.press("ctrl+s")
        await until(pilot, lambda: isinstance(app.screen, EditorScreen) and bool(app.screen.error))
        await still(pilot, app)

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


# -- what changed -------------------------------------------------------------------------------


def test_others_changes_marked_and_told(pinned_server: DevServer, snap_compare: Any) -> None:
    app = pinned_app(pinned_server)

    async def run_before(pilot: Any) -> None:
        await settle(pilot, app)
        # The notices are in the picture: toasts fade by the real clock (Textual's), and a loaded
        # machine can take longer than their 3 s to set the scene.
        notify = app.notify
        app.notify = lambda *args, **kwargs: notify(*args, **{**kwargs, "timeout": 3600})  # type: ignore[method-assign]
        await others_changes(pilot, app, pinned_server)
        await until(pilot, lambda: panes_caught_up(app))
        await pilot.pause()

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_history(pinned_server: DevServer, snap_compare: Any) -> None:
    app = pinned_app(pinned_server)

    async def run_before(pilot: Any) -> None:
        await settle(pilot, app)
        await history_with_a_reconnect(pilot, app, pinned_server)
        app.clear_notifications()  # (their fade would depend on the instant)
        await pilot.pause()

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


# -- the notes ------------------------------------------------------------------------------------


def test_notes_beside_the_panes(pinned_server: DevServer, snap_compare: Any) -> None:
    app = pinned_app(pinned_server)

    async def run_before(pilot: Any) -> None:
        await settle(pilot, app)
        await notes_with_the_coachee_here(pilot, app, pinned_server)
        await pilot.pause()

    assert snap_compare(app, terminal_size=(160, 45), run_before=run_before)


def test_at_120x36_the_texts_read_whole(pinned_server: DevServer, snap_compare: Any) -> None:
    """The size most coaches use: the notes a tab, every goal, action and agreement whole."""
    app = pinned_app(pinned_server)

    async def run_before(pilot: Any) -> None:
        await settle(pilot, app)
        await notes_with_the_coachee_here(pilot, app, pinned_server)
        await unfocused(pilot, app)

    assert snap_compare(app, terminal_size=(120, 36), run_before=run_before)


def test_at_160x45_without_notes_the_goal_column_shows(pinned_server: DevServer, snap_compare: Any) -> None:
    app = pinned_app(pinned_server)
    app.notes_options = NotesOptions(enabled=False)

    async def run_before(pilot: Any) -> None:
        await until(pilot, lambda: settled(app))
        actions = app.session_screen.query_one(ActionsPane)
        # The Goal column appears once the pane has measured its room: wait until it shows titles.
        await until(pilot, lambda: actions.shows_goals and bool(getattr(actions.context, "goals", None)))
        bar = app.session_screen.query_one(StatusBar)
        bar.host = "localhost:4000"
        bar.refresh()
        await unfocused(pilot, app)

    assert snap_compare(app, terminal_size=(160, 45), run_before=run_before)


def test_notes_as_a_tab_at_80x24(pinned_server: DevServer, snap_compare: Any) -> None:
    app = pinned_app(pinned_server)

    async def run_before(pilot: Any) -> None:
        await settle(pilot, app)
        await notes_with_the_coachee_here(pilot, app, pinned_server)
        await pilot.press("4")
        await unfocused(pilot, app)  # (no focus ring: the same picture whatever the timing)

    assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)


async def notes_cursor_on_a_list_item(pilot: Any, app: CoachApp, server: DevServer) -> None:
    """The Notes pane focused, its block cursor moved down to the first bullet (issue 23)."""
    await settle(pilot, app)
    await notes_with_the_coachee_here(pilot, app, server)
    await pilot.press("4", "j", "j", "j")
    pane = app.session_screen.query_one("#notes")
    await until(pilot, lambda: getattr(pane, "cursor_at", None) == 3 and app.focused is pane)
    await pilot.pause(0.2)


def test_notes_block_cursor_at_80x24(pinned_server: DevServer, snap_compare: Any) -> None:
    app = pinned_app(pinned_server)

    async def run_before(pilot: Any) -> None:
        await notes_cursor_on_a_list_item(pilot, app, pinned_server)

    assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)


def test_notes_block_cursor_at_160x45(pinned_server: DevServer, snap_compare: Any) -> None:
    app = pinned_app(pinned_server)

    async def run_before(pilot: Any) -> None:
        await notes_cursor_on_a_list_item(pilot, app, pinned_server)

    assert snap_compare(app, terminal_size=(160, 45), run_before=run_before)
