"""What may be changed here, now: one answer from the backend era, the session header, who I am
and the time. The editing keys ask it before anything is shown or sent (and say its reason);
the web app's rules (§5.6) and the January 2026 backend's gaps are written here once."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from coachtui.api.models import EnrichedSession, Era
from coachtui.live.events import Pane

SEED = "This server (January 2026 version)"
KINDS = {Pane.GOALS: "goals", Pane.AGREEMENTS: "agreements", Pane.ACTIONS: "actions"}


class EditRefused(Exception):
    """The change cannot be made here and nothing was sent; the message says why."""


@dataclass(frozen=True)
class Capabilities:
    era: Era | None
    header: EnrichedSession | None
    me: str | None
    now: dt.datetime

    @property
    def locked(self) -> bool:
        """From the end of the session's day (in this machine's time zone) the coachee can no
        longer change goals and agreements nor delete actions; the coach always can."""
        session = self.header
        if session is None or session.coachee is None or session.coachee.id != self.me:
            return False
        day_end = dt.datetime.combine(
            session.date.astimezone().date() + dt.timedelta(days=1),
            dt.time(),
            tzinfo=self.now.astimezone().tzinfo,
        )
        return self.now >= day_end

    def refusal(self, what: str, pane: Pane) -> str:
        """Why `what` ("edit", "delete", "link") on `pane` cannot be done here ("": it can)."""
        seed = self.era is Era.SEED
        if seed and pane is Pane.HEADER:
            return f"{SEED} has no session titles to edit."
        if seed and what == "link":
            return f"{SEED} cannot link goals to sessions."
        if seed and pane is Pane.GOALS and what == "delete":
            return f"{SEED} cannot remove goals."
        if self.locked and (
            pane in (Pane.GOALS, Pane.AGREEMENTS) or (pane is Pane.ACTIONS and what == "delete")
        ):
            verb = "delete" if what == "delete" else "change"
            return f"The session is over: only the coach can {verb} its {KINDS[pane]} now."
        return ""

    def check(self, what: str, pane: Pane) -> None:
        reason = self.refusal(what, pane)
        if reason:
            raise EditRefused(reason)
