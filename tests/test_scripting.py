"""`coachtui show`, `watch` and `add` against real devservers: text and JSON, both backend eras,
errors with their exit codes, Ctrl+C, and no Textual on these paths."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
from pathlib import Path
from typing import Any

import pytest

from coachtui.api.models import Status
from coachtui.cli import main
from coachtui.devserver.demo_data import seed_demo
from coachtui.devserver.server import DevServer, ServerOptions
from coachtui.devserver.store import Store
from tests.conftest import ServerFactory, dev
from tests.live.helpers import coachee_api
from tests.test_cli import login
from tests.waiting import HANG

RUN_MAIN = (
    "import sys\n"
    "from coachtui.cli import main\n"
    "code = main(sys.argv[1:])\n"
    "if any(m == 'textual' or m.startswith('textual.') for m in sys.modules):\n"
    "    print('TEXTUAL WAS IMPORTED', file=sys.stderr)\n"
    "    code = 99\n"
    "raise SystemExit(code)\n"
)


def today(server: DevServer) -> str:
    assert server.demo is not None
    return server.demo.today_session_id


def test_show_prints_the_session_in_aligned_text_that_fits(
    server: DevServer, profile: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert login(server, monkeypatch) == 0
    capsys.readouterr()
    monkeypatch.setenv("COLUMNS", "80")
    assert main(["show", today(server)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert all(len(line) <= 80 for line in lines)
    assert "Actions (7)" in lines and "Goals (3)" in lines and "Agreements (2)" in lines
    assert "Avery Stone (coach) with Jordan Lee (coachee)" in lines[1]
    assert lines[0] == ("Quarterly planning and delegation" if profile == "head" else "(untitled session)")
    at = lines.index("Actions (7)")
    statuses = [line.split("  ")[1] for line in lines[at + 1 : at + 8]]
    assert statuses[0] == "In Progress" and statuses[-1] == "Won't Do"  # grouped as the pane is


def test_show_json_has_the_documented_shape(
    server: DevServer, profile: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert server.demo is not None
    assert login(server, monkeypatch) == 0
    capsys.readouterr()
    assert main(["show", today(server), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["schema"] == "coachtui.show/1"
    assert set(data) == {"schema", "session", "goals", "actions", "agreements"}
    assert data["session"]["id"] == today(server)
    assert data["session"]["coachee"] == {"id": server.demo.coachee.user_id, "name": "Jordan Lee"}
    assert len(data["actions"]) == 7 and len(data["goals"]) == 3 and len(data["agreements"]) == 2
    action = data["actions"][0]
    assert set(action) == {"id", "body", "status", "due_by", "assignees", "goal_id"}
    assert action["status"] in {s.value for s in Status}
    assert all(a["name"] in ("Jordan Lee", "Avery Stone") for x in data["actions"] for a in x["assignees"])


def test_errors_are_one_sentence_with_their_exit_code(
    make_server: ServerFactory, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    server = make_server("head")
    assert main(["show", today(server), "--server", server.url]) == 3  # not logged in
    assert "coachtui login" in capsys.readouterr().err
    assert login(server, monkeypatch) == 0
    capsys.readouterr()
    assert main(["show", "9c9e7d3c-0000-4000-8000-000000000000"]) == 4
    assert capsys.readouterr().err == "coachtui: No such coaching session (or it is not one of yours).\n"
    assert main(["add", "action", today(server), "   "]) == 2
    assert main(["add", "action", today(server), "Call", "--due", "31/12/2026"]) == 2
    assert "not a date like" in capsys.readouterr().err
    dev(server, "expire", user_id=server.demo.coach.user_id if server.demo else "")
    assert main(["watch", today(server)]) == 3
    assert "login" in capsys.readouterr().err
    server.stop()
    assert main(["show", today(server)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("coachtui: ") and err.count("\n") == 1 and "Traceback" not in err


def test_add_prints_the_new_id_on_both_eras(
    server: DevServer, profile: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert server.demo is not None
    assert login(server, monkeypatch) == 0
    capsys.readouterr()
    args = ["add", "action", today(server), "Book a skip-level", "--due", "2026-12-04", "--assign", "coachee"]
    assert main(args) == 0
    action_id = capsys.readouterr().out.strip()
    assert main(["add", "agreement", today(server), "We ship Fridays"]) == 0
    agreement_id = capsys.readouterr().out.strip()

    async def read() -> tuple[dict[str, Any], dict[str, Any]]:
        async with await coachee_api(server) as other:
            actions = {a.id: a for a in await other.session_actions(today(server))}
            agreements = {a.id: a for a in await other.session_agreements(today(server))}
        return actions, agreements

    actions, agreements = asyncio.run(read())
    made = actions[action_id]
    assert made.body == "Book a skip-level" and made.assignee_ids == [server.demo.coachee.user_id]
    assert made.due_by is not None and made.due_by.astimezone().date().isoformat() == "2026-12-04"
    assert agreements[agreement_id].body == "We ship Fridays"


# -- watch: a real process, read line by line as it prints ----------------------------------------


class Watcher:
    def __init__(self, server: DevServer, config: Path, *args: str) -> None:
        self.server, self.config, self.args = server, config, args
        self.process: asyncio.subprocess.Process | None = None

    async def __aenter__(self) -> Watcher:
        env = {**os.environ, "COACHTUI_CONFIG_DIR": str(self.config), "PYTHONUNBUFFERED": "0"}
        self.process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-c",
            RUN_MAIN,
            "watch",
            today(self.server),
            *self.args,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            env=env,
        )
        return self

    async def ready(self) -> str:
        """Wait for the stderr line saying every pane has loaded (changes are told from then)."""
        assert self.process is not None and self.process.stderr is not None
        raw = await asyncio.wait_for(self.process.stderr.readline(), HANG)
        assert raw.startswith(b"Watching ("), raw
        return raw.decode()

    async def line(self) -> str:
        assert self.process is not None and self.process.stdout is not None
        raw = await asyncio.wait_for(self.process.stdout.readline(), HANG)
        assert raw, "watch stopped printing"
        return raw.decode().rstrip("\n")

    async def line_with(self, text: str) -> str:
        while True:
            found = await self.line()
            if text in found:
                return found

    async def interrupt(self) -> tuple[int, str]:
        assert self.process is not None and self.process.stderr is not None
        self.process.send_signal(signal.SIGINT)
        code = await asyncio.wait_for(self.process.wait(), HANG)
        return code, (await self.process.stderr.read()).decode()

    async def __aexit__(self, *exc: object) -> None:
        if self.process is not None and self.process.returncode is None:
            self.process.kill()
            await self.process.wait()


async def test_watch_json_lines_arrive_live_and_ctrl_c_exits_0(
    head_server: DevServer, monkeypatch: pytest.MonkeyPatch, isolated_config: Path
) -> None:
    assert head_server.demo is not None
    assert await asyncio.to_thread(login, head_server, monkeypatch) == 0
    async with (
        Watcher(head_server, isolated_config, "--json") as watch,
        await coachee_api(head_server) as other,
    ):
        assert "7 actions" in await watch.ready()
        assert json.loads(await watch.line_with('"Connected"'))["type"] == "connection"
        action = (await other.session_actions(today(head_server)))[0]
        await other.update_action(action.model_copy(update={"status": Status.WONT_DO}))
        change: dict[str, Any] = json.loads(await watch.line())  # flushed at once, not at exit
        assert change["type"] == "change" and change["id"] == action.id and change["origin"] == "live"
        assert change["fields"][0]["field"] == "status"
        assert change["fields"][0]["after_value"] == "WontDo" and change["fields"][0]["after"] == "Won't Do"
        created = await other.create_agreement(today(head_server), "Jordan sends notes")
        added = json.loads(await watch.line())
        assert (added["kind"], added["id"], added["actor"]) == ("added", created.id, "Jordan Lee")
        # While disconnected: the resync's differences, then its summary.
        dev(head_server, "sse/fail", status=503, count=1000)  # away until the changes are made
        dev(head_server, "sse/drop")
        assert json.loads(await watch.line())["state"] == "Reconnecting"
        await other.delete_agreement(created.id)
        dev(head_server, "sse/fail", clear=True)  # the outage ends
        assert json.loads(await watch.line())["state"] == "Connected"
        removed = json.loads(await watch.line())
        assert (removed["kind"], removed["id"], removed["origin"]) == ("removed", created.id, "resync")
        resync = json.loads(await watch.line())
        assert resync == {**resync, "type": "resync", "changes": 1}
        assert resync["summary"] == "While disconnected: 1 agreement removed"
        code, err = await watch.interrupt()
    assert code == 0 and "Traceback" not in err and "TEXTUAL" not in err


async def test_watch_text_on_the_seed_era(
    make_server: ServerFactory, monkeypatch: pytest.MonkeyPatch, isolated_config: Path
) -> None:
    server = make_server("seed")
    assert await asyncio.to_thread(login, server, monkeypatch) == 0
    async with Watcher(server, isolated_config) as watch, await coachee_api(server) as other:
        await watch.ready()
        await watch.line_with("Connection: Connected")
        goal = next(g for g in await other.session_goals(today(server)) if g.status is Status.IN_PROGRESS)
        await other.update_goal(goal.model_copy(update={"status": Status.COMPLETED}))
        line = await watch.line()
        assert line[:2].isdigit() and line[2] == ":"  # the local time first
        assert line[10:].split("  ")[0] == "Goals" and f"Goal completed: {goal.title}" in line
        code, err = await watch.interrupt()
    assert code == 0 and "Traceback" not in err


async def test_show_and_add_import_no_textual(
    head_server: DevServer, monkeypatch: pytest.MonkeyPatch, isolated_config: Path
) -> None:
    assert await asyncio.to_thread(login, head_server, monkeypatch) == 0
    env = {**os.environ, "COACHTUI_CONFIG_DIR": str(isolated_config)}
    for args in (["show", today(head_server), "--json"], ["add", "agreement", today(head_server), "x"]):
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-c",
            RUN_MAIN,
            *args,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            env=env,
        )
        _out, err = await process.communicate()
        assert process.returncode == 0, err.decode()


def _seed_with_a_shared_prefix() -> int:
    """A demo seed whose sessions include two ids with the same first character (the ids are
    seeded, so this is the same seed every run)."""
    for seed in range(200):
        store = Store(password_iterations=1)
        seed_demo(store, "head", seed=seed)
        firsts = [doc["id"][0] for doc in store.list("session")]
        store.close()
        if len(set(firsts)) < len(firsts):
            return seed
    raise AssertionError("no seed gives two sessions with the same first character")


def test_show_and_watch_take_a_unique_id_prefix_and_say_when_it_is_not(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    options = ServerOptions(seed=_seed_with_a_shared_prefix(), faults=True, password_iterations=1)
    server = DevServer(options).start()
    try:
        assert login(server, monkeypatch) == 0
        capsys.readouterr()
        ids = [doc["id"] for doc in server.store.list("session")]
        session = today(server)
        short = next(session[:n] for n in range(4, 36) if sum(i.startswith(session[:n]) for i in ids) == 1)
        assert main(["show", short]) == 0  # as git takes a short hash
        assert "Actions (7)" in capsys.readouterr().out.splitlines()
        shared = next(a[0] for a in ids if sum(i.startswith(a[0]) for i in ids) >= 2)
        assert main(["show", shared]) == 2
        err = capsys.readouterr().err
        assert "give more of it" in err and err.count("\n") == 1
        assert main(["watch", "zzzz"]) == 4  # no id starts with that
        err = capsys.readouterr().err
        assert "coachtui sessions" in err and err.count("\n") == 1
    finally:
        server.close()


def test_show_marks_an_overdue_action(
    head_server: DevServer, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert login(head_server, monkeypatch) == 0
    capsys.readouterr()
    monkeypatch.setenv("COLUMNS", "120")
    assert main(["show", today(head_server)]) == 0
    lines = capsys.readouterr().out.splitlines()
    overdue = [line for line in lines if " ! " in line]
    # The demo's one overdue action (due before today, not done), as the session screen marks it.
    assert len(overdue) == 1 and "Write down three decisions" in overdue[0]
