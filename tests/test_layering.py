"""The headless layers never import Textual, and `coachtui --help` starts without it."""

from __future__ import annotations

import subprocess
import sys

HEADLESS = [
    "coachtui.api",
    "coachtui.live",
    "coachtui.devserver",
    "coachtui.devserver.server",
    "coachtui.config",
    "coachtui.credentials",
    "coachtui.cli",
]


def run_python(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)


def test_headless_layers_do_not_import_textual() -> None:
    code = (
        "import importlib, sys\n"
        f"for m in {HEADLESS!r}: importlib.import_module(m)\n"
        "bad = sorted(m for m in sys.modules if m == 'textual' or m.startswith('textual.'))\n"
        "print(bad)\n"
        "raise SystemExit(1 if bad else 0)\n"
    )
    result = run_python(code)
    assert result.returncode == 0, result.stdout + result.stderr


def test_help_does_not_import_textual() -> None:
    code = (
        "import sys\n"
        "from coachtui.cli import main\n"
        "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
        "raise SystemExit(1 if 'textual' in sys.modules else 0)\n"
    )
    result = run_python(code)
    assert result.returncode == 0, result.stderr
    assert "coachtui" in result.stdout
