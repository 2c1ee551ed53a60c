"""Many rows added at once (`EntityTable._add_rows`) leave DataTable exactly as one `add_row` per
row does, and a pane filled that way keeps its order, keys, cursor, placeholder and scrolling.

The bulk path writes DataTable's private row tables itself (Textual is pinned to a minor version):
the first test compares every attribute `add_row` changes, so an upgrade that changes `add_row`
fails here instead of leaving the pane slower or wrong."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from rich.text import Text
from textual.app import App, ComposeResult
from textual.cache import LRUCache
from textual.coordinate import Coordinate
from textual.widgets import DataTable
from textual.widgets.data_table import DuplicateKey

from coachtui.api.models import Action, Status
from coachtui.live.events import Entity, Pane
from coachtui.live.model import PaneState
from coachtui.tui.widgets.entity_table import EMPTY_KEY, NO_MARK
from coachtui.tui.widgets.panes import NO_ONE, NOTHING, ActionContext, ActionsPane, status_cell
from tests.tui.test_row_renders import drawn
from tests.waiting import until

T0 = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
STATUSES = (Status.NOT_STARTED, Status.IN_PROGRESS, Status.COMPLETED, Status.ON_HOLD, Status.WONT_DO)


class TwoPanes(App[None]):
    def __init__(self) -> None:
        super().__init__()
        self.highlighted: dict[str | None, list[tuple[int, Any]]] = {}

    def compose(self) -> ComposeResult:
        yield ActionsPane(id="one")
        yield ActionsPane(id="bulk")

    def on_data_table_row_highlighted(self, message: DataTable.RowHighlighted) -> None:
        self.highlighted.setdefault(message.data_table.id, []).append(
            (message.cursor_row, message.row_key.value)
        )


def action(i: int, status: Status | None = None, body: str | None = None) -> Action:
    return Action(
        id=f"a{i:05d}",
        coaching_session_id="s",
        body=body or f"Action {i}.",
        status=status or STATUSES[i % len(STATUSES)],
        created_at=T0 + dt.timedelta(seconds=i),
    )


def actions(ids: range) -> dict[str, Entity]:
    return {a.id: a for a in (action(i) for i in ids)}


def state_of(table: DataTable[Any]) -> dict[str, Any]:
    """Every attribute of the table, comparable between two tables: DataTable's row tables by
    content. Not its caches: they are keyed by `_update_count`, which one `add_row` per row moves
    further (the last test here checks both tables draw the same)."""
    found = {}
    for name, value in vars(table).items():
        if hasattr(value, "_forward") and hasattr(value, "_reverse"):  # TwoWayDict
            value = (dict(value._forward), dict(value._reverse))
        elif isinstance(value, LRUCache):
            value = LRUCache
        elif isinstance(value, dict | set | list):
            value = type(value)(value)  # (a copy: the table changes it later)
        found[name] = value
    return found


def changed(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    return {name: value for name, value in after.items() if before.get(name, object()) != value}


def cells(i: int) -> tuple[Text, ...]:
    return (Text(""), Text("Not started"), Text(f"Action {i}."), Text("—"), Text("—"), Text("—"))


async def add_both_ways(app: TwoPanes, pilot: Any, ids: range) -> tuple[dict[str, Any], dict[str, Any]]:
    """Add the rows to one table with `add_row` each and to the other at once: what each changed."""
    one, bulk = app.query_one("#one", ActionsPane), app.query_one("#bulk", ActionsPane)
    await pilot.pause()
    before_one, before_bulk = state_of(one), state_of(bulk)
    for i in ids:
        one.add_row(*cells(i), key=f"a{i:05d}")
    bulk._add_rows([(f"a{i:05d}", cells(i)) for i in ids])
    return changed(before_one, state_of(one)), changed(before_bulk, state_of(bulk))


async def test_adding_rows_at_once_changes_the_table_as_add_row_each_does() -> None:
    app = TwoPanes()
    async with app.run_test(size=(120, 40)) as pilot:
        one, bulk = app.query_one("#one", ActionsPane), app.query_one("#bulk", ActionsPane)
        for table in (one, bulk):
            table.loading = False
        counts = one._update_count, bulk._update_count
        by_one, by_bulk = await add_both_ways(app, pilot, range(50))
        # The render caches' counter moves on (every render before is outdated); by how much
        # does not matter, only that it moved.
        assert one._update_count > counts[0] and bulk._update_count > counts[1]
        by_one.pop("_update_count")
        by_bulk.pop("_update_count")
        assert by_bulk.keys() == by_one.keys()
        assert by_bulk == by_one
        tables = {"_row_locations", "_data", "rows", "_new_rows", "_require_update_dimensions"}
        assert tables <= by_bulk.keys()
        # The first row gave the cursor somewhere to be: highlighted once, on that row.
        await until(pilot, lambda: len(app.highlighted) == 2)
        assert app.highlighted["one"] == app.highlighted["bulk"] == [(0, "a00000")]

        # Rows added below others, the cursor further down: the same again, nothing highlighted.
        for table in (one, bulk):
            table.move_cursor(row=30, animate=False)
        by_one, by_bulk = await add_both_ways(app, pilot, range(50, 120))
        by_one.pop("_update_count")
        by_bulk.pop("_update_count")
        assert by_bulk == by_one
        assert one.cursor_coordinate == bulk.cursor_coordinate == Coordinate(30, 0)
        await pilot.pause()
        assert app.highlighted["one"] == app.highlighted["bulk"]
        assert bulk.fallback_bulk_adds == 0

        # After the idle pass both measure the same and draw the same.
        await until(pilot, lambda: not one._require_update_dimensions and not bulk._require_update_dimensions)
        assert one.virtual_size == bulk.virtual_size
        for table in (one, bulk):
            table.move_cursor(row=119, animate=False)
        await until(pilot, lambda: drawn(one) == drawn(bulk) and shows_row(one, "a00119"))


async def test_a_bad_row_leaves_the_table_as_it_was() -> None:
    app = TwoPanes()
    async with app.run_test(size=(120, 40)) as pilot:
        bulk = app.query_one("#bulk", ActionsPane)
        bulk._add_rows([("a00000", cells(0))])
        await pilot.pause()
        before = state_of(bulk)
        for rows in (
            [("a00001", cells(1)), ("a00000", cells(0))],  # a key already there
            [("a00001", cells(1)), ("a00001", cells(1))],  # a key twice
            [("a00001", cells(1)), ("a00002", (*cells(2), Text("one too many")))],
        ):
            try:
                bulk._add_rows(rows)
            except (DuplicateKey, ValueError):  # (what `add_row` raises for each)
                pass
            else:
                raise AssertionError(f"{rows!r} was added")
            assert state_of(bulk) == before


class OnePane(App[None]):
    def compose(self) -> ComposeResult:
        yield ActionsPane(id="actions")


def ids_on_screen(table: ActionsPane) -> list[str]:
    return [str(table.coordinate_to_cell_key(Coordinate(i, 0)).row_key.value) for i in range(table.row_count)]


def grouped(items: dict[str, Entity], table: ActionsPane) -> list[str]:
    """The order a pane keeps: by status group, then by arrival (the first show's order)."""
    sort_key: Callable[[Any], Any] = table.sort_key
    return [e.id for e in sorted(items.values(), key=sort_key)]


async def test_a_large_fill_keeps_order_keys_cursor_and_draws_to_the_last_row() -> None:
    app = OnePane()
    async with app.run_test(size=(120, 36)) as pilot:
        table = app.query_one(ActionsPane)
        state = PaneState(pane=Pane.ACTIONS)
        table.show(state, ActionContext())
        assert table.loading and table.row_count == 0  # not loaded yet: no placeholder either

        state.items = actions(range(2000))
        state.loaded_once = True
        table.show(state, ActionContext())
        assert not table.loading
        assert table.row_count == 2000 and table.fallback_bulk_adds == 0
        order = ids_on_screen(table)
        assert order == grouped(state.items, table)
        assert table.cursor_coordinate == Coordinate(0, 0) and table.selected_id() == order[0]
        for i in (0, 999, 1999):
            key = order[i]
            assert table.get_row_index(key) == i
            assert [str(c) for c in table.cells_of(key)][1] == state.items[key].body
        await until(pilot, lambda: shows_row(table, order[0]))

        # The end: the table scrolls there and draws the last row (its size was measured).
        await pilot.press("end")
        await until(pilot, lambda: table.selected_id() == order[-1] and shows_row(table, order[-1]))
        assert table.scroll_y > 0

        # Refilled with new rows around it (a reload): the cursor stays on its item.
        table.move_cursor(row=table.get_row_index(order[1500]), animate=False)
        chosen = table.selected_id()
        assert chosen == order[1500]
        del state.items[order[3]]
        del state.items[order[1700]]
        state.items.update(actions(range(5000, 5600)))
        table.show(state, ActionContext())
        assert table.selected_id() == chosen
        assert ids_on_screen(table) == grouped(state.items, table)
        assert table.row_count == len(state.items) == 2598
        # Where each row is drawn (for repainting one row, scrolling to the cursor): as DataTable
        # finds it by adding up the rows' heights, the placeholder's and the header's included.
        for i in (-1, 0, 1, 999, 1500, 2597, 2598):
            assert table._get_row_region(i) == DataTable._get_row_region(table, i), i

        # A diff (changes named): rows added in every group, one changed, one gone.
        added = actions(range(7000, 7010))
        state.items.update(added)
        state.items[order[10]] = action(int(order[10][1:]), body="Changed in place.")
        del state.items[order[11]]
        table.show(state, ActionContext(), changes={*added, order[10], order[11]})
        assert table.selected_id() == chosen
        assert ids_on_screen(table) == grouped(state.items, table)
        assert [str(c) for c in table.cells_of(order[10])][1] == "Changed in place."
        assert order[11] not in ids_on_screen(table)
        assert table.fallback_bulk_adds == 0
        await until(pilot, lambda: shows_row(table, chosen))


def shows_row(table: ActionsPane, entity_id: str) -> bool:
    return any(f"Action {int(entity_id[1:])}." in line for line in drawn(table))


async def test_the_placeholder_goes_when_many_rows_come_and_comes_back_when_they_go() -> None:
    app = OnePane()
    async with app.run_test(size=(120, 36)) as pilot:
        table = app.query_one(ActionsPane)
        state = PaneState(pane=Pane.ACTIONS, loaded_once=True)
        table.show(state, ActionContext())
        assert ids_on_screen(table) == [EMPTY_KEY]
        state.items = actions(range(300))
        table.show(state, ActionContext())
        assert ids_on_screen(table) == grouped(state.items, table)
        assert table.selected_id() == ids_on_screen(table)[0]
        await until(pilot, lambda: shows_row(table, ids_on_screen(table)[0]))
        state.items = {}
        table.show(state, ActionContext())
        assert ids_on_screen(table) == [EMPTY_KEY] and table.selected_id() is None
        assert table._get_row_region(0) == DataTable._get_row_region(table, 0)
        await until(pilot, lambda: any("No actions yet." in line for line in drawn(table)))


def looks(text: Text) -> tuple[Any, ...]:
    return (text.plain, text.style, list(text.spans), text.no_wrap, text.overflow, text.justify, text.end)


async def test_the_cells_rows_share_are_not_changed_by_drawing_them() -> None:
    """Rows share the cells that are always the same (no mark, a status, no due date…): only safe
    while nothing changes a cell once built, drawing included."""
    app = OnePane()
    async with app.run_test(size=(120, 36)) as pilot:
        table = app.query_one(ActionsPane)
        shared = [NO_MARK, NOTHING, NO_ONE, *(status_cell(s, table.palette) for s in Status)]
        before = [looks(text) for text in shared]
        state = PaneState(pane=Pane.ACTIONS, items=actions(range(400)), loaded_once=True)
        table.show(state, ActionContext())
        first = ids_on_screen(table)[0]
        assert table.cells_of(first)[0] is status_cell(state.items[first].status, table.palette)  # type: ignore[union-attr]
        await until(pilot, lambda: shows_row(table, first))
        await pilot.press("end")
        await until(pilot, lambda: shows_row(table, ids_on_screen(table)[-1]))
        assert [looks(text) for text in shared] == before
