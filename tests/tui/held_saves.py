"""A save kept in flight: the devserver's `rest/hold` keeps the next write (before it is done, or
after, its answer held) until the test releases it, so what happens meanwhile is in the test's
order, not a race's."""

from __future__ import annotations

from typing import Any

from coachtui.api.models import Action, Status
from coachtui.devserver.server import DevServer
from coachtui.live.events import Pane
from tests.conftest import dev
from tests.tui.factory import engine
from tests.tui.test_editing import pane, put_cursor_on
from tests.waiting import until


def holding(server: DevServer) -> int:
    """Requests the devserver holds now."""
    return int(dev(server, "stats")["holding"])


def an_open_action(app: Any) -> Action:
    return next(
        a
        for a in engine(app).model.items(Pane.ACTIONS)
        if isinstance(a, Action) and a.status is Status.NOT_STARTED
    )


async def x_held(pilot: Any, app: Any, server: DevServer, *, when: str = "before") -> Action:
    """`x` on an open action, its write held by the devserver ("before": not done yet; "after":
    done, its answer held) until `release(server)`; the action as it was."""
    target = an_open_action(app)
    await put_cursor_on(pilot, pane(app, Pane.ACTIONS), target.id)
    dev(server, "rest/hold", when=when)
    await pilot.press("x")
    await until(pilot, lambda: holding(server) == 1)
    return target


def release(server: DevServer) -> None:
    dev(server, "rest/hold", release=True)
