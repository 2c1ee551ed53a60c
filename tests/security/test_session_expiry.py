"""The real backend keeps streaming after a login expires while REST answers 401: one modal, no loop."""

from __future__ import annotations

import asyncio
from pathlib import Path

from pydantic import SecretStr

from coachtui.api.client import ApiClient
from coachtui.credentials import Credentials, CredentialStore
from coachtui.devserver.server import DevServer
from coachtui.live.events import Pane
from coachtui.live.status import ConnState
from coachtui.tui.screens.modals import Notice
from coachtui.tui.widgets.panes import ActionsPane
from tests.conftest import dev, login_cookie
from tests.tui.conftest import make_app, settled, until


def rest_requests(server: DevServer) -> int:
    return sum(n for route, n in dev(server, "stats")["requests"].items() if route != "GET /sse")


async def test_expiry_with_the_stream_open(head_server: DevServer) -> None:
    demo = head_server.demo
    assert demo is not None
    app = await make_app(head_server)
    async with app.run_test(size=(100, 32)) as pilot:
        actions = app.session_screen.query_one(ActionsPane)
        await until(pilot, lambda: settled(app, actions, 7))
        dev(head_server, "expire", user_id=demo.coach.user_id)
        other = ApiClient(head_server.url)
        await other.login(demo.coachee.email, demo.coachee.password)
        async with other:
            await other.update_session_title(demo.today_session_id, "coarse event: reload → 401")
            await until(pilot, lambda: isinstance(app.screen, Notice))
            before = rest_requests(head_server)
            created = await other.create_action(demo.today_session_id, "still arrives on the open stream")
            await other.update_session_title(demo.today_session_id, "another coarse event")
            model = app.live.model  # type: ignore[union-attr]
            await until(pilot, lambda: any(a.id == created.id for a in model.items(Pane.ACTIONS)))
            await asyncio.sleep(1.0)
            await pilot.pause()
        # Only the coachee's own two writes and the one reload for the second title event: no loop.
        assert rest_requests(head_server) - before <= 3
        assert sum(isinstance(s, Notice) for s in app.screen_stack) == 1
        assert app.live is not None and app.live.status.state is ConnState.CONNECTED
        # Panes wait beneath the modal; "Keep looking" shows what arrived meanwhile.
        await pilot.click("#secondary")
        await until(pilot, lambda: created.id in actions.rows)
        assert len(actions.rows) == 8


async def test_login_elsewhere_then_r_recovers(head_server: DevServer, isolated_config: Path) -> None:
    demo = head_server.demo
    assert demo is not None
    store = CredentialStore(isolated_config)
    app = await make_app(head_server, stored_login=lambda: store.get(head_server.url))
    async with app.run_test(size=(100, 32)) as pilot:
        actions = app.session_screen.query_one(ActionsPane)
        await until(pilot, lambda: settled(app, actions, 7))
        dev(head_server, "expire", user_id=demo.coach.user_id)
        dev(head_server, "sse/drop")  # the reconnect meets the 401: Error, and the modal
        await until(pilot, lambda: isinstance(app.screen, Notice))
        await until(pilot, lambda: app.live is not None and app.live.status.state is ConnState.ERROR)
        # `coachtui login` in another terminal stores a new cookie…
        cookie = login_cookie(head_server, demo.coach.email, demo.coach.password)
        store.save(
            Credentials(
                server=head_server.url, user_id=demo.coach.user_id, display_name="x", cookie=SecretStr(cookie)
            )
        )
        await pilot.press("escape")  # keep looking
        await pilot.press("r")  # …and r here picks it up
        await until(pilot, lambda: settled(app))
        assert all(not s.error for s in app.live.model.states.values())
