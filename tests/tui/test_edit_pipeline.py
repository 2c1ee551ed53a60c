"""Every change made here settles: `l` does not cancel a save in flight, a cancelled save puts
its row back and says so, and another participant's change made while ours was in flight is
neither taken for our echo nor laid under our older answer. A save is kept in flight with the
devserver's `rest/hold` control, so the order of events is the test's, not a race's."""

from __future__ import annotations

from typing import Any

from coachtui.api.models import Action, Status
from coachtui.devserver.server import DevServer
from coachtui.live.changes import Change
from coachtui.live.events import Pane
from coachtui.tui.screens.chooser import Chooser
from tests.live.helpers import coachee_api
from tests.tui.factory import engine, make_app
from tests.tui.held_saves import holding, release, x_held
from tests.tui.test_editing import notices, pane
from tests.waiting import settled, until


def action(app: Any, entity_id: str) -> Action:
    item = engine(app).model.states[Pane.ACTIONS].items[entity_id]
    assert isinstance(item, Action)
    return item


async def test_l_while_a_save_is_in_flight_does_not_cancel_it(head_server: DevServer) -> None:
    app = await make_app(head_server)
    async with app.run_test(size=(120, 36)) as pilot:
        actions = pane(app, Pane.ACTIONS)
        await until(pilot, lambda: settled(app, actions, 7))
        target = await x_held(pilot, app, head_server)
        await pilot.press("l")
        await until(pilot, lambda: isinstance(app.screen, Chooser))
        release(head_server)
        saving = engine(app).model.states[Pane.ACTIONS].saving
        await until(pilot, lambda: not saving and action(app, target.id).status is Status.COMPLETED)
        await pilot.press("escape")
        await until(pilot, lambda: app.screen is app.session_screen)
        assert "saving" not in str(actions.get_row(target.id)[1])


async def test_a_cancelled_save_puts_its_row_back_and_says_so(head_server: DevServer) -> None:
    app = await make_app(head_server)
    async with app.run_test(size=(120, 36)) as pilot:
        actions = pane(app, Pane.ACTIONS)
        await until(pilot, lambda: settled(app, actions, 7))
        target = await x_held(pilot, app, head_server)
        app.workers.cancel_group(app, "edits")
        saving = engine(app).model.states[Pane.ACTIONS].saving
        await until(pilot, lambda: not saving and "interrupted" in notices(app))
        assert action(app, target.id).status is Status.NOT_STARTED  # as the server has it
        release(head_server)


async def test_a_remote_edit_of_an_item_being_saved_wins_when_newer_and_is_told(
    head_server: DevServer,
) -> None:
    assert head_server.demo is not None
    app = await make_app(head_server)
    async with app.run_test(size=(120, 36)) as pilot, await coachee_api(head_server) as coachee:
        actions = pane(app, Pane.ACTIONS)
        await until(pilot, lambda: settled(app, actions, 7))
        target = await x_held(pilot, app, head_server, when="after")  # done on the server; its answer waits
        latest = next(
            a for a in await coachee.session_actions(head_server.demo.today_session_id) if a.id == target.id
        )
        assert latest.status is Status.COMPLETED  # ours, committed
        theirs = await coachee.update_action(latest.model_copy(update={"body": "Reworded by the coachee"}))
        await until(pilot, lambda: action(app, target.id).body == theirs.body)  # their event is in
        release(head_server)
        saving = engine(app).model.states[Pane.ACTIONS].saving
        await until(pilot, lambda: holding(head_server) == 0 and not saving)
        await until(pilot, lambda: any(isinstance(r, Change) and not r.yours for r in app.history))
        shown = action(app, target.id)
        assert (shown.body, shown.status) == (theirs.body, Status.COMPLETED)  # the newest copy
        told = [r for r in app.history if isinstance(r, Change) and r.item_id == target.id and not r.yours]
        assert told, "their change is told as theirs"
