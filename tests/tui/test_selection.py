"""The cursor follows the item, not the row number: rows added or removed elsewhere above it, a
regrouping, a reload, a dialog on top — a key still acts on the item the user chose. When that
item is deleted elsewhere, the cursor goes to its neighbour and the next key does nothing."""

from __future__ import annotations

from typing import Any

import pytest
from textual.coordinate import Coordinate

from coachtui.api.client import ApiClient
from coachtui.api.models import Action, Status
from coachtui.devserver.server import DevServer
from coachtui.live.events import Pane
from coachtui.live.model import PaneStatus
from coachtui.tui.screens.history import HistoryScreen
from coachtui.tui.widgets.entity_table import EntityTable
from tests.conftest import dev
from tests.live.helpers import coachee_api
from tests.tui.factory import engine, make_app
from tests.tui.test_editing import notices, pane, put_cursor_on
from tests.waiting import settled, until


def statuses(app: Any) -> dict[str, Status]:
    """Every action's status, by id."""
    items = engine(app).model.states[Pane.ACTIONS].items
    return {i: a.status for i, a in items.items() if isinstance(a, Action)}


def order(table: EntityTable) -> list[str]:
    """Entity ids top to bottom, as on screen."""
    keys = [table.coordinate_to_cell_key(Coordinate(i, 0)).row_key.value for i in range(table.row_count)]
    return [k for k in keys if k is not None]


async def add_elsewhere(coachee: ApiClient, p: Pane, session_id: str, text: str) -> str:
    if p is Pane.ACTIONS:
        return (await coachee.create_action(session_id, text, status=Status.NOT_STARTED)).id
    if p is Pane.AGREEMENTS:
        return (await coachee.create_agreement(session_id, text)).id
    session = await coachee.get_session(session_id)
    return (await coachee.create_goal(session, text, status=Status.NOT_STARTED)).id


async def delete_elsewhere(coachee: ApiClient, p: Pane, entity_id: str) -> None:
    if p is Pane.ACTIONS:
        await coachee.delete_action(entity_id)
    elif p is Pane.AGREEMENTS:
        await coachee.delete_agreement(entity_id)
    else:
        await coachee.delete_goal(entity_id)


async def rows_enough(pilot: Any, app: Any, coachee: ApiClient, p: Pane, rows: int) -> EntityTable:
    """The pane shows at least `rows` rows (the coachee adds what is missing)."""
    table = pane(app, p)
    model = engine(app).model
    await until(pilot, lambda: settled(app) and table.row_count > 0)
    for n in range(rows - len(model.states[p].items)):
        await add_elsewhere(coachee, p, model.session_id, f"Filler {n}")
    await until(pilot, lambda: settled(app) and len(table._rows) >= rows)
    return table


@pytest.mark.parametrize("p", [Pane.ACTIONS, Pane.GOALS, Pane.AGREEMENTS])
async def test_rows_removed_above_leave_the_cursor_on_its_item(head_server: DevServer, p: Pane) -> None:
    app = await make_app(head_server)
    async with app.run_test(size=(120, 36)) as pilot, await coachee_api(head_server) as coachee:
        table = await rows_enough(pilot, app, coachee, p, 4)
        above = order(table)[:2]
        chosen = order(table)[2]
        await put_cursor_on(pilot, table, chosen)
        for entity_id in above:
            await delete_elsewhere(coachee, p, entity_id)
        await until(pilot, lambda: not set(above) & set(order(table)))
        assert table.selected_id() == chosen
        assert table.lost_item is None


@pytest.mark.parametrize("p", [Pane.ACTIONS, Pane.GOALS, Pane.AGREEMENTS])
async def test_rows_added_elsewhere_leave_the_cursor_on_its_item(head_server: DevServer, p: Pane) -> None:
    app = await make_app(head_server)
    async with app.run_test(size=(120, 36)) as pilot, await coachee_api(head_server) as coachee:
        table = await rows_enough(pilot, app, coachee, p, 3)
        chosen = order(table)[-1]
        await put_cursor_on(pilot, table, chosen)
        model = engine(app).model
        new = [await add_elsewhere(coachee, p, model.session_id, f"Added {n}") for n in range(2)]
        await until(pilot, lambda: set(new) <= set(order(table)))
        assert table.selected_id() == chosen


async def test_x_completes_the_chosen_action_after_rows_above_it_went(head_server: DevServer) -> None:
    """The reported case: two rows above removed elsewhere, then x."""
    app = await make_app(head_server)
    async with app.run_test(size=(120, 36)) as pilot, await coachee_api(head_server) as coachee:
        table = await rows_enough(pilot, app, coachee, Pane.ACTIONS, 4)
        model = engine(app).model
        ids = order(table)
        chosen = next(i for i in ids[2:] if statuses(app)[i] is not Status.COMPLETED)
        above = ids[ids.index(chosen) - 2 : ids.index(chosen)]
        await put_cursor_on(pilot, table, chosen)
        for entity_id in above:
            await coachee.delete_action(entity_id)
        await until(pilot, lambda: not set(above) & set(order(table)))
        others = {i: s for i, s in statuses(app).items() if i != chosen}
        await pilot.press("x")
        saving = model.states[Pane.ACTIONS].saving
        await until(pilot, lambda: statuses(app)[chosen] is Status.COMPLETED and not saving)
        assert {i: s for i, s in statuses(app).items() if i != chosen} == others


async def test_the_cursor_keeps_its_item_while_a_dialog_is_open(head_server: DevServer) -> None:
    app = await make_app(head_server)
    async with app.run_test(size=(120, 36)) as pilot, await coachee_api(head_server) as coachee:
        table = await rows_enough(pilot, app, coachee, Pane.ACTIONS, 4)
        ids = order(table)
        chosen = ids[3]
        await put_cursor_on(pilot, table, chosen)
        await pilot.press("h")
        await until(pilot, lambda: isinstance(app.screen, HistoryScreen))
        model = engine(app).model
        for entity_id in ids[:2]:
            await coachee.delete_action(entity_id)
        await until(pilot, lambda: not set(ids[:2]) & set(model.states[Pane.ACTIONS].items))
        await pilot.press("escape")
        await until(pilot, lambda: app.screen is app.session_screen and not set(ids[:2]) & set(order(table)))
        assert table.selected_id() == chosen


async def test_when_its_item_is_deleted_elsewhere_the_cursor_moves_on_and_the_next_key_does_nothing(
    head_server: DevServer,
) -> None:
    app = await make_app(head_server)
    async with app.run_test(size=(120, 36)) as pilot, await coachee_api(head_server) as coachee:
        table = await rows_enough(pilot, app, coachee, Pane.ACTIONS, 4)
        ids = order(table)
        chosen, below = ids[1], ids[2]
        await put_cursor_on(pilot, table, chosen)
        await coachee.delete_action(chosen)
        await until(pilot, lambda: chosen not in order(table))
        assert table.selected_id() == below  # the neighbour, not a row further on
        before = statuses(app)[below]
        requests = app.edits.requests if app.edits else 0
        await pilot.press("x")
        await until(pilot, lambda: "deleted elsewhere" in notices(app))
        assert "Nothing done" in notices(app)
        assert app.edits is not None and app.edits.requests == requests
        assert statuses(app)[below] is before
        # The user looks, and presses again: now it is aimed at what they see.
        await pilot.press("x")
        await until(pilot, lambda: app.edits is not None and app.edits.requests == requests + 1)


async def test_the_users_own_delete_moves_the_cursor_on_without_refusing_the_next_key(
    head_server: DevServer,
) -> None:
    app = await make_app(head_server)
    async with app.run_test(size=(120, 36)) as pilot:
        table = pane(app, Pane.ACTIONS)
        await until(pilot, lambda: settled(app, table, 7))
        ids = order(table)
        await put_cursor_on(pilot, table, ids[1])
        await pilot.press("d")
        await until(pilot, lambda: app.screen is not app.session_screen)
        await pilot.press("y")
        saving = engine(app).model.states[Pane.ACTIONS].saving
        await until(pilot, lambda: ids[1] not in order(table) and not saving)
        assert table.selected_id() == ids[2]
        assert table.lost_item is None


async def test_a_session_switch_takes_the_old_rows_away_at_once(head_server: DevServer) -> None:
    """Session A's rows never stand under session B's "loading…", nor under its failed load."""
    assert head_server.demo is not None
    app = await make_app(head_server)
    async with app.run_test(size=(120, 36)) as pilot:
        table = pane(app, Pane.ACTIONS)
        await until(pilot, lambda: settled(app, table, 7))
        old = set(order(table))
        dev(head_server, "rest/hostile", mode="error", path="/users/", count=50)  # B's actions fail
        app.open_session(head_server.demo.other_session_id)
        model = engine(app).model
        await until(pilot, lambda: model.states[Pane.ACTIONS].status is PaneStatus.FAILED and not model.busy)
        await until(pilot, lambda: "reload failed" in str(table.border_subtitle))
        assert not old & set(order(table))
