"""REST answers that are HTML, truncated, the wrong shape, absurdly large or deep, or a 500: a typed error,
the pane says so and keeps its last data, the app keeps running."""

from __future__ import annotations

import pytest

from coachtui.api.client import ApiClient
from coachtui.api.errors import ServerError, UnexpectedResponse
from coachtui.devserver.server import DevServer
from coachtui.tui.widgets.panes import AgreementsPane
from tests.conftest import dev
from tests.tui.factory import make_app
from tests.waiting import settled, until

MODES = {
    "html": UnexpectedResponse,
    "truncated": UnexpectedResponse,
    "shape": UnexpectedResponse,
    "huge": UnexpectedResponse,
    "deep": UnexpectedResponse,
    "error": ServerError,
}


@pytest.mark.parametrize(("mode", "error"), MODES.items())
async def test_typed_errors(head_server: DevServer, mode: str, error: type[Exception]) -> None:
    demo = head_server.demo
    assert demo is not None
    async with ApiClient(head_server.url) as api:
        await api.login(demo.coach.email, demo.coach.password)
        dev(head_server, "rest/hostile", mode=mode, path="/agreements")
        with pytest.raises(error) as info:
            await api.session_agreements(demo.today_session_id)
        assert "127.0.0.1" in str(info.value) and "Welcome" not in str(info.value)
        assert len(await api.session_agreements(demo.today_session_id)) == 2  # next answer is fine


@pytest.mark.parametrize("mode", ["html", "truncated", "shape", "huge", "deep"])
async def test_pane_keeps_its_data_and_says_why(head_server: DevServer, mode: str) -> None:
    app = await make_app(head_server)
    async with app.run_test(size=(100, 32)) as pilot:
        table = app.session_screen.query_one(AgreementsPane)
        await until(pilot, lambda: settled(app, table, 2))
        dev(head_server, "rest/hostile", mode=mode, path="/agreements")
        await pilot.press("r")
        await until(pilot, lambda: table.has_class("-failed"))
        assert "reload failed" in str(table.border_subtitle)
        assert len(table.rows) == 2
        await pilot.press("r")  # the next answer is good again: the pane recovers
        await until(pilot, lambda: not table.has_class("-failed"))
        assert app.is_running
