"""The shared notes: an edit typed in the notes → on the screen, next to a bare client (pycrdt over
websockets: the floor); first sync and paint of a 2,000-paragraph document; memory with it open.

The app runs as a user runs it (`coachtui session` in a pseudo-terminal, 160 columns so the notes
have their column) against `coachtui devserver`, which serves the notes. Each edit is made by the
devserver as a browser would (its update broadcast to every reader); both readers are timed from
the moment the edit was asked for, so the difference is what coachtui adds.
"""

from __future__ import annotations

import asyncio
import re
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from pycrdt import Doc, XmlFragment
from websockets.asyncio.client import connect
from websockets.exceptions import WebSocketException

from benchmarks.common import DevServerProcess, Login, PtyApp, login, today_session
from coachtui import lib0
from coachtui.api.client import ApiClient
from coachtui.api.records import SecretStr

MARK = re.compile(r"nm(\d{6})x")


@dataclass
class BareReader:
    """The floor: the fewest steps that see an edit — auth, sync, apply, look for the mark."""

    url: str
    coach: Login
    session_id: str
    seen: dict[int, float] = field(default_factory=dict)
    synced_after: float = 0.0

    def start(self) -> BareReader:
        self.ready = threading.Event()
        self.stop = threading.Event()
        threading.Thread(target=lambda: asyncio.run(self._run()), daemon=True).start()
        if not self.ready.wait(20):
            raise RuntimeError("the bare notes reader did not sync")
        return self

    async def _run(self) -> None:
        try:
            await self._listen()
        except (OSError, WebSocketException):
            return  # the server went away at the end of the run

    async def _listen(self) -> None:
        api = ApiClient(self.url)
        api.use_login(SecretStr(self.coach.cookie), self.coach.user_id)
        token = await api.collab_token(self.session_id)
        await api.aclose()
        doc: Doc[Any] = Doc()
        fragment = doc.get("default", type=XmlFragment)
        started = time.monotonic()
        ws_url = self.url.replace("http://", "ws://") + "/collab"
        async with connect(ws_url, max_size=None, compression=None, proxy=None) as ws:
            await ws.send(lib0.auth(token.sub, token.token.get_secret_value()))
            await ws.send(lib0.sync(token.sub, lib0.SyncStep.STEP1, doc.get_state()))
            async for message in ws:
                if self.stop.is_set():
                    return
                frame = lib0.parse(message) if isinstance(message, bytes) else None
                if frame is None or frame.kind != lib0.MessageType.SYNC:
                    continue
                step, payload = frame.body.var_uint(), frame.body.var_bytes()
                if step == lib0.SyncStep.STEP1:
                    continue
                doc.apply_update(payload)
                now = time.monotonic()
                if step == lib0.SyncStep.STEP2 and not self.ready.is_set():
                    self.synced_after = now - started
                    self.ready.set()
                for m in MARK.finditer(str(fragment)):
                    self.seen.setdefault(int(m.group(1)), now)


@dataclass
class NotesResult:
    app_ms: list[float]
    floor_ms: list[float]
    first_paint_s: float
    floor_sync_s: float
    rss_mb: float
    rss_empty_mb: float
    paragraphs: int


def run(edits: int, rate: float, paragraphs: int) -> NotesResult:
    server = DevServerProcess().start()
    try:
        coach = login(server.url, "coach@example.com", "coach-demo-pass")
        sid = today_session(server.url, coach)
        # Edit → screen, with the demo's short notes.
        app = PtyApp(server.url, sid, coach, size=(160, 45)).start()
        app.wait_for(b"Session notes", timeout=60)
        time.sleep(0.5)
        rss_empty = app.rss_kb() / 1024
        floor = BareReader(server.url, coach, sid).start()
        sent: dict[int, float] = {}
        start = time.monotonic()
        for i in range(edits):
            due = start + i / rate
            if due > time.monotonic():
                time.sleep(due - time.monotonic())
            sent[i] = time.monotonic()
            # At the top, where the pane shows it (an edit further down would be off screen).
            server.dev("notes", session_id=sid, prepend=f"nm{i:06d}x typed in the web app")
        deadline = time.monotonic() + 10
        last = f"nm{edits - 1:06d}x".encode()
        while time.monotonic() < deadline and not (app.seen_at(last) and edits - 1 in floor.seen):
            time.sleep(0.02)
        app_ms = [
            (found[0] - sent[i]) * 1000
            for i in range(edits)
            if (found := app.seen_at(f"nm{i:06d}x".encode()))
        ]
        floor_ms = [(floor.seen[i] - sent[i]) * 1000 for i in range(edits) if i in floor.seen]
        floor.stop.set()
        app.stop()
        # A long document: first sync and paint, and memory with it open.
        server.dev("notes", session_id=sid, paragraphs=paragraphs)
        big = PtyApp(server.url, sid, coach, size=(160, 45)).start()
        big.wait_for(b"p00000x", timeout=60)
        first_paint = big.seen_at(b"p00000x")
        assert first_paint is not None
        paint_s = first_paint[0] - big.started_at
        time.sleep(1.0)
        rss = big.rss_kb() / 1024
        big.stop()
        bare = BareReader(server.url, coach, sid).start()
        bare.stop.set()
        return NotesResult(app_ms, floor_ms, paint_s, bare.synced_after, rss, rss_empty, paragraphs)
    finally:
        server.stop()
