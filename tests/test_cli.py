"""The CLI end to end against real devservers: happy paths and every expected failure."""

from __future__ import annotations

import io
import json
import os
import stat
from pathlib import Path

import pytest

from coachtui.cli import main
from coachtui.credentials import CredentialStore
from coachtui.devserver.server import DevServer
from tests.conftest import ServerFactory, dev


def login(server: DevServer, monkeypatch: pytest.MonkeyPatch, password: str | None = None) -> int:
    assert server.demo is not None
    pw = password if password is not None else server.demo.coach.password
    monkeypatch.setattr("sys.stdin", io.StringIO(pw + "\n"))
    return main(["login", "--server", server.url, "--email", "coach@example.com", "--password-stdin"])


def test_login_sessions_logout(
    server: DevServer,
    profile: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    isolated_config: Path,
) -> None:
    assert server.demo is not None
    assert login(server, monkeypatch) == 0
    out = capsys.readouterr()
    assert "Logged in" in out.out and "Avery Stone" in out.out

    path = isolated_config / "credentials.json"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(isolated_config.stat().st_mode) == 0o700
    text = path.read_text()
    assert server.demo.coach.password not in text
    creds = CredentialStore(isolated_config).get(server.url)
    assert creds is not None and creds.user_id == server.demo.coach.user_id
    assert creds.cookie.get_secret_value() not in repr(creds)

    # --server is remembered as the default.
    monkeypatch.setenv("COLUMNS", "200")
    assert main(["sessions"]) == 0
    table = capsys.readouterr().out
    assert "Jordan Lee" in table and "COACHEE" in table and "…" not in table
    assert ("Quarterly planning and delegation" in table) == (profile == "head")  # seed has no titles
    assert main(["sessions", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert server.demo.today_session_id in {r["id"] for r in rows}

    assert main(["logout"]) == 0
    assert "Logged out" in capsys.readouterr().out
    assert CredentialStore(isolated_config).get(server.url) is None
    assert main(["sessions", "--server", server.url]) == 1
    assert "coachtui login" in capsys.readouterr().err


def test_wrong_password(
    head_server: DevServer,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    isolated_config: Path,
) -> None:
    assert login(head_server, monkeypatch, password="not-it") == 1
    err = capsys.readouterr().err
    assert err.strip() == "coachtui: Wrong e-mail or password."
    assert not (isolated_config / "credentials.json").exists()
    assert "not-it" not in err


def test_server_unreachable(
    make_server: ServerFactory,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    server = make_server("head")
    url = server.url
    server.stop()
    monkeypatch.setattr("sys.stdin", io.StringIO("pw\n"))
    assert main(["login", "--server", url, "--email", "a@b.c", "--password-stdin"]) == 1
    err = capsys.readouterr().err
    assert url in err and "connection refused" in err and "Traceback" not in err


def test_env_server_and_expired_login(
    head_server: DevServer, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert head_server.demo is not None
    monkeypatch.setenv("COACHTUI_SERVER", head_server.url)
    monkeypatch.setattr("sys.stdin", io.StringIO(head_server.demo.coach.password + "\n"))
    assert main(["login", "--email", "coach@example.com", "--password-stdin"]) == 0
    dev(head_server, "expire", user_id=head_server.demo.coach.user_id)
    capsys.readouterr()
    assert main(["sessions"]) == 1
    assert "expired" in capsys.readouterr().err


def test_logout_when_server_is_down(
    make_server: ServerFactory,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    isolated_config: Path,
) -> None:
    server = make_server("head")
    assert login(server, monkeypatch) == 0
    url = server.url
    server.stop()
    assert main(["logout", "--server", url]) == 0
    assert "could not be told" in capsys.readouterr().out
    assert CredentialStore(isolated_config).get(url) is None


def test_loose_credentials_file_is_refused(
    head_server: DevServer,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    isolated_config: Path,
) -> None:
    assert login(head_server, monkeypatch) == 0
    path = isolated_config / "credentials.json"
    os.chmod(path, 0o644)
    capsys.readouterr()
    assert main(["sessions", "--server", head_server.url]) == 1
    err = capsys.readouterr().err
    assert "chmod 600" in err and str(path) in err


@pytest.mark.parametrize(
    "content",
    ["[" * 100_000, '{"servers": {"x": {"server": 5}}}', "[]", "\udcff"],
    ids=["nested-beyond-the-stack", "wrong-kinds", "not-an-object", "not-utf-8"],
)
def test_a_damaged_credentials_file_is_one_sentence(
    head_server: DevServer,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    isolated_config: Path,
    content: str,
) -> None:
    assert login(head_server, monkeypatch) == 0
    path = isolated_config / "credentials.json"
    path.write_bytes(content.encode("utf-8", "surrogateescape"))
    capsys.readouterr()
    assert main(["sessions", "--server", head_server.url]) == 1
    err = capsys.readouterr().err
    assert "is damaged" in err and "Traceback" not in err and len(err.strip().splitlines()) == 1


def test_bad_arguments_exit_cleanly(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["sessions", "--from", "yesterday"])
    assert info.value.code == 2
    assert "is not a date" in capsys.readouterr().err
    assert main(["sessions", "--server", "ftp://x"]) == 1
    assert "http" in capsys.readouterr().err


def test_every_subcommand_help_has_an_example(capsys: pytest.CaptureFixture[str]) -> None:
    for command in ("login", "logout", "sessions", "session", "demo", "devserver"):
        with pytest.raises(SystemExit):
            main([command, "--help"])
        assert "example:" in capsys.readouterr().out


def test_sessions_table_fits_a_narrow_terminal(
    head_server: DevServer, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert head_server.demo is not None
    assert login(head_server, monkeypatch) == 0
    monkeypatch.setenv("COLUMNS", "100")
    capsys.readouterr()
    assert main(["sessions"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert all(len(line) <= 100 for line in lines)
    assert any(head_server.demo.today_session_id in line for line in lines)  # ids are never cut


def test_two_servers_logged_in_at_once(
    make_server: ServerFactory,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    isolated_config: Path,
) -> None:
    head, seed = make_server("head"), make_server("seed")
    assert login(head, monkeypatch) == 0 and login(seed, monkeypatch) == 0
    store = CredentialStore(isolated_config)
    head_creds, seed_creds = store.get(head.url), store.get(seed.url)
    assert head_creds is not None and seed_creds is not None
    assert head_creds.cookie.get_secret_value() != seed_creds.cookie.get_secret_value()
    capsys.readouterr()
    monkeypatch.setenv("COLUMNS", "200")
    assert main(["sessions", "--server", head.url]) == 0
    assert "Quarterly planning" in capsys.readouterr().out  # head sessions have titles
    assert main(["sessions", "--server", seed.url]) == 0
    assert "Quarterly planning" not in capsys.readouterr().out
    assert main(["logout", "--server", seed.url]) == 0
    assert store.get(head.url) is not None  # the other login is untouched
