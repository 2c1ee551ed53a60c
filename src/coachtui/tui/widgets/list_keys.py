"""The keys terminal users reach for in every list: `j`/`k`, `g`/`G`, Home/End, PgUp/PgDn.

One place, so the panes, the picker, the history, the chooser and the Notes pane move alike
(vim, less, lazygit and k9s all agree on these). Hidden from the key bar: they are in `?`.
"""

from __future__ import annotations

from textual.binding import Binding, BindingType
from textual.widgets import OptionList

# A DataTable in row mode: Home/End move the cursor to the first/last row (DataTable's own
# Home/End scroll sideways, which a row cursor never needs).
ROW_TABLE_KEYS: list[BindingType] = [
    Binding("j", "cursor_down", "Down", show=False),
    Binding("k", "cursor_up", "Up", show=False),
    Binding("g", "scroll_top", "First", show=False),
    Binding("G", "scroll_bottom", "Last", show=False),
    Binding("home", "scroll_top", "First", show=False),
    Binding("end", "scroll_bottom", "Last", show=False),
]

OPTION_LIST_KEYS: list[BindingType] = [
    Binding("j", "cursor_down", "Down", show=False),
    Binding("k", "cursor_up", "Up", show=False),
    Binding("g", "first", "First", show=False),
    Binding("G", "last", "Last", show=False),
]

SCROLL_KEYS: list[BindingType] = [
    Binding("j", "scroll_down", "Down", show=False),
    Binding("k", "scroll_up", "Up", show=False),
    Binding("g", "scroll_home", "Top", show=False),
    Binding("G", "scroll_end", "Bottom", show=False),
]


class KeyedOptionList(OptionList):
    """An OptionList that moves with the list keys."""

    BINDINGS = OPTION_LIST_KEYS
