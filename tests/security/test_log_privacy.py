"""A full scenario at debug level leaks nothing private into the log or onto stderr."""

from __future__ import annotations

import asyncio
import io
import json
from pathlib import Path

import pytest

from coachtui.api.client import ApiClient
from coachtui.cli import main
from coachtui.devserver.server import DevServer
from coachtui.live.status import ConnState
from tests.conftest import ServerFactory, dev
from tests.live.helpers import Live
from tests.waiting import wait_for

EVENTLESS = ["topics_changed", "meeting_recording_updated", "transcription_updated", "made_up_type"]


async def every_event_and_a_reconnect(server: DevServer, secrets: set[str]) -> None:
    demo = server.demo
    assert demo is not None
    sid = demo.today_session_id
    async with Live(server) as live:
        await live.ready()
        other = ApiClient(server.url)
        await other.login(demo.coachee.email, demo.coachee.password)
        async with other:
            session = await other.get_session(sid)
            action = await other.create_action(sid, "Secret action body 7731")
            await other.update_action(action.model_copy(update={"body": "Secret edited body 7732"}))
            await other.delete_action(action.id)
            agreement = await other.create_agreement(sid, "Secret agreement 7733")
            await other.update_agreement(agreement.id, sid, "Secret agreement v2 7734")
            await other.delete_agreement(agreement.id)
            goal = await other.create_goal(session, "Secret goal title 7735", body="Secret goal body 7736")
            await other.unlink_goal(sid, goal.id)
            await other.link_goal(sid, goal.id)
            await other.update_goal(goal.model_copy(update={"title": "Secret goal v2 7737"}))
            await other.delete_goal(goal.id)
            await other.update_session_title(sid, "Secret session title 7738")
            secrets.update({action.id, agreement.id, goal.id})
        for kind in EVENTLESS:
            dev(server, "sse/emit", user_id=demo.coach.user_id, type=kind, data={"coaching_session_id": sid})
        dev(
            server,
            "sse/raw",
            user_id=demo.coach.user_id,
            text='event: action_created\ndata: {"type":"action_created",'
            '"data":{"body":"Secret junk 7739"}}\n\n',
        )
        await wait_for(lambda: live.live.status.events_received >= 17)
        dev(server, "sse/drop")
        await wait_for(lambda: ConnState.RECONNECTING in live.states())
        await wait_for(lambda: live.state is ConnState.CONNECTED and live.fresh())


def test_debug_log_holds_shapes_not_content(
    make_server: ServerFactory,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    isolated_config: Path,
    tmp_path: Path,
) -> None:
    server = make_server("head")
    demo = server.demo
    assert demo is not None
    monkeypatch.setattr("sys.stdin", io.StringIO(demo.coach.password + "\n"))
    assert (
        main(["--debug", "login", "--server", server.url, "--email", demo.coach.email, "--password-stdin"])
        == 0
    )
    cookie = json.loads((isolated_config / "credentials.json").read_text())["servers"][server.url]["cookie"]
    assert main(["--debug", "sessions"]) == 0

    secrets = {
        demo.coach.password,
        demo.coachee.password,
        cookie,
        demo.coach.email,
        demo.coachee.email,
        demo.other_coachee.email,
        "Avery",
        "Stone",
        "Jordan",
        "Rivera",
        "Northwind",
        "Quarterly planning",
        "delegation plan",
        "second Tuesday",
        "team-lead role",
        demo.coach.user_id,
        demo.coachee.user_id,
        demo.today_session_id,
        demo.other_session_id,
        demo.relationship_id,
        demo.organization_id,
    }
    asyncio.run(every_event_and_a_reconnect(server, secrets))
    secrets.update(f"Secret {w}" for w in ("action", "edited", "agreement", "goal", "session", "junk"))
    assert main(["--debug", "logout"]) == 0

    captured = capsys.readouterr()
    logs = "".join(p.read_text() for p in (tmp_path / "logs").glob("coachtui.log*"))
    assert "sse: connected" in logs and "sse: reconnecting" in logs
    assert "event action_created" in logs and "malformed action_created" in logs
    assert "GET /users/{id}/actions -> 200" in logs and "POST /login -> 200" in logs
    assert "Debug log:" in captured.err
    for secret in secrets:
        assert secret not in logs, f"log leaks {secret[:4]}…"
        assert secret not in captured.err, f"stderr leaks {secret[:4]}…"
