"""The notes composer: a new block's text, or the text of the block under the cursor.

It never writes: ctrl+s dismisses with the text, and the app writes it into the notes of the
session it was opened for (a composer opened for one session is closed by a switch, and its
answer then does nothing). Escape closes, asking first once something was typed.

It stays open when the block it is about is deleted by someone else meanwhile: the app tells it
(`block_gone`), it says so above the text, and the text is written where that block was.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static, TextArea

from coachtui.tui.screens.modals import confirm
from coachtui.tui.widgets.key_bar import KeyBar

NEW_HINT = "[ ] task   [x] done   - bullet   1. numbered   # heading"


class ComposerScreen(ModalScreen[str | None]):
    BINDINGS = [
        Binding("ctrl+s", "write", "Write", priority=True),
        Binding("escape", "close", "Close"),
    ]

    def __init__(
        self, title: str, text: str = "", *, hint: str = "", block: object = None, gone: str = ""
    ) -> None:
        super().__init__()
        self.title_text = title
        self.initial = text  # Escape asks first once the text differs from this
        self.hint = hint
        self.block = block  # the Yjs element of the block it edits or follows (None: the end)
        self.gone_note = gone  # what it says once that block is deleted elsewhere
        self.gone = False

    def compose(self) -> ComposeResult:
        with Vertical(id="composer"):
            yield Static(self.title_text, id="composer-title", markup=False)
            yield Static("", id="composer-gone", markup=False)
            area = TextArea(
                self.initial, id="composer-text", soft_wrap=True, compact=True, tab_behavior="focus"
            )
            area.show_line_numbers = False
            yield area
            if self.hint:
                yield Static(self.hint, id="composer-hint", markup=False)
        yield KeyBar([Binding("ctrl+s", "screen.write", "Write"), Binding("escape", "screen.close", "Close")])

    def on_mount(self) -> None:
        self.query_one("#composer-gone").display = False
        area = self.query_one(TextArea)
        area.focus()
        area.move_cursor(area.document.end)

    def block_gone(self) -> None:
        """The block was deleted elsewhere: said above the text, which stays as it is."""
        self.gone = True
        for line in self.query("#composer-gone").results(Static):
            line.update(self.gone_note)
            line.display = True

    @property
    def text(self) -> str:
        return self.query_one(TextArea).text

    @property
    def typed(self) -> bool:
        return self.text != self.initial

    def action_write(self) -> None:
        self.dismiss(self.text)

    def action_close(self) -> None:
        if not self.typed:
            self.dismiss(None)
            return

        def answered(choice: str | None) -> None:
            if choice == "yes":
                self.dismiss(None)

        question = confirm(
            "Discard what you typed?", "It is not written to the notes.", "Discard", no="Keep writing"
        )
        self.app.push_screen(question, answered)
