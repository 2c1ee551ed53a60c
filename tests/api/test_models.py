from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from coachtui.api.errors import UnexpectedResponse
from coachtui.api.models import Action, CoachingSession, CollabToken, EnrichedSession, Goal, Status, User
from coachtui.api.records import Invalid, Record
from coachtui.api.responses import parse_list, parse_one


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


# -- the records' decoder: what pydantic refused is refused, in one sentence, never a crash ------

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=40),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)
ACTION = {"id": "a", "coaching_session_id": "s", "status": "InProgress", "due_by": "2026-01-13T10:25:09Z"}


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("id", 7),
        ("id", None),
        ("body", ["a list"]),
        ("status", "Finished"),
        ("status", 3),
        ("due_by", "next Tuesday"),
        ("due_by", {"at": 1}),
        ("due_by", "9" * 200),
        ("assignee_ids", "u1"),
        ("assignee_ids", [1, 2]),
    ],
)
def test_a_field_of_the_wrong_kind_is_refused_with_its_name_not_its_value(field: str, value: object) -> None:
    with pytest.raises(Invalid) as refused:
        Action.model_validate({**ACTION, field: value})
    assert str(refused.value).startswith(f"Action.{field} ") and repr(value) not in str(refused.value)


def test_a_missing_field_or_a_non_object_is_refused_and_the_client_says_so_in_a_sentence() -> None:
    with pytest.raises(Invalid, match="coaching_session_id is missing"):
        Action.model_validate({"id": "a"})
    for data in (None, "text", 3, {"id": "a"}, ["text"], [{"id": "a"}, {"id": "b"}]):
        with pytest.raises(UnexpectedResponse, match=r"^h sent a list of actions in an unexpected shape\.$"):
            parse_list(Action, data, "h")
    # One record that does not read, among others that do, is left out and counted.
    read = parse_list(Action, [ACTION, "text", {"id": "a"}, ACTION], "h")
    assert (len(read), read.unreadable) == (2, 2)
    with pytest.raises(UnexpectedResponse, match=r"^h sent a coaching session in an unexpected shape\.$"):
        parse_one(CoachingSession, {"id": "s", "coaching_relationship_id": "r", "date": None}, "h")


@settings(max_examples=300, deadline=None)
@given(
    st.sampled_from([Action, Goal, EnrichedSession, User]),
    st.dictionaries(
        st.sampled_from(
            [
                "id",
                "coaching_session_id",
                "coaching_relationship_id",
                "date",
                "status",
                "due_by",
                "target_date",
                "assignee_ids",
                "coach",
                "roles",
                "title",
                "duration_minutes",
            ]
        ),
        json_values,
    ),
)
def test_any_json_is_a_record_or_refused(model: type[Record], data: dict[str, object]) -> None:
    try:
        record = model.model_validate(data)
    except Invalid:
        return
    assert record.model_validate(record.model_dump()) == record  # what it holds reads back the same


def test_copies_dumps_and_secrets() -> None:
    action = Action.model_validate({**ACTION, "unknown_field": 1})
    assert action.model_fields_set == {"id", "coaching_session_id", "status", "due_by"}
    assert action.model_dump(exclude_unset=True)["due_by"] == dt.datetime(
        2026, 1, 13, 10, 25, 9, tzinfo=dt.UTC
    )
    done = action.model_copy(update={"status": Status.COMPLETED})
    assert done.status is Status.COMPLETED and action.status is Status.IN_PROGRESS and done != action
    assert done.model_dump(mode="json")["status"] == "Completed"
    with pytest.raises(dataclasses.FrozenInstanceError):
        action.body = "changed"  # type: ignore[misc]
    token = CollabToken.model_validate({"token": "s3cret", "sub": "doc"})
    assert "s3cret" not in repr(token) and "s3cret" not in str(token.model_dump(mode="json"))
    assert token.token.get_secret_value() == "s3cret"


def test_timestamps_read_aware_and_only_the_edges_of_time_are_refused() -> None:
    def due(value: str) -> object:
        return Action.model_validate({"id": "a", "coaching_session_id": "s", "due_by": value}).due_by

    utc = dt.UTC
    assert due("2026-01-20T06:00:00") == dt.datetime(2026, 1, 20, 6, tzinfo=utc)  # naive: UTC
    assert due("2026-01-13T10:25:09.123456789Z") == dt.datetime(2026, 1, 13, 10, 25, 9, 123456, tzinfo=utc)
    assert due("9999-06-01T00:00:00Z") == dt.datetime(9999, 6, 1, tzinfo=utc)  # a backend stores it
    for edge in ("9999-12-31T23:59:59-23:59", "0001-01-01T00:00:00+23:59", "0000-01-01T00:00:00Z"):
        with pytest.raises(Invalid):
            due(edge)
