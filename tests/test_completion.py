"""Shell completion (argcomplete) and `--version`: what the shell is told, over the real protocol."""

from __future__ import annotations

import asyncio
import io
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from coachtui import API_VERSION, __version__
from coachtui.api.client import ApiClient
from coachtui.cli import main
from coachtui.devserver.server import DevServer

# `coachtui` as the shell code runs it, reporting on its way out whether Textual was imported.
COMPLETING = (
    "import os, sys\n"
    "real_exit = os._exit\n"
    "def exit_(code):\n"
    "    sys.stderr.write('TEXTUAL' if 'textual' in sys.modules else 'no textual')\n"
    "    sys.stderr.flush()\n"
    "    real_exit(code)\n"
    "os._exit = exit_  # argcomplete's default exit, bound when main() imports it\n"
    "from coachtui.cli import main\n"
    "main()\n"
)


def complete(line: str, tmp_path: Path, shell: str = "bash") -> list[str]:
    """The words `coachtui` offers for `line`, as argcomplete's shell code asks for them."""
    out = tmp_path / "completions"
    env = {
        **os.environ,
        "_ARGCOMPLETE": "1",
        "_ARGCOMPLETE_SHELL": shell,
        "_ARGCOMPLETE_SUPPRESS_SPACE": "1",
        "_ARGCOMPLETE_IFS": "\n",
        "_ARGCOMPLETE_STDOUT_FILENAME": str(out),
        "COMP_LINE": line,
        "COMP_POINT": str(len(line)),
    }
    if shell == "fish":
        env["_ARGCOMPLETE_DFS"] = "\t"
    result = subprocess.run(
        [sys.executable, "-c", COMPLETING], env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr.endswith("no textual"), result.stderr  # completing stays as light as --help
    return [w for w in out.read_text(encoding="utf-8").split("\n") if w]


def log_in(server: DevServer, monkeypatch: pytest.MonkeyPatch) -> None:
    assert server.demo is not None
    monkeypatch.setattr("sys.stdin", io.StringIO(server.demo.coach.password + "\n"))
    assert main(["login", "--server", server.url, "--email", "coach@example.com", "--password-stdin"]) == 0


def test_commands_and_options_are_completed(tmp_path: Path) -> None:
    assert complete("coachtui s", tmp_path) == ["sessions", "session", "show"]
    assert complete("coachtui completion ", tmp_path) == ["bash", "zsh", "fish"]
    assert "--no-activity" in complete("coachtui demo --", tmp_path)
    assert "--server" not in complete("coachtui demo --", tmp_path)
    words = complete("coachtui wa", tmp_path, shell="zsh")
    assert words == ["watch:print one line per change to a session until Ctrl+C"]


def test_session_ids_come_from_the_sessions_list(
    head_server: DevServer, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    demo = head_server.demo
    assert demo is not None
    log_in(head_server, monkeypatch)
    hostile = "\x1b[31mPlan\x0bB\ttab:x\n\u202ey"

    async def retitle() -> None:
        async with ApiClient(head_server.url) as other:
            await other.login(demo.coach.email, demo.coach.password)
            await other.update_session_title(demo.today_session_id, hostile)

    asyncio.run(retitle())

    for command in ("show", "watch", "session", "add action", "add agreement"):
        ids = complete(f"coachtui {command} ", tmp_path)
        assert demo.today_session_id in ids, command
    assert complete(f"coachtui show {demo.today_session_id[:6]}", tmp_path) == [demo.today_session_id]

    # zsh and fish show a description: the date, the people, the title, made inert.
    for shell, separator in (("zsh", ":"), ("fish", "\t")):
        rows = dict(w.split(separator, 1) for w in complete("coachtui show ", tmp_path, shell=shell))
        described = rows[demo.today_session_id]
        assert "Avery Stone and Jordan Lee" in described
        assert described.endswith("Plan B tab:x y")
        assert not any(c in described for c in "\x1b\x07\x0b\t\n\u202e"), repr(described)


def test_nothing_is_offered_when_not_logged_in(tmp_path: Path) -> None:
    assert complete("coachtui show ", tmp_path) == []
    assert complete("coachtui show --server http://127.0.0.1:9 ", tmp_path) == []


@pytest.mark.skipif(shutil.which("bash") is None, reason="no bash on this machine")
def test_bash_runs_the_printed_shell_code(tmp_path: Path) -> None:
    code = subprocess.run(
        [sys.executable, "-m", "coachtui", "completion", "bash"], capture_output=True, text=True, check=True
    ).stdout
    script = (
        f"{code}\n"
        'COMP_WORDS=(coachtui dev); COMP_CWORD=1; COMP_LINE="coachtui dev"; COMP_POINT=${#COMP_LINE}\n'
        "_python_argcomplete coachtui\n"
        'printf "%s\\n" "${COMPREPLY[@]}"\n'
    )
    bin_dir = Path(sys.executable).parent  # where this checkout's `coachtui` is installed
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}"}
    result = subprocess.run(["bash", "-c", script], capture_output=True, text=True, env=env, timeout=60)
    assert result.stdout.split() == ["devserver"], result.stderr


def test_version_says_what_a_bug_report_needs(capsys: pytest.CaptureFixture[str]) -> None:
    from importlib.metadata import version

    with pytest.raises(SystemExit) as stop:
        main(["--version"])
    assert stop.value.code == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0] == f"coachtui {__version__}"
    assert f"API version {API_VERSION}" in out
    assert f"Textual {version('textual')}, Python {sys.version_info.major}." in out


def test_version_does_not_import_textual() -> None:
    code = (
        "import sys\n"
        "from coachtui.cli import main\n"
        "try:\n    main(['--version'])\nexcept SystemExit:\n    pass\n"
        "raise SystemExit(1 if 'textual' in sys.modules else 0)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "Textual " in result.stdout


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_completion_prints_shell_code(shell: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["completion", shell]) == 0
    code = capsys.readouterr().out
    assert "_ARGCOMPLETE" in code and "coachtui" in code
    assert ("complete --command coachtui" in code) == (shell == "fish")
