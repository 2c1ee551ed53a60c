"""The picker closed while it is still working: no error, and no session opened behind the
user's back. The devserver's `rest/hold` keeps the picker's request in flight meanwhile."""

from __future__ import annotations

from typing import Any

from coachtui.devserver.server import DevServer
from coachtui.tui.screens.picker import PickerScreen
from tests.conftest import dev
from tests.tui.factory import engine, make_app, open_picker
from tests.tui.held_saves import holding
from tests.tui.test_editing import notices
from tests.waiting import settled, until


def picker_done(app: Any) -> bool:
    """The picker's requests (sessions, the chosen one) have been answered and handled."""
    return all(w.is_finished for w in app.workers if w.group in ("sessions", "open-session"))


async def test_the_picker_closed_while_its_sessions_load_is_no_error(head_server: DevServer) -> None:
    app = await make_app(head_server)
    async with app.run_test(size=(120, 36)) as pilot:
        await until(pilot, lambda: settled(app))
        dev(head_server, "rest/hold", path=f"/users/{app.api.user_id}/coaching_sessions")
        await pilot.press("s")
        await until(pilot, lambda: isinstance(app.screen, PickerScreen))
        await until(pilot, lambda: holding(head_server) == 1)
        await pilot.press("escape")
        await until(pilot, lambda: app.screen is app.session_screen)
        dev(head_server, "rest/hold", release=True)
        await until(pilot, lambda: holding(head_server) == 0 and picker_done(app))
        await pilot.pause()
        assert "went wrong" not in notices(app)


async def test_esc_after_choosing_a_session_stays_where_the_user_is(head_server: DevServer) -> None:
    demo = head_server.demo
    assert demo is not None
    app = await make_app(head_server)
    async with app.run_test(size=(120, 36)) as pilot:
        await until(pilot, lambda: settled(app))
        picker = await open_picker(pilot, app)
        dev(head_server, "rest/hold", path=f"/coaching_sessions/{demo.other_session_id}")
        picker.post_message(PickerScreen.OpenRequested(demo.other_session_id))
        await until(pilot, lambda: holding(head_server) == 1)
        await pilot.press("escape")
        await until(pilot, lambda: app.screen is app.session_screen)
        dev(head_server, "rest/hold", release=True)
        await until(pilot, lambda: holding(head_server) == 0 and picker_done(app))
        await pilot.pause()
        assert engine(app).model.session_id == demo.today_session_id
