"""A CoachApp logged in as the demo coach against a devserver, with fast test timings."""

from __future__ import annotations

from typing import Any

from coachtui.api.client import ApiClient
from coachtui.config import state_dir
from coachtui.devserver.server import DevServer
from coachtui.live.backoff import Backoff
from coachtui.live.engine import LiveEngine
from coachtui.tui.app import CoachApp
from coachtui.tui.notes_showing import NotesOptions
from coachtui.tui.screens.picker import PickerScreen
from tests.waiting import until

FAST = {"debounce": 0.02, "backoff": Backoff(base=0.05, cap=0.2)}


def notes_options(server: DevServer, **options: Any) -> NotesOptions:
    """The devserver's notes server (the token's `aud` names TipTap Cloud, unreachable here)."""
    fast = {"backoff": Backoff(base=0.05, cap=0.2)}
    return NotesOptions(
        url=server.url.replace("http://", "ws://") + "/collab", connection={**fast, **options}
    )


def engine(app: CoachApp) -> LiveEngine:
    """The app's live engine (it has one once a session is open)."""
    assert app.live is not None
    return app.live


async def make_app(server: DevServer, session_id: str | None = None, **kwargs: Any) -> CoachApp:
    assert server.demo is not None
    api = ApiClient(server.url)
    await api.login(server.demo.coach.email, server.demo.coach.password)
    options = {**FAST, **kwargs.pop("live_options", {})}
    kwargs.setdefault("drafts_dir", state_dir())  # per test (conftest sets COACHTUI_STATE_DIR)
    kwargs.setdefault("notes", notes_options(server))
    return CoachApp(
        api,
        session_id or server.demo.today_session_id,
        user_name="Avery Stone",
        live_options=options,
        **kwargs,
    )


async def open_picker(pilot: Any, app: CoachApp) -> PickerScreen:
    """`s`, as a user switches session, and the picker once its sessions are shown."""
    await pilot.press("s")
    await until(pilot, lambda: isinstance(app.screen, PickerScreen) and app.screen.loaded)
    assert isinstance(app.screen, PickerScreen)
    return app.screen
