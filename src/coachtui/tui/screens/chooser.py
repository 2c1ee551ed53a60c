"""Pick one of a list (a goal to link, a goal to put on hold): enter chooses, escape cancels."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from coachtui.tui.widgets.key_bar import KeyBar
from coachtui.tui.widgets.list_keys import KeyedOptionList


class Chooser(ModalScreen[str | None]):
    """Dismisses with the id of the option chosen, or None."""

    BINDINGS = [Binding("escape,q", "cancel", "Cancel")]  # (q: no text field here to type it in)

    def __init__(
        self, title: str, body: str, options: Sequence[tuple[str, str]], *, empty: str, verb: str
    ) -> None:
        super().__init__()
        self.title_text, self.body_text = title, body
        self.options = list(options)
        self.empty, self.verb = empty, verb

    def compose(self) -> ComposeResult:
        with Vertical(id="chooser"):
            yield Static(self.title_text, id="chooser-title", markup=False)
            yield Static(self.body_text if self.options else self.empty, id="chooser-body", markup=False)
            # Text(), not str: titles from the server are shown literally, never as markup.
            yield KeyedOptionList(
                *(Option(Text(label), id=key) for key, label in self.options), id="chooser-list"
            )
        keys = [Binding("escape", "screen.cancel", "Cancel", key_display="esc/q")]
        if self.options:
            keys.insert(0, Binding("enter", "screen.choose", self.verb))
        yield KeyBar(keys)

    def on_mount(self) -> None:
        listing = self.query_one(OptionList)
        listing.display = bool(self.options)
        if self.options:
            listing.highlighted = 0
            listing.focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_cancel(self) -> None:
        self.dismiss(None)

    def action_choose(self) -> None:
        """The key bar's `enter` (clicked): the highlighted option, as Enter in the list."""
        self.query_one(OptionList).action_select()
