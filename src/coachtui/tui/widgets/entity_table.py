"""A DataTable that follows a keyed collection by diffing rows on entity id.

Rows that changed get their changed cells replaced and only that row repainted, new rows are
added, gone rows removed, all inside one `batch_update`, so the cursor and scroll position
survive. Every cell is a `Text` built from inert strings: server text is never parsed as markup.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterable, Sequence
from itertools import zip_longest
from typing import Any, ClassVar

from rich.cells import cell_len
from rich.text import Text
from textual._two_way_dict import TwoWayDict
from textual.cache import LRUCache
from textual.coordinate import Coordinate
from textual.geometry import Region, Size
from textual.timer import Timer
from textual.widgets import DataTable
from textual.widgets.data_table import ColumnKey, DuplicateKey, RowKey
from textual.widgets.data_table import Row as TableRow

from coachtui.live.model import PaneState, PaneStatus
from coachtui.text import inert
from coachtui.tui.theme_styles import theme_styles
from coachtui.tui.widgets.list_keys import ROW_TABLE_KEYS

EMPTY_KEY = "__empty__"
REGROUP_AFTER = 0.25  # seconds a row that changed group stays in place, its change in sight
HIGHLIGHT_FOR = 3.0  # seconds a row changed by someone else stays marked
Row = tuple[Text, ...]


TEXT_MIN = 24  # the text column's width before other columns give way
TEXT_WANT = 60  # an optional column (an action's goal) shows only when the text keeps this much
# The marks gutter: "● edited", "+ new", "… saving" where the pane is wide, their first sign
# alone where it is not (the signs differ in shape, so they read without colour too).
GUTTER = "mark"
GUTTER_WIDE, GUTTER_NARROW = 8, 1
GUTTER_WORDS_FROM = 100  # pane width (cells) from which the gutter has room for the words
MARKS = {"new": "+ new", "edited": "● edited", "saving": "… saving"}
# Cells are never changed once built (DataTable only reads them), so rows share the ones that are
# always the same: 5,000 rows are 5,000 fewer objects to build and for the collector to walk.
NO_MARK = Text("")


class EntityTable(DataTable[Text]):
    BINDINGS = ROW_TABLE_KEYS
    COLUMNS: ClassVar[Sequence[tuple[str, str, int | None]]] = ()  # key, label, width (None: fill)
    MIN_WIDTHS: ClassVar[dict[str, int]] = {}  # how far a fixed column may shrink for the text
    # Columns shown only where the text column keeps TEXT_WANT cells beside them (else 0 wide).
    OPTIONAL: ClassVar[frozenset[str]] = frozenset()
    TITLE: ClassVar[str] = ""
    EMPTY_TEXT: ClassVar[str] = "Nothing here yet."
    SORT_COLUMN: ClassVar[str | None] = None  # rows are kept grouped by this column's sort_rank

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, cursor_type="row", zebra_stripes=True)
        self.border_title = self.TITLE
        self.syncs = 0  # how many times new data reached this widget (tests count it)
        # Row updates by the fast path and by the `update_cell` fallback: a test asserts the
        # fallback never runs, so a Textual upgrade that breaks the fast path fails, not slows.
        self.fast_row_updates = 0
        self._regroup_timer: Timer | None = None
        self.fallback_row_updates = 0
        self.fallback_bulk_adds = 0  # likewise for `_add_rows` (rows added one `add_row` at a time)
        self.context: Any = None  # what rows need besides the entity (e.g. assignee names)
        self._rows: dict[str, Row] = {}
        self._shown: dict[str, Any] = {}  # the entity object each row was built from
        self._built_with: Any = None
        self._empty_shown = False
        self._state: PaneState | None = None
        self._saving_shown: set[str] = set()  # rows drawn with the "saving…" mark
        self._fitted_to = -1  # the content width the columns were last fitted to
        # Rows changed by someone else: their mark ("new", "edited") and until when it shows.
        self._marks: dict[str, tuple[str, float]] = {}
        self._restyle: set[str] = set()  # rows whose mark came or went since they were drawn
        self._unmark_timer: Timer | None = None
        self.palette: dict[str, str] = {}
        # The cursor follows its entity, not its index: moves made here are not the user's.
        self._placing = False
        # The item under the cursor was deleted elsewhere and the cursor went to its neighbour:
        # the next key aimed at a row is refused (it was meant for the deleted one), until the
        # user moves the cursor themselves.
        self.lost_item: str | None = None
        self._removing: set[str] = set()  # deleted here: the user chose that, not elsewhere
        # DataTable's render caches, swapped for ones that can forget one row cheaply
        # (`_replace_cells`); same sizes, and DataTable only ever sets, reads and clears them.
        self._cell_render_cache = RowIndexedCache(self._cell_render_cache.maxsize)
        self._row_render_cache = RowIndexedCache(self._row_render_cache.maxsize)

    @classmethod
    def column_specs(cls) -> tuple[tuple[str, str, int | None], ...]:
        """The marks gutter, then the pane's own columns."""
        return ((GUTTER, "", GUTTER_WIDE), *cls.COLUMNS)

    def on_mount(self) -> None:
        for key, label, width in self.column_specs():
            # An optional column starts hidden: a table's first size comes only with its first
            # rows, and on most terminals it stays hidden then (no second build of every row).
            self.add_column(label, key=key, width=0 if key in self.OPTIONAL else width or 20)
        self.loading = True
        self.palette = theme_styles(self.app)
        self.watch(self.app, "theme", self._retheme, init=False)

    def _retheme(self) -> None:
        """Cells carry Rich styles made from the theme: rebuild them all in the new one."""
        self.palette = theme_styles(self.app)
        self._built_with = object()  # no context equals this: every row is rebuilt
        if self._state is not None:
            self.show(self._state, self.context)

    def on_resize(self) -> None:
        self._fit_columns()

    def _fit_columns(self) -> None:
        """The text column takes what the others leave (DataTable has no 'fill'), and the others
        give way down to their minimum before the text is cut short; nothing scrolls sideways."""
        padding = 2 * self.cell_padding
        # One cell is kept for the vertical scrollbar, so its appearance never adds a horizontal one.
        inner = self.content_region.width - 1
        widths = {key: width for key, _, width in self.column_specs() if width is not None}
        widths[GUTTER] = GUTTER_WIDE if inner >= GUTTER_WORDS_FROM else GUTTER_NARROW
        wanted = {key: widths[key] for key in self.OPTIONAL}
        for key in self.OPTIONAL:
            widths[key] = 0
        avail = inner - sum(w + padding for w in widths.values()) - padding
        for key, want in wanted.items():
            spare = min(want, avail - TEXT_WANT - padding)
            if spare >= 10:  # narrower, a goal's title says nothing
                widths[key] = spare
                avail -= spare
        for key in reversed([k for k in widths if k != GUTTER]):
            short = TEXT_MIN - avail
            if short <= 0:
                break
            give = min(short, widths[key] - self.MIN_WIDTHS.get(key, widths[key]))
            widths[key] -= give
            avail += give
        for key, _, width in self.column_specs():
            if ColumnKey(key) not in self.columns:
                continue
            column = self.columns[ColumnKey(key)]
            column.auto_width = False
            column.width = max(avail, 4) if width is None else widths[key]
        self._fitted_to = self.content_region.width
        # DataTable measures its scrollable width only when rows are added: without this, the
        # width of a wider terminal stays after a resize and a horizontal scrollbar appears.
        total = sum(column.get_render_width(self) for column in self.columns.values())
        self.virtual_size = Size(total, self.virtual_size.height)
        self.refresh(layout=True)

    @property
    def laid_out(self) -> bool:
        """Its rows are drawn for the columns its size has. (A loading table is not laid out at
        all: its first size, and so its columns, come with its first rows.)"""
        width = self.content_region.width
        if width == 0:  # not on screen: fitted when it comes back, if it ever was
            hidden = not self.display or self.screen.maximized not in (None, self)
            return self._fitted_to >= 0 or hidden
        return self._fitted_to == width

    def _update_dimensions(self, new_rows: Iterable[RowKey]) -> None:
        """DataTable measures every cell of every new row to size its auto-width columns; every
        column here has its width set (`_fit_columns`), so that measured nothing and was most of
        the first paint of a large pane (5,000 actions: 20,000 cells). The sizes are still
        recomputed; only the measuring is skipped."""
        if any(column.auto_width for column in self.columns.values()):
            super()._update_dimensions(new_rows)
        else:
            super()._update_dimensions(())

    def row_for(self, entity: Any) -> Row:
        raise NotImplementedError

    def sort_key(self, entity: Any) -> Any:
        return 0

    def show(self, state: PaneState, context: Any = None, changes: set[str] | None = None) -> None:
        """Bring rows and border in line with `state`; `changes` names the ids that changed
        (None: any may have)."""
        self.syncs += 1
        self.context = context
        self._state = state
        if state.loaded_once:
            self.loading = False
        elif self._rows or self._empty_shown:
            self._forget_rows()  # another session: its rows never stand under "loading…"
        else:
            self.loading = True  # (a session opens where none was)
        subtitle = _subtitle(state)
        if subtitle != self.border_subtitle:  # setting it, even unchanged, repaints the whole table
            self.border_subtitle = subtitle
        self.set_class(state.status is PaneStatus.STALE, "-stale")
        self.set_class(state.status is PaneStatus.FAILED, "-failed")
        if not state.loaded_once:
            return
        if context != self._built_with:
            self._shown.clear()  # rows depend on the context (names): rebuild them all
            self._built_with = context
            changes = None
        self._sync_rows(state, changes)

    def _sync_rows(self, state: PaneState, changes: set[str] | None) -> None:
        items = state.items
        if self._restyle:
            for entity_id in self._restyle:
                self._shown.pop(entity_id, None)
            if changes is not None:
                changes = changes | self._restyle
            self._restyle = set()
        if state.saving != self._saving_shown:
            # A row gains or loses its mark while its entity object may stay the same.
            for entity_id in state.saving ^ self._saving_shown:
                self._shown.pop(entity_id, None)
                if changes is not None:
                    changes = changes | {entity_id}
            self._saving_shown = set(state.saving)
        # Only entities that are new objects need a row built: an update replaces exactly one
        # object in the model, so this is cheap whatever the pane's size.
        if changes is None:
            gone = [k for k in self._rows if k not in items]
            fresh = (e for k, e in items.items() if self._shown.get(k) is not e)
        else:  # O(changes), not O(rows)
            gone = [k for k in changes if k not in items and k in self._rows]
            fresh = (items[k] for k in changes if k in items and self._shown.get(k) is not items[k])
        changed = sorted(fresh, key=self.sort_key)
        if not gone and not changed and (items or self._empty_shown):
            return
        with self.app.batch_update():
            chosen = self.selected_id()
            # Its item deleted: the row below it takes the cursor (else the one above). Not a
            # deletion made here (marked saving): that one the user chose to remove.
            lost = chosen in gone and chosen not in state.saving and chosen not in self._removing
            self._removing.difference_update(gone)
            neighbour = self._neighbour(chosen, set(gone)) if chosen in gone else None
            self._placing = True
            try:
                self._diff(gone, changed, empty=not items)
                self._keep_cursor_on(chosen if chosen in self._rows else neighbour)
            finally:
                self._placing = False
            # Only a pane the user is looking at: in another pane the cursor moved unseen, and
            # the next key there is aimed at the row the user sees when they get there.
            if lost and neighbour is not None and self.has_focus:
                self.lost_item = chosen

    def _neighbour(self, entity_id: str | None, gone: set[str]) -> str | None:
        """The nearest row below `entity_id` that stays, else the nearest above."""
        if entity_id is None:
            return None
        at = self._row_locations.get(RowKey(entity_id))
        if at is None:
            return None
        for index in (*range(at + 1, self.row_count), *range(at - 1, -1, -1)):
            key = self._row_locations.get_key(index)
            if key is not None and key.value not in gone and key.value in self._rows:
                return str(key.value)
        return None

    def _keep_cursor_on(self, entity_id: str | None) -> None:
        if entity_id is None or entity_id not in self._rows:
            return
        index = self.get_row_index(entity_id)
        if index != self.cursor_row:
            self.move_cursor(row=index, animate=False)

    def watch_cursor_coordinate(self, old: Coordinate, new: Coordinate) -> None:
        super().watch_cursor_coordinate(old, new)
        if not self._placing and old != new:
            self.lost_item = None  # the user moved: the next key is aimed at what they see

    def removing(self, entity_id: str) -> None:
        """The user deleted this row here: when it goes, the cursor moves on without a word."""
        self._removing.add(entity_id)

    def take_lost_item(self) -> str | None:
        """The id of the item the cursor was on when it was deleted elsewhere, once (None:
        the cursor is where the user put it)."""
        lost, self.lost_item = self.lost_item, None
        return lost

    def _forget_rows(self) -> None:
        self._placing = True
        try:
            self.clear()
        finally:
            self._placing = False
        self._rows.clear()
        self._shown.clear()
        self._marks.clear()
        self._restyle.clear()
        self._saving_shown = set()
        self._empty_shown = False
        self.lost_item = None
        self.loading = True

    def _diff(self, gone: list[str], changed: list[Any], *, empty: bool) -> None:
        keys = [k for k, _, _ in self.column_specs()]
        sort_at = keys.index(self.SORT_COLUMN) if self.SORT_COLUMN else None
        reorder = False  # a new row: into its group now
        moved = False  # a row changed group: shown in place now, moved a moment later
        if not empty and self._empty_shown:
            self.remove_row(EMPTY_KEY)
            self._empty_shown = False
        for entity_id in gone:
            self.remove_row(entity_id)
            del self._rows[entity_id]
            self._shown.pop(entity_id, None)
        added: list[tuple[str, Row]] = []
        for entity in changed:
            row = (self._mark_cell(entity.id), *self.row_for(entity))
            old = self._rows.get(entity.id)
            if old is None:
                added.append((entity.id, row))
                reorder = True
            elif not same_cells(old, row):
                moved = moved or (sort_at is not None and old[sort_at] != row[sort_at])
                cells = {
                    k: after
                    for k, before, after in zip(keys, old, row, strict=True)
                    if not same_cell(before, after)
                }
                self._replace_cells(entity.id, cells)
            self._rows[entity.id] = row
            self._shown[entity.id] = entity
        self._add_rows(added)
        if empty and not self._empty_shown:
            # In the text column, the widest: in a narrow first column it would be cut short.
            placeholder = [Text("")] * len(keys)
            placeholder[self.text_column()] = Text(self.EMPTY_TEXT, style="italic dim")
            self.add_row(*placeholder, key=EMPTY_KEY)
            self._empty_shown = True
        if reorder and self.SORT_COLUMN and len(self._rows) > 1:
            self._regroup()
        elif moved and self.SORT_COLUMN:
            # Sorting re-renders every visible cell (DataTable keys its caches by a table-wide
            # counter), which made `x` take two frames to show. The changed row is repainted
            # alone at once; the move to its group follows, once for any changes meanwhile.
            if self._regroup_timer is None:
                self._regroup_timer = self.set_timer(REGROUP_AFTER, self._regroup_later)

    def _add_rows(self, rows: Sequence[tuple[str, Row]]) -> None:
        """`add_row` for each row, in order, with the table left as those calls leave it, but the
        work they repeat per row done once: the cursor re-validated (its watchers run), the
        columns put in order, the idle pass asked for, the render caches outdated. 5,000 rows:
        most of `show`'s CPU was those repeats. The table's internals are DataTable's (textual is
        pinned to a minor version); tests/tui/test_bulk_rows.py holds this equal to `add_row`'s
        state attribute by attribute, and if they are not what we expect the rows are added
        one `add_row` at a time (slower, counted: a test asserts it never happens)."""
        if not rows:
            return
        try:
            locations, data, table_rows, new_rows = self._row_locations, self._data, self.rows, self._new_rows
            if not (
                isinstance(locations, TwoWayDict)
                and isinstance(data, dict)
                and isinstance(table_rows, dict)
                and isinstance(new_rows, set)
                and isinstance(self._update_count, int)
            ):
                raise TypeError("DataTable's row tables are not what _add_rows expects")
        except (AttributeError, TypeError):
            self.fallback_bulk_adds += 1
            for key, cells in rows:
                self.add_row(*cells, key=key)
            return
        columns = [column.key for column in self.ordered_columns]
        keys = [RowKey(key) for key, _ in rows]
        # Checked before anything changes: a bad row leaves the table as it was.
        if len(set(keys)) < len(keys) or any(key in locations for key in keys):
            raise DuplicateKey("A row key is added twice or already exists.")
        if any(len(cells) > len(columns) for _, cells in rows):
            raise ValueError("More values provided than there are columns.")
        was_empty = not table_rows
        for index, (row_key, (_, cells)) in enumerate(zip(keys, rows, strict=True), len(table_rows)):
            locations[row_key] = index
            data[row_key] = dict(zip_longest(columns, cells))
            table_rows[row_key] = TableRow(row_key, 1)
        new_rows.update(keys)
        self._require_update_dimensions = True
        self.cursor_coordinate = self.cursor_coordinate
        # As `add_row` does when the first row gives the cursor somewhere to be.
        if was_empty and self.columns and self.show_cursor and self.cursor_type != "none":
            self._highlight_cursor()
        self._update_count += 1
        self.check_idle()

    def _mark_cell(self, entity_id: str) -> Text:
        """The gutter: saving…, or someone else's change (in words, not only a colour: the mark
        reads the same in NO_COLOR and monochrome)."""
        if entity_id in self._saving_shown:
            return Text(MARKS["saving"], style="italic dim", no_wrap=True, overflow="crop")
        if entity_id in self._marks:
            label = self._marks[entity_id][0]
            style = f"bold reverse {self.palette.get('accent', '')}".strip()
            return Text(MARKS.get(label, label), style=style, no_wrap=True, overflow="crop")
        return NO_MARK

    # -- marks: rows someone else changed ---------------------------------------------------------

    def mark(self, labels: dict[str, str], seconds: float = HIGHLIGHT_FOR) -> None:
        """Mark rows as changed by someone else ("new", "edited"; by entity id) for `seconds`.
        They are drawn with the pane's next update (the caller asks for one: paced to a frame,
        so a burst repaints a row sixty times a second at most, not once per event)."""
        until = self._monotonic() + seconds
        for entity_id, label in labels.items():
            if self._marks.get(entity_id, ("",))[0] != label:
                self._restyle.add(entity_id)  # (a renewed mark needs no repaint)
            self._marks[entity_id] = (label, until)
        if self._unmark_timer is None:
            self._unmark_timer = self.set_timer(seconds, self._unmark)

    def _monotonic(self) -> float:
        # The app's clock when it has one (pinned in the snapshot tests: a mark must not fade
        # while a busy machine is still getting the picture ready).
        clock = getattr(self.app, "clock", None)
        return float(clock.monotonic()) if clock is not None else time.monotonic()

    def marked(self) -> dict[str, str]:
        """The rows marked now and their marks (tests read this)."""
        return {k: label for k, (label, _) in self._marks.items()}

    def _unmark(self) -> None:
        self._unmark_timer = None
        now = self._monotonic()
        for entity_id in [k for k, (_, until) in self._marks.items() if until <= now]:
            del self._marks[entity_id]
            self._restyle.add(entity_id)
        self.redraw_marks()
        if self._marks:
            soonest = min(until for _, until in self._marks.values())
            self._unmark_timer = self.set_timer(max(soonest - now, 0.05), self._unmark)

    def redraw_marks(self) -> None:
        """Draw marks that came or went. Not beneath a modal: the pane catches up when it closes
        (the session screen calls this again then)."""
        if self._state is None or not self._state.loaded_once or not self.is_mounted:
            return
        if self.screen is self.app.screen:
            self._sync_rows(self._state, set())

    @classmethod
    def text_column(cls) -> int:
        """Where the text is: the one column without a fixed width."""
        return next(i for i, (_, _, width) in enumerate(cls.column_specs()) if width is None)

    def shows_whole(self, text: str) -> bool:
        """Would the text column show all of `text`: one line, nothing made inert, no "…"?"""
        key = self.column_specs()[self.text_column()][0]
        column = self.columns.get(ColumnKey(key))
        return column is not None and inert(text) == text and cell_len(text) <= column.width

    def selected_id(self) -> str | None:
        """The entity id of the row under the cursor (None on an empty pane)."""
        if not self._rows or not self.row_count:
            return None
        key = self.coordinate_to_cell_key(self.cursor_coordinate).row_key.value
        return key if key in self._rows else None

    def _get_row_region(self, row_index: int) -> Region:
        """Where a row is drawn. DataTable adds up the heights of every row above it, on each
        repaint of one row and each cursor move: O(rows), most of an update's cost in a pane of
        5,000. Every row of an entity table is one line high (`_add_rows`, `add_row`), so a row's
        line is its index (tests/tui/test_bulk_rows.py holds the two equal)."""
        if not self.is_valid_row_index(row_index):
            return Region(0, 0, 0, 0)
        width = sum(column.get_render_width(self) for column in self.columns.values())
        top = self.header_height if self.show_header else 0
        return Region(0, top + row_index, max(self.size.width, width + self._row_label_column_width), 1)

    def _replace_cells(self, row_id: str, cells: dict[str, Text]) -> None:
        """Change cells of one row and repaint only that row.

        `update_cell` bumps the table-wide counter that keys every render cache, so one changed
        row re-renders every visible cell (about 10 ms per event on a 2-core machine, most of the
        event-to-screen time). Here the data changes, the caches drop that row's entries only, and
        only its region is repainted. The caches are DataTable internals (textual is pinned to a
        minor version); if they are not what we expect, `update_cell` does the same thing slower.
        """
        row_key = RowKey(row_id)
        row_index = self._row_locations.get(row_key)
        try:
            if row_index is None:
                raise KeyError(row_id)
            data = self._data[row_key]
            _drop_row(self._cell_render_cache, row_key)
            _drop_row(self._row_render_cache, row_key)
            self._row_renderable_cache.discard((self._update_count, row_index))
            self._line_cache.clear()  # keyed by screen line; rebuilt from the row caches cheaply
        except (AttributeError, TypeError, KeyError):
            self.fallback_row_updates += 1
            for key, value in cells.items():
                self.update_cell(row_id, key, value)
            return
        self.fast_row_updates += 1
        for key, value in cells.items():
            data[ColumnKey(key)] = value
        self.refresh_row(row_index)

    @property
    def regrouping(self) -> bool:
        """A row that changed group is shown in place and has yet to move to its group."""
        return self._regroup_timer is not None

    def _regroup_later(self) -> None:
        self._regroup_timer = None
        if len(self._rows) > 1:
            self._placing = True
            try:
                with self.app.batch_update():
                    self._regroup()
            finally:
                self._placing = False

    def _regroup(self) -> None:
        """Keep rows grouped by the sort column (stable: arrival order within a group); the
        cursor stays on the row it was on, not on the position."""
        current = self.coordinate_to_cell_key(self.cursor_coordinate).row_key if self.row_count else None
        self.sort(self.SORT_COLUMN, key=self.sort_rank)  # type: ignore[arg-type]
        if current is not None and current.value in self._rows:
            self.move_cursor(row=self.get_row_index(current), animate=False)

    def sort_rank(self, cell: Text) -> Any:
        return 0

    def visible_rows(self) -> list[list[str]]:
        """What is on screen, top to bottom, as plain strings (the marks gutter left out)."""
        return [[str(c) for c in self.get_row_at(i)[1:]] for i in range(self.row_count)]

    def cells_of(self, entity_id: str) -> list[Text]:
        """The row's own cells (the marks gutter left out)."""
        return self.get_row(entity_id)[1:]

    def row_mark(self, entity_id: str) -> str:
        """The row's mark as drawn in the gutter ("" when none)."""
        return str(self.get_row(entity_id)[0])


def same_cell(a: Text, b: Text) -> bool:
    """Rich's Text equality ignores the base style: a cell restyled by a theme is a change."""
    return a == b and a.style == b.style


def same_cells(a: Row, b: Row) -> bool:
    return all(same_cell(x, y) for x, y in zip(a, b, strict=True))


class RowIndexedCache(LRUCache[Any, Any]):
    """An LRU cache of renders keyed by row first, that forgets one row in O(that row's entries).

    Scanning every key for the row's (DataTable's cell cache holds 10,000, each compared by
    `RowKey.__eq__` in Python) was most of an event's CPU in a burst on a large pane. The index
    row → keys is kept as entries are set; the LRU evicts without telling it, so it also holds
    keys long gone: it is rebuilt from the live keys when it has twice as many, so its size stays
    bounded and the rebuild costs O(1) per entry set.
    """

    __slots__ = ("_by_row", "_indexed")

    def __init__(self, maxsize: int) -> None:
        super().__init__(maxsize)
        self._by_row: dict[Any, list[Any]] = {}
        self._indexed = 0  # keys in the index, stale ones included

    def set(self, key: Any, value: Any) -> None:
        new = key not in self
        super().set(key, value)
        if new:  # (a key set again is indexed once already)
            self._by_row.setdefault(key[0], []).append(key)
            self._indexed += 1
            if self._indexed > 2 * self.maxsize:
                self._reindex()

    __setitem__ = set

    def clear(self) -> None:
        super().clear()
        self._by_row.clear()
        self._indexed = 0

    def drop_row(self, row_key: Any) -> None:
        """Forget every entry of this row."""
        keys = self._by_row.pop(row_key, [])
        self._indexed -= len(keys)
        for key in keys:
            self.discard(key)  # (a no-op for a key the LRU already evicted)

    def _reindex(self) -> None:
        self._by_row = {}
        for key in self.keys():
            self._by_row.setdefault(key[0], []).append(key)
        self._indexed = len(self)

    def indexed(self) -> int:
        """How many keys the index holds, stale ones included (tests check it stays bounded)."""
        return sum(map(len, self._by_row.values()))


def _drop_row(cache: LRUCache[Any, Any], row_key: RowKey) -> None:
    """Forget one row's renders: an AttributeError if DataTable's caches are not ours any more
    (a Textual upgrade), and `_replace_cells` falls back to `update_cell`."""
    cache.drop_row(row_key)  # type: ignore[attr-defined]


def _subtitle(state: PaneState) -> str:
    if state.status is PaneStatus.STALE and state.since:
        return f"stale since {local_time(state.since)}"
    if state.status is PaneStatus.FAILED:
        return f"reload failed: {inert(state.error, limit=60)} (r retries)"
    if state.loaded_once:
        n = len(state.items)
        count = f"{n} item{'s' if n != 1 else ''}"
        if state.unreadable:  # left out of the last reload: the server sent them in a shape unknown here
            count += f" · {state.unreadable} unreadable"
        if state.polled_every is not None and state.loaded_at is not None:
            # The seed-era backend sends no events for this pane: say it is polled, and when.
            return f"{count} · polled every {state.polled_every:.0f}s, last {local_time(state.loaded_at)}"
        return count
    return "loading…"


def local_time(value: dt.datetime) -> str:
    return value.astimezone().strftime("%H:%M:%S")


def cell(value: str | None, style: str = "", limit: int = 500) -> Text:
    return Text(inert(value, limit=limit), style=style, no_wrap=True, overflow="ellipsis")
