"""Modal screens: session expired, logged out by the server, help."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from coachtui.text import inert


class Notice(ModalScreen[bool]):
    """A short message with one or two buttons; dismisses True for the primary one."""

    BINDINGS = [Binding("escape", "dismiss_false", "Close", show=False)]

    def __init__(self, title: str, body: str, primary: str, secondary: str | None = None) -> None:
        super().__init__()
        self.title_text, self.body_text = title, body
        self.primary, self.secondary = primary, secondary

    def compose(self) -> ComposeResult:
        with Vertical(id="notice"):
            yield Static(self.title_text, id="notice-title")
            yield Static(self.body_text, id="notice-body", markup=False)
            yield Button(self.primary, id="primary", variant="primary")
            if self.secondary:
                yield Button(self.secondary, id="secondary")

    def on_screen_resume(self) -> None:
        # Also when a kept screen (the help) is shown again: a button still in its 0.2 s
        # "pressed" look from the last close would ignore Enter.
        primary = self.query_one("#primary", Button)
        primary.remove_class("-active")
        primary.focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "primary")

    def action_dismiss_false(self) -> None:
        self.dismiss(False)


def session_expired(message: str) -> Notice:
    return Notice(
        "Session expired",
        f"{inert(message)}\n\nRun `coachtui login` in another terminal, then press r here. "
        "What is on screen stays as it was.",
        "Quit",
        "Keep looking",
    )


def logged_out(reason: str) -> Notice:
    return Notice(
        "Logged out by the server",
        f"Reason: {inert(reason, limit=200)}\n\nYour stored credentials for this server were removed. "
        "Run `coachtui login` to sign in again.",
        "Quit",
    )


HELP = """\
r        refresh now (or retry the connection)
s        switch to another session
?        this help (?, Esc or Enter closes it)
q        quit
ctrl+p   command palette: refresh, switch, logout, theme
tab      move between panes; arrows scroll a pane

The status bar shows the live connection: Connected,
Connecting, Reconnecting (with the next try),
Disconnected or Error. Panes marked "stale" keep their
last data until the connection is back. Beneath a dialog
like this one the panes pause, and catch up when it closes."""


class HelpScreen(Notice):
    BINDINGS = [Binding("question_mark", "dismiss_false", "Close", show=False)]  # `?` toggles


def help_screen() -> Notice:
    return HelpScreen("coachtui help", HELP, "Close")
