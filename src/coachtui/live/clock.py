"""Time as the live layer sees it: one object, so tests can drive every transition with fake time."""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass(frozen=True)
class Clock:
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep  # waits (backoff, debounce, polling)
    monotonic: Callable[[], float] = time.monotonic  # durations and countdowns
    now: Callable[[], dt.datetime] = utc_now  # wall-clock times people read ("stale since 14:02")


REAL_CLOCK = Clock()
