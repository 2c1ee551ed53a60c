"""A row updated in place forgets its own cached renders, and only those, through an index of the
render caches by row that stays bounded while the LRU evicts behind its back."""

from __future__ import annotations

import datetime as dt
import random
from functools import partial
from typing import Any

from textual.app import App, ComposeResult
from textual.geometry import Region

from coachtui.api.models import Action
from coachtui.live.events import Entity, Pane
from coachtui.live.model import PaneState
from coachtui.tui.widgets.entity_table import RowIndexedCache
from coachtui.tui.widgets.panes import ActionContext, ActionsPane
from tests.waiting import until

T0 = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


class OnePane(App[None]):
    def compose(self) -> ComposeResult:
        yield ActionsPane(id="actions")


def actions(n: int) -> dict[str, Entity]:
    return {
        f"a{i:03d}": Action(
            id=f"a{i:03d}",
            coaching_session_id="s",
            body=f"Body {i}.",
            created_at=T0 + dt.timedelta(seconds=i),
        )
        for i in range(n)
    }


def drawn(table: Any) -> list[str]:
    """The table's lines as the compositor gets them, through its render caches."""
    strips = table.render_lines(Region(0, 0, *table.outer_size))
    return ["".join(segment.text for segment in strip) for strip in strips]


def shows(table: Any, text: str) -> bool:
    return any(text in line for line in drawn(table))


def caches(table: Any) -> list[RowIndexedCache]:
    found = [table._cell_render_cache, table._row_render_cache]
    # Not ours (a Textual upgrade made them elsewhere): the fast path would fall back, slower.
    assert all(isinstance(cache, RowIndexedCache) for cache in found)
    return found


async def test_an_update_in_place_forgets_its_rows_renders_and_keeps_the_others() -> None:
    app = OnePane()
    async with app.run_test(size=(100, 30)) as pilot:
        table = app.query_one(ActionsPane)
        items = actions(40)
        state = PaneState(pane=Pane.ACTIONS, items=items, loaded_once=True)
        table.show(state, ActionContext())
        await until(pilot, lambda: any("Body 0." in line for line in drawn(table)))
        target = "a003"
        before = [set(cache.keys()) for cache in caches(table)]
        assert all(any(key[0] == target for key in keys) for keys in before)  # drawn, so cached
        items[target] = items[target].model_copy(update={"body": "Changed in place"})
        table.show(state, ActionContext(), changes={target})
        assert table.fast_row_updates == 1 and table.fallback_row_updates == 0
        # Forgotten at once, before any repaint: a stale render would draw the old text.
        for cache in caches(table):
            assert not any(key[0] == target for key in cache.keys())
        await until(pilot, lambda: any("Changed in place" in line for line in drawn(table)))
        assert not any("Body 3." in line for line in drawn(table))
        for keys, cache in zip(before, caches(table), strict=True):
            kept = {key for key in keys if key[0] != target}
            assert kept <= set(cache.keys())  # the other rows are not rendered again


async def test_rows_updated_many_times_under_small_caches_are_drawn_new() -> None:
    app = OnePane()
    async with app.run_test(size=(100, 30)) as pilot:
        table = app.query_one(ActionsPane)
        for cache in caches(table):
            cache.maxsize = 40  # fewer than one screen's cells: the LRU evicts on every frame
        items = actions(40)
        state = PaneState(pane=Pane.ACTIONS, items=items, loaded_once=True)
        table.show(state, ActionContext())
        await until(pilot, lambda: any("Body 0." in line for line in drawn(table)))
        for n in range(30):
            target = f"a{n % 10:03d}"
            text = f"Update {n} here"
            items[target] = items[target].model_copy(update={"body": text})
            table.show(state, ActionContext(), changes={target})
            await until(pilot, partial(shows, table, text))
            for cache in caches(table):
                assert cache.indexed() <= 2 * cache.maxsize
        assert table.fast_row_updates == 30 and table.fallback_row_updates == 0


def test_the_index_drops_exactly_a_rows_keys_and_stays_bounded() -> None:
    cache = RowIndexedCache(maxsize=32)
    rng = random.Random(22)
    for step in range(20_000):
        row = rng.randrange(50)
        if rng.random() < 0.1:
            cache.drop_row(row)
            assert not any(key[0] == row for key in cache.keys())
        else:
            cache[(row, rng.randrange(8), step % 3)] = step
        assert cache.indexed() <= 2 * cache.maxsize
        assert len(cache) <= cache.maxsize
    survivors = set(cache.keys())
    cache.drop_row(7)
    assert set(cache.keys()) == {key for key in survivors if key[0] != 7}
    cache.clear()
    assert cache.indexed() == 0 and not cache
