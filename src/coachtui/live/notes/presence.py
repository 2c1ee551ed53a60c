"""Who has the session open: the web app's `presence` awareness field, read and written the same way.

Each browser announces `{"presence": {userId, name, relationshipRole, color, isConnected, status,
lastSeen}}` and renews it every 15 s; a state not renewed for 30 s is gone (y-protocols), and the
server drops a connection's state when its socket closes. As the web app does, a participant
once seen and now gone is "away since" then; one never seen is unknown.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from coachtui.text import inert

EXPIRE_AFTER = 30.0  # seconds without renewal before a remote state is dropped (y-protocols)
RENEW_EVERY = 15.0  # seconds between renewals of our own state (also the keep-alive)
COLORS = {"Coach": "#3B82F6", "Coachee": "#10B981"}  # the web app's role colours
MAX_REMOTE = 64  # awareness states kept (a session has two people, a few tabs each)
MAX_STATE = 16 * 1024  # characters of one state read; a larger one counts as absent
MAX_LAST_SEEN = 64  # people remembered as "away since"


class Here(StrEnum):
    HERE = "here"
    AWAY = "away"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class Presence:
    role: str  # "Coach" | "Coachee"
    state: Here
    since: dt.datetime | None = None  # for AWAY: when they were last seen

    def describe(self) -> str:
        if self.state is Here.AWAY and self.since is not None:
            try:
                return f"away since {self.since.astimezone().strftime('%H:%M')}"
            except (OverflowError, ValueError):  # a time at the edge of the calendar
                return "away"
        return self.state.value


def announcement(user_id: str, name: str, role: str, now: dt.datetime) -> dict[str, Any]:
    """Our own awareness state, exactly the web app's shape (src/types/presence.ts)."""
    return {
        "presence": {
            "userId": user_id,
            "name": name,
            "relationshipRole": role,
            "color": COLORS.get(role, "#3B82F6"),
            "isConnected": True,
            "status": "connected",
            "lastSeen": now.astimezone(dt.UTC).isoformat().replace("+00:00", "Z"),
        }
    }


@dataclass
class _Remote:
    clock: int
    state: dict[str, Any] | None
    renewed: float  # monotonic


class Roster:
    """Remote awareness states, and per role who is here (the header's dots)."""

    def __init__(self, own_client: int) -> None:
        self.own_client = own_client
        self._remote: dict[int, _Remote] = {}
        self._last_seen: dict[str, tuple[str, dt.datetime]] = {}  # user id → (role, when last here)

    def apply(self, updates: list[tuple[int, int, str]], monotonic: float, now: dt.datetime) -> bool:
        """Apply an awareness update; True if who is here may have changed."""
        changed = False
        for client, clock, raw in updates:
            if client == self.own_client:
                continue
            known = self._remote.get(client)
            if known is not None and clock < known.clock:
                continue  # an older state than the one we have
            if known is None and len(self._remote) >= MAX_REMOTE:
                continue  # a flood of made-up clients: the first ones stay, the rest are not kept
            try:
                state = json.loads(raw) if len(raw) <= MAX_STATE else None
            except (ValueError, RecursionError):  # (RecursionError: nested beyond the stack)
                state = None
            if not isinstance(state, dict):
                state = None  # "null": the client left
            if known is not None and known.state is not None and state is None:
                self._left(known.state, now)
            if state is None:
                changed = changed or self._remote.pop(client, None) is not None
            else:
                self._remote[client] = _Remote(clock, state, monotonic)
                changed = True
        return changed

    def expire(self, monotonic: float, now: dt.datetime) -> bool:
        """Drop states not renewed for 30 s; True if any was."""
        stale = [c for c, r in self._remote.items() if monotonic - r.renewed > EXPIRE_AFTER]
        for client in stale:
            state = self._remote.pop(client).state
            if state is not None:
                self._left(state, now)
        return bool(stale)

    def clear(self, now: dt.datetime) -> None:
        """The connection closed: every remote state is gone (as the JS provider does)."""
        for remote in self._remote.values():
            if remote.state is not None:
                self._left(remote.state, now)
        self._remote.clear()

    def _left(self, state: dict[str, Any], now: dt.datetime) -> None:
        presence = _presence(state)
        if presence is not None:
            self._last_seen.pop(presence["userId"], None)
            self._last_seen[presence["userId"]] = (presence["relationshipRole"], now)
            while len(self._last_seen) > MAX_LAST_SEEN:  # the oldest departures go first
                del self._last_seen[next(iter(self._last_seen))]

    def by_role(self) -> dict[str, Presence]:
        """Coach and Coachee: here, away (since), or unknown — the first user found per role."""
        found: dict[str, Presence] = {}
        for remote in self._remote.values():
            presence = _presence(remote.state)
            if presence is None:
                continue
            role = presence["relationshipRole"]
            if presence.get("status") == "disconnected" or presence.get("isConnected") is False:
                since = _when(presence.get("lastSeen"))
                found.setdefault(role, Presence(role, Here.AWAY, since))
            else:
                found[role] = Presence(role, Here.HERE)
        for role, when in self._last_seen.values():
            found.setdefault(role, Presence(role, Here.AWAY, when))
        for role in ("Coach", "Coachee"):
            found.setdefault(role, Presence(role, Here.UNKNOWN))
        return found

    def names(self) -> dict[str, str]:
        """role → the name a participant announced (inert), for those here now."""
        out = {}
        for remote in self._remote.values():
            presence = _presence(remote.state)
            if presence is not None and isinstance(presence.get("name"), str):
                out[presence["relationshipRole"]] = inert(presence["name"], limit=40)
        return out


def _presence(state: dict[str, Any] | None) -> dict[str, Any] | None:
    presence = state.get("presence") if isinstance(state, dict) else None
    if not isinstance(presence, dict):
        return None
    if not isinstance(presence.get("userId"), str) or presence.get("relationshipRole") not in (
        "Coach",
        "Coachee",
    ):
        return None
    return presence


def _when(value: Any) -> dt.datetime | None:
    if not isinstance(value, str):
        return None
    try:
        when = dt.datetime.fromisoformat(value[:40].replace("Z", "+00:00"))
        when = (when if when.tzinfo is not None else when.replace(tzinfo=dt.UTC)).astimezone(dt.UTC)
    except (ValueError, OverflowError):  # `0001-01-01T00:00:00+23:59` is before the year 1 in UTC
        return None
    # Only a plausible time: one near the calendar's edges cannot be shown in every time zone.
    return when if 1970 <= when.year <= 9000 else None
