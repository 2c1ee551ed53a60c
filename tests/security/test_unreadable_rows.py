"""A record the client cannot read (the other participant's due date on 31 Dec 9999, which the
backend stores and Python cannot show in every time zone) is left out and counted: it never hides
the rest of its list, in the panes, the picker or the scripting commands. A list none of whose
records read is refused whole, and the screen keeps what it showed."""

from __future__ import annotations

import io
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, redirect_stderr, redirect_stdout

import httpx
import pytest
from textual.pilot import Pilot
from textual.widgets import DataTable

from coachtui.api.client import ApiClient
from coachtui.api.errors import UnexpectedResponse
from coachtui.api.models import EnrichedSession
from coachtui.api.responses import Readable
from coachtui.cli import main
from coachtui.commands import say_left_out
from coachtui.devserver.server import DevServer
from coachtui.live.changes import Change
from coachtui.live.events import Pane
from coachtui.tui.app import CoachApp
from coachtui.tui.widgets.panes import ActionsPane
from tests.conftest import login_cookie
from tests.tui.factory import engine, make_app, open_picker
from tests.tui.test_editing import notices, reads
from tests.waiting import settled, until

V = {"X-Version": "1.0.0-beta1"}
LAST_DAY = "9999-12-31T12:00:00Z"  # within a day of datetime's limit: refused by the client


def odd_action(server: DevServer, body: str = "Due at the end of time") -> str:
    """The coachee adds an action the client cannot read, as the web app would send it."""
    demo = server.demo
    assert demo is not None
    cookie = login_cookie(server, demo.coachee.email, demo.coachee.password)
    with httpx.Client(base_url=server.url, headers=V, cookies={"id": cookie}, verify=False) as c:
        sent = c.post(
            "/actions",
            json={
                "coaching_session_id": demo.today_session_id,
                "status": "NotStarted",
                "body": body,
                "due_by": LAST_DAY,
            },
        )
        assert sent.is_success, sent.text  # the backend stores it
        return str(sent.json()["data"]["id"])


@asynccontextmanager
async def today_open(server: DevServer) -> AsyncIterator[tuple[CoachApp, Pilot[int], ActionsPane]]:
    """The coach's app on today's session at 120×36, its seven actions drawn."""
    app = await make_app(server)
    async with app.run_test(size=(120, 36)) as pilot:
        actions = app.session_screen.query_one(ActionsPane)
        await until(pilot, lambda: settled(app, actions, 7))
        yield app, pilot, actions


async def test_the_other_records_of_a_list_are_read_and_the_odd_one_counted(head_server: DevServer) -> None:
    demo = head_server.demo
    assert demo is not None
    async with ApiClient(head_server.url) as api:
        await api.login(demo.coach.email, demo.coach.password)
        before = await api.session_actions(demo.today_session_id)
        odd = odd_action(head_server)
        after = await api.session_actions(demo.today_session_id)
        assert [a.id for a in after] == [a.id for a in before]
        assert odd not in {a.id for a in after}
        assert (before.unreadable, after.unreadable) == (0, 1)


async def test_a_list_none_of_whose_records_read_is_refused(head_server: DevServer) -> None:
    demo = head_server.demo
    assert demo is not None
    async with ApiClient(head_server.url) as api:
        await api.login(demo.coach.email, demo.coach.password)
        odd_action(head_server)
        for action in await api.session_actions(demo.today_session_id):
            await api.delete_action(action.id)
        with pytest.raises(UnexpectedResponse, match="a list of actions in an unexpected shape"):
            await api.session_actions(demo.today_session_id)


async def test_the_pane_shows_the_others_and_says_one_could_not_be_read(head_server: DevServer) -> None:
    async with today_open(head_server) as (app, pilot, actions):
        odd_action(head_server)
        # Its live event cannot be read either: the pane is read again, and the rest stays.
        await until(pilot, lambda: "1 unreadable" in str(actions.border_subtitle))
        assert str(actions.border_subtitle).startswith("7 items")
        assert len(actions.rows) == 7 and not actions.has_class("-failed")
        assert app.is_running


def coachee_edit(server: DevServer, method: str, path: str, body: dict[str, object] | None = None) -> None:
    demo = server.demo
    assert demo is not None
    cookie = login_cookie(server, demo.coachee.email, demo.coachee.password)
    with httpx.Client(base_url=server.url, headers=V, cookies={"id": cookie}, verify=False) as c:
        sent = c.request(method, path, json=body)
        assert sent.is_success, sent.text


async def test_the_count_follows_the_odd_record_when_it_is_deleted_or_readable_again(
    head_server: DevServer,
) -> None:
    # Its delete, and an edit that makes it readable again, are live events the client can read:
    # the count must not stay at what the last reload said.
    demo = head_server.demo
    assert demo is not None
    async with today_open(head_server) as (app, pilot, actions):
        odd = odd_action(head_server)
        await until(pilot, lambda: "1 unreadable" in str(actions.border_subtitle))
        coachee_edit(head_server, "DELETE", f"/actions/{odd}")
        await until(pilot, lambda: str(actions.border_subtitle).strip(" ─") == "7 items")
        odd = odd_action(head_server, "Back from the end of time")
        await until(pilot, lambda: "1 unreadable" in str(actions.border_subtitle))
        coachee_edit(
            head_server,
            "PUT",
            f"/actions/{odd}",
            {
                "id": odd,
                "coaching_session_id": demo.today_session_id,
                "status": "NotStarted",
                "body": "Back from the end of time",
                "due_by": "2027-01-04T12:00:00Z",
            },
        )
        await until(pilot, lambda: len(actions.rows) == 8)
        await until(pilot, lambda: str(actions.border_subtitle).strip(" ─") == "8 items")
        assert app.is_running


def run_cli(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main(list(args))
    return code, out.getvalue(), err.getvalue()


def test_show_says_what_it_left_out_on_stderr(
    head_server: DevServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    demo = head_server.demo
    assert demo is not None
    monkeypatch.setenv("COACHTUI_SERVER", head_server.url)
    monkeypatch.setattr("sys.stdin", io.StringIO(demo.coach.password + "\n"))
    assert run_cli("login", "--email", demo.coach.email, "--password-stdin")[0] == 0
    odd_action(head_server)
    code, out, err = run_cli("show", demo.today_session_id, "--json")
    assert code == 0
    assert len(json.loads(out)["actions"]) == 7  # stdout is still the JSON a script reads
    assert err == "1 action could not be read and is left out.\n"
    code, out, err = run_cli("show", demo.today_session_id)
    assert code == 0 and "Due at the end of time" not in out and "could not be read" in err


def test_the_sessions_left_out_are_counted_in_words(capsys: pytest.CaptureFixture[str]) -> None:
    rows: Readable[EnrichedSession] = Readable()
    say_left_out(rows, "coaching session")
    rows.unreadable = 2
    say_left_out(rows, "coaching session")
    assert capsys.readouterr() == ("", "2 coaching sessions could not be read and are left out.\n")


async def test_the_picker_says_how_many_sessions_it_could_not_read(head_server: DevServer) -> None:
    app = await make_app(head_server)
    async with app.run_test(size=(120, 36)) as pilot:
        await until(pilot, lambda: settled(app))
        picker = await open_picker(pilot, app)
        table = picker.query_one(DataTable)
        assert "unreadable" not in str(table.border_subtitle)
        shown = len(table.rows)
        picker.show_sessions(list(picker.sessions), unreadable=2)
        assert str(table.border_subtitle).endswith(" · 2 unreadable")
        assert len(table.rows) == shown


async def test_a_record_that_turns_unreadable_and_back_is_not_told_as_removed_or_added(
    head_server: DevServer,
) -> None:
    # The coachee moves an action's due date to 31 Dec 9999 and back: it was never removed, nor
    # added again; the count under the pane is what tells of it meanwhile.
    demo = head_server.demo
    assert demo is not None
    async with today_open(head_server) as (app, pilot, actions):
        action = engine(app).model.items(Pane.ACTIONS)[0]
        body = {
            "id": action.id,
            "coaching_session_id": demo.today_session_id,
            "status": action.status.value,
            "body": action.body,
        }
        coachee_edit(head_server, "PUT", f"/actions/{action.id}", {**body, "due_by": LAST_DAY})
        await until(pilot, lambda: str(actions.border_subtitle).strip(" ─") == "6 items · 1 unreadable")
        coachee_edit(head_server, "PUT", f"/actions/{action.id}", {**body, "due_by": "2027-01-04T12:00:00Z"})
        await until(pilot, lambda: str(actions.border_subtitle).strip(" ─") == "7 items")
        assert action.id in actions.rows
        told = [r for r in app.history if isinstance(r, Change) and r.item_id == action.id]
        assert told == [] and "removed" not in notices(app) and "added" not in notices(app)


async def test_other_events_while_one_is_left_out_are_applied_without_a_reload(
    head_server: DevServer,
) -> None:
    demo = head_server.demo
    assert demo is not None
    async with today_open(head_server) as (app, pilot, actions):
        odd_action(head_server)
        await until(pilot, lambda: "1 unreadable" in str(actions.border_subtitle))
        before = reads(head_server)
        coachee_edit(
            head_server,
            "POST",
            "/actions",
            {"coaching_session_id": demo.today_session_id, "status": "NotStarted", "body": "A plain one"},
        )
        await until(pilot, lambda: settled(app, actions, 8))  # (a reload asked for is done by then)
        assert reads(head_server) == before  # the event carried it
        assert str(actions.border_subtitle).strip(" ─") == "8 items · 1 unreadable"
