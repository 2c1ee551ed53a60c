"""How a list of sessions is ordered and described, the same in `coachtui sessions` and the picker."""

from __future__ import annotations

import datetime as dt

from coachtui.api.models import EnrichedSession

WINDOW = dt.timedelta(days=30)  # the default range: 30 days back to 30 days ahead


def session_order(rows: list[EnrichedSession], today: dt.date) -> list[EnrichedSession]:
    """Today's first (by time), then upcoming (soonest first), then past (most recent first)."""

    def key(r: EnrichedSession) -> tuple[int, float]:
        day = r.date.astimezone().date()
        ts = r.date.timestamp()
        if day == today:
            return (0, ts)
        return (1, ts) if day > today else (2, -ts)

    return sorted(rows, key=key)


def other_participant(session: EnrichedSession, me: str | None) -> str:
    """The person the user meets: the coachee for the coach, the coach for the coachee."""
    coach = session.coach.name if session.coach else "?"
    coachee = session.coachee.name if session.coachee else "?"
    if session.coachee is not None and session.coachee.id == me:
        return coach
    if session.coach is not None and session.coach.id == me:
        return coachee
    return f"{coach} → {coachee}"


def relationship_label(session: EnrichedSession) -> str:
    coach = session.coach.name if session.coach else "?"
    coachee = session.coachee.name if session.coachee else "?"
    return f"{coach} & {coachee}"


def title_of(session: EnrichedSession) -> str | None:
    return session.title or session.display_title or None
