"""Modal screens: session expired, logged out by the server, confirmations, help.

Every dialog has its own key bar, docked over the screen's: the keys shown are the keys that
work while it is open.
"""

from __future__ import annotations

from collections.abc import Sequence

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from coachtui.live.events import Pane
from coachtui.text import inert
from coachtui.tui.widgets.key_bar import KeyBar

SCROLL_KEYS = [
    ("up", "scroll_up"),
    ("k", "scroll_up"),
    ("down", "scroll_down"),
    ("j", "scroll_down"),
    ("pageup", "scroll_page_up"),
    ("pagedown", "scroll_page_down"),
    ("home", "scroll_home"),
    ("g", "scroll_home"),
    ("end", "scroll_end"),
    ("G", "scroll_end"),
]


class Notice(ModalScreen[str | None]):
    """A short message with buttons; dismisses with the id of the button chosen.

    The first button has the focus, so it is never a destructive one: a reflexive Enter must not
    quit or delete. `keys` are extra bindings shown in the key bar. `q` closes it as Escape does
    (it has no text field to type a q into), unless `keys` give q a meaning of its own.
    """

    def __init__(
        self,
        title: str,
        body: str,
        buttons: Sequence[tuple[str, str]],
        *,
        escape: str | None = None,
        escape_shown: bool = True,
        keys: Sequence[Binding] = (),
    ) -> None:
        super().__init__()
        self.title_text, self.body_text = title, body
        self.buttons = list(buttons)
        self.focus_id = self.buttons[0][0]
        q_closes = bool(escape) and not any(binding.key == "q" for binding in keys)
        close = Binding(
            "escape",
            f"screen.choose('{escape}')",
            "Close",
            show=escape_shown,
            key_display="esc/q" if q_closes else None,
        )
        self.keys = [close, *keys] if escape else list(keys)
        for binding in self.keys:
            self._bindings.bind(
                binding.key, binding.action, binding.description, binding.show, binding.key_display
            )
        if q_closes:
            self._bindings.bind("q", close.action, close.description, show=False)
        # A body taller than the screen scrolls with the keys of a pager (the focus is on a
        # button, which has no use for them), the title and buttons staying in sight.
        taken = {key for binding in self.keys for key in binding.key.split(",")}
        for key, action in SCROLL_KEYS:
            if key not in taken:
                self._bindings.bind(key, f"screen.scroll_body('{action}')", show=False)

    def compose(self) -> ComposeResult:
        with Vertical(id="notice"):
            yield Static(self.title_text, id="notice-title")
            with VerticalScroll(id="notice-scroll", can_focus=False):
                yield Static(self.body_text, id="notice-body", markup=False)
            with Horizontal(id="notice-buttons"):
                for button_id, label in self.buttons:
                    primary = button_id == self.focus_id
                    yield Button(label, id=button_id, variant="primary" if primary else "default")
        yield KeyBar([*self.keys, Binding("tab", "app.focus_next", "Next button")])

    def on_screen_resume(self) -> None:
        # Also when a kept screen (the help) is shown again: a button still in its 0.2 s
        # "pressed" look from the last close would ignore Enter.
        for button in self.query(f"#{self.focus_id}").results(Button):  # (none if closed unbuilt)
            button.remove_class("-active")
            button.focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id)

    def action_choose(self, button_id: str) -> None:
        self.dismiss(button_id)

    def action_scroll_body(self, how: str) -> None:
        getattr(self.query_one("#notice-scroll", VerticalScroll), how)(animate=False)


def session_expired(message: str) -> Notice:
    return Notice(
        "Session expired",
        f"{inert(message)}\n\nRun `coachtui login` in another terminal, then press r here. "
        "What is on screen stays as it was.",
        [("keep", "Keep looking"), ("quit", "Quit")],
        escape="keep",
        keys=[
            Binding("r", "app.use_new_login", "Use new login"),
            Binding("q", "screen.choose('quit')", "Quit"),
        ],
    )


def logged_out(reason: str) -> Notice:
    return Notice(
        "Logged out by the server",
        f"Reason: {inert(reason, limit=200)}\n\nYour stored credentials for this server were removed. "
        "Run `coachtui login` to sign in again.",
        [("quit", "Quit")],
        escape="quit",
        keys=[Binding("q", "screen.choose('quit')", "Quit")],
    )


class UnsentQuestion(Notice):
    """Quit (or switch) although what was written in the notes would be lost: changes not sent
    yet, a composer's text? (ctrl+c in it quits: the app looks for it by type.)"""


def confirm(title: str, body: str, yes: str, *, no: str = "Cancel", kind: type[Notice] = Notice) -> Notice:
    """A yes/no question; `y` confirms, `n` and Esc cancel, and the cancelling button has the focus."""
    return kind(
        title,
        body,
        [("no", no), ("yes", yes)],
        escape="no",
        escape_shown=False,
        keys=[
            Binding("y", "screen.choose('yes')", yes),
            Binding("n", "screen.choose('no')", no, key_display="n/esc/q"),
        ],
    )


def delete_question(pane: Pane, text: str, *, completed_goal: bool = False) -> Notice:
    """Delete an action or agreement; a goal is removed from this session, or deleted everywhere.
    Cancel has the focus: a reflexive Enter deletes nothing."""
    if pane is Pane.GOALS:
        final = (
            "\n\nIt is completed: removed from this session, it cannot come back with z (the "
            "server links no completed goal again)."
            if completed_goal
            else ""
        )
        return Notice(
            "Remove this goal?",
            f"{text}\n\nRemove it from this session (it stays in the coaching relationship), "
            f"or delete it everywhere, for both of you?{final}",
            [("no", "Cancel"), ("yes", "Remove from session"), ("everywhere", "Delete everywhere")],
            escape="no",
            escape_shown=False,
            keys=[
                Binding("y", "screen.choose('yes')", "Remove from session"),
                Binding("e", "screen.choose('everywhere')", "Delete everywhere"),
                Binding("n", "screen.choose('no')", "Cancel", key_display="n/esc/q"),
            ],
        )
    kind = "action" if pane is Pane.ACTIONS else "agreement"
    return confirm(f"Delete this {kind}?", f"{text}\n\nIt is deleted for both of you.", "Delete")


HELP = """\
1 2 3  focus a pane (tab cycles)    h       history of changes
4      the shared notes             f       zoom a pane
n      new item in focused pane     c       copy the row's text
enter  open the row in the editor   r       refresh / retry now
x      complete (again: undo)       s       switch session
d      delete (asks first)          ?       this help (? or Esc)
z      undo your last delete        q       quit (ctrl+c too)
l      link a relationship goal     ctrl+p  palette: logout, theme
t      edit the session title       j k g G down, up, first, last

Editor: ctrl+s saves (Enter too in a one-line field), Esc closes
(asks first if you typed), tab moves on. A change made elsewhere
is shown; ctrl+s asks only if you changed the same field.
A question or a list with no text field closes with Esc or q.

Notes pane (4): ↑ ↓ j k PgUp PgDn g G move the block cursor;
n new block after it, enter edit it, x tick, d delete, z undo
yours; ctrl+s writes. [ ] task  - bullet  1. item  # heading"""


class HelpScreen(Notice):
    """The help, kept between uses (the app looks for it by type)."""


def help_screen() -> Notice:
    return HelpScreen(
        "coachtui help",
        HELP,
        [("close", "Close")],
        escape="close",
        escape_shown=False,
        keys=[Binding("question_mark", "screen.choose('close')", "Close", key_display="?/esc/q")],
    )
