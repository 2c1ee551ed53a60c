"""No garbage collection while a screen starts; the collector is on again once it has settled,
and after any command, whatever the command did."""

from __future__ import annotations

import argparse
import gc
from collections.abc import Iterator
from pathlib import Path

import pytest

from coachtui import commands, startup_heap
from coachtui.cli import main


@pytest.fixture(autouse=True)
def collector_restored() -> Iterator[None]:
    was = gc.isenabled()
    frozen = gc.get_freeze_count()  # the suite's own frozen heap (tests/conftest.py)
    yield
    startup_heap.release()
    gc.unfreeze()  # (a heap frozen by the test would outlive it)
    if frozen:
        gc.freeze()
    if was:
        gc.enable()


def test_held_until_settled() -> None:
    frozen = gc.get_freeze_count()
    assert gc.isenabled()
    startup_heap.hold()
    assert not gc.isenabled()
    startup_heap.settle(freeze=False)
    assert gc.isenabled()
    assert gc.get_freeze_count() == frozen


def test_settled_freezes_what_survives() -> None:
    gc.collect()  # (what the test process made since its heap was frozen, minus its garbage)
    frozen = gc.get_freeze_count()
    startup_heap.hold()
    kept: list[list[int]] = [[] for _ in range(1000)]  # made during start-up, surviving it
    startup_heap.settle(freeze=True)
    assert gc.isenabled() and gc.get_freeze_count() >= frozen + len(kept)


def test_a_collector_turned_off_elsewhere_stays_off() -> None:
    gc.disable()
    startup_heap.hold()
    startup_heap.settle(freeze=False)
    assert not gc.isenabled()  # not ours to turn on


@pytest.mark.parametrize("command", ["session", "demo"])
def test_a_screen_command_starts_without_the_collector_and_ends_with_it(
    command: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    during: list[bool] = []

    def run(args: argparse.Namespace) -> int:
        during.append(gc.isenabled())
        return 0

    monkeypatch.setattr(commands, f"cmd_{command}", run)
    assert main([command]) == 0
    assert during == [False] and gc.isenabled()


def test_a_screen_command_that_fails_ends_with_the_collector(
    isolated_config: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["session", "2d1e0c7a-5b7e-4c1e-9a51-000000000000", "--server", "http://127.0.0.1:9"]) != 0
    assert "coachtui login" in capsys.readouterr().err  # (not logged in: it ended before any screen)
    assert gc.isenabled()


def test_other_commands_keep_the_collector(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    during: list[bool] = []

    def run(args: argparse.Namespace) -> int:
        during.append(gc.isenabled())
        return 0

    monkeypatch.setattr(commands, "cmd_sessions", run)
    assert main(["sessions"]) == 0
    assert during == [True]
