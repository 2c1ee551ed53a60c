"""Every benchmark runs once, tiny, so none of them rots. Times are never asserted here."""

from __future__ import annotations

import math

from benchmarks.__main__ import Sizes, run, table


def test_every_benchmark_runs_once() -> None:
    rows = run(Sizes.tiny())
    metrics = [r.metric for r in rows]
    for needle in (
        "loopback: event→screen p50",
        "50 ms RTT: coachtui vs web-app peer",
        "requests per event",
        "coarse burst",
        "key → screen",
        "update cost ratio",
        "--help",
        "RSS",
        "server restart",
    ):
        assert any(needle in m for m in metrics), needle
    for r in rows:
        if isinstance(r.coachtui, float):
            assert not math.isnan(r.coachtui), r.metric
    # What does not depend on the machine's speed is exact.
    exact = {r.metric: r.coachtui for r in rows}
    assert exact["requests per event: entity (action_updated)"] == 0
    assert exact["requests per event: other session (action_created)"] == 0
    assert "| metric |" in table(rows)
