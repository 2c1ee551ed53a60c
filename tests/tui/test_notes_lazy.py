"""The Notes pane wraps only the lines it draws, and keeps each line's strips while the line is
unchanged: a remote edit of one block re-wraps that block, not the document."""

from __future__ import annotations

from typing import Any

from textual.app import App, ComposeResult

from coachtui.devserver.server import DevServer
from coachtui.live.notes.document import Line, Span
from coachtui.tui.widgets.notes import NotesPane
from tests.conftest import dev
from tests.tui.factory import make_app
from tests.tui.test_notes import WIDE, notes_pane, notes_up
from tests.waiting import settled, until

BOLD = frozenset({"bold"})
LINES = [
    Line([Span("p00000x " + "We talked about delegation and trust. " * 3)]),
    Line([]),
    Line([Span("   ")]),
    Line([Span("x" * 95)]),  # a word longer than any width: folded
    Line([Span("a  b   c    "), Span("bold words at the end  ", BOLD)], "p", "  • "),
    Line([Span("漢字かな交じりの文" * 6)]),  # two cells a character
    Line([Span("emoji 🎉🎉 " * 9 + "end")], "h2"),
    Line([Span("    indented code with     runs of spaces" * 2)], "code", "▌ "),
    Line([Span("│ a │ bb │")], "table"),
    Line([], "rule", "  "),
    Line([Span("link"), Span(" (https://example.com/" + "long/" * 20 + ")", frozenset({"url"}))], "h1"),
    Line([Span("ends on a space ")], "quote", "▌ "),
]


class OnePane(App[None]):
    def compose(self) -> ComposeResult:
        yield NotesPane()


async def test_a_lines_height_is_the_number_of_strips_it_wraps_into() -> None:
    async with OnePane().run_test(size=(60, 20)) as pilot:
        pane = pilot.app.query_one(NotesPane)
        for width in (10, 11, 13, 17, 24, 37, 58, 80, 200):
            for line in LINES:
                assert pane._height(line, width) == len(pane._wrap(line, width)), (width, line.plain)
        pane.show(LINES, blocks=[])
        wrapped = [strip.text for line in LINES for strip in pane._wrap(line, pane._wrapped_for)]
        # Drawn lazily, the document reads as the whole of it wrapped at once (with the gaps).
        assert [text for text in pane.visible_text() if text] == [text for text in wrapped if text]
        # Another theme: the strips kept were made with the old one's colours, and are dropped.
        first, _ = pane._line_strips[len(LINES) - 2]  # the h1 line's first strip
        heading, palette = pane._strip(first), dict(pane.palette)
        pilot.app.theme = "textual-light" if pilot.app.theme != "textual-light" else "nord"
        await until(pilot, lambda: pane.palette != palette)
        again = pane._strip(first)
        assert again.text == heading.text and list(again) != list(heading)


def drawn(pane: NotesPane) -> list[str]:
    """The pane's rows as `render_line` draws them now (only the lines in view)."""
    return [pane.render_line(y).text.rstrip() for y in range(pane.scrollable_content_region.height)]


async def test_a_remote_edit_wraps_only_the_block_it_changed(head_server: DevServer) -> None:
    demo = head_server.demo
    assert demo is not None
    app = await make_app(head_server)
    async with app.run_test(size=WIDE) as pilot:
        await until(pilot, lambda: settled(app) and notes_up(app))
        pane = notes_pane(app)
        dev(head_server, "notes", session_id=demo.today_session_id, paragraphs=400)
        await until(pilot, lambda: bool(pane.lines) and pane.lines[-1].plain.startswith("p00399x"))
        assert any(row.startswith("p00000x") for row in drawn(pane))
        wrapped: list[str] = []
        real_wrap = pane._wrap

        def counting_wrap(line: Line, width: int) -> Any:
            wrapped.append(line.plain)
            return real_wrap(line, width)

        pane._wrap = counting_wrap  # type: ignore[method-assign]  # (a spy: it wraps for real)
        before = {key: strips for key, strips in pane._cache.items()}
        renders = pane.renders
        dev(head_server, "notes", session_id=demo.today_session_id, prepend="Typed at the top")
        await until(pilot, lambda: pane.renders > renders and pane.lines[0].plain == "Typed at the top")
        rows = drawn(pane)
        assert rows[0] == "Typed at the top"
        assert rows[1].startswith("p00000x")
        assert wrapped == ["Typed at the top"]  # the 400 others: neither wrapped nor measured again
        kept = [key for key in pane._cache if key in before]
        assert kept and all(pane._cache[key] is before[key] for key in kept)


class HiddenPane(App[None]):
    CSS = "NotesPane { width: 40; height: 12; } #hidden { display: none; }"

    def compose(self) -> ComposeResult:
        yield NotesPane(id="shown")
        yield NotesPane(id="hidden")


async def test_a_hidden_pane_breaks_its_lines_once_when_shown_at_the_width_it_is_read_at() -> None:
    async with HiddenPane().run_test(size=(90, 30)) as pilot:
        shown, hidden = (pilot.app.query_one(f"#{name}", NotesPane) for name in ("shown", "hidden"))
        await until(pilot, lambda: shown.scrollable_content_region.width > 0)
        measured: list[int] = []
        real_height = hidden._height

        def counting_height(line: Line, width: int) -> int:
            measured.append(width)
            return real_height(line, width)

        hidden._height = counting_height  # type: ignore[method-assign]  # (a spy: it measures for real)
        lines = LINES * 20
        shown.show(lines, blocks=[])
        hidden.show(lines, blocks=[])
        lines = [*lines, Line([Span("one more, still hidden")])]
        hidden.show(lines, blocks=[])
        shown.show(lines, blocks=[])
        assert measured == []  # no width yet: nothing broken at a guessed one
        hidden.display = True
        await until(pilot, lambda: hidden._line_strips == shown._line_strips)
        width = shown.scrollable_content_region.width
        assert measured == [width] * len(lines)  # each line once, at the width it is read at
        assert hidden.virtual_size == shown.virtual_size
        assert drawn(hidden) == drawn(shown)
