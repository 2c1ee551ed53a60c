"""A local backend that behaves like the refactor-platform server on the wire. Never imports Textual.

Needs the `server` extra (starlette, uvicorn, sse-starlette); `require_server_extra()` turns a
missing install into one readable line.
"""

from __future__ import annotations

import importlib.util

INSTALL_HINT = "the local backend needs the server extra: pip install 'coachtui[server]'"


class ServerExtraMissing(RuntimeError):
    pass


def require_server_extra() -> None:
    missing = [m for m in ("starlette", "uvicorn", "sse_starlette") if importlib.util.find_spec(m) is None]
    if missing:
        raise ServerExtraMissing(f"{INSTALL_HINT} (missing: {', '.join(missing)})")
