"""Reconnect delays: 1 s doubling to 30 s, equal jitter, Retry-After and `retry:` honoured."""

from __future__ import annotations

import random
from dataclasses import dataclass, field

RETRY_AFTER_CAP = 300.0


@dataclass
class Backoff:
    base: float = 1.0
    cap: float = 30.0
    rng: random.Random = field(default_factory=random.Random)

    def nominal(self, attempt: int, server_retry: float | None = None) -> float:
        base = max(self.base, server_retry or 0.0)
        return float(min(self.cap, base * 2 ** max(attempt - 1, 0)))

    def delay(
        self, attempt: int, *, retry_after: float | None = None, server_retry: float | None = None
    ) -> float:
        """Half the nominal delay fixed, the other half random; never below a server's Retry-After."""
        nominal = self.nominal(attempt, server_retry)
        delay = nominal / 2 + self.rng.uniform(0, nominal / 2)
        if retry_after is not None:
            delay = max(delay, min(retry_after, RETRY_AFTER_CAP))
        return delay


def parse_retry_after(value: str | None) -> float | None:
    """Seconds form only; an HTTP-date is rare from APIs and is treated as absent."""
    if value is None:
        return None
    try:
        seconds = float(value.strip())
    except ValueError:
        return None
    return seconds if seconds >= 0 else None
