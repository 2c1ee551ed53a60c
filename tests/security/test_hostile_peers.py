"""What the other side can send to crash a coach's app, against the devserver's real sockets: JSON
nested 100,000 deep in an event, a REST answer and an awareness state; a `lastSeen` at the
calendar's edge; an ordered list starting at Infinity; 1,100 nested blockquotes; a flood of
awareness clients. The app stays up, shows the rest, and keeps updating."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from coachtui.cli import main
from coachtui.devserver.server import DevServer
from coachtui.live.notes import document
from coachtui.live.notes.presence import MAX_REMOTE
from coachtui.live.status import ConnState
from coachtui.tui.widgets.notes import NotesPane
from coachtui.tui.widgets.panes import AgreementsPane
from coachtui.tui.widgets.session_header import SessionHeader
from tests.conftest import dev
from tests.live.helpers import Live, coachee_api
from tests.security.hostile import PATIENCE
from tests.test_cli import login
from tests.tui.factory import make_app
from tests.waiting import settled, until, wait_for

DEEP = "[" * 100_000 + "]" * 100_000


def dev_raw(server: DevServer, name: str, body: dict[str, Any]) -> None:
    """A fault control whose body holds Infinity, as a JavaScript peer can store it (httpx's JSON
    encoder refuses to write it; Python's json writes `Infinity`)."""
    httpx.post(f"{server.url}/_dev/{name}", content=json.dumps(body), timeout=5).raise_for_status()


def edge_of_time(user_id: str) -> str:
    presence = {
        "userId": user_id,
        "name": "Jordan",
        "relationshipRole": "Coachee",
        "isConnected": False,
        "status": "disconnected",
        "lastSeen": "0001-01-01T00:00:00+23:59",
    }
    return json.dumps({"presence": presence})


async def test_hostile_notes_awareness_and_events_leave_the_app_up_and_updating(
    head_server: DevServer,
) -> None:
    demo = head_server.demo
    assert demo is not None
    session_id = demo.today_session_id
    app = await make_app(head_server)
    # (160 columns: the notes have a column of their own there, drawn at its width.)
    async with app.run_test(size=(160, 45)) as pilot, await coachee_api(head_server) as coachee:
        agreements = app.session_screen.query_one(AgreementsPane)
        notes = app.session_screen.query_one(NotesPane)
        await until(pilot, lambda: settled(app, agreements, 2), timeout=PATIENCE)
        await until(pilot, lambda: "Session notes" in notes.visible_text(), timeout=PATIENCE)
        dev(head_server, "notes", session_id=session_id, nest=1100)
        dev_raw(head_server, "notes", {"session_id": session_id, "ordered_start": float("inf")})
        first_item = lambda: any("first item" in line for line in notes.visible_text())  # noqa: E731
        await until(pilot, first_item, timeout=PATIENCE)
        shown = notes.visible_text()
        assert "Session notes" in shown and any(line.endswith("…") for line in shown)
        flood = [
            [1000 + n, json.dumps({"presence": {"userId": f"u{n}", "relationshipRole": "Coach"}})]
            for n in range(300)
        ]
        awareness: list[list[Any]] = [
            [900, DEEP],
            [901, edge_of_time(demo.coachee.user_id)],
            [902, "{not json"],
        ]
        dev(head_server, "notes", session_id=session_id, awareness=awareness)
        dev(head_server, "notes", session_id=session_id, awareness=flood)
        assert app.notes is not None
        roster = app.notes.roster
        await until(pilot, lambda: len(roster._remote) == MAX_REMOTE, timeout=PATIENCE)
        await pilot.pause()
        str(app.session_screen.query_one(SessionHeader).render())  # the presence, drawn
        dev(head_server, "sse/raw", text=f"event: agreement_created\ndata: {DEEP}\n\n")
        dev(
            head_server,
            "sse/raw",
            text=f'event: action_updated\ndata: {{"type": "action_updated", "data": {DEEP}}}\n\n',
        )
        await coachee.create_agreement(session_id, "After the storm")
        await until(pilot, lambda: len(agreements.rows) == 3, timeout=PATIENCE)
        dev(head_server, "notes", session_id=session_id, append="Still live")
        await until(pilot, lambda: notes.visible_text()[-1] == "Still live", timeout=PATIENCE)
        assert app.is_running and app.notes.status.state is ConnState.CONNECTED


async def test_a_deep_event_does_not_stop_the_live_worker(head_server: DevServer) -> None:
    async with Live(head_server) as live, await coachee_api(head_server) as coachee:
        await live.ready()
        dev(head_server, "sse/raw", text=f"event: action_created\ndata: {DEEP}\n\n")
        await coachee.create_agreement(live.session_id, "Next event")
        seen = lambda: any("Next event" in (c.text or "") for c in live.changes_seen())  # noqa: E731
        await wait_for(seen, timeout=PATIENCE)
        assert live.task is not None and not live.task.done()


@pytest.mark.parametrize(
    ("mode", "said"), [("deep", "nested too deeply"), ("osc", "rejected API version header")]
)
def test_show_says_one_inert_sentence_about_a_hostile_answer(
    head_server: DevServer,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    mode: str,
    said: str,
) -> None:
    assert head_server.demo is not None
    assert login(head_server, monkeypatch) == 0
    capsys.readouterr()
    dev(head_server, "rest/hostile", mode=mode, path="/coaching_sessions/")
    assert main(["show", head_server.demo.today_session_id]) == 1
    err = capsys.readouterr().err
    assert said in err and err.count("\n") == 1 and "Traceback" not in err
    assert "\x1b" not in err and "\x07" not in err and "\x9b" not in err


def test_a_renderer_failure_costs_only_its_own_block(monkeypatch: pytest.MonkeyPatch) -> None:
    from pycrdt import Doc, XmlElement, XmlFragment, XmlText

    doc: Doc[Any] = Doc()
    fragment = doc.get("default", type=XmlFragment)
    fragment.children.append(XmlElement("table"))
    fragment.children.append(XmlElement("paragraph")).children.append(XmlText("kept"))

    def broken(*args: Any) -> None:
        raise OverflowError("a shape nobody foresaw")

    monkeypatch.setattr(document, "_table", broken)
    assert [line.plain for line in document.render(fragment)] == [document.UNSHOWN, "kept"]
