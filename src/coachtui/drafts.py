"""Unsaved editor text, kept on disk until the server has it, so a crash, a killed terminal or `q`
loses nothing: the next time the session opens, the draft is offered back.

Keyed by server URL (scheme included), user and session: another account on the same machine
and server is never offered your text. Under that, one private file (0600, written atomically)
per item per window, named by hashes so no id shows in a file name: two windows on one session
never overwrite each other's drafts, each writes only its own files. Writes are debounced:
typing costs one write per pause, not one per key.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import json
import logging
import os
import secrets
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


def _digest(*parts: str) -> str:
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:24]


class Drafts:
    """The drafts of one user in one session on one server, as this window sees them: its own,
    and those other windows (or a crashed run) left."""

    def __init__(
        self,
        directory: Path,
        server: str,
        user_id: str | None,
        session_id: str,
        *,
        delay: float = WRITE_DELAY,
    ) -> None:
        self.directory = directory / "drafts" / _digest(server, user_id or "", session_id)
        self.delay = delay
        self._writer = f"{os.getpid()}-{secrets.token_hex(4)}"  # this window's files
        self._found: dict[Path, Draft] = self._read()  # written by others (or before a crash)
        self._mine: dict[str, Draft] = {}
        self._dirty: set[str] = set()  # keys of ours to write (or to delete: not in _mine)
        self._pending: asyncio.TimerHandle | None = None

    def _file(self, key: str) -> Path:
        return self.directory / f"{_digest(key)}-{self._writer}.json"

    def _read(self) -> dict[Path, Draft]:
        found: dict[Path, Draft] = {}
        try:
            paths = sorted(self.directory.glob("*.json"), key=lambda p: p.stat().st_mtime)
        except OSError:
            return found
        for path in paths:
            try:
                d = json.loads(path.read_text(encoding="utf-8"))
                found[path] = Draft(
                    Pane(d["pane"]), d.get("item_id"), dict(d["values"]), d.get("base"), d.get("saved_at", "")
                )
            except FileNotFoundError:
                continue  # its window saved it meanwhile
            except (ValueError, KeyError, TypeError, OSError, RecursionError):
                log.warning("a drafts file could not be read; it is left as it is")
        return found

    def all(self) -> list[Draft]:
        """Ours, then the others' (oldest first), one per item: ours wins."""
        seen = set(self._mine)
        others = []
        for draft in self._found.values():
            if draft.key not in seen:
                seen.add(draft.key)
                others.append(draft)
        return [*self._mine.values(), *others]

    def put(self, draft: Draft) -> None:
        """Keep `draft` (written after a short pause in typing)."""
        stamped = Draft(
            draft.pane, draft.item_id, draft.values, draft.base, dt.datetime.now(dt.UTC).isoformat()
        )
        self._mine[stamped.key] = stamped
        self._dirty.add(stamped.key)
        self._schedule()

    def drop(self, key: str) -> None:
        """The server has it (or the user discarded it): forget it now, ours and what was left
        for the same item by earlier windows."""
        for path in [p for p, d in self._found.items() if d.key == key]:
            del self._found[path]
            path.unlink(missing_ok=True)
        if self._mine.pop(key, None) is not None or key in self._dirty:
            self._dirty.add(key)
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
        """Write what changed now (also called on quit)."""
        if self._pending is not None:
            self._pending.cancel()
            self._pending = None
        dirty, self._dirty = self._dirty, set()
        for key in dirty:
            try:
                draft = self._mine.get(key)
                if draft is not None:
                    top = self.directory.parent  # (write_private makes only the last one 0700)
                    top.mkdir(parents=True, exist_ok=True, mode=0o700)
                    top.chmod(0o700)
                    write_private(self._file(key), json.dumps(_plain(draft)))
                else:
                    self._file(key).unlink(missing_ok=True)
            except OSError as exc:
                self._dirty.add(key)
                log.warning("drafts could not be written: %s", type(exc).__name__)


def _plain(draft: Draft) -> dict[str, Any]:
    data = asdict(draft)
    data["pane"] = draft.pane.value
    return data
