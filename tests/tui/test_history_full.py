"""A full history (2,000 entries kept) still shows what happens next while it is open."""

from __future__ import annotations

from textual.widgets import OptionList

from coachtui.devserver.server import DevServer
from coachtui.live.events import Pane
from coachtui.tui.screens.history import HistoryScreen
from coachtui.tui.session_run import HISTORY_KEPT
from tests.conftest import dev
from tests.live.helpers import coachee_api
from tests.tui.factory import engine, make_app
from tests.waiting import settled, until


async def test_2100_changes_with_the_history_open_and_the_next_one_still_shows(
    head_server: DevServer,
) -> None:
    assert head_server.demo is not None
    app = await make_app(head_server)
    async with app.run_test(size=(120, 36)) as pilot, await coachee_api(head_server) as coachee:
        await until(pilot, lambda: settled(app))
        await pilot.press("h")
        await until(pilot, lambda: isinstance(app.screen, HistoryScreen))
        listing = app.screen.query_one(OptionList)
        model = engine(app).model
        target = model.items(Pane.ACTIONS)[0]
        dev(head_server, "sse/flood", action_id=target.id, count=2100, seconds=2)
        run = app.session_run
        assert run is not None
        # 2,100 events through the app and the devserver in one process: ~10 s on this 2-core
        # machine at load 6, 89 s once at load 11+ (over the 60 s given then). A wait, not a time.
        await until(pilot, lambda: run.history.total >= 2100, timeout=240)
        assert len(app.history) == HISTORY_KEPT
        agreement = model.items(Pane.AGREEMENTS)[0]
        await coachee.update_agreement(agreement.id, model.session_id, "After the flood")
        await until(pilot, lambda: "After the flood" in str(listing.get_option_at_index(0).prompt))
        assert listing.option_count == HISTORY_KEPT
