"""Rich styles for what Textual's CSS cannot reach (table cells, the status line), from the theme.

Table cells and the status line are Rich renderables, which know no `$variables`; these styles are
read from the current theme's text colours (`$text-success` and friends, which themes choose to
be readable on their own background) and rebuilt when the theme changes.
"""

from __future__ import annotations

import re
from typing import Any

_HEX = re.compile(r"#[0-9A-Fa-f]{6}")

# name: (theme variable, fallback when the theme gives no plain colour, e.g. ANSI themes)
_COLOURS = {
    "success": ("text-success", "green"),
    "warning": ("text-warning", "yellow"),
    "error": ("text-error", "red"),
    "accent": ("text-accent", "cyan"),
    "primary": ("text-primary", "blue"),
}


def theme_styles(app: Any) -> dict[str, str]:
    """Colour name → Rich colour for the app's current theme."""
    variables: dict[str, str] = app.get_css_variables()
    styles = {}
    for name, (variable, fallback) in _COLOURS.items():
        value = variables.get(variable, "")
        styles[name] = value if _HEX.fullmatch(value) else fallback
    return styles
