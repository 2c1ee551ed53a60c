from __future__ import annotations

import datetime as dt

import pytest

from coachtui.api.models import Action, CoachingSession, Goal, Status, User


@pytest.mark.parametrize(
    ("raw", "micro"),
    [
        ("2026-01-13T10:25:09Z", 0),
        ("2026-01-13T10:25:09.123Z", 123000),
        ("2026-01-13T10:25:09.123456Z", 123456),
        ("2026-01-13T10:25:09.123456789Z", 123456),
    ],
)
def test_offset_timestamps_with_any_fraction(raw: str, micro: int) -> None:
    action = Action.model_validate(
        {"id": "a", "coaching_session_id": "s", "status": "NotStarted", "created_at": raw, "due_by": raw}
    )
    assert action.created_at == dt.datetime(2026, 1, 13, 10, 25, 9, micro, tzinfo=dt.UTC)
    assert action.due_by is not None and action.due_by.utcoffset() == dt.timedelta(0)


def test_naive_session_date_is_utc() -> None:
    session = CoachingSession.model_validate(
        {"id": "s", "coaching_relationship_id": "r", "date": "2026-01-20T15:00:00"}
    )
    assert session.date == dt.datetime(2026, 1, 20, 15, 0, tzinfo=dt.UTC)


def test_seed_and_head_goals_load_into_one_model() -> None:
    seed = Goal.model_validate(
        {
            "id": "g1",
            "coaching_session_id": "s1",
            "user_id": "u",
            "title": "Ship v1",
            "body": None,
            "status": "InProgress",
            "status_changed_at": "2026-01-13T10:25:09.123456Z",
            "completed_at": None,
            "created_at": "2026-01-13T10:25:09Z",
            "updated_at": "2026-01-13T10:25:09Z",
        }
    )
    head = Goal.model_validate(
        {
            "id": "g2",
            "coaching_relationship_id": "r1",
            "created_in_session_id": None,
            "user_id": "u",
            "title": None,
            "body": None,
            "status": "OnHold",
            "target_date": "2026-03-31",
            "created_at": "2026-01-13T10:25:09Z",
            "updated_at": "2026-01-13T10:25:09Z",
            "brand_new_field": 1,
        }
    )
    assert seed.coaching_session_id == "s1" and seed.status is Status.IN_PROGRESS
    assert head.coaching_relationship_id == "r1" and head.status is Status.ON_HOLD
    assert head.target_date == dt.date(2026, 3, 31)


def test_missing_optional_fields_are_fine() -> None:
    action = Action.model_validate({"id": "a", "coaching_session_id": "s", "status": "WontDo"})
    assert action.assignee_ids == [] and action.goal_id is None and action.due_by is None
    assert User.model_validate({"id": "u", "first_name": "Jim", "last_name": "H"}).name == "Jim H"
    assert Status.WONT_DO.label == "Won't Do"
