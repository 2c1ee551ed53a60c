"""The headless layers never import Textual, and `coachtui --help` starts without it."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

HEADLESS = [
    "coachtui.api",
    "coachtui.live",
    "coachtui.devserver",
    "coachtui.devserver.server",
    "coachtui.demo.coachee",
    "coachtui.config",
    "coachtui.credentials",
    "coachtui.cli",
    "coachtui.scripting",  # show, watch, add: scripts must not pay for Textual
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


# -- the import contract, over every module (imports inside functions included) ------------------

SRC = Path(__file__).resolve().parents[1] / "src"
SHARED = {
    "coachtui",
    "coachtui.text",
    "coachtui.loopback",
    "coachtui.errors",
    "coachtui.config",
    "coachtui.lib0",
}

# Which coachtui packages each layer may import (besides itself and the shared modules above).
ALLOWED = {
    "coachtui.api": set(),
    "coachtui.live": {"coachtui.api"},
    "coachtui.devserver": set(),  # a server: no client code at all
    "coachtui.demo": {"coachtui.api"},  # the simulated coachee is a client of the API
}
TEXTUAL_FREE = ("coachtui.api", "coachtui.live", "coachtui.devserver", "coachtui.demo", "coachtui.scripting")
MAY_IMPORT_TUI = ("coachtui.tui", "coachtui.commands")  # the CLI's launch path


def _modules(src: Path) -> dict[str, set[str]]:
    """Every module of the package under `src` and the modules it imports (absolute names)."""
    found: dict[str, set[str]] = {}
    for path in (src / "coachtui").rglob("*.py"):
        parts = path.relative_to(src).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        imported: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                imported.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                imported.add(node.module)
                imported.update(f"{node.module}.{alias.name}" for alias in node.names)
        found[name] = imported
    return found


def _within(name: str, package: str) -> bool:
    return name == package or name.startswith(package + ".")


def violations(src: Path) -> list[str]:
    modules = _modules(src)
    broken: list[str] = []
    for module, imports in sorted(modules.items()):
        ours = {i for i in imports if _within(i, "coachtui") and i in modules}
        for layer, allowed in ALLOWED.items():
            if not _within(module, layer):
                continue
            for target in ours:
                if not (
                    _within(target, layer) or target in SHARED or any(_within(target, a) for a in allowed)
                ):
                    broken.append(f"{module} imports {target}")
        if any(_within(module, layer) for layer in TEXTUAL_FREE):
            broken += [
                f"{module} imports {i}" for i in imports if _within(i, "textual") or _within(i, "rich")
            ]
        if not any(_within(module, p) for p in MAY_IMPORT_TUI):
            broken += [f"{module} imports {t}" for t in ours if _within(t, "coachtui.tui")]
    return sorted(set(broken))


def test_import_contract() -> None:
    assert {"coachtui.live.engine", "coachtui.tui.app"} <= set(_modules(SRC))  # the walk saw them
    assert violations(SRC) == []


def test_the_contract_catches_violations_even_in_lazy_imports(tmp_path: Path) -> None:
    package = tmp_path / "coachtui"
    for sub in ("api", "live", "tui", "devserver"):
        (package / sub).mkdir(parents=True)
        (package / sub / "__init__.py").write_text("")
    (package / "__init__.py").write_text("")
    (package / "tui" / "app.py").write_text("")
    (package / "live" / "engine.py").write_text("def f():\n    from coachtui.tui.app import x\n")
    (package / "api" / "client.py").write_text("from coachtui.live import engine\nimport textual\n")
    (package / "devserver" / "app.py").write_text("from coachtui.api import client\n")
    assert violations(tmp_path) == [
        "coachtui.api.client imports coachtui.live",
        "coachtui.api.client imports coachtui.live.engine",
        "coachtui.api.client imports textual",
        "coachtui.devserver.app imports coachtui.api",
        "coachtui.devserver.app imports coachtui.api.client",
        "coachtui.live.engine imports coachtui.tui.app",
    ]
