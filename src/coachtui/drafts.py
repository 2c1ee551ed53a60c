"""Unsaved editor text, kept on disk until the server has it, so a crash, a killed terminal or `q`
loses nothing: the next time the session opens, the draft is offered back.

One private file (0600, written atomically) per server and session under the state directory,
named by a hash so no id shows in a file name. Writes are debounced: typing costs one write per
pause, not one per key.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import json
import logging
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from coachtui.live.events import Pane
from coachtui.live.forms import Values
from coachtui.private_files import write_private

log = logging.getLogger(__name__)

WRITE_DELAY = 0.4  # seconds after the last key


@dataclass(frozen=True)
class Draft:
    pane: Pane  # HEADER: the session title
    item_id: str | None  # None: a new item
    values: Values  # what the editor holds
    base: Values | None  # what the server had when the editor opened (None: new)
    saved_at: str = ""

    @property
    def key(self) -> str:
        return draft_key(self.pane, self.item_id)


def draft_key(pane: Pane, item_id: str | None) -> str:
    """One draft per item (and one for a new item) of each pane."""
    return f"{pane.value}:{item_id or 'new'}"


class Drafts:
    """The drafts of one session on one server."""

    def __init__(self, directory: Path, server: str, session_id: str, *, delay: float = WRITE_DELAY) -> None:
        digest = hashlib.sha256(f"{server}\n{session_id}".encode()).hexdigest()[:24]
        self.path = directory / "drafts" / f"{digest}.json"
        self.delay = delay
        self._drafts: dict[str, Draft] = self._read()
        self._pending: asyncio.TimerHandle | None = None

    def _read(self) -> dict[str, Draft]:
        try:
            raw = json.loads(self.path.read_text(encoding="utf-8"))
            drafts = [
                Draft(
                    Pane(d["pane"]), d.get("item_id"), dict(d["values"]), d.get("base"), d.get("saved_at", "")
                )
                for d in raw
            ]
        except FileNotFoundError:
            return {}
        except (ValueError, KeyError, TypeError, OSError):
            log.warning("a drafts file could not be read; it is left as it is")
            return {}
        return {d.key: d for d in drafts}

    def all(self) -> list[Draft]:
        return list(self._drafts.values())

    def put(self, draft: Draft) -> None:
        """Keep `draft` (written after a short pause in typing)."""
        stamped = Draft(
            draft.pane, draft.item_id, draft.values, draft.base, dt.datetime.now(dt.UTC).isoformat()
        )
        self._drafts[stamped.key] = stamped
        self._schedule()

    def drop(self, key: str) -> None:
        """The server has it (or the user discarded it): forget it now."""
        if self._drafts.pop(key, None) is not None:
            self.flush()

    def _schedule(self) -> None:
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            self.flush()
            return
        if self._pending is not None:
            self._pending.cancel()
        self._pending = loop.call_later(self.delay, self.flush)

    def flush(self) -> None:
        """Write now (also called on quit)."""
        if self._pending is not None:
            self._pending.cancel()
            self._pending = None
        try:
            if self._drafts:
                write_private(self.path, json.dumps([_plain(d) for d in self._drafts.values()]))
            else:
                self.path.unlink(missing_ok=True)
        except OSError as exc:
            log.warning("drafts could not be written: %s", type(exc).__name__)


def _plain(draft: Draft) -> dict[str, Any]:
    data = asdict(draft)
    data["pane"] = draft.pane.value
    return data
