"""`make screenshots`: SVGs of real app states against the devserver, for the README."""

from __future__ import annotations

import asyncio
import os
import sys

# Before Textual is imported (it reads this once): toasts fully drawn, not fading in.
os.environ.setdefault("TEXTUAL_ANIMATIONS", "none")
from pathlib import Path

import httpx
from tests.tui.scenes import (
    editing_with_a_conflict,
    history_with_a_reconnect,
    notes_with_the_coachee_here,
    others_changes,
    writing_in_the_notes,
)
from tests.waiting import until
from textual.widgets import DataTable

from coachtui.api.client import ApiClient
from coachtui.devserver.server import DevServer, ServerOptions
from coachtui.live.backoff import Backoff
from coachtui.live.status import ConnState
from coachtui.tui.app import CoachApp
from coachtui.tui.notes_showing import NotesOptions
from coachtui.tui.screens.picker import PickerScreen


async def _shoot(
    out: Path,
    name: str,
    size: tuple[int, int],
    *,
    picker: bool = False,
    reconnecting: bool = False,
    editing: bool = False,
    changes: bool = False,
    history: bool = False,
    notes: bool = False,
    writing: bool = False,
) -> None:
    server = DevServer(ServerOptions(seed=11, faults=True)).start()
    demo = server.demo
    assert demo is not None
    try:
        api = ApiClient(server.url)
        await api.login(demo.coach.email, demo.coach.password)
        app = CoachApp(
            api,
            None if picker else demo.today_session_id,
            user_name=demo.coach.name,
            live_options={"debounce": 0.02, "backoff": Backoff(base=30, cap=30)},
            notes=NotesOptions(url=server.url.replace("http://", "ws://") + "/collab"),
        )
        async with app.run_test(size=size, notifications=True) as pilot:
            if picker:
                await until(
                    pilot,
                    lambda: (
                        isinstance(app.screen, PickerScreen)
                        and len(app.screen.query_one("#sessions", DataTable).rows) > 0
                    ),
                )
            else:
                await until(
                    pilot,
                    lambda: (
                        app.live is not None
                        and app.live.status.state is ConnState.CONNECTED
                        and all(s.loaded_once for s in app.live.model.states.values())
                        and app.notes is not None
                        and app.notes.status.state is ConnState.CONNECTED
                    ),
                )
                if reconnecting:
                    async with httpx.AsyncClient(base_url=server.url) as control:
                        await control.post("/_dev/sse/fail", json={"status": 503, "count": 5})
                        await control.post("/_dev/sse/drop")
                    await until(
                        pilot,
                        lambda: app.live is not None and app.live.status.state is ConnState.RECONNECTING,
                    )
                if notes:
                    await notes_with_the_coachee_here(pilot, app, server)
                if writing:
                    await writing_in_the_notes(pilot, app, server)
                    for widget in app.screen.query("TextArea"):
                        widget.cursor_blink = False  # type: ignore[attr-defined]
                if changes:
                    await others_changes(pilot, app, server)
                if history:
                    await history_with_a_reconnect(pilot, app, server)
                if editing:
                    await editing_with_a_conflict(pilot, app, server, " before Friday")
                    for widget in app.screen.query("TextArea"):
                        widget.cursor_blink = False  # type: ignore[attr-defined]
            await pilot.pause(0.3)
            app.save_screenshot(filename=f"{name}.svg", path=str(out))
    finally:
        server.close()


async def main(out: Path) -> None:
    await _shoot(out, "session", (110, 34))
    await _shoot(out, "reconnecting", (110, 34), reconnecting=True)
    await _shoot(out, "picker", (100, 20), picker=True)
    await _shoot(out, "narrow-80x24", (80, 24))
    await _shoot(out, "editing", (110, 34), editing=True)
    await _shoot(out, "changes", (110, 34), changes=True)
    await _shoot(out, "history", (110, 34), history=True)
    await _shoot(out, "notes", (150, 40), notes=True)
    await _shoot(out, "notes-writing", (120, 36), writing=True)


if __name__ == "__main__":
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "screenshots")
    target.mkdir(parents=True, exist_ok=True)
    asyncio.run(main(target))
