"""The command line's dead ends and small traps (issue 10), against real devservers and processes."""

from __future__ import annotations

import asyncio
import io
import json
import os
import pty
import re
import select
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from coachtui.api.client import ApiClient
from coachtui.cli import main
from coachtui.commands import clean_session_id
from coachtui.devserver.server import DevServer
from coachtui.errors import UserError
from coachtui.tui.launch import _precheck
from tests.conftest import ServerFactory

CLIENT_OPTIONS = ("--server", "--ca-bundle", "--api-version")


@pytest.mark.parametrize("command", ["demo", "devserver"])
def test_local_commands_show_only_their_own_options(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main([command, "--help"])
    out = capsys.readouterr().out
    assert "--debug" in out
    assert not [o for o in CLIENT_OPTIONS if o in out]


def test_server_commands_keep_their_options(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["session", "--help"])
    out = capsys.readouterr().out
    assert all(o in out for o in CLIENT_OPTIONS)


def test_devserver_on_a_busy_port_says_so_before_any_banner(capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        assert main(["devserver", "--port", str(port)]) == 1
    out, err = capsys.readouterr()
    assert out == ""  # no banner, no demo logins for a server that never ran
    assert f"127.0.0.1:{port}" in err and "--port" in err and "Traceback" not in err


def _banner(*args: str) -> str:
    """Start `coachtui devserver`, read its banner up to 'Stop with Ctrl-C.', stop it."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "coachtui", "devserver", "--port", "0", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lines = []
    try:
        assert proc.stdout is not None
        for line in proc.stdout:
            lines.append(line)
            if line.startswith("Stop with"):
                break
        port = re.search(r"on http://localhost:(\d+)", "".join(lines))
        assert port is not None, lines
        # Ctrl-C once it serves (the port is bound before the banner; serving starts just after).
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                health = f"http://127.0.0.1:{port.group(1)}/health"
                if httpx.get(health, timeout=1, verify=False).status_code == 200:  # (plain HTTP)
                    break
            except httpx.HTTPError:
                time.sleep(0.05)
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=10) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    return "".join(lines)


def test_devserver_restart_with_db_prints_the_logins_again(tmp_path: Path) -> None:
    db = str(tmp_path / "coach.sqlite")
    first = _banner("--db", db)
    assert "coach@example.com" in first and "coach-demo-pass" in first and "Today's session" in first
    again = _banner("--db", db)
    assert "Using the existing data" in again
    assert "coach@example.com" in again and "coach-demo-pass" in again
    # The URL it shows is the one the README uses (and that `coachtui login` defaults to).
    assert "on http://localhost:" in again and "--server http://localhost:" in again


def test_a_login_stored_as_localhost_serves_127_0_0_1(
    head_server: DevServer, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert head_server.demo is not None
    localhost = head_server.url.replace("127.0.0.1", "localhost")
    monkeypatch.setattr("sys.stdin", io.StringIO(head_server.demo.coach.password + "\n"))
    assert main(["login", "--server", localhost, "--email", "coach@example.com", "--password-stdin"]) == 0
    assert main(["sessions", "--json", "--server", head_server.url]) == 0
    assert head_server.demo.today_session_id in capsys.readouterr().out
    assert main(["logout", "--server", head_server.url]) == 0
    assert main(["sessions", "--server", localhost]) == 1
    assert "Not logged in" in capsys.readouterr().err


def test_sessions_are_listed_in_the_pickers_order(
    head_server: DevServer, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert head_server.demo is not None
    monkeypatch.setattr("sys.stdin", io.StringIO(head_server.demo.coach.password + "\n"))
    main(["login", "--server", head_server.url, "--email", "coach@example.com", "--password-stdin"])
    capsys.readouterr()
    assert main(["sessions", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert rows[0]["id"] in (head_server.demo.today_session_id, head_server.demo.other_session_id)
    today = rows[0]["local_time"][4:14]
    dates = [r["local_time"][4:14] for r in rows]
    upcoming = [d for d in dates if d > today]
    past = [d for d in dates if d < today]
    assert dates == [d for d in dates if d == today] + sorted(upcoming) + sorted(past, reverse=True)


@pytest.mark.parametrize("pasted", ["  {id} ", "'{id}'", '"{id}"', " ' {id} ' "])
def test_a_pasted_session_id_is_accepted(pasted: str) -> None:
    sid = "2d1e0c7a-5b7e-4c1e-9a55-0f3c4d2b1a77"
    assert clean_session_id(pasted.format(id=sid)) == sid


def test_an_unreachable_server_does_not_stop_the_launch(make_server: ServerFactory) -> None:
    server = make_server("head")
    url = server.url
    server.stop()
    # Definite answers stop it (see test_cli); a server that is down only delays the data.
    asyncio.run(
        _precheck(ApiClient(url, cookie="c" * 22, user_id="u"), "2d1e0c7a-5b7e-4c1e-9a55-0f3c4d2b1a77")
    )


def test_an_unknown_session_still_stops_the_launch(head_server: DevServer) -> None:
    assert head_server.demo is not None

    async def go() -> None:
        api = ApiClient(head_server.url)
        await api.login(head_server.demo.coach.email, head_server.demo.coach.password)  # type: ignore[union-attr]
        await _precheck(api, "2d1e0c7a-5b7e-4c1e-9a55-0f3c4d2b1a77")

    with pytest.raises(UserError):
        asyncio.run(go())


def _read_until(fd: int, needle: bytes, timeout: float) -> bytes:
    seen = b""
    deadline = time.monotonic() + timeout
    while needle not in seen:
        left = deadline - time.monotonic()
        if left <= 0:
            raise AssertionError(f"{needle!r} not seen in time")
        ready, _, _ = select.select([fd], [], [], left)
        if ready:
            try:
                seen += os.read(fd, 65536)
            except OSError:
                break
    return seen


def test_closing_the_terminal_during_the_demo_cleans_up(tmp_path: Path) -> None:
    # SIGHUP is what a closed terminal sends; SIGTERM (`kill`) goes through the same handler.
    master, slave = pty.openpty()
    env = {**os.environ, "TMPDIR": str(tmp_path), "TERM": "xterm-256color", "COLUMNS": "100", "LINES": "30"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "coachtui", "demo", "--no-activity"],
        stdin=slave,
        stdout=slave,
        stderr=slave,
        env=env,
        start_new_session=True,
    )
    os.close(slave)
    try:
        _read_until(master, b"Connected", timeout=30)
        assert list(tmp_path.glob("coachtui-demo-*"))  # the throwaway store exists while it runs
        proc.send_signal(signal.SIGHUP)
        proc.wait(timeout=15)
    finally:
        if proc.poll() is None:
            proc.kill()
        os.close(master)
    assert list(tmp_path.glob("coachtui-demo-*")) == []
