"""Where coachtui keeps its files and which server it talks to."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP = "coachtui"
DEFAULT_SERVER = "http://localhost:4000"


def config_dir() -> Path:
    """COACHTUI_CONFIG_DIR wins (tests, the demo); else the platform's user config dir (XDG aware)."""
    override = os.environ.get("COACHTUI_CONFIG_DIR")
    return Path(override) if override else platformdirs.user_config_path(APP)


def log_dir() -> Path:
    override = os.environ.get("COACHTUI_LOG_DIR")
    return Path(override) if override else platformdirs.user_log_path(APP)


def state_dir() -> Path:
    """Drafts of unsaved edits live here; COACHTUI_STATE_DIR wins."""
    override = os.environ.get("COACHTUI_STATE_DIR")
    return Path(override) if override else platformdirs.user_state_path(APP)


def server_from_env() -> str | None:
    value = os.environ.get("COACHTUI_SERVER", "").strip()
    return value or None
