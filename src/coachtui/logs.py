"""Logging: silent by default; --debug or COACHTUI_LOG=debug writes a rotated file.

What is logged is shapes, never content: states, event type names, counts, methods, status
codes, timings. Callers keep it that way (server text only through `text.log_value`); `redact`
is the last line of defence for cookies and tokens, on the formatted line, arguments included.
"""

from __future__ import annotations

import logging
import logging.handlers
import os
import re
from pathlib import Path
from typing import Any

from coachtui.config import log_dir
from coachtui.text import inert

_COOKIE = re.compile(r"(id=)[A-Za-z0-9_\-]{8,}")
_JWT = re.compile(r"eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*")  # a notes token


def redact(message: str) -> str:
    """A log line without cookies or tokens, one inert line (no terminal escapes for `tail`)."""
    return inert(_JWT.sub("<redacted>", _COOKIE.sub(r"\1<redacted>", message)), limit=2000)


class _Redact(logging.Filter):
    """On the whole message, arguments included (a `%s` can carry a cookie as well as the
    format string can)."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a caller's bad format: the format alone, still redacted
            message = str(record.msg)
        record.msg, record.args = redact(message), None
        return True


class _PrivateFileHandler(logging.handlers.RotatingFileHandler):
    """The log and its rotated copies are the user's only (0600), like the credentials."""

    def _open(self) -> Any:
        fd = os.open(self.baseFilename, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        os.fchmod(fd, 0o600)  # a file made before (0644 by an older version) becomes private too
        return os.fdopen(fd, "a", encoding=self.encoding, errors=self.errors)


def setup_logging(debug: bool) -> Path | None:
    root = logging.getLogger("coachtui")
    root.propagate = False
    for old in list(root.handlers):  # idempotent: a second call replaces, never doubles
        root.removeHandler(old)
        old.close()
    if not (debug or os.environ.get("COACHTUI_LOG", "").lower() == "debug"):
        root.addHandler(logging.NullHandler())
        root.setLevel(logging.WARNING)
        return None
    directory = log_dir()
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    path = directory / "coachtui.log"
    handler = _PrivateFileHandler(path, maxBytes=1_000_000, backupCount=3, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(_Redact())
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    return path
