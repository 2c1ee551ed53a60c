"""The editing keys that exist so far (1 2 3, x, d), on both backend eras, against the devserver."""

from __future__ import annotations

from typing import Any

import pytest

from coachtui.api.models import Status
from coachtui.devserver.server import DevServer
from coachtui.live.events import Pane
from coachtui.tui.screens.modals import Notice
from coachtui.tui.widgets.entity_table import EntityTable
from coachtui.tui.widgets.key_bar import KeyBar
from coachtui.tui.widgets.status_bar import StatusBar
from tests.conftest import ServerFactory, dev
from tests.tui.factory import engine, make_app
from tests.waiting import settled, until


def pane(app: Any, p: Pane) -> EntityTable:
    table: EntityTable = app.session_screen.pane_widget(p)
    return table


def notices(app: Any) -> str:
    """The toasts on screen, and the change notices told in the status line."""
    toasts = [str(n.message) for n in app._notifications]
    return " ".join([*toasts, *app.session_screen.query_one(StatusBar).told])


def reads(server: DevServer) -> int:
    return sum(
        n for r, n in dev(server, "stats")["requests"].items() if r.startswith("GET") and r != "GET /sse"
    )


async def put_cursor_on(pilot: Any, table: EntityTable, entity_id: str) -> None:
    table.focus()
    table.move_cursor(row=table.get_row_index(entity_id), animate=False)
    await pilot.pause()


async def test_number_keys_focus_the_panes(head_server: DevServer) -> None:
    app = await make_app(head_server)
    async with app.run_test(size=(100, 30)) as pilot:
        await until(pilot, lambda: settled(app))
        for key, p in (("1", Pane.GOALS), ("3", Pane.AGREEMENTS), ("2", Pane.ACTIONS)):
            await pilot.press(key)
            assert app.focused is pane(app, p)


@pytest.mark.parametrize("profile", ["head", "seed"])
async def test_x_completes_the_row_and_again_puts_it_back(make_server: ServerFactory, profile: str) -> None:
    server = make_server(profile)
    app = await make_app(server)
    async with app.run_test(size=(100, 30)) as pilot:
        actions = pane(app, Pane.ACTIONS)
        await until(pilot, lambda: settled(app, actions, 7))
        model = engine(app).model
        target = next(a for a in model.items(Pane.ACTIONS) if a.status is Status.NOT_STARTED)
        await put_cursor_on(pilot, actions, target.id)
        before = reads(server)
        await pilot.press("x")
        await until(pilot, lambda: str(actions.cells_of(target.id)[0]) == "Completed" and not model.busy)
        await until(pilot, lambda: not model.states[Pane.ACTIONS].saving)
        assert reads(server) == before  # the change, and no reload (seed: no event comes either)
        assert actions.coordinate_to_cell_key(actions.cursor_coordinate).row_key.value == target.id
        await pilot.press("x")
        await until(pilot, lambda: str(actions.cells_of(target.id)[0]) == "Not Started")


async def test_a_row_that_changes_group_shows_in_place_then_moves_with_the_cursor(
    head_server: DevServer,
) -> None:
    app = await make_app(head_server)
    async with app.run_test(size=(100, 30)) as pilot:
        actions = pane(app, Pane.ACTIONS)
        await until(pilot, lambda: settled(app, actions, 7))
        target = next(a for a in engine(app).model.items(Pane.ACTIONS) if a.status is Status.IN_PROGRESS)
        await put_cursor_on(pilot, actions, target.id)
        at = actions.get_row_index(target.id)
        # What the row shows when the move is due (REGROUP_AFTER later: a busy machine's polls can
        # come after it, so it is read as it happens).
        before_move: list[tuple[str, int]] = []
        regroup = actions._regroup_later

        def regroup_later() -> None:
            before_move.append((str(actions.cells_of(target.id)[0]), actions.get_row_index(target.id)))
            regroup()

        actions._regroup_later = regroup_later  # type: ignore[method-assign]
        await pilot.press("x")
        await until(pilot, lambda: before_move != [])
        assert before_move[0] == ("Completed", at)  # the change in sight first, where it was
        order = ["In Progress", "Not Started", "On Hold", "Completed", "Won't Do"]
        await until(
            pilot,
            lambda: (
                [r[0] for r in actions.visible_rows()]
                == sorted((r[0] for r in actions.visible_rows()), key=order.index)
            ),
        )
        assert actions.coordinate_to_cell_key(actions.cursor_coordinate).row_key.value == target.id


async def test_a_refused_x_is_undone_with_a_reason(head_server: DevServer) -> None:
    app = await make_app(head_server)
    async with app.run_test(size=(100, 30)) as pilot:
        actions = pane(app, Pane.ACTIONS)
        await until(pilot, lambda: settled(app, actions, 7))
        target = next(a for a in engine(app).model.items(Pane.ACTIONS) if a.status is Status.NOT_STARTED)
        await put_cursor_on(pilot, actions, target.id)
        dev(head_server, "rest/fail_mutations", status=403)
        await pilot.press("x")
        await until(pilot, lambda: "Not saved" in notices(app))
        await until(pilot, lambda: str(actions.cells_of(target.id)[0]) == "Not Started")
        assert not engine(app).model.states[Pane.ACTIONS].saving


async def test_x_where_it_means_nothing_says_where_it_works(head_server: DevServer) -> None:
    app = await make_app(head_server)
    async with app.run_test(size=(100, 30)) as pilot:
        await until(pilot, lambda: settled(app))
        await pilot.press("3", "x")
        await until(pilot, lambda: "works on a row of Actions (2) or Goals (1)" in notices(app))


async def test_d_asks_first_and_n_or_escape_keep_the_row(head_server: DevServer) -> None:
    app = await make_app(head_server)
    async with app.run_test(size=(100, 30)) as pilot:
        agreements = pane(app, Pane.AGREEMENTS)
        await until(pilot, lambda: settled(app, agreements, 2))
        await pilot.press("3")
        for cancel in ("n", "escape", "enter"):  # Enter lands on Cancel, which has the focus
            await pilot.press("d")
            await until(pilot, lambda: isinstance(app.screen, Notice) and app.focused is not None)
            assert app.focused is not None and app.focused.id == "no"
            await pilot.press(cancel)
            await until(pilot, lambda: not isinstance(app.screen, Notice))
            assert len(agreements.rows) == 2
        await pilot.press("d")
        await until(pilot, lambda: isinstance(app.screen, Notice))
        await pilot.press("y")
        await until(
            pilot, lambda: len(agreements.rows) == 1 and not engine(app).model.states[Pane.AGREEMENTS].saving
        )


@pytest.mark.parametrize("choice", ["y", "e"])
async def test_d_on_a_goal_removes_it_from_the_session_or_everywhere(
    head_server: DevServer, choice: str
) -> None:
    app = await make_app(head_server)
    async with app.run_test(size=(100, 30)) as pilot:
        goals = pane(app, Pane.GOALS)
        await until(pilot, lambda: settled(app, goals, 3))
        await pilot.press("1", "d")
        await until(pilot, lambda: isinstance(app.screen, Notice))
        assert isinstance(app.screen, Notice) and "Remove this goal?" in app.screen.title_text
        await pilot.press(choice)
        await until(pilot, lambda: len(goals.rows) == 2)


async def test_seed_era_offers_no_goal_removal(make_server: ServerFactory) -> None:
    server = make_server("seed")
    app = await make_app(server)
    async with app.run_test(size=(100, 30)) as pilot:
        goals = pane(app, Pane.GOALS)
        await until(pilot, lambda: settled(app, goals, 3))
        before = dev(server, "stats")["requests"]
        await pilot.press("1", "d")
        await until(pilot, lambda: "cannot remove goals" in notices(app))
        assert not isinstance(app.screen, Notice) and len(goals.rows) == 3
        assert dev(server, "stats")["requests"] == before  # no request that must fail was sent


async def test_an_unconfirmed_change_is_marked_in_words(head_server: DevServer) -> None:
    app = await make_app(head_server)
    async with app.run_test(size=(100, 30)) as pilot:
        actions = pane(app, Pane.ACTIONS)
        await until(pilot, lambda: settled(app, actions, 7))
        model = engine(app).model
        action = model.items(Pane.ACTIONS)[0]
        model.show_local(Pane.ACTIONS, action.id, action.model_copy(update={"body": "Being saved"}))
        await until(
            pilot,
            lambda: (
                actions.row_mark(action.id) == "… saving"
                and str(actions.cells_of(action.id)[1]).startswith("Being saved")
            ),
        )
        model.settle_local(Pane.ACTIONS, action.id, action)
        await until(
            pilot,
            lambda: str(actions.cells_of(action.id)[1]) == action.body and not actions.row_mark(action.id),
        )


async def test_z_after_d_brings_the_row_back(head_server: DevServer) -> None:
    app = await make_app(head_server)
    async with app.run_test(size=(100, 30)) as pilot:
        agreements = pane(app, Pane.AGREEMENTS)
        await until(pilot, lambda: settled(app, agreements, 2))
        await pilot.press("z")
        await until(pilot, lambda: "Nothing to undo" in notices(app))
        bar = app.session_screen.query_one(KeyBar)
        assert "z[/] Undo" not in bar.hints  # nothing to undo: not offered
        first = engine(app).model.items(Pane.AGREEMENTS)[0]
        await put_cursor_on(pilot, agreements, first.id)
        await pilot.press("d")
        await until(pilot, lambda: isinstance(app.screen, Notice))
        await pilot.press("y")
        await until(pilot, lambda: len(agreements.rows) == 1 and "· z undo" in notices(app))
        assert f"Deleted: {first.body}" in notices(app)
        assert "z[/] Undo" in bar.hints  # offered while there is something to undo
        await pilot.press("z")
        await until(pilot, lambda: len(agreements.rows) == 2 and f"Restored: {first.body}" in notices(app))
        assert "z[/] Undo" not in bar.hints
