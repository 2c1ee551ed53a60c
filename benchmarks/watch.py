"""`coachtui watch --json`: from the server's write of an event to the line on the pipe, next to a
bare httpx-sse reader (the floor) in the same run. The watch runs as a user would run it, in its
own process with its stdout piped; each line is timestamped as this process reads it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from benchmarks.common import DevServerProcess, V, login, today_session
from benchmarks.latency import MARK, Reader, latencies, send_marked_edits
from coachtui.api.records import SecretStr
from coachtui.credentials import Credentials, CredentialStore


@dataclass
class WatchResult:
    watch: list[float]
    floor: list[float]
    lines: int
    sent: int


@dataclass
class _Pipe:
    process: subprocess.Popen[bytes]
    seen: dict[int, float] = field(default_factory=dict)
    lines: int = 0

    def start(self) -> _Pipe:
        self.ready = threading.Event()
        threading.Thread(target=self._read, daemon=True).start()
        return self

    def _read(self) -> None:
        assert self.process.stdout is not None
        for raw in self.process.stdout:
            now = time.monotonic()
            self.lines += 1
            data = json.loads(raw)
            if data.get("type") == "connection" and data.get("state") == "Connected":
                self.ready.set()
            for m in MARK.finditer(data.get("text", "")):
                self.seen.setdefault(int(m.group(1)), now)


def run(events: int, rate: float) -> WatchResult:
    server = DevServerProcess().start()
    home = tempfile.mkdtemp(prefix="coachtui-bench-watch-")
    process: subprocess.Popen[bytes] | None = None
    try:
        coach = login(server.url, "coach@example.com", "coach-demo-pass")
        coachee = login(server.url, "coachee@example.com", "coachee-demo-pass")
        session_id = today_session(server.url, coach)
        CredentialStore(Path(home)).save(
            Credentials(
                server=server.url, user_id=coach.user_id, display_name="Bench", cookie=SecretStr(coach.cookie)
            )
        )
        env = {**os.environ, "COACHTUI_CONFIG_DIR": home, "COACHTUI_STATE_DIR": home}
        process = subprocess.Popen(
            [sys.executable, "-m", "coachtui", "watch", session_id, "--json", "--server", server.url],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
        )
        pipe = _Pipe(process).start()
        assert process.stderr is not None
        if not pipe.ready.wait(20) or not process.stderr.readline().startswith(b"Watching ("):
            raise RuntimeError("watch did not start")
        floor = Reader(server.url, coach, session_id, refetch=False).start()
        time.sleep(0.3)
        actions = httpx.get(
            f"{server.url}/users/{coach.user_id}/actions",
            headers={**V, "Cookie": f"id={coach.cookie}"},
            params={"scope": "sessions", "coaching_session_id": session_id},
        ).json()["data"]
        target: dict[str, Any] = actions[0]
        base = server.dev("sse/publish_times")["count"]
        send_marked_edits(server.url, coachee, target, events, rate)
        last = events - 1
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and not (last in pipe.seen and last in floor.seen):
            time.sleep(0.02)
        published = server.dev("sse/publish_times", since=base)["times"]
        floor.stopped = True

        return WatchResult(
            latencies(pipe.seen, published, events),
            latencies(floor.seen, published, events),
            pipe.lines,
            events,
        )
    finally:
        if process is not None:
            process.kill()
            process.wait()
        server.stop()
