"""A simulated coachee for the demo: a realistic change every few seconds, through the REST API.

Runs against any server (it is just a client), so the demo shows real events arriving.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import random
from collections.abc import Awaitable, Callable

from coachtui.api.client import ApiClient
from coachtui.api.errors import ApiError
from coachtui.api.models import CoachingSession, Era, Status

log = logging.getLogger(__name__)

NEW_ACTIONS = [
    "Prepare talking points for the team offsite",
    "Ask two peers for feedback on the delegation plan",
    "Block 90 minutes for deep work on Thursday",
    "Draft a one-page decision log template",
    "Review last sprint's escalations",
]
AGREEMENTS = [
    "Jordan sends a short written update before each session.",
    "We revisit the roadmap goal at the end of the month.",
    "Avery shares one article on delegation each week.",
]


async def simulate_coachee(
    base_url: str,
    email: str,
    password: str,
    session_id: str,
    *,
    interval: float = 4.0,
    rng: random.Random | None = None,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
) -> None:
    rng = rng or random.Random()
    async with ApiClient(base_url) as api:
        await api.login(email, password)
        session = await api.get_session(session_id)
        await api.session_goals(session_id)  # learns the era
        mine: list[str] = []
        while True:
            await sleep(interval)
            try:
                await _one_change(api, session, rng, mine)
            except ApiError as exc:
                log.info("simulated coachee: %s", type(exc).__name__)


async def _one_change(api: ApiClient, session: CoachingSession, rng: random.Random, mine: list[str]) -> None:
    session_id = session.id
    roll = rng.random()
    actions = await api.session_actions(session_id)
    if roll < 0.3 or not actions:
        due = dt.datetime.now(dt.UTC) + dt.timedelta(days=rng.randint(1, 14))
        created = await api.create_action(
            session_id, rng.choice(NEW_ACTIONS), due_by=due, assignee_ids=[api.user_id] if api.user_id else []
        )
        mine.append(created.id)
    elif roll < 0.6:
        action = rng.choice(actions)
        if rng.random() < 0.3 and not (action.body or "").endswith("(Jordan)"):
            # A change of text too, so a coach editing the same action meets "Changed elsewhere".
            await api.update_action(action.model_copy(update={"body": f"{action.body} (Jordan)"}))
            return
        statuses = [
            s for s in Status if s is not action.status and (api.era is Era.HEAD or s is not Status.ON_HOLD)
        ]
        await api.update_action(action.model_copy(update={"status": rng.choice(statuses)}))
    elif roll < 0.8:
        agreements = await api.session_agreements(session_id)
        if agreements and rng.random() < 0.4:
            victim = rng.choice(agreements)
            if rng.random() < 0.5:
                await api.update_agreement(victim.id, session_id, (victim.body or "") + " (confirmed)")
            else:
                await api.delete_agreement(victim.id)
        else:
            await api.create_agreement(session_id, rng.choice(AGREEMENTS))
    else:
        goals = await api.session_goals(session_id)
        if goals:
            goal = rng.choice(goals)
            new = Status.COMPLETED if goal.status is Status.IN_PROGRESS else Status.IN_PROGRESS
            try:
                await api.update_goal(goal.model_copy(update={"status": new}))
            except ApiError:
                await api.update_goal(
                    goal.model_copy(update={"title": (goal.title or "Goal").rstrip("!") + "!"})
                )
    if len(mine) > 4:
        await api.delete_action(mine.pop(0))
