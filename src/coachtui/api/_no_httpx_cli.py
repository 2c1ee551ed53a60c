"""Imported before httpx: keeps httpx's command-line client out of coachtui's start-up.

httpx imports its CLI (click and pygments, ~50 ms of CPU at every start) from its package
`__init__`, and offers a stub `httpx.main` instead when that import fails; coachtui never runs
httpx's CLI. None in sys.modules makes exactly that one import fail (Python's documented way to
block an import); once httpx is imported this changes nothing."""

import sys

if "httpx" not in sys.modules:
    sys.modules.setdefault("httpx._main", None)  # type: ignore[arg-type]
