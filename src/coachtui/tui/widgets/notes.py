"""The Notes pane: the shared notes document as styled terminal text, read-only.

A `ScrollView` that draws only the lines on screen from a list of pre-wrapped strips, so a
2,000-paragraph document scrolls as fast as a short one, and a live edit rebuilds the strips
without moving the scroll position (the line at the top stays the line at the top unless the
edit is above it). Styles come from the theme; server text is never parsed as markup.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from coachtui.live.notes.document import Line
from coachtui.text import inert
from coachtui.tui.theme_styles import theme_styles
from coachtui.tui.widgets.list_keys import SCROLL_KEYS

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


class NotesPane(ScrollView, can_focus=True):
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
    """

    BINDINGS = [
        ("up", "scroll_up", "Up"),
        ("down", "scroll_down", "Down"),
        ("pageup", "page_up", "Page up"),
        ("pagedown", "page_down", "Page down"),
        ("home", "scroll_home", "Top"),
        ("end", "scroll_end", "Bottom"),
        *SCROLL_KEYS,
    ]

    @dataclass
    class Filled(Message):
        """The notes gained their first text, or lost it all (the screen's layout follows)."""

        has_text: bool

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.border_title = "Notes"
        self.lines: list[Line] = []
        self.placeholder = "Connecting to the notes…"
        self._strips: list[Strip] = []
        self._wrapped_for = -1
        self.renders = 0  # documents drawn (tests count them)
        self.palette: dict[str, str] = {}

    def on_mount(self) -> None:
        self.palette = theme_styles(self.app)
        self.watch(self.app, "theme", self._retheme, init=False)

    def _retheme(self) -> None:
        self.palette = theme_styles(self.app)
        self._rewrap()

    def show(self, lines: list[Line], placeholder: str | None = None) -> None:
        """A new version of the document (or, when it is empty, what to say instead)."""
        if bool(lines) != bool(self.lines):
            self.post_message(self.Filled(bool(lines)))
        self.lines = lines
        if placeholder is not None:
            self.placeholder = placeholder
        self.renders += 1
        self._rewrap()

    def say(self, placeholder: str) -> None:
        """Nothing to show yet: say why (connecting, unavailable)."""
        if not self.lines:
            self.placeholder = placeholder
            self._rewrap()

    def on_resize(self) -> None:
        if self.scrollable_content_region.width != self._wrapped_for:
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

    def _rewrap(self) -> None:
        width = max(self.scrollable_content_region.width, 10)
        self._wrapped_for = width
        console = self.app.console
        strips: list[Strip] = []
        if not self.lines:
            # (It can hold a notes server's words: one inert line, like every server text.)
            strips.append(Strip([Segment(inert(self.placeholder), Style(italic=True, dim=True))]))
        for n, line in enumerate(self.lines):
            if line.kind in HEADING_GAP and n:
                strips.append(Strip([Segment("", PLAIN)]))
            if line.kind == "rule":
                strips.append(
                    Strip([Segment(line.prefix + "─" * max(width - len(line.prefix), 1), Style(dim=True))])
                )
                continue
            for wrapped in self._text(line).wrap(console, width, overflow="fold"):
                # Every segment with a style (Textual's monochrome filter expects one).
                segments = wrapped.render(console)
                strips.append(Strip([Segment(seg.text, seg.style or PLAIN, seg.control) for seg in segments]))
        # At the end, the pane follows what is added there (tail -f); elsewhere it stays put.
        following = self.max_scroll_y > 0 and self.scroll_y >= self.max_scroll_y
        self._strips = strips
        self.virtual_size = Size(width, len(strips))
        if following:
            self.scroll_to(y=max(len(strips) - self.scrollable_content_region.height, 0), animate=False)
        self.refresh()

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        index = y + scroll_y
        width = self.scrollable_content_region.width
        if index >= len(self._strips):
            return Strip.blank(width, self.rich_style)
        # The pane's own colours under the text's (a strip built once serves any theme).
        return (
            self._strips[index]
            .crop_extend(scroll_x, scroll_x + width, self.rich_style)
            .apply_style(self.rich_style)
        )

    def visible_text(self) -> list[str]:
        """The lines as drawn, plain (tests read this)."""
        return [strip.text for strip in self._strips]
