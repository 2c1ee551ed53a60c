"""The real backend keeps streaming after a login expires while REST answers 401: one modal, no loop."""

from __future__ import annotations

import asyncio
from pathlib import Path

from coachtui.api.client import ApiClient
from coachtui.api.records import SecretStr
from coachtui.credentials import Credentials, CredentialStore
from coachtui.devserver.server import DevServer
from coachtui.live.events import Pane
from coachtui.live.status import ConnState
from coachtui.tui.screens.modals import Notice
from coachtui.tui.widgets.panes import ActionsPane
from coachtui.tui.widgets.status_bar import StatusBar
from tests.conftest import dev, login_cookie
from tests.tui.factory import engine, make_app
from tests.waiting import settled, until


def rest_requests(server: DevServer) -> int:
    return sum(n for route, n in dev(server, "stats")["requests"].items() if route != "GET /sse")


def log_in_elsewhere(server: DevServer, store: CredentialStore) -> None:
    """`coachtui login` in another terminal: a new cookie for the demo coach, stored."""
    assert server.demo is not None
    coach = server.demo.coach
    cookie = login_cookie(server, coach.email, coach.password)
    login = Credentials(server=server.url, user_id=coach.user_id, display_name="x", cookie=SecretStr(cookie))
    store.save(login)


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
            before = rest_requests(head_server)
            await other.update_session_title(demo.today_session_id, "coarse event: reload → 401")
            # The stream is still open, but the first request that hears 401 ends "Connected".
            await until(pilot, lambda: isinstance(app.screen, Notice))
            await until(pilot, lambda: app.live is not None and engine(app).status.state is ConnState.ERROR)
            assert app.live is not None and engine(app).status.login_expired
            await other.update_session_title(demo.today_session_id, "another coarse event")
            # Not a wait: time for a reconnect loop to show, if there were one (the stream is closed,
            # so no event comes to wait on).
            await asyncio.sleep(1.5)
            await pilot.pause()
        # The coachee's own two writes and a reload per title event (the second can arrive in
        # the moment the stream is still read for a logout event): no loop.
        assert rest_requests(head_server) - before <= 4
        assert sum(isinstance(s, Notice) for s in app.screen_stack) == 1
        assert engine(app).status.state is ConnState.ERROR
        assert "expired" in " ".join(str(p) for p in app.session_screen.query_one(StatusBar).describe())
        # The dialog's focus is on "Keep looking": a reflexive Enter does not quit.
        assert app.focused is not None and app.focused.id == "keep"
        await pilot.press("enter")
        await until(pilot, lambda: not isinstance(app.screen, Notice))
        assert app.return_code is None and not isinstance(app.screen, Notice)
        assert len(actions.rows) == 7  # the last good data stays


async def test_expired_dialog_keys(head_server: DevServer) -> None:
    demo = head_server.demo
    assert demo is not None
    app = await make_app(head_server)
    async with app.run_test(size=(100, 32)) as pilot:
        await until(pilot, lambda: settled(app))
        dev(head_server, "expire", user_id=demo.coach.user_id)
        engine(app).model.reload(Pane.AGREEMENTS)
        await until(pilot, lambda: isinstance(app.screen, Notice))
        await pilot.press("r")  # no new login stored: it says so, and the dialog stays
        await until(pilot, lambda: any("No new login" in str(n.message) for n in app._notifications))
        assert isinstance(app.screen, Notice)
        await pilot.press("q")
        await until(pilot, lambda: app.return_code is not None)
    assert app.return_code == 1


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
        await until(pilot, lambda: app.live is not None and engine(app).status.state is ConnState.ERROR)
        # `coachtui login` in another terminal stores a new cookie…
        log_in_elsewhere(head_server, store)
        await pilot.press("r")  # …and r in the dialog picks it up, no need to close it first
        await until(pilot, lambda: not isinstance(app.screen, Notice))
        await until(pilot, lambda: settled(app))
        assert all(not s.error for s in engine(app).model.states.values())


async def test_r_right_after_the_401_is_not_undone_by_the_reports_still_queued(
    head_server: DevServer, isolated_config: Path
) -> None:
    """A new login is already stored; `r` is pressed the moment the dialog shows. The reports of
    the 401 still on their way (the connection's, a reload's) must not bring the dialog back."""
    demo = head_server.demo
    assert demo is not None
    store = CredentialStore(isolated_config)
    app = await make_app(head_server, stored_login=lambda: store.get(head_server.url))
    async with app.run_test(size=(100, 32)) as pilot:
        actions = app.session_screen.query_one(ActionsPane)
        await until(pilot, lambda: settled(app, actions, 7))
        dev(head_server, "expire", user_id=demo.coach.user_id)
        log_in_elsewhere(head_server, store)
        # The agreements' 401 (sent with the expired login) stays on its way until after `r`.
        dev(head_server, "rest/hold", path="/agreements", when="after")
        engine(app).model.reload_all()  # each pane meets the 401…
        dev(head_server, "sse/drop")  # …and so does the reconnect
        await until(pilot, lambda: isinstance(app.screen, Notice))
        await until(pilot, lambda: dev(head_server, "stats")["holding"] == 1)
        await pilot.press("r")
        live = engine(app)
        await until(pilot, lambda: live.status.state is ConnState.CONNECTED)
        dev(head_server, "rest/hold", release=True)  # the old login's 401 arrives after the new login
        await until(pilot, lambda: settled(app) and not any(s.error for s in live.model.states.values()))
        await until(pilot, lambda: app.notes is not None and app.notes.status.state is ConnState.CONNECTED)
        await pilot.pause()
        shown = [(s.title_text, s.body_text) for s in app.screen_stack if isinstance(s, Notice)]
        assert shown == [], (shown, live.status)
        assert live.status.state is ConnState.CONNECTED


async def test_r_in_the_moment_the_stream_is_read_after_the_401_is_not_lost(
    head_server: DevServer, isolated_config: Path
) -> None:
    """A 401 with the stream still open: the stream is read a moment longer (a logout event may
    follow). An `r` pressed in that moment, with a new login stored, reconnects."""
    demo = head_server.demo
    assert demo is not None
    store = CredentialStore(isolated_config)
    # The moment made long, so `r` surely falls in it.
    app = await make_app(
        head_server, stored_login=lambda: store.get(head_server.url), live_options={"logout_grace": 60.0}
    )
    async with app.run_test(size=(100, 32)) as pilot:
        actions = app.session_screen.query_one(ActionsPane)
        await until(pilot, lambda: settled(app, actions, 7))
        dev(head_server, "expire", user_id=demo.coach.user_id)
        log_in_elsewhere(head_server, store)
        live = engine(app)
        connections = live.connection.requests
        live.model.reload(Pane.AGREEMENTS)
        await until(pilot, lambda: isinstance(app.screen, Notice))
        assert live.connection.requests == connections  # (still the first stream, being read)
        await pilot.press("r")
        await until(pilot, lambda: live.connection.requests > connections)
        await until(pilot, lambda: settled(app) and not any(s.error for s in live.model.states.values()))
        assert not any(isinstance(s, Notice) for s in app.screen_stack)
