"""coachtui as a coach installs it (issue 25): the wheel built from this tree, installed into a fresh
virtualenv with nothing but its own dependencies, then run the way a newcomer would.

The virtualenv has no system site-packages and no test extra, so a dependency missing from
pyproject.toml fails here. Its dependencies come from the package index through pip's cache (the
first run on a machine downloads them; later runs take about 15 s, most of it pip resolving and
unpacking): that is the real install path, the one `pipx install` and `uv tool install` take.
"""

from __future__ import annotations

import fcntl
import os
import pty
import select
import shutil
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path

import pytest

from coachtui import API_VERSION, __version__
from tests.test_cli_dead_ends import _read_until

ROOT = Path(__file__).resolve().parents[1]
BUILD_INPUTS = ("pyproject.toml", "README.md", "LICENSE", "src")


def run(command: list[str], **kwargs: object) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(command, capture_output=True, text=True, timeout=600, **kwargs)  # type: ignore[call-overload]
    assert result.returncode == 0, f"{command[:4]} failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    return result  # type: ignore[no-any-return]


def test_a_plain_install_works_and_runs_the_demo(tmp_path: Path) -> None:
    # One test, not three sharing a fixture: under xdist each worker would build and install again.
    installed = install(tmp_path)
    only_what_it_needs(installed, tmp_path)
    version_and_demo_help(installed, tmp_path)
    demo_first_paint(installed, tmp_path)


def install(base: Path) -> Path:
    """The `bin` directory of a fresh virtualenv holding the wheel and its dependencies only."""
    # A copy of what the build reads, so that the build's scratch files stay out of the checkout.
    tree = base / "tree"
    tree.mkdir()
    for name in BUILD_INPUTS:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, tree / name, ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
        else:
            shutil.copy2(source, tree / name)
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check"]
    # Built by the backend [build-system] names, from this environment (the test extra holds it):
    # an isolated build would install it into a new environment first, two thirds of the build's
    # CPU. pip still checks that what is installed here satisfies [build-system] requires.
    build = ["--no-build-isolation", "--check-build-dependencies"]
    run([*pip, "wheel", "--quiet", "--no-deps", *build, "--wheel-dir", str(base / "dist"), str(tree)])
    (wheel,) = (base / "dist").glob("coachtui-*.whl")
    venv = base / "venv"
    run([sys.executable, "-m", "venv", "--without-pip", str(venv)])
    python = venv / "bin" / "python"
    # No bytecode compiled ahead: pip would compile every module of every dependency (half the
    # install's time); the runs below compile what they import, as a `--no-compile` install does.
    run(
        [
            *pip,
            "--python",
            str(python),
            "install",
            "--quiet",
            "--no-compile",
            "--only-binary=:all:",
            str(wheel),
        ]
    )
    return venv / "bin"


def user_env(home: Path) -> dict[str, str]:
    """A newcomer's environment: nothing of this checkout or of the test run leaks in."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("COACHTUI_", "PYTHON", "PYTEST", "VIRTUAL_ENV"))
    }
    home.mkdir(exist_ok=True)
    return {
        **env,
        "HOME": str(home),
        "XDG_CONFIG_HOME": str(home / ".config"),
        "XDG_STATE_HOME": str(home / ".local" / "state"),
        "TMPDIR": str(home),
        "TERM": "xterm-256color",
    }


def only_what_it_needs(installed: Path, tmp_path: Path) -> None:
    probe = (
        "import importlib.util, coachtui\n"
        "print(coachtui.__file__)\n"
        "print(*(m for m in ('pytest', 'hypothesis', 'mypy') if importlib.util.find_spec(m)))\n"
    )
    probed = run([str(installed / "python"), "-c", probe], env=user_env(tmp_path / "home"), cwd=tmp_path)
    where, test_tools = probed.stdout.splitlines()
    assert Path(where).is_relative_to(installed.parent), where  # the installed copy, not this checkout
    assert test_tools == ""  # a fresh virtualenv: no test extra, no system site-packages


def version_and_demo_help(installed: Path, tmp_path: Path) -> None:
    env = user_env(tmp_path / "home")
    version = run([str(installed / "coachtui"), "--version"], env=env, cwd=tmp_path).stdout
    assert f"coachtui {__version__}" in version
    assert f"API version {API_VERSION}" in version
    textual = run([str(installed / "python"), "-c", "import textual; print(textual.__version__)"]).stdout
    assert f"Textual {textual.strip()}," in version

    help_text = run([str(installed / "coachtui"), "demo", "--help"], env=env, cwd=tmp_path).stdout
    assert "built-in local server" in help_text and "--no-activity" in help_text

    # Completion needs no extra either: the shell code comes from the installed argcomplete.
    bash = run([str(installed / "coachtui"), "completion", "bash"], env=env, cwd=tmp_path).stdout
    assert "complete " in bash and "coachtui" in bash


def _drain_until_exit(fd: int, proc: subprocess.Popen[bytes], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while proc.poll() is None:
        left = deadline - time.monotonic()
        if left <= 0:
            raise AssertionError("the demo did not quit in time")
        if select.select([fd], [], [], min(left, 0.1))[0]:
            try:
                os.read(fd, 65536)
            except OSError:  # the app closed the terminal on its way out
                proc.wait(timeout=left)


def demo_first_paint(installed: Path, tmp_path: Path) -> None:
    home = tmp_path / "home"
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 100, 0, 0))
    proc = subprocess.Popen(
        [str(installed / "coachtui"), "demo", "--no-activity"],
        stdin=slave,
        stdout=slave,
        stderr=slave,
        env=user_env(home),
        cwd=tmp_path,
        start_new_session=True,
    )
    os.close(slave)
    try:
        screen = _read_until(master, b"Connected", timeout=60)
        if b"Agreements" not in screen:  # the panes may be drawn after the status bar
            screen += _read_until(master, b"Agreements", timeout=30)
        assert b"Traceback" not in screen
        os.write(master, b"q")
        _drain_until_exit(master, proc, timeout=30)  # a full terminal would stop the app from quitting
        assert proc.returncode == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        os.close(master)
    assert not list(home.glob("coachtui-demo-*"))  # its throwaway login and drafts are gone


@pytest.mark.parametrize("command", [["demo"], ["devserver", "--port", "0"]])
def test_an_install_without_the_server_packages_says_so_in_one_line(command: list[str]) -> None:
    # They are dependencies of every install; `pip install --no-deps` or a package removed by hand
    # can still leave them out.
    code = (
        "import sys\n"
        "sys.modules['uvicorn'] = None  # what the import system says for a package that is not there\n"
        "from coachtui.cli import main\n"
        "raise SystemExit(main(sys.argv[1:]))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code, *command], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 2
    assert result.stderr.startswith("coachtui: the built-in local server needs uvicorn, which"), result.stderr
    assert "pipx reinstall coachtui" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
