"""The Notes pane: the shared notes document as styled terminal text, with a block cursor.

A `ScrollView` that draws only the lines on screen: a version of the document costs each line's
height (Rich's line breaking, no strips), a line's strips are made when it is first drawn and
kept while it is unchanged, so a 2,000-paragraph document opens and scrolls as fast as a short
one, and a live edit re-wraps only the lines it changed, without moving the scroll position (the
line at the top stays the line at the top unless the edit is above it). Styles come from the
theme; server text is never parsed as markup.

The cursor is on a block (a paragraph, heading, list item, task, quote, code block, table row),
held by its Yjs element, not its index: when the coachee types above it, it stays on its block
and that block stays where it was on screen. The write keys (n, enter, x, d, z) only say which
block they are for (`NotesWriteRequested`); the app does the write. They act only while this pane has the
focus: elsewhere the same letters act on rows.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
from typing import TYPE_CHECKING

from rich._wrap import divide_line  # what Text.wrap breaks lines with (heights without strips)
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.binding import Binding
from textual.geometry import Region, Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from coachtui.text import inert
from coachtui.tui.messages import NotesWriteRequested
from coachtui.tui.theme_styles import theme_styles

if TYPE_CHECKING:  # (pycrdt, the notes' CRDT, is imported once the notes connect)
    from coachtui.live.notes.blocks import Block
    from coachtui.live.notes.document import Line, Span

MARK_STYLES = {
    "bold": "bold",
    "italic": "italic",
    "strike": "strike",
    "underline": "underline",
    "code": "reverse",
    "highlight": "black on {warning}",
    "link": "underline {accent}",
    "url": "dim",
}
KIND_STYLES = {
    "h1": "bold underline {accent}",
    "h2": "bold {accent}",
    "h3": "bold",
    "h4": "bold italic",
    "h5": "bold italic",
    "h6": "bold italic",
    "quote": "italic dim",
    "code": "{accent}",
    "table-head": "bold",
}
HEADING_GAP = {"h1", "h2", "h3"}  # a blank line before them (not at the top)
PLAIN = Style()
BLANK = Strip([Segment("", PLAIN)])
LineKey = tuple[str, str, tuple["Span", ...]]  # what a line's strips depend on (with width and theme)
READ_ONLY_HINT = "read-only"
SHORT = {"n": "n new", "enter": "⏎ edit", "x": "x tick", "d": "d del", "z": "z undo"}  # the border's
# The write keys as the key bar offers them, each only where it acts (`acting_keys`).
NEW_KEY = Binding("n", "focused.write('new')", "New")
EDIT_KEY = Binding("enter", "focused.write('edit')", "Edit")
TICK_KEY = Binding("x", "focused.write('tick')", "Tick")
DELETE_KEY = Binding("d", "focused.write('delete')", "Delete")
UNDO_KEY = Binding("z", "focused.write('undo')", "Undo")
WRITE_KEYS = frozenset(b.key for b in (NEW_KEY, EDIT_KEY, TICK_KEY, DELETE_KEY, UNDO_KEY))


class NotesPane(ScrollView, can_focus=True):
    COMPONENT_CLASSES = {"notes--cursor"}
    DEFAULT_CSS = """
    NotesPane {
        border: round $primary-darken-1;
        border-title-color: $text;
        border-title-style: bold;
        border-subtitle-color: $text-muted;
        padding: 0 1;
        scrollbar-size-vertical: 1;
        scrollbar-gutter: stable;  /* the same wrap width with or without a scrollbar */
    }
    NotesPane:focus {
        border: round $accent;
    }
    NotesPane > .notes--cursor {
        background: $accent 25%;
    }
    """

    BINDINGS = [
        # The block cursor (the scroll follows it).
        Binding("up,k", "cursor(-1)", "Up", show=False),
        Binding("down,j", "cursor(1)", "Down", show=False),
        Binding("pageup", "cursor_page(-1)", "Page up", show=False),
        Binding("pagedown", "cursor_page(1)", "Page down", show=False),
        Binding("home,g", "cursor_end(-1)", "Top", show=False),
        Binding("end,G", "cursor_end(1)", "Bottom", show=False),
        # Writes: they say which block; the app writes (and refuses when read-only).
        Binding("n", "write('new')", "New block"),
        Binding("enter", "write('edit')", "Edit block"),
        Binding("x", "write('tick')", "Tick task"),
        Binding("d", "write('delete')", "Delete block"),
        Binding("z", "write('undo')", "Undo yours"),
    ]

    @dataclass
    class Filled(Message):
        """The notes gained their first text, or lost it all (the screen's layout follows)."""

        has_text: bool

    class KeysChanged(Message):
        """The write keys that act here changed (the cursor moved onto a task, say): the key
        bar shows `acting_keys()` while this pane has the focus."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.border_title = "Notes"
        self.lines: list[Line] = []
        self.placeholder = "Connecting to the notes…"
        self._wrapped_for = -1  # the width the strips and heights below are for
        self._unsized = False  # laid out while hidden: the heights wait for a width
        self._cache: dict[LineKey, list[Strip]] = {}  # a line's strips, made when first drawn
        self._heights: dict[LineKey, int] = {}  # how many strips each line makes
        self._keys: list[LineKey] = []  # per line of `lines`
        self._starts: list[int] = []  # per line: its first strip (or the gap before it)
        self._height_total = 1  # strips in all (the placeholder's one when there are no lines)
        self.renders = 0  # documents drawn (tests count them)
        self.palette: dict[str, str] = {}
        self.read_only = False
        self.blocks: list[Block] = []  # the blocks with something drawn, in order
        self._given: list[Block] = []  # every block of the version shown
        self._block_strips: list[tuple[int, int]] = []  # per drawn block: its strips [start, end)
        self._line_strips: list[tuple[int, int]] = []  # the same per line
        self.cursor_at: int | None = None  # into `blocks`; None until the pane first has the focus
        self._forget_on_blur = False  # (focus_given_away)
        self._cursor_key: object = None  # the cursor block's Yjs element: what the cursor follows
        self._wanted: object = None  # a block just written, for the cursor once it is drawn
        self.has_document = False  # a version of the notes was shown (not "Connecting…")
        self.undoable = False  # a change of ours to take back (the app says, after each version)
        self._keys_said: tuple[Binding, ...] = ()

    @property
    def cursor(self) -> Block | None:
        """The block under the cursor."""
        return self.blocks[self.cursor_at] if self.cursor_at is not None else None

    def cursor_row(self) -> int | None:
        """Where the cursor's first line is on screen (rows from the top of the view)."""
        region = self._cursor_region()
        return region.y - self.scroll_offset.y if region is not None else None

    def set_read_only(self, read_only: bool) -> None:
        self.read_only = read_only
        self._hint(self.has_focus)
        self._keys_may_change()

    def set_undoable(self, undoable: bool) -> None:
        self.undoable = undoable
        self._keys_may_change()

    def acting_keys(self) -> tuple[Binding, ...]:
        """The write keys that would act now (none read-only, or before the notes are in)."""
        if self.read_only or not self.has_document:
            return ()
        keys = [NEW_KEY]
        block = self.cursor
        if block is not None:
            keys += [EDIT_KEY] if block.editable else []
            keys += [TICK_KEY] if block.kind == "task" else []
            keys.append(DELETE_KEY)
        if self.undoable:
            keys.append(UNDO_KEY)
        return tuple(keys)

    def _keys_may_change(self) -> None:
        keys = self.acting_keys()
        if keys != self._keys_said:
            self._keys_said = keys
            self._hint(self.has_focus)
            self.post_message(self.KeysChanged())

    def on_mount(self) -> None:
        self.palette = theme_styles(self.app)
        self.watch(self.app, "theme", self._retheme, init=False)

    def _retheme(self) -> None:
        self.palette = theme_styles(self.app)
        self._wrapped_for = -1  # (the strips have the old theme's colours)
        self._rewrap()

    def show(
        self, lines: list[Line], placeholder: str | None = None, blocks: list[Block] | None = None
    ) -> None:
        """A new version of the document (or, when it is empty, what to say instead), with its
        blocks (where each starts in `lines`): the cursor stays on its block, and that block
        where it was on screen. Scrolled to the end with the cursor on the last block (or none),
        the pane follows what is added there, like tail -f."""
        if bool(lines) != bool(self.lines):
            self.post_message(self.Filled(bool(lines)))
        last = self.cursor_at is None or self.cursor_at == len(self.blocks) - 1
        following = last and self.max_scroll_y > 0 and self.scroll_y >= self.max_scroll_y
        self.lines = lines
        if placeholder is not None:
            self.placeholder = placeholder
        self.renders += 1
        was, jumping = self._cursor_region(), self._wanted is not None
        self._given = blocks or []
        self.has_document = blocks is not None
        self._rewrap()
        now = self._cursor_region()
        if was is not None and now is not None and not jumping and now.y != was.y:
            self.scroll_to(y=self.scroll_offset.y + now.y - was.y, animate=False, immediate=True)
        if jumping and self._wanted is None:  # (the block just written is drawn now)
            self._scroll_to_cursor()
        elif following:
            bottom = self._height_total - self.scrollable_content_region.height
            self.scroll_to(y=max(bottom, 0), animate=False)
        self._keys_may_change()

    def put_cursor_on(self, element: object) -> None:
        """The cursor goes to the block whose Yjs element is `element` (one just written): now
        if it is drawn already, else when the version holding it is shown."""
        self._wanted = element
        self._resolve_cursor()
        self._scroll_to_cursor()
        self.refresh()

    def _resolve_cursor(self) -> None:
        """The cursor on its block in the version drawn now, found by its element; when that
        block was deleted meanwhile, on the block that took its place."""
        for key in (self._wanted, self._cursor_key):
            if key is None:
                continue
            found = next((n for n, b in enumerate(self.blocks) if b.element == key), None)
            if found is not None:
                self._wanted = None if key is self._wanted else self._wanted
                self._set_cursor(found)
                return
            if key is self._wanted:
                continue  # (written, not drawn yet: the next version has it)
            if self.cursor_at is not None:
                self._set_cursor(min(self.cursor_at, len(self.blocks) - 1))
            return

    def focus_given_away(self) -> None:
        """The focus goes elsewhere by default (the pane had it only because it was ready first):
        its cursor was never the user's and goes with the focus (a new one comes, in view, with
        the next focus). (The pane keeps the focus until the next frame, and places a cursor on
        every version drawn while it has it: forgotten on the blur.)"""
        if self.has_focus:
            self._forget_on_blur = True
        else:
            self._set_cursor(None)
            self.refresh()

    def _set_cursor(self, index: int | None) -> None:
        if index is None or index < 0 or not self.blocks:
            self.cursor_at, self._cursor_key = None, None
        else:
            self.cursor_at = index
            self._cursor_key = self.blocks[index].element
        self._keys_may_change()

    def _cursor_region(self) -> Region | None:
        if self.cursor_at is None:
            return None
        start, end = self._block_strips[self.cursor_at]
        return Region(0, start, max(self.virtual_size.width, 1), max(end - start, 1))

    def _scroll_to_cursor(self) -> None:
        region = self._cursor_region()
        if region is not None:
            tall = region.height > self.scrollable_content_region.height
            self.scroll_to_region(region, animate=False, immediate=True, top=tall)

    # -- the keys -------------------------------------------------------------------------------

    def on_focus(self) -> None:
        self._cursor_in_view()
        self._hint(True)
        self.refresh()

    def _cursor_in_view(self) -> None:
        """A focused pane has a cursor whenever it has blocks: on the first block in view (the
        screen does not jump), when it had none (first focus; the notes of a session just
        opened, or come back after being empty)."""
        if self.cursor_at is None and self.blocks:
            top = self.scroll_offset.y
            starts = [start for start, _ in self._block_strips]
            self._set_cursor(next((n for n, start in enumerate(starts) if start >= top), len(starts) - 1))

    def on_blur(self) -> None:
        if self._forget_on_blur:
            self._forget_on_blur = False
            self._set_cursor(None)
        self._hint(False)
        self.refresh()

    def _hint(self, focused: bool) -> None:
        """The write keys that act here, in its bottom border while it has the focus (the key
        bar says them too: the border is where the eye is)."""
        shown = READ_ONLY_HINT if self.read_only else " · ".join(SHORT[b.key] for b in self.acting_keys())
        self.border_subtitle = shown if focused else ""

    def _move_to(self, index: int) -> None:
        if not self.blocks:
            return
        self._set_cursor(max(0, min(index, len(self.blocks) - 1)))
        self._scroll_to_cursor()
        self.refresh()

    def action_cursor(self, step: int) -> None:
        self._move_to(0 if self.cursor_at is None else self.cursor_at + step)

    def action_cursor_page(self, direction: int) -> None:
        region = self._cursor_region()
        if region is None:
            self._move_to(0)
            return
        target = region.y + direction * max(self.scrollable_content_region.height - 1, 1)
        starts = [start for start, _ in self._block_strips]
        if direction > 0:
            index = next((n for n, start in enumerate(starts) if start >= target), len(starts) - 1)
        else:
            index = max((n for n, start in enumerate(starts) if start <= max(target, 0)), default=0)
        self._move_to(index)

    def action_cursor_end(self, direction: int) -> None:
        self._move_to(0 if direction < 0 else len(self.blocks) - 1)

    def action_write(self, action: str) -> None:
        self.post_message(NotesWriteRequested(action, self.cursor))

    def say(self, placeholder: str) -> None:
        """Nothing to show yet: say why (connecting, unavailable)."""
        if not self.lines:
            self.placeholder = placeholder
            self._rewrap()

    def on_resize(self) -> None:
        if self._unsized or self.scrollable_content_region.width != self._wrapped_for:
            self._rewrap()

    def _style(self, template: str) -> Style:
        colours = {k: self.palette.get(k, v) for k, v in (("accent", "cyan"), ("warning", "yellow"))}
        return Style.parse(template.format(**colours))

    def _text(self, line: Line) -> Text:
        text = Text(no_wrap=False, end="")
        kind_style = KIND_STYLES.get(line.kind)
        if line.prefix:
            text.append(line.prefix, style="dim" if line.kind != "quote" else self._style("{accent}"))
        for span in line.spans:
            style = Style()
            for mark in sorted(span.marks):  # a fixed order: the same text always looks the same
                style += self._style(MARK_STYLES.get(mark, ""))
            text.append(span.text, style=style)
        if kind_style:
            text.stylize(self._style(kind_style), len(line.prefix))
        return text

    def _wrap(self, line: Line, width: int) -> list[Strip]:
        """One line's strips at `width` (what `_height` counts)."""
        if line.kind == "rule":
            return [Strip([Segment(line.prefix + "─" * max(width - len(line.prefix), 1), Style(dim=True))])]
        console = self.app.console
        strips = []
        for wrapped in self._text(line).wrap(console, width, overflow="fold"):
            # Every segment with a style (Textual's monochrome filter expects one).
            segments = wrapped.render(console)
            strips.append(Strip([Segment(seg.text, seg.style or PLAIN, seg.control) for seg in segments]))
        return strips

    def _height(self, line: Line, width: int) -> int:
        """How many strips `_wrap` makes of `line`, without making them: Rich's own line breaking
        on the plain text, as `Text.wrap` does it (tests/tui/test_notes_lazy.py holds them equal)."""
        plain = line.plain
        if line.kind == "rule":
            return 1
        if "\n" in plain or "\t" in plain:  # (never, from document.py: then wrap it for real)
            return len(self._wrap(line, width))
        return len(divide_line(plain, width, fold=True)) + 1

    def _rewrap(self) -> None:
        """Where each line's strips go; the strips themselves are made when drawn
        (`render_line`) and kept per line while the width and theme stay: a document of 2,000
        paragraphs costs its line breaks, not 8,000 strips, and a live edit re-wraps only the
        lines it changed."""
        # Hidden (a tab behind Actions, or a column not shown until the notes have text), the
        # pane has no width to break lines at: each counts one strip until the pane is shown,
        # and its resize breaks them then, once, at the width they are read at (a 2,000-paragraph
        # document broken at a guessed width first doubled its first paint).
        self._unsized = self.scrollable_content_region.width <= 0
        width = max(self.scrollable_content_region.width, 10)
        cache, heights = self._cache, self._heights
        if not self._unsized:
            if width != self._wrapped_for:
                cache, heights = {}, {}
            self._wrapped_for = width
            self._cache, self._heights = {}, {}  # only this version's lines are kept
        line_strips: list[tuple[int, int]] = []
        starts: list[int] = []  # per line: its first strip, or the gap before it
        keys: list[LineKey] = []
        y = 0
        for n, line in enumerate(self.lines):
            key = (line.kind, line.prefix, tuple(line.spans))
            keys.append(key)
            starts.append(y)
            if line.kind in HEADING_GAP and n:
                y += 1
            if self._unsized:
                line_strips.append((y, y + 1))
                y += 1
                continue
            height = heights.get(key)
            if height is None:
                height = self._height(line, width)
            self._heights[key] = height
            if key in cache:
                self._cache[key] = cache[key]
            line_strips.append((y, y + height))
            y += height
        self._keys = keys
        self._starts = starts
        self._line_strips = line_strips
        self._height_total = y if self.lines else 1  # (or the placeholder's one line)
        self._place_blocks()
        self.virtual_size = Size(width, self._height_total)
        self.refresh()

    def _strip(self, index: int) -> Strip:
        """The document's strip at `index` (0 ≤ index < `_height_total`)."""
        if not self.lines:
            # (It can hold a notes server's words: one inert line, like every server text.)
            return Strip([Segment(inert(self.placeholder), Style(italic=True, dim=True))])
        n = bisect_right(self._starts, index) - 1
        first, _ = self._line_strips[n]
        if index < first:
            return BLANK  # the gap before a heading
        key = self._keys[n]
        strips = self._cache.get(key)
        if strips is None:
            strips = self._cache[key] = self._wrap(self.lines[n], self._wrapped_for)
        return strips[index - first]

    def _place_blocks(self) -> None:
        """Which strips each block covers; a block with none (a trailing empty paragraph, not
        drawn) is left out, so the cursor never lands on nothing."""
        placed: list[Block] = []
        spans: list[tuple[int, int]] = []
        drawn = len(self._line_strips)
        for block in self._given:
            last = min(block.first_line + len(block.lines), drawn) - 1
            if last < block.first_line:
                continue
            placed.append(block)
            spans.append((self._line_strips[block.first_line][0], self._line_strips[last][1]))
        self.blocks = placed
        self._block_strips = spans
        self._resolve_cursor()
        if self.has_focus:
            self._cursor_in_view()

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        index = y + scroll_y
        width = self.scrollable_content_region.width
        if index >= self._height_total:
            return Strip.blank(width, self.rich_style)
        # The pane's own colours under the text's (a strip built once serves any theme).
        style = self.rich_style
        region = self._cursor_region() if self.has_focus else None
        if region is not None and region.y <= index < region.bottom:
            # The whole width, under the text's own styles (the cursor's colour blended on the pane's).
            style = self.get_component_rich_style("notes--cursor")
        return self._strip(index).crop_extend(scroll_x, scroll_x + width, style).apply_style(style)

    def visible_text(self) -> list[str]:
        """The lines as drawn, plain (tests read this)."""
        return [self._strip(index).text for index in range(self._height_total)]
