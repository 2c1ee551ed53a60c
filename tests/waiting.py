"""Waiting on conditions, not on time: the one home for the suite's (and the benchmarks') waits.

Each wait polls its condition and fails with TimeoutError only to turn a hang into a failure:
no test passes or fails by how long something took. So the limits are long: a loaded machine
(CI's, or this 2-core one with two suites running) can take many times longer than an idle one.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from coachtui.live.status import ConnState

DEMO_ROWS = {"actions": 7, "goals": 3, "agreements": 2}  # today's demo session, as seeded
HANG = 30.0  # seconds: only a hang takes longer, even under load


async def wait_for(condition: Callable[[], bool], timeout: float = HANG, interval: float = 0.01) -> None:
    """Wait on a condition in plain asyncio code."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        if loop.time() > deadline:
            raise TimeoutError("condition not met in time")
        await asyncio.sleep(interval)


async def until(pilot: Any, condition: Callable[[], bool], timeout: float = HANG) -> None:
    """Wait on a condition while a Textual app runs under `pilot`.

    The app runs on this event loop, so a plain sleep lets it work; the pilot's own pause (which
    visits every widget to flush its messages, and costs CPU on a busy screen) is taken only
    every fifth poll, to settle what is pending before the condition is read again.
    """
    for n in range(int(timeout / 0.02)):
        if condition():
            return
        if n % 5 == 4:
            await pilot.pause()
        else:
            await asyncio.sleep(0.02)
    raise TimeoutError(f"condition not met in time; {_scene(pilot.app)}")


def _scene(app: Any) -> str:
    """What the app was showing when a wait gave up: a CI failure is read from this alone."""
    try:
        stack = [type(screen).__name__ for screen in app.screen_stack]
        focused = type(app.screen.focused).__name__ if app.screen.focused is not None else None
        notices = [f"{n.title}: {n.message}"[:80] for n in app._notifications]
        return f"screens {stack}, focus {focused}, notices {notices}"
    except Exception as exc:  # (a description must never hide the timeout itself)
        return f"(no description: {exc!r})"


def settled(app: Any, table: Any = None, rows: int | None = None) -> bool:
    """Connected, every pane loaded, no reload in flight, the notes begun (and `table` showing
    `rows` rows)."""
    live = app.live
    return (
        live is not None
        and live.status.state is ConnState.CONNECTED
        and not live.model.busy
        and all(s.loaded_once for s in live.model.states.values())
        and notes_begun(app)
        and (table is None or len(table.rows) == rows)
    )


def notes_begun(app: Any) -> bool:
    """The notes (where they are on) have started and had a first answer, connected (their
    document drawn) or not: they start once the panes are painted, and neither their token
    request nor the column their text opens must land after a count a test takes."""
    run = app.session_run
    if run is None or not app.notes_options.enabled:
        return True
    if run.notes is None:
        return False
    state = run.notes.status.state
    return state in (ConnState.RECONNECTING, ConnState.ERROR) or (
        state is ConnState.CONNECTED and not run.notes_queued and app.session_screen.notes_in_place
    )


def shows_demo(app: Any) -> bool:
    """Settled, and the panes on screen show today's demo session as seeded."""
    if not app.session_screen.is_mounted or not settled(app):
        return False
    screen = app.session_screen
    return all(len(screen.query_one(f"#{pane}").rows) == n for pane, n in DEMO_ROWS.items())


def panes_caught_up(app: Any) -> bool:
    """Every pane change the model reported has reached its pane (none waits for the next frame),
    and every pane with data has it in the columns its size has (a table's first size comes with
    its first rows; a column it then shows or hides has the rows drawn again)."""
    run = app.session_run
    return run is None or (not run.panes_queued and app.session_screen.laid_out)


def event_counts(app: Any, server: Any) -> tuple[int, int]:
    """(events the app has received, events the server has sent so far): what `caught_up` compares."""
    return app.live.status.events_received, server.backend.broker.events_sent


def caught_up(app: Any, server: Any, since: tuple[int, int]) -> bool:
    """Every event the server sent since `since` (all go to both participants) has come in, no
    reload is pending and every pane shows what it brought: the positive signal a check that
    nothing else happened waits on."""
    received, sent = event_counts(app, server)
    return received - since[0] >= sent - since[1] and not app.live.model.busy and panes_caught_up(app)
