"""The demo's data must make sense whatever the time of day it starts."""

from __future__ import annotations

import datetime as dt

import pytest

from coachtui.devserver.demo_data import seed_demo
from coachtui.devserver.store import Store


@pytest.mark.parametrize("hour", [0, 12, 21, 22, 23])
def test_both_of_todays_sessions_are_today_the_main_one_first(hour: int) -> None:
    now = dt.datetime(2026, 11, 26, hour, 40, tzinfo=dt.UTC)
    store = Store(":memory:")
    demo = seed_demo(store, now=now)
    starts = []
    for session_id in (demo.today_session_id, demo.other_session_id):
        doc = store.get("session", session_id)
        assert doc is not None
        starts.append(dt.datetime.fromisoformat(doc["date"]).replace(tzinfo=dt.UTC))
    main, other = starts
    assert main.date() == other.date() == now.date()
    assert main < other
