"""Logging: silent by default; --debug or COACHTUI_LOG=debug writes a rotated file.

What is logged is shapes, never content: states, event type names, counts, methods, status
codes, timings. Callers keep it that way; `redact` is the last line of defence for cookies.
"""

from __future__ import annotations

import logging
import logging.handlers
import os
import re
from pathlib import Path

from coachtui.config import log_dir

_COOKIE = re.compile(r"(id=)[A-Za-z0-9_\-]{8,}")


class _Redact(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = _COOKIE.sub(r"\1<redacted>", str(record.msg))
        return True


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
    handler = logging.handlers.RotatingFileHandler(path, maxBytes=1_000_000, backupCount=3, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(_Redact())
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    return path
