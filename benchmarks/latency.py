"""Event-to-screen latency: the real app in a pty, next to a bare SSE reader (the floor) and the
web app's strategy (refetch the pane over REST on every event, the peer), in one run."""

from __future__ import annotations

import json
import re
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import httpx
from httpx_sse import connect_sse

from benchmarks.common import DelayProxy, DevServerProcess, Login, PtyApp, V, login, pct, today_session

MARK = re.compile(r"mk(\d{6})x")


@dataclass
class Reader:
    """A client on its own thread: `refetch=False` is the floor, `refetch=True` the web app's way."""

    url: str
    who: Login
    session_id: str
    refetch: bool
    seen: dict[int, float] = field(default_factory=dict)
    requests: int = 0
    received: int = 0  # entity events read before the run ended

    def start(self) -> Reader:
        self.ready = threading.Event()
        self.stopped = False
        threading.Thread(target=self._run, daemon=True).start()
        if not self.ready.wait(10):
            raise RuntimeError("reader did not connect")
        return self

    def _run(self) -> None:
        try:
            self._listen()
        except httpx.HTTPError:
            return  # the server went away at the end of the run

    def _listen(self) -> None:
        headers = {"Cookie": f"id={self.who.cookie}"}
        with (
            httpx.Client(timeout=httpx.Timeout(10, read=60)) as client,
            connect_sse(client, "GET", f"{self.url}/sse", headers=headers) as source,
        ):
            self.ready.set()
            for sse in source.iter_sse():
                if self.stopped:
                    return
                if sse.event != "action_updated":
                    continue
                self.received += 1
                if not self.refetch:
                    now = time.monotonic()
                    for m in MARK.finditer(sse.data):
                        self.seen.setdefault(int(m.group(1)), now)
                    continue
                # The peer ignores the payload: invalidate, refetch the pane, then it could repaint.
                self.requests += 1
                r = client.get(
                    f"{self.url}/users/{self.who.user_id}/actions",
                    headers={**headers, **V},
                    params={"scope": "sessions", "coaching_session_id": self.session_id},
                )
                now = time.monotonic()
                for m in MARK.finditer(r.text):
                    self.seen.setdefault(int(m.group(1)), now)


@dataclass
class LatencyResult:
    app: list[float]
    floor: list[float]
    peer: list[float]
    app_requests_per_event: float
    peer_requests_per_event: float
    sent: int


def run(events: int, rate: float, one_way: float = 0.0) -> LatencyResult:
    server = DevServerProcess().start()
    proxy = DelayProxy(server.port, one_way).start() if one_way else None
    url = proxy.url if proxy else server.url
    try:
        coach = login(server.url, "coach@example.com", "coach-demo-pass")
        coachee = login(server.url, "coachee@example.com", "coachee-demo-pass")
        session_id = today_session(server.url, coach)
        app = PtyApp(url, session_id, coach).start()
        app.wait_for(b"Connected")
        app.wait_for(b"7 items")
        floor = Reader(url, coach, session_id, refetch=False).start()
        peer = Reader(
            url, login(server.url, "coach@example.com", "coach-demo-pass"), session_id, refetch=True
        ).start()
        time.sleep(0.5)
        actions = httpx.get(
            f"{server.url}/users/{coach.user_id}/actions",
            headers={**V, "Cookie": f"id={coach.cookie}"},
            params={"scope": "sessions", "coaching_session_id": session_id},
        ).json()["data"]
        target: dict[str, Any] = next(a for a in actions if a["status"] == "InProgress")  # the top row
        base = server.dev("sse/publish_times")["count"]
        before = server.dev("stats")["requests"]
        send_marked_edits(server.url, coachee, target, events, rate)
        # Done when all three have the last edit (the peer's last refetch always returns it); the
        # peer may skip earlier ones, its refetch then carrying two edits at once.
        last = events - 1
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and not (
            app.seen_at(f"mk{last:06d}x".encode()) and last in peer.seen and last in floor.seen
        ):
            time.sleep(0.05)
        time.sleep(0.3)
        after = server.dev("stats")["requests"]
        published = server.dev("sse/publish_times", since=base)["times"]
        screen: dict[int, float] = {}
        for i in range(events):
            found = app.seen_at(f"mk{i:06d}x".encode())
            if found:
                screen[i] = found[0]
        floor.stopped = peer.stopped = True

        def lat(seen: dict[int, float]) -> list[float]:
            return latencies(seen, published, events)

        gets = after.get("GET /users/{uid}/actions", 0) - before.get("GET /users/{uid}/actions", 0)
        app_gets = max(0, gets - peer.requests)
        app.stop()
        return LatencyResult(
            lat(screen),
            lat(floor.seen),
            lat(peer.seen),
            app_gets / events,
            # Per event the peer received: the run ends once every reader has the last edit, and
            # the peer's refetches can carry it before the peer has read the last events.
            peer.requests / max(1, peer.received),
            events,
        )
    finally:
        if proxy:
            proxy.stop()
        server.stop()


def send_marked_edits(url: str, coachee: Login, target: dict[str, Any], events: int, rate: float) -> None:
    """The coachee edits `target` `events` times at `rate` per second, edit i carrying the mark
    `mk{i:06d}x` in its text, so a reader can tell which edit it saw."""
    start = time.monotonic()
    with httpx.Client(base_url=url, headers={**V, "Cookie": f"id={coachee.cookie}"}) as c:
        for i in range(events):
            due = start + i / rate
            if due > time.monotonic():
                time.sleep(due - time.monotonic())
            body = {**target, "body": f"mk{i:06d}x Draft the delegation plan"}
            c.put(
                f"/actions/{target['id']}",
                content=json.dumps(body),
                headers={"Content-Type": "application/json"},
            )


def latencies(seen: dict[int, float], published: list[float], events: int) -> list[float]:
    """Milliseconds from the server's write of edit i's event to when a reader saw it."""
    return [(seen[i] - published[i]) * 1000 for i in range(min(events, len(published))) if i in seen]


def summary(values: list[float]) -> dict[str, float]:
    return {
        "p50": pct(values, 50),
        "p95": pct(values, 95),
        "p99": pct(values, 99),
        "max": max(values) if values else float("nan"),
    }
