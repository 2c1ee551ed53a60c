"""`h`: every change seen since the session was opened, newest first, with what each field was
and became, who did it where known, and when the connection was lost and came back."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from coachtui.live.changes import Change, ChangeKind, ConnectionNote, Origin, Report, Resync
from coachtui.text import clipboard
from coachtui.tui.notices import TITLES
from coachtui.tui.session_run import History
from coachtui.tui.widgets.entity_table import local_time
from coachtui.tui.widgets.key_bar import KeyBar
from coachtui.tui.widgets.list_keys import KeyedOptionList

REFRESH_AFTER = 0.2  # seconds: reports arriving while the history is open are added in batches


class HistoryScreen(Screen[None]):
    BINDINGS = [
        Binding("escape", "close", "Close", key_display="esc/h/q"),
        Binding("h", "close", "Close", show=False),
        Binding("q", "close", "Close", show=False),  # as in a pager: q leaves it, not the app
        Binding("c", "copy", "Copy entry"),
    ]

    def __init__(self, reports: History) -> None:
        super().__init__()
        self.reports = reports  # the open session's, oldest first; read again on each refresh
        self._shown = 0  # how many reports had ever been added when the list was last filled
        self._timer: Timer | None = None
        # Each entry's option, by the report's number in the session (`total` order), built once:
        # an option keeps its measured height, so refilling a full history (2,000 entries, every
        # REFRESH_AFTER while reports pour in) lays out only the new entries, not all of them again.
        self._options: dict[int, Option] = {}

    def compose(self) -> ComposeResult:
        with Vertical(id="history"):
            yield Static("Session history · newest first", id="history-title")
            yield KeyedOptionList(id="history-list")
        yield KeyBar(self.BINDINGS)

    def on_mount(self) -> None:
        self._fill()
        self.query_one(OptionList).focus()

    def on_resize(self) -> None:
        self._fill(again=True)  # entries are cut to the width: cut them again

    def reports_added(self) -> None:
        """New reports are in the app's list: shown shortly, in one go."""
        if self._timer is None and self.is_mounted:
            self._timer = self.set_timer(REFRESH_AFTER, self._fill)

    def _fill(self, *, again: bool = False) -> None:
        self._timer = None
        listing = self.query_one(OptionList)
        # By the total ever added, not the length: a full history keeps its length as the
        # oldest entries go, and new ones must still show.
        added = min(max(self.reports.total - self._shown, 0), len(self.reports))
        if not added and self._shown and not again:
            return
        highlighted = listing.highlighted
        listing.clear_options()
        if again:
            self._options = {}  # cut to another width
        if not self.reports:
            listing.add_option(
                Option(Text("Nothing has changed since this session was opened.", style="italic"))
            )
        else:
            first = self.reports.total - len(self.reports)  # the number of the oldest kept
            self._options = {n: o for n, o in self._options.items() if n >= first}
            listing.add_options(
                self._option(first + i, r) for i, r in reversed(list(enumerate(self.reports)))
            )
        # The entry looked at stays under the cursor while newer ones arrive above it.
        below = max(len(self.reports) - 1, 0)  # (the oldest may have gone from the end)
        listing.highlighted = 0 if highlighted is None or not self._shown else min(highlighted + added, below)
        if again and highlighted is not None:
            listing.highlighted = highlighted
        self._shown = self.reports.total

    def _option(self, number: int, report: Report) -> Option:
        option = self._options.get(number)
        if option is None:
            # The list's border, padding and scrollbar take 6 columns of the screen.
            width = max(self.app.size.width - 6, 40)
            option = self._options[number] = Option(entry(report, width), id=str(number))
        return option

    def action_close(self) -> None:
        self.dismiss(None)

    def action_copy(self) -> None:
        listing = self.query_one(OptionList)
        if listing.highlighted is None or not self.reports:
            return
        prompt = listing.get_option_at_index(listing.highlighted).prompt
        self.app.copy_to_clipboard(clipboard(str(prompt)))
        self.notify("Copied this entry to the clipboard.", timeout=2)


def entry(report: Report, width: int = 120) -> Text:
    """One history entry: a line with the time, the pane and what happened, then a line per
    field changed, before → after. Server text is inert (changes.py) and never markup (Text)."""
    when = local_time(report.at)
    text = Text(no_wrap=False)
    text.append(f"{when}  ", style="dim")
    if isinstance(report, ConnectionNote):
        style = "bold" if report.state == "Connected" else "bold italic"
        text.append(f"{'—':<11} {report.summary}", style=style)
        return text
    if isinstance(report, Resync):
        text.append(f"{'—':<11} {report.summary}", style="bold")
        return text
    assert isinstance(report, Change)
    text.append(f"{TITLES[report.pane]:<11} ", style="bold")
    tag = "  (while disconnected)" if report.origin is Origin.RESYNC else ""
    text.append(_cut(report.headline(width=width), width - 22 - len(tag)))
    text.append(tag, style="italic dim")
    if report.kind is ChangeKind.CHANGED:
        for line in report.details(width=width):
            text.append(f"\n{'':22}{_cut(line, width - 22)}", style="dim")
    return text


def _cut(line: str, width: int) -> str:
    """One screen line: an entry never wraps into the time column."""
    return line if len(line) <= width else line[: max(width - 1, 1)] + "…"
