"""Benchmarks of the real app in a pseudo-terminal: key presses under load, large sessions,
start-up and memory."""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from benchmarks.bare_app import MARKER as BARE_MARKER
from benchmarks.common import DevServerProcess, PtyApp, login, session_actions, today_session


def _open(server: DevServerProcess, items: int = 7) -> tuple[PtyApp, str, str]:
    coach = login(server.url, "coach@example.com", "coach-demo-pass")
    sid = today_session(server.url, coach)
    app = PtyApp(server.url, sid, coach).start()
    app.wait_for(b"Connected", timeout=60)
    app.wait_for(f"{items} items".encode(), timeout=60)
    target = next(a for a in session_actions(server.url, coach, sid) if a["status"] == "InProgress")
    return app, sid, str(target["id"])


@dataclass
class KeyUnderLoad:
    samples_ms: list[float]
    events: int


def key_press_under_load(events: int, seconds: float, presses: int, rounds: int = 3) -> KeyUnderLoad:
    """`?` opens the help while `events` action updates arrive within `seconds`; `rounds` bursts."""
    server = DevServerProcess().start()
    try:
        app, _, action_id = _open(server)
        start_at = app.offset()  # the first help ever shown builds its screen: not what we measure
        app.press(b"?")
        app.wait_for_frame(b"coachtui help", start=start_at, timeout=10)
        _close_help(app)
        samples: list[float] = []
        for _ in range(rounds):
            server.dev("sse/flood", action_id=action_id, count=events, seconds=seconds)
            end = time.monotonic() + seconds
            taken = 0
            while taken < presses and (time.monotonic() < end or not taken):
                start_at = app.offset()
                sent = app.press(b"?")
                shown, _ = app.wait_for_frame(b"coachtui help", start=start_at, timeout=10)
                samples.append((shown - sent) * 1000)
                taken += 1
                _close_help(app)
            time.sleep(max(0.0, end - time.monotonic()) + 0.5)
        app.stop()
        return KeyUnderLoad(samples, events)
    finally:
        server.stop()


def _close_help(app: PtyApp) -> None:
    """`?` again closes the help. Not Esc: a terminal app cannot tell a lone Esc from the start
    of an escape sequence until ESCDELAY (100 ms in Textual) passes, so an Esc followed soon by
    `?` reaches the app as one alt-key, not as close-then-open."""
    # Opening the help takes a few frames (the panes beneath lose focus and are redrawn dimmed);
    # panes under a modal do not repaint, so the output then goes quiet.
    app.wait_quiet()
    start_at = app.offset()
    app.press(b"?")
    app.wait_for_frame(b"Actions", start=start_at, timeout=10)  # the session screen again
    time.sleep(0.03)


@dataclass
class LargeSession:
    actions: int
    first_paint_s: float
    update_median_ms: float


def large_session(extra: int, updates: int, launches: int = 3) -> LargeSession:
    """Launch to the first full paint with `extra` more actions (median of `launches`), and the
    in-app cost of one update."""
    server = DevServerProcess().start()
    try:
        coach = login(server.url, "coach@example.com", "coach-demo-pass")
        sid = today_session(server.url, coach)
        server.dev("seed/actions", session_id=sid, count=extra)
        total = 7 + extra
        paints = []
        for _ in range(launches):
            app = PtyApp(server.url, sid, coach).start()
            painted, _ = app.wait_for(f"{total} items".encode(), timeout=120)
            paints.append(painted - app.started_at)
            app.stop()
    finally:
        server.stop()
    return LargeSession(total, statistics.median(paints), update_cost(total, updates))


def update_cost(size: int, updates: int) -> float:
    """Median time to apply one action_updated to the model and the Actions pane, in-process."""
    import asyncio

    from textual.app import App, ComposeResult

    from coachtui.api.models import Action, Status
    from coachtui.live.events import Entity, Pane, Upsert
    from coachtui.live.model import PaneState, PaneStatus
    from coachtui.tui.widgets.panes import ActionsPane

    class One(App[None]):
        def compose(self) -> ComposeResult:
            yield ActionsPane(id="actions")

    actions: dict[str, Entity] = {
        f"a{i}": Action(id=f"a{i}", coaching_session_id="s", body=f"Action {i}", status=Status.NOT_STARTED)
        for i in range(size)
    }
    state = PaneState(Pane.ACTIONS, items=actions, status=PaneStatus.FRESH, loaded_once=True)

    async def go() -> float:
        app = One()
        async with app.run_test(size=(120, 40)) as pilot:
            pane = app.query_one(ActionsPane)
            pane.show(state)
            await pilot.pause()
            times = []
            for i in range(updates):
                target = f"a{(i * 7919) % size}"
                event = Upsert(
                    "action_updated",
                    Pane.ACTIONS,
                    actions[target].model_copy(update={"body": f"changed {i}"}),
                    "s",
                    None,
                )
                start = time.perf_counter()
                state.items[target] = event.entity  # what SessionModel.apply does for an upsert
                pane.show(state, None, {target})  # what the session screen passes on
                times.append((time.perf_counter() - start) * 1000)
                await pilot.pause()
            return statistics.median(times)

    return asyncio.run(go())


@dataclass
class Startup:
    help_ms: float
    python_ms: float
    textual_imported: bool
    first_screen_s: float  # `coachtui session <id>` → the session's header and Actions pane painted
    first_screen_cpu_s: float  # CPU the app had used by then
    bare_s: float  # the same for a bare Textual app (header, DataTable of 3 rows, footer)
    bare_cpu_s: float


BARE_APP = Path(__file__).with_name("bare_app.py")


def startup(runs: int) -> Startup:
    script = Path(sys.executable).with_name("coachtui")  # what a user runs
    coachtui = [str(script), "--help"] if script.exists() else [sys.executable, "-m", "coachtui", "--help"]
    bare = [sys.executable, "-c", "pass"]
    times: dict[str, list[float]] = {"coachtui": [], "python": []}
    time.sleep(1)  # let the previous benchmark's processes finish exiting
    for _ in range(runs):  # interleaved, so both see the same machine
        for name, cmd in (("coachtui", coachtui), ("python", bare)):
            start = time.perf_counter()
            subprocess.run(cmd, stdout=subprocess.DEVNULL, check=True)
            times[name].append((time.perf_counter() - start) * 1000)
    help_ms, python_ms = statistics.median(times["coachtui"]), statistics.median(times["python"])
    probe = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys\nfrom coachtui.cli import main\ntry:\n    main(['--help'])\n"
            "except SystemExit:\n    pass\nprint('textual' in sys.modules, file=sys.stderr)",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    server = DevServerProcess().start()
    try:
        coach = login(server.url, "coach@example.com", "coach-demo-pass")
        sid = today_session(server.url, coach)
        walls: dict[str, list[float]] = {"coachtui": [], "bare": []}
        cpus: dict[str, list[float]] = {"coachtui": [], "bare": []}
        for _ in range(max(1, runs // 3)):  # interleaved, same interpreter, same terminal size
            for name, argv, markers in (
                ("coachtui", None, (b"Quarterly planning", b"7 items")),
                ("bare", [sys.executable, str(BARE_APP)], (BARE_MARKER.encode(),)),
            ):
                app = PtyApp(server.url, sid, coach, argv=argv).start()
                painted = max(app.wait_for(marker, timeout=60)[0] for marker in markers)
                cpus[name].append(app.cpu_s())
                walls[name].append(painted - app.started_at)
                app.stop()
    finally:
        server.stop()
    return Startup(
        help_ms,
        python_ms,
        probe.stderr.strip() == "True",
        statistics.median(walls["coachtui"]),
        statistics.median(cpus["coachtui"]),
        statistics.median(walls["bare"]),
        statistics.median(cpus["bare"]),
    )


@dataclass
class Memory:
    warm_kb: int
    after_kb: int
    events: int


def memory(events: int, seconds: float, warmup: int, settle: float = 1.0) -> Memory:
    """RSS after `warmup` events (Textual's render caches fill up to their bounds) and after
    `events` more; `settle` seconds after each for the heap to settle."""
    server = DevServerProcess().start()
    try:
        app, _, action_id = _open(server)
        server.dev("sse/flood", action_id=action_id, count=warmup, seconds=max(settle, warmup / 1000))
        app.wait_for(f"flood {warmup - 1}".encode(), timeout=60)
        time.sleep(settle)
        warm = app.rss_kb()
        start = app.offset()
        server.dev("sse/flood", action_id=action_id, count=events, seconds=seconds)
        app.wait_for(f"flood {events - 1}".encode(), timeout=seconds + 60, start=start)
        time.sleep(settle)
        after = app.rss_kb()
        app.stop()
        return Memory(warm, after, events)
    finally:
        server.stop()
