"""The editor's text field draws a long wrapped line exactly as Textual's TextArea does, while
dividing it into its wrapped sections once per look instead of once per screen row."""

from __future__ import annotations

from typing import Any

import pytest
from rich.text import Text
from textual.app import App, ComposeResult
from textual.widgets import TextArea
from textual.widgets.text_area import Selection

from coachtui.tui.screens.editor import EditorText
from tests.waiting import until

WIDTH, HEIGHT = 40, 30
LONG = "".join(
    f"word{i} " if i % 7 else f"\t漢字{i} [b]not markup[/b] " for i in range(900)
)  # tabs, wide characters, square brackets: ~9,500 characters on one line, wrapped over ~300 rows


class One(App[None]):
    CSS = f"TextArea {{ width: {WIDTH}; height: {HEIGHT}; }}"

    def __init__(self, kind: type[TextArea]) -> None:
        super().__init__()
        self.kind = kind

    def compose(self) -> ComposeResult:
        text = f"a short first line\n{LONG}\nand a last one"
        # (no blink: both looks are taken with the cursor drawn)
        area = self.kind(text, soft_wrap=True, compact=True, show_line_numbers=False)
        area.cursor_blink = False
        yield area


def rows(area: TextArea) -> list[list[Any]]:
    area._line_cache.clear()  # (drawn afresh, not a row TextArea kept from an earlier look)
    return [list(area.render_line(y)) for y in range(HEIGHT)]


async def wrapped(pilot: Any, app: One, cursor: tuple[int, int]) -> TextArea:
    """The field once its long line is wrapped, focused, its cursor at `cursor`."""
    area = app.query_one(TextArea)
    await until(pilot, lambda: area.wrapped_document.height > 250)
    area.focus()
    area.move_cursor(cursor)
    return area


async def look(kind: type[TextArea], where: str) -> list[list[Any]]:
    app = One(kind)
    async with app.run_test(size=(WIDTH + 2, HEIGHT + 2)) as pilot:
        area = await wrapped(pilot, app, (1, 10))
        rows(area)  # a look before the change: what is kept from it must not show after it
        if where == "cursor in the long line":
            area.move_cursor((1, 500))
        elif where == "selection inside the long line":
            area.selection = Selection((1, 120), (1, 900))
        elif where == "selection from the first line into the long one":
            area.selection = Selection((0, 3), (1, 400))
        elif where == "scrolled to the long line's end":
            area.move_cursor((1, len(LONG)))
        else:
            area.move_cursor((1, 4000))
            area.insert("typed [i]here[/i]\t漢")
        area.scroll_cursor_visible(center=True, animate=False)
        scrolled = where != "selection from the first line into the long one"
        await until(pilot, lambda: area.has_focus and (area.scroll_offset.y > 0) is scrolled)
        await pilot.pause()
        return rows(area)


@pytest.mark.parametrize(
    "where",
    [
        "cursor in the long line",
        "selection inside the long line",
        "selection from the first line into the long one",
        "scrolled to the long line's end",
        "after typing into the long line",
    ],
)
async def test_a_long_line_looks_as_textual_draws_it(where: str) -> None:
    ours = await look(EditorText, where)
    assert ours == await look(TextArea, where)
    assert any(len(row) > 2 for row in ours)  # (the cursor or the selection is in the look)


async def test_a_long_line_is_divided_once_per_look_and_few_are_kept() -> None:
    divided: list[int] = []
    original = Text.divide

    def counting(self: Text, offsets: Any) -> Any:
        divided.append(len(self.plain))
        return original(self, offsets)

    app = One(EditorText)
    async with app.run_test(size=(WIDTH + 2, HEIGHT + 2)) as pilot:
        ours = await wrapped(pilot, app, (1, 2000))
        assert isinstance(ours, EditorText)
        await pilot.pause()
        ours._divisions.clear()  # (kept from the frame drawn since)
        Text.divide = counting  # type: ignore[method-assign]
        try:
            rows(ours)
            assert divided.count(len(LONG) + 1) == 1  # one division for the ~30 rows of the line
            divided.clear()
            rows(ours)
            assert divided.count(len(LONG) + 1) == 0  # the same look again: none
        finally:
            Text.divide = original  # type: ignore[method-assign]
        for i in range(20):
            ours.insert(str(i))
            rows(ours)
        assert 0 < len(ours._divisions) <= 4
