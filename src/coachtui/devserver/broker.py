"""In-memory SSE fan-out, framed byte for byte like axum 0.7.9 (`event: t\\ndata: {...}\\n\\n`)."""

from __future__ import annotations

import asyncio
import json
import time
from collections import deque
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass, field
from typing import Any

KEEPALIVE = b":\n\n"  # axum KeepAlive::default(): an empty comment after 15 s of silence


def frame(event_type: str, data: dict[str, Any]) -> bytes:
    body = json.dumps({"type": event_type, "data": data}, separators=(",", ":"), ensure_ascii=False)
    return f"event: {event_type}\ndata: {body}\n\n".encode()


class _Drop:
    """Queue sentinel: end this stream cleanly."""


DROP = _Drop()


@dataclass(eq=False)
class Connection:
    user_id: str
    queue: asyncio.Queue[bytes | _Drop] = field(default_factory=asyncio.Queue)


class Broker:
    """Connections per user; every event for a user goes to every one of that user's streams."""

    def __init__(self, keepalive: float = 15.0) -> None:
        self.keepalive = keepalive
        self._by_user: dict[str, set[Connection]] = {}
        self.events_sent = 0
        # When each event was written (monotonic, system-wide on Linux): benchmarks compare it
        # with the moment a client shows the event.
        self.publish_times: deque[float] = deque(maxlen=100_000)

    def connections(self, user_id: str | None = None) -> int:
        if user_id is not None:
            return len(self._by_user.get(user_id, ()))
        return sum(len(c) for c in self._by_user.values())

    def register(self, user_id: str) -> Connection:
        conn = Connection(user_id)
        self._by_user.setdefault(user_id, set()).add(conn)
        return conn

    def unregister(self, conn: Connection) -> None:
        conns = self._by_user.get(conn.user_id)
        if conns is not None:
            conns.discard(conn)
            if not conns:
                del self._by_user[conn.user_id]

    def send_raw(self, user_ids: Iterable[str], payload: bytes) -> int:
        delivered = 0
        for user_id in set(user_ids):
            for conn in self._by_user.get(user_id, ()):
                conn.queue.put_nowait(payload)
                delivered += 1
        return delivered

    def publish(self, user_ids: Iterable[str], event_type: str, data: dict[str, Any]) -> int:
        self.events_sent += 1
        delivered = self.send_raw(user_ids, frame(event_type, data))
        self.publish_times.append(time.monotonic())
        return delivered

    def all_users(self) -> list[str]:
        return list(self._by_user)

    def drop(self, user_id: str | None = None) -> int:
        targets = [user_id] if user_id else list(self._by_user)
        dropped = 0
        for uid in targets:
            for conn in self._by_user.get(uid, ()):
                conn.queue.put_nowait(DROP)
                dropped += 1
        return dropped

    async def stream(self, conn: Connection) -> AsyncIterator[bytes]:
        """Events as they come; the keep-alive only after `keepalive` seconds of silence."""
        try:
            while True:
                try:
                    item = await asyncio.wait_for(conn.queue.get(), timeout=self.keepalive)
                except TimeoutError:
                    yield KEEPALIVE
                    continue
                if isinstance(item, _Drop):
                    return
                yield item
        finally:
            self.unregister(conn)
