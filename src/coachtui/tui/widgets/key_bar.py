"""The bottom line of key hints, drawn once.

Textual's Footer rebuilds its keys whenever focus moves or a screen opens or closes, and every
rebuild leaves the old keys alive: each stays registered as a watcher of the footer's `compact`
reactive, a list pruned only when `compact` changes, which here it never does. Tabbing between
panes kept about eight widgets per press, and the growing heap made every full garbage collection
slower (past 100 ms within minutes of use). Here the keys are one line of text: what changes with
the focus (`focus_keys`: only the keys that act where the focus is) changes that text, and no
widget is made or kept. Keys stay clickable.
"""

from __future__ import annotations

from collections.abc import Iterable

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.widgets import Static

KEY_NAMES = {"escape": "esc", "question_mark": "?", "enter": "enter"}
PALETTE = "[@click=app.command_palette]^p[/] palette"
PALETTE_SHORT = "[@click=app.command_palette]^p[/]"


def key_hints(bindings: Iterable[BindingType], namespace: str = "app") -> str:
    """Markup for the shown bindings. Only our own constants go in here, never server text.
    An action without a namespace runs in `namespace` when clicked."""
    parts = []
    for b in bindings:
        if not isinstance(b, Binding) or not b.show:
            continue
        key = b.key_display or KEY_NAMES.get(b.key, b.key)
        action = b.action if "." in b.action else f"{namespace}.{b.action}"
        parts.append(f"[@click={action}]{key}[/] {b.description}")
    return "  ".join(parts)


class KeyBar(Horizontal):
    DEFAULT_CSS = """
    KeyBar {
        dock: bottom;
        height: 1;
        background: $footer-background;
    }
    KeyBar > Static {
        link-color: $footer-key-foreground;
        link-style: bold;
        link-background: $footer-background;
    }
    KeyBar > #keys {
        width: 1fr;
        padding: 0 1;
    }
    KeyBar > #palette {
        width: auto;
        padding: 0 1;
        border-left: vkey $foreground 20%;
    }
    """

    def __init__(self, bindings: Iterable[BindingType], namespace: str = "app") -> None:
        super().__init__()
        self.bindings = list(bindings)
        self.namespace = namespace
        self.hints = key_hints(self.bindings, namespace)
        self.offered: tuple[Binding, str] | None = None
        self.hidden: frozenset[str] = frozenset()  # keys that do nothing where the focus is
        self.leading: tuple[Binding, ...] = ()  # the focused widget's own keys, shown first

    def compose(self) -> ComposeResult:
        yield Static(self.hints, id="keys")
        yield Static(PALETTE, id="palette")

    def offer(self, binding: Binding | None, after: str = "") -> None:
        """Show one more key while it can do something (z while there is a delete to undo),
        after the key `after`; None takes it away again."""
        offered = (binding, after) if binding is not None else None
        if offered == self.offered:
            return
        self.offered = offered
        self._draw()

    def focus_keys(self, hidden: frozenset[str] = frozenset(), leading: tuple[Binding, ...] = ()) -> None:
        """Only the keys that act where the focus is: `hidden` ones left out (a key that would
        only say it cannot act here), the focused widget's own `leading` ones first."""
        if (hidden, leading) == (self.hidden, self.leading):
            return
        self.hidden, self.leading = hidden, leading
        self._draw()

    def _draw(self) -> None:
        shown: list[BindingType] = [
            *self.leading,
            *(b for b in self.bindings if not (isinstance(b, Binding) and b.key in self.hidden)),
        ]
        keys = [b.key if isinstance(b, Binding) else "" for b in shown]
        if self.offered is not None:
            binding, after = self.offered
            offered_already = any(isinstance(b, Binding) and b.show and b.key == binding.key for b in shown)
            if not offered_already and binding.key not in self.hidden:
                shown.insert(keys.index(after) + 1 if after in keys else len(shown), binding)
        hints = key_hints(shown, self.namespace)
        if hints == self.hints:
            return
        self.hints = hints
        for keys_line in self.query("#keys").results(Static):
            keys_line.update(self.hints)

    def on_resize(self) -> None:
        # At 80 columns the keys need the room more than the palette's name does.
        for palette in self.query("#palette").results(Static):
            palette.update(PALETTE if self.size.width >= 90 else PALETTE_SHORT)
