"""A local backend that behaves like the refactor-platform server on the wire. Never imports Textual.

Runs on starlette, uvicorn and sse-starlette, which every install of coachtui brings (so that
`coachtui demo` works right after `pipx install`); `require_server_extra()` turns an install that
lacks them anyway (`pip install --no-deps`, a package removed by hand) into one readable line.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Iterable

SERVER_MODULES = ("starlette", "uvicorn", "sse_starlette")


def server_missing_message(missing: Iterable[str]) -> str:
    names = ", ".join(m.replace("_", "-") for m in missing)
    return (
        f"the built-in local server needs {names}, which this install of coachtui lacks; reinstall it: "
        "`pipx reinstall coachtui`, `uv tool install --reinstall coachtui` or `pip install coachtui`"
    )


class ServerExtraMissing(ImportError):
    pass


def require_server_extra() -> None:
    missing = [m for m in SERVER_MODULES if importlib.util.find_spec(m) is None]
    if missing:
        raise ServerExtraMissing(server_missing_message(missing))
