"""Every screen has a way forward and every key shown works: what a new user ran into (issue 10)."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import DataTable, LoadingIndicator, Static

from coachtui.api.client import ApiClient
from coachtui.devserver.server import DevServer
from coachtui.live.backoff import Backoff
from coachtui.live.status import ConnState
from coachtui.tui.screens.modals import HelpScreen, Notice
from coachtui.tui.screens.picker import PickerScreen
from coachtui.tui.widgets.entity_table import EntityTable
from coachtui.tui.widgets.key_bar import KeyBar
from coachtui.tui.widgets.panes import ActionsPane, AgreementsPane, GoalsPane
from coachtui.tui.widgets.session_header import SessionHeader
from coachtui.tui.widgets.status_bar import StatusBar
from tests.conftest import ServerFactory
from tests.tui.factory import engine, make_app
from tests.waiting import settled, until


def status_text(app: Any) -> str:
    return " ".join(str(part) for part in app.session_screen.query_one(StatusBar).describe())


def key_bar_text(screen: Any) -> str:
    bar = screen.query_one(KeyBar)
    return " ".join(str(s.render()) for s in bar.query(Static))


async def without_actions(server: DevServer) -> DevServer:
    """The devserver, with today's session emptied of actions (by the coach, over the API)."""
    demo = server.demo
    assert demo is not None
    async with ApiClient(server.url) as coach:
        await coach.login(demo.coach.email, demo.coach.password)
        for action in await coach.session_actions(demo.today_session_id):
            await coach.delete_action(action.id)
    return server


def picker_of(app: Any) -> PickerScreen:
    assert isinstance(app.screen, PickerScreen)
    return app.screen


# -- stuck ------------------------------------------------------------------------------------


async def test_escape_on_the_start_up_picker_does_not_strand_the_user(head_server: DevServer) -> None:
    app = await make_app(head_server)
    app.initial_session = None
    async with app.run_test(size=(100, 30)) as pilot:
        await until(pilot, lambda: isinstance(app.screen, PickerScreen) and picker_of(app).loaded)
        assert "esc" not in key_bar_text(app.screen)  # nothing to go back to, and none is offered
        await pilot.press("escape")
        await pilot.pause()  # (the key handled: what it would have done is done)
        assert isinstance(app.screen, PickerScreen)
        await pilot.press("enter")  # today's session is first
        await until(pilot, lambda: settled(app) and app.screen is app.session_screen)
        await pilot.press("s")
        await until(pilot, lambda: isinstance(app.screen, PickerScreen))
        assert "esc Back" in key_bar_text(app.screen)  # now there is a session to go back to
        await pilot.press("escape")
        await until(pilot, lambda: app.screen is app.session_screen)


async def test_nothing_animates_beneath_the_start_up_picker(head_server: DevServer) -> None:
    """No session yet: the panes beneath the picker are not "loading" (their indicators would
    redraw the whole screen beneath it 30 times a second, idle); once one opens, they load."""
    app = await make_app(head_server)
    app.initial_session = None
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: isinstance(app.screen, PickerScreen) and picker_of(app).loaded)
        tables = list(app.session_screen.query(EntityTable))
        await until(pilot, lambda: not any(t.loading for t in tables))
        assert not app.session_screen.query(LoadingIndicator)
        await pilot.press("enter")  # today's session is first
        await until(pilot, lambda: settled(app) and app.screen is app.session_screen)
        await until(pilot, lambda: all(t.row_count for t in tables) and not any(t.loading for t in tables))


async def test_the_picker_says_why_it_failed_and_r_retries(head_server: DevServer) -> None:
    app = await make_app(head_server)
    app.initial_session = None
    head_server.stop()
    async with app.run_test(size=(100, 30)) as pilot:
        await until(pilot, lambda: isinstance(app.screen, PickerScreen))
        message = app.screen.query_one("#picker-message", Static)
        await until(pilot, lambda: message.display and "refused" in str(message.render()))
        assert "Press r to try again" in str(message.render())
        head_server.restart()
        await pilot.press("r")
        table = app.screen.query_one(DataTable)
        await until(pilot, lambda: table.row_count > 0)
        assert not message.display


async def test_session_opens_while_the_server_is_down_and_loads_when_it_is_back(
    head_server: DevServer,
) -> None:
    # A countdown long enough to be read on a loaded machine (with 2-4 s it had reached "trying now").
    app = await make_app(head_server, live_options={"backoff": Backoff(base=60, cap=60)})
    head_server.stop()
    async with app.run_test(size=(100, 30)) as pilot:
        await until(pilot, lambda: "Reconnecting" in status_text(app))
        assert "refused" in status_text(app) and "next try in" in status_text(app)
        head_server.restart()
        await pilot.press("r")  # no need to wait for the countdown
        await until(pilot, lambda: settled(app, app.session_screen.query_one(ActionsPane), 7))


async def test_a_failed_live_worker_shows_error_and_r_restarts_it(head_server: DevServer) -> None:
    demo = head_server.demo
    assert demo is not None
    app = await make_app(head_server)
    async with app.run_test(size=(100, 30)) as pilot:
        actions = app.session_screen.query_one(ActionsPane)
        await until(pilot, lambda: settled(app, actions, 7))
        model = engine(app).model
        real_apply = model.apply

        def broken(event: Any) -> Any:
            model.apply = real_apply  # type: ignore[method-assign]
            raise RuntimeError("a bug in the engine")

        model.apply = broken  # type: ignore[method-assign]
        async with ApiClient(head_server.url) as other:
            await other.login(demo.coachee.email, demo.coachee.password)
            created = await other.create_action(demo.today_session_id, "arrives at a broken engine")
        await until(pilot, lambda: "Error" in status_text(app))
        assert "stopped unexpectedly (RuntimeError)" in status_text(app) and "press r" in status_text(app)
        await pilot.press("r")
        await until(pilot, lambda: settled(app) and created.id in actions.rows)
        assert "Connected" in status_text(app)


async def test_a_pane_has_the_focus_when_the_session_opens(head_server: DevServer) -> None:
    app = await make_app(head_server)
    async with app.run_test(size=(100, 30)) as pilot:
        actions = app.session_screen.query_one(ActionsPane)
        await until(pilot, lambda: settled(app, actions, 7))
        await until(pilot, lambda: app.focused is actions)
        row = actions.cursor_row
        await pilot.press("down")
        assert actions.cursor_row == row + 1


async def test_with_no_actions_the_first_pane_with_rows_has_the_focus(make_server: ServerFactory) -> None:
    app = await make_app(await without_actions(make_server("head")))
    async with app.run_test(size=(100, 30)) as pilot:
        goals = app.session_screen.query_one(GoalsPane)
        await until(pilot, lambda: settled(app, goals, 3))
        await until(pilot, lambda: app.focused is goals)


# -- misled -----------------------------------------------------------------------------------


async def test_dialogs_show_their_own_keys_and_ctrl_c_quits(head_server: DevServer) -> None:
    app = await make_app(head_server)
    async with app.run_test(size=(100, 30)) as pilot:
        await until(pilot, lambda: settled(app))
        assert "h History" in key_bar_text(app.session_screen)
        await pilot.press("question_mark")
        await until(pilot, lambda: isinstance(app.screen, HelpScreen))
        shown = key_bar_text(app.screen)
        assert "Close" in shown and "History" not in shown and "Quit" not in shown
        # What is drawn at the bottom line is the dialog's key bar, not the screen's beneath.
        bottom = app.screen.query_one(KeyBar).region
        assert bottom.y == 29 and bottom.width == 100
        await pilot.press("ctrl+c")
        await until(pilot, lambda: app.return_code is not None)
    assert app.return_code == 0


async def test_ctrl_c_quits_from_the_session_screen(head_server: DevServer) -> None:
    app = await make_app(head_server)
    async with app.run_test(size=(100, 30)) as pilot:
        await until(pilot, lambda: settled(app))
        await pilot.press("ctrl+c")
        await until(pilot, lambda: app.return_code is not None)
    assert app.return_code == 0 and not app.is_running


async def test_status_colours_follow_the_theme(head_server: DevServer) -> None:
    app = await make_app(head_server)
    async with app.run_test(size=(100, 30)) as pilot:
        actions = app.session_screen.query_one(ActionsPane)
        await until(pilot, lambda: settled(app, actions, 7))
        bar = app.session_screen.query_one(StatusBar)

        def looks() -> tuple[str, list[str]]:
            cells = [str(actions.cells_of(str(k.value))[0].style) for k in actions.rows]
            return bar.state_style(ConnState.CONNECTED), cells

        dark = looks()
        app.theme = "textual-light"
        await until(pilot, lambda: looks()[0] != dark[0] and looks()[1] != dark[1])
        light = looks()
        assert light[0] != dark[0] and light[1] != dark[1]
        assert app.get_css_variables()["text-success"] in light[0]


async def test_seed_era_panes_say_they_are_polled(make_server: ServerFactory) -> None:
    server = make_server("seed")
    app = await make_app(server, live_options={"poll_interval": 0.5})
    async with app.run_test(size=(100, 30)) as pilot:
        actions = app.session_screen.query_one(ActionsPane)
        agreements = app.session_screen.query_one(AgreementsPane)
        await until(pilot, lambda: settled(app, actions, 7))
        await until(pilot, lambda: "polled every" in str(actions.border_subtitle))
        await until(pilot, lambda: "polled every" in str(agreements.border_subtitle))
        assert "polled" not in str(app.session_screen.query_one(GoalsPane).border_subtitle)
        first = str(actions.border_subtitle)
        await until(pilot, lambda: str(actions.border_subtitle) != first)  # the time of the last poll


async def test_no_pane_is_polled_on_the_current_backend(head_server: DevServer) -> None:
    app = await make_app(head_server, live_options={"poll_interval": 0.2})
    async with app.run_test(size=(100, 30)) as pilot:
        actions = app.session_screen.query_one(ActionsPane)
        await until(pilot, lambda: settled(app, actions, 7))
        await pilot.pause(0.5)  # not a wait: time for two polls passes, and none may come
        assert "polled" not in str(actions.border_subtitle)


# -- narrow terminals and long text -----------------------------------------------------------


def no_sideways_scrolling(app: Any) -> bool:
    tables = app.session_screen.query(DataTable)
    return all(not t.show_horizontal_scrollbar and t.virtual_size.width <= t.size.width for t in tables)


async def test_no_pane_scrolls_sideways_at_80_columns(head_server: DevServer) -> None:
    app = await make_app(head_server)
    async with app.run_test(size=(80, 24)) as pilot:
        goals = app.session_screen.query_one(GoalsPane)
        await until(pilot, lambda: settled(app, goals, 3))
        await pilot.pause()
        assert no_sideways_scrolling(app)
        assert goals.ordered_columns[goals.text_column()].width >= 18  # the titles get the room
        at_80 = goals.region
        await pilot.resize_terminal(120, 36)
        await until(pilot, lambda: goals.region != at_80)  # laid out again
        await pilot.resize_terminal(80, 24)
        await until(pilot, lambda: goals.region == at_80)
        await pilot.pause()
        assert no_sideways_scrolling(app)


async def test_a_long_title_keeps_the_names_line(head_server: DevServer) -> None:
    demo = head_server.demo
    assert demo is not None
    app = await make_app(head_server)
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: settled(app))
        await app.api.update_session_title(demo.today_session_id, "A very long title " * 10)
        header = app.session_screen.query_one(SessionHeader)
        await until(pilot, lambda: "A very long" in str(header.render()))
        await pilot.pause()
        lines = [line.text for line in header.render_lines(header.region.reset_offset)]
        assert "titl…   " in lines[0] and lines[0].rstrip().endswith(
            ":00"
        )  # the title gives way, the date stays
        assert "Coach" in lines[1] and "Coachee" in lines[1]


async def test_the_empty_placeholder_is_readable(make_server: ServerFactory) -> None:
    app = await make_app(await without_actions(make_server("head")))
    async with app.run_test(size=(80, 24)) as pilot:
        actions = app.session_screen.query_one(ActionsPane)
        await until(pilot, lambda: settled(app, actions, 1))
        await pilot.pause()
        screen_text = "\n".join(line.text for line in actions.render_lines(actions.region.reset_offset))
        assert "No actions yet." in screen_text


async def test_the_picker_fits_80_columns_and_names_untitled_sessions(head_server: DevServer) -> None:
    demo = head_server.demo
    assert demo is not None
    app = await make_app(head_server)
    await app.api.update_session_title(demo.today_session_id, None)
    app.initial_session = None
    async with app.run_test(size=(80, 24)) as pilot:
        await until(pilot, lambda: isinstance(app.screen, PickerScreen) and picker_of(app).loaded)
        await pilot.pause()
        table = app.screen.query_one(DataTable)
        assert not table.show_horizontal_scrollbar
        rows = [[str(c) for c in table.get_row(k)] for k in table.rows]
        today = rows[0]
        assert today[0].startswith("Today") and today[2] == "Jordan Lee"  # the other participant
        assert today[1] == "untitled · Avery Stone & Jordan Lee"
        assert "Sam Rivera" in {r[2] for r in rows}
        drawn = "\n".join(line.text for line in table.render_lines(table.region.reset_offset))
        assert "Jordan Lee" in drawn


# -- small things -----------------------------------------------------------------------------


async def test_picker_filter_and_wider_range(head_server: DevServer) -> None:
    demo = head_server.demo
    assert demo is not None
    async with ApiClient(head_server.url) as coach:
        await coach.login(demo.coach.email, demo.coach.password)
        sessions = await coach.list_sessions(dt.date.today() - dt.timedelta(days=30), dt.date.today())
    app = await make_app(head_server)
    app.initial_session = None
    async with app.run_test(size=(100, 30)) as pilot:
        await until(pilot, lambda: isinstance(app.screen, PickerScreen) and picker_of(app).loaded)
        picker = picker_of(app)
        table = picker.query_one(DataTable)
        total = table.row_count
        assert total == len({s.id for s in sessions} | {r.id for r in picker.sessions})
        await pilot.press("slash")
        await pilot.press(*"sam")
        await until(pilot, lambda: 0 < table.row_count < total)
        assert {str(table.get_row(k)[2]) for k in table.rows} == {"Sam Rivera"}
        await pilot.press("escape")  # clears the filter (and does not leave the picker)
        await until(pilot, lambda: table.row_count == total)
        assert isinstance(app.screen, PickerScreen)
        start = picker.start
        await pilot.press("less_than_sign")
        await until(pilot, lambda: picker.loaded and not table.loading)
        assert picker.start == start - dt.timedelta(days=30)
        assert "earlier" not in str(table.border_subtitle) or table.row_count == 0


async def test_screenshot_says_where_it_went(
    head_server: DevServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_DOWNLOAD_DIR", str(tmp_path / "no-such-dir"))
    monkeypatch.chdir(tmp_path)
    app = await make_app(head_server)
    async with app.run_test(size=(100, 30)) as pilot:
        await until(pilot, lambda: settled(app))
        app.action_save_screenshot()
        await until(pilot, lambda: any(".svg" in str(n.message) for n in app._notifications))
        saved = [name for name in os.listdir(tmp_path) if name.endswith(".svg")]
        assert len(saved) == 1
        assert any(saved[0] in str(n.message) for n in app._notifications)


async def test_logout_from_the_palette_asks_first(head_server: DevServer) -> None:
    app = await make_app(head_server)
    logged_out: list[bool] = []
    app.on_logout = lambda: logged_out.append(True)
    async with app.run_test(size=(100, 30)) as pilot:
        await until(pilot, lambda: settled(app))
        app.action_logout()
        await until(pilot, lambda: isinstance(app.screen, Notice) and app.focused is not None)
        assert app.focused is not None and app.focused.id == "no"
        await pilot.press("n")
        await until(pilot, lambda: not isinstance(app.screen, Notice))
        assert not isinstance(app.screen, Notice) and logged_out == [] and app.is_running
        app.action_logout()
        await until(pilot, lambda: isinstance(app.screen, Notice))
        await pilot.press("y")
        await until(pilot, lambda: logged_out == [True])
    assert app.return_code == 0
