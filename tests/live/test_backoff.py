from __future__ import annotations

import random

from coachtui.live.backoff import Backoff, parse_retry_after


def test_schedule_doubles_to_cap_with_equal_jitter() -> None:
    backoff = Backoff(rng=random.Random(1))
    nominal = [1, 2, 4, 8, 16, 30, 30, 30]
    for attempt, n in enumerate(nominal, start=1):
        assert backoff.nominal(attempt) == n
        for _ in range(50):
            assert n / 2 <= backoff.delay(attempt) <= n


def test_retry_after_and_server_retry() -> None:
    backoff = Backoff(rng=random.Random(2))
    assert backoff.delay(1, retry_after=7) >= 7
    assert backoff.delay(1, retry_after=10_000) <= 300
    assert backoff.nominal(1, server_retry=5.0) == 5.0
    assert parse_retry_after(" 7 ") == 7 and parse_retry_after("Wed, 21 Oct 2015") is None
