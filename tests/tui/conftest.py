from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from coachtui.api.client import ApiClient
from coachtui.devserver.server import DevServer
from coachtui.live.backoff import Backoff
from coachtui.live.status import ConnState
from coachtui.tui.app import CoachApp

FAST = {"debounce": 0.02, "backoff": Backoff(base=0.05, cap=0.2)}


async def make_app(server: DevServer, session_id: str | None = None, **kwargs: Any) -> CoachApp:
    assert server.demo is not None
    api = ApiClient(server.url)
    await api.login(server.demo.coach.email, server.demo.coach.password)
    options = {**FAST, **kwargs.pop("live_options", {})}
    return CoachApp(
        api,
        session_id or server.demo.today_session_id,
        user_name="Avery Stone",
        live_options=options,
        **kwargs,
    )


async def until(pilot: Any, condition: Callable[[], bool], timeout: float = 5.0) -> None:
    """Pause the pilot until `condition` holds; the timeout only turns a hang into a failure."""
    for _ in range(int(timeout / 0.02)):
        if condition():
            return
        await pilot.pause(0.02)
    raise AssertionError("condition not met in time")


def settled(app: CoachApp, table: Any = None, rows: int | None = None) -> bool:
    """Connected with no reload in flight (and `table` showing `rows` rows, when given)."""
    return (
        app.live is not None
        and app.live.status.state is ConnState.CONNECTED
        and not app.live.model.busy
        and (table is None or len(table.rows) == rows)
    )


AppFactory = Callable[..., Awaitable[CoachApp]]


@pytest.fixture
def app_for() -> AppFactory:
    return make_app
