"""Benchmarks of changes made here: `x` → row repainted under a live stream, REST requests per
local edit, and repaints caused by the edit's own echo."""

from __future__ import annotations

import asyncio
import datetime as dt
import re
import time
from dataclasses import dataclass
from functools import partial
from typing import Any

import httpx

from benchmarks.common import SYNC_END, DevServerProcess, PtyApp, V, login, session_actions, today_session
from benchmarks.headless import _Engine, _rest, _wait
from benchmarks.screen import _open


@dataclass
class KeyToRow:
    samples_ms: list[float]
    rate: float


@dataclass
class Editing:
    x: KeyToRow
    per_edit: RequestsPerEdit
    echo: EchoRepaints


def run(presses: int, rate: float, echo_edits: int) -> Editing:
    """All three on one devserver (starting one is most of a tiny run's time), in an order where
    each finds the demo data it expects (7 actions for the first)."""
    server = DevServerProcess().start()
    try:
        x = _x_under_load(server, presses, rate)
        echo = asyncio.run(_echo_repaints(server, echo_edits))
        per_edit = asyncio.run(_requests_per_edit(server))
        return Editing(x, per_edit, echo)
    finally:
        server.stop()


def _x_under_load(server: DevServerProcess, presses: int, rate: float) -> KeyToRow:
    """`x` on an action → the frame that shows it changed (marked saving), while another action
    of the session changes `rate` times a second over SSE."""
    app, sid, target = _open(server)
    others = [a for a in session_actions(server.url, _coach(server), sid) if a["id"] != target]
    seconds = presses * 0.35 + 0.5  # the stream lasts as long as the presses
    server.dev("sse/flood", action_id=others[0]["id"], count=int(seconds * rate), seconds=seconds)
    flood_ends = time.monotonic() + seconds
    samples: list[float] = []
    time.sleep(0.3)  # the stream is running
    status = "Completed"  # the target starts In Progress; each press toggles it
    for _ in range(presses):
        start_at = app.offset()
        sent = app.press(b"x")
        # The row with its new status: the optimistic frame, or (when the answer came within
        # the same frame, as over loopback) the confirmed one. Either is what the user sees.
        shown = _row_drawn(app, status, start_at)
        samples.append((shown - sent) * 1000)
        status = "In Progress" if status == "Completed" else "Completed"
        time.sleep(0.3)  # confirmed before the next press
    app.stop()
    time.sleep(max(0.0, flood_ends - time.monotonic()) + 0.2)  # quiet again for what follows
    return KeyToRow(samples, rate)


_ESCAPES = re.compile(rb"\x1b\[[0-9;?]*[a-zA-Z]")


def _row_drawn(app: PtyApp, status: str, start: int, timeout: float = 10) -> float:
    """When the frame drawing the target row (the demo's "Draft the delegation plan…") with
    `status` had fully arrived."""
    wanted = re.compile(status.encode() + rb" +(saving\xe2\x80\xa6 )?Draft the")
    deadline = time.monotonic() + timeout
    seen, text = start, b""  # what is read so far, without escape sequences (read once each)
    while time.monotonic() < deadline:
        with app._lock:
            ends = [end for _, end in app.chunks if end > seen]
            raw = bytes(app.buffer[seen:]) if ends else b""
        for end in ends:
            text += _ESCAPES.sub(b"", raw[: end - seen])
            raw, before, seen = raw[end - seen :], seen, end
            if wanted.search(text):
                # The frame's end mark after the row's text (a chunk may hold several frames).
                with app._lock:
                    at = app.buffer.find(b"Draft the", before)
                found, _ = app.wait_for(SYNC_END, timeout, at)
                return found
        time.sleep(0.001)
    raise TimeoutError("the row was never drawn")


def _sent(server: DevServerProcess) -> int:
    """Events the server has sent so far (to every participant)."""
    return int(server.dev("stats")["events_sent"])


async def _caught_up(server: DevServerProcess, live: Any, sent: int, received: int) -> None:
    """Every event the server sent since it had sent `sent` has come in (and been applied)."""
    due = _sent(server) - sent
    await _wait(lambda: live.status.events_received - received >= due)


def _coach(server: DevServerProcess) -> Any:
    return login(server.url, "coach@example.com", "coach-demo-pass")


def _sid(server: DevServerProcess) -> str:
    return today_session(server.url, _coach(server))


@dataclass
class RequestsPerEdit:
    by_edit: dict[str, int]  # REST requests (reads and writes) each local edit cost


async def _requests_per_edit(server: DevServerProcess) -> RequestsPerEdit:
    from coachtui.api.models import Status
    from coachtui.live.edits import LocalEdits
    from coachtui.live.events import Pane
    from coachtui.live.forms import form_for, values_of

    sid = _sid(server)
    counts: dict[str, int] = {}
    async with _Engine(server.url, sid) as live:
        model = live.model
        edits = LocalEdits(model, live.api)

        async def cost(name: str, change: Any) -> None:
            before, sent, received = _rest(server), _sent(server), live.status.events_received
            await change
            await _caught_up(server, live, sent, received)  # the change's own events have come back
            await _wait(lambda: not model.busy)
            counts[name] = _rest(server) - before

        action = next(a for a in model.items(Pane.ACTIONS) if a.status is Status.NOT_STARTED)
        await cost("x on an action", edits.toggle_completed(Pane.ACTIONS, action.id))
        form = form_for(Pane.ACTIONS, live.api.era, model.header, model.items(Pane.GOALS), action)
        base = values_of(form, model.states[Pane.ACTIONS].items[action.id])
        await cost("editor: action text", edits.update(form, action.id, base, {**base, "body": "Edited"}))
        new = values_of(form, None, today=dt.date.today())
        await cost("editor: new action", edits.create(form, {**new, "body": "Created here"}))
        agreements = form_for(Pane.AGREEMENTS, live.api.era, model.header, [])
        await cost("editor: new agreement", edits.create(agreements, {"body": "Agreed here"}))
        await cost("d on an agreement", edits.delete(Pane.AGREEMENTS, model.items(Pane.AGREEMENTS)[0].id))
        goals = form_for(Pane.GOALS, live.api.era, model.header, [])
        await cost(
            "editor: new goal in the session",
            edits.create(goals, {"title": "Created here", "status": "OnHold", "target": ""}),
        )
    return RequestsPerEdit(counts)


@dataclass
class EchoRepaints:
    edits: int
    row_updates: int  # rows the Actions pane redrew
    expected: int  # two per edit: the change shown (marked saving), then confirmed


async def _echo_repaints(server: DevServerProcess, count: int) -> EchoRepaints:
    from coachtui.api.client import ApiClient
    from coachtui.live.events import Pane
    from coachtui.tui.app import CoachApp

    api = ApiClient(server.url)
    await api.login("coach@example.com", "coach-demo-pass")
    app = CoachApp(api, _sid(server), user_name="Bench Coach")
    async with app.run_test(size=(120, 40)) as pilot:
        assert app.live is not None
        model = app.live.model
        table = app.session_screen.pane_widget(Pane.ACTIONS)
        await _wait(
            lambda: (
                all(s.loaded_once for s in model.states.values())
                and not model.busy
                and table.row_count == len(model.items(Pane.ACTIONS))
            )
        )
        await pilot.pause()
        table.focus()
        await pilot.pause()
        before = table.fast_row_updates + table.fallback_row_updates
        for _ in range(count):
            sent, received = _sent(server), app.live.status.events_received
            await pilot.press("x")
            await _wait(lambda: not model.states[Pane.ACTIONS].saving)
            await _caught_up(server, app.live, sent, received)
            await pilot.pause()  # (what the echo caused, if anything, is drawn)
        updates = table.fast_row_updates + table.fallback_row_updates - before
    return EchoRepaints(count, updates, 2 * count)


@dataclass
class LargeText:
    shape: str
    chars: int
    open_ms: float  # enter → the editor shown, focused, drawn
    key_ms: list[float]  # a key typed at the end → drawn (empty: the text is not editable here)


def large_texts(keys: int) -> list[LargeText]:
    """The editor on an action written by the coachee, from a short text to the sizes the editor
    takes at most, and beyond (the attack's 600 KB on 300,001 lines and 1 MB line, which it names
    instead of opening)."""
    from coachtui.tui.screens.editor import EDITABLE_CHARS, EDITABLE_LINE, EDITABLE_LINES

    per_line = EDITABLE_CHARS // EDITABLE_LINES - 1
    shapes = {
        "short": "Call the vendor about the delegation plan",
        f"{EDITABLE_LINES - 1:,} lines (the limit)": "\n".join(
            ["word " * (per_line // 5)] * (EDITABLE_LINES - 1)
        ),
        f"one line of {EDITABLE_LINE:,} (the limit)": ("x" * 99 + " ") * (EDITABLE_LINE // 100),
        "600 KB on 300,001 lines (named, not opened)": "MULTI\n" + "L\n" * 300_000,
        "one line of 1 MB (named, not opened)": "BIG1MB " + ("x" * 99 + " ") * 10_000,
    }
    server = DevServerProcess().start()
    try:
        sid = _sid(server)
        coachee = login(server.url, "coachee@example.com", "coachee-demo-pass")
        ids = {shape: _coachees_action(server, coachee, sid, body) for shape, body in shapes.items()}
        return asyncio.run(_large_texts(server, sid, shapes, ids, keys))
    finally:
        server.stop()


def _coachees_action(server: DevServerProcess, coachee: Any, sid: str, body: str) -> str:
    r = httpx.post(
        f"{server.url}/actions",
        headers={**V, "Cookie": f"id={coachee.cookie}"},
        json={
            "coaching_session_id": sid,
            "body": body,
            "status": "NotStarted",
            "assignee_ids": [coachee.user_id],
        },
        timeout=60,
    )
    r.raise_for_status()
    return str(r.json()["data"]["id"])


def _ends_with(area: Any, char: str) -> bool:
    return bool(area.text.endswith(char))


async def _large_texts(
    server: DevServerProcess, sid: str, shapes: dict[str, str], ids: dict[str, str], keys: int
) -> list[LargeText]:
    from textual.widgets import TextArea

    from coachtui.api.client import ApiClient
    from coachtui.live.events import Pane
    from coachtui.tui.app import CoachApp
    from coachtui.tui.screens.editor import EditorScreen

    api = ApiClient(server.url)
    await api.login("coach@example.com", "coach-demo-pass")
    app = CoachApp(api, sid, user_name="Bench Coach")
    results = []
    async with app.run_test(size=(120, 36)) as pilot:
        assert app.live is not None
        model = app.live.model
        table = app.session_screen.pane_widget(Pane.ACTIONS)
        # The model holds the rows a message before the pane shows them.
        await _wait(
            lambda: (
                all(i in model.states[Pane.ACTIONS].items for i in ids.values())
                and all(i in table.rows for i in ids.values())
                and not model.busy
            )
        )
        for shape, body in shapes.items():
            table.focus()
            table.move_cursor(row=table.get_row_index(ids[shape]), animate=False)
            await pilot.pause()
            start = time.perf_counter()
            await pilot.press("enter")
            await _wait(lambda: isinstance(app.screen, EditorScreen) and app.focused is not None)
            await pilot.pause()  # drawn
            opened = (time.perf_counter() - start) * 1000
            typed = []
            area = app.focused
            if isinstance(area, TextArea):
                for char in "abcdefghij"[:keys]:
                    start = time.perf_counter()
                    await pilot.press(char)
                    await _wait(partial(_ends_with, area, char))
                    await pilot.pause()
                    typed.append((time.perf_counter() - start) * 1000)
                area.load_text(body)  # typed undone: Escape closes without asking
                await pilot.pause()
            await pilot.press("escape")
            await _wait(lambda: not isinstance(app.screen, EditorScreen))
            results.append(LargeText(shape, len(body), opened, typed))
    return results
