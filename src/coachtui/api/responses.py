"""Reading the backend's answers: status codes to typed errors, the envelope, and models."""

from __future__ import annotations

import json
import re
from typing import Any, TypeVar

import httpx

from coachtui.api.errors import (
    ApiVersionRejected,
    BadRequest,
    Conflict,
    Forbidden,
    NotFound,
    ServerError,
    SessionExpired,
    UnexpectedResponse,
)
from coachtui.api.records import Invalid, Record
from coachtui.text import inert

LOGIN_HINT = "run `coachtui login`"
M = TypeVar("M", bound=Record)


def _body_text(response: httpx.Response) -> str:
    """The start of an error body, inert: it ends up in sentences printed to a terminal."""
    try:
        return inert(response.text[:400], limit=200)
    except UnicodeDecodeError:
        return ""


def raise_for_status(response: httpx.Response, host: str) -> None:
    status = response.status_code
    if status < 300:
        return
    if status < 400:
        # Never followed: the cookie must not travel to wherever the redirect points.
        raise UnexpectedResponse(
            f"{host} redirected the request elsewhere (HTTP {status}); check the server URL "
            "(https vs http, and whether it ends in /api).",
            status=status,
        )
    text = _body_text(response)
    if status == 401:
        raise SessionExpired(f"Your login on {host} has expired; {LOGIN_HINT}.", status=status)
    if status == 403:
        raise Forbidden("You are not allowed to see that (it belongs to someone else).", status=status)
    if status == 404:
        raise NotFound("Not found: it does not exist or was deleted.", status=status)
    if status == 400 and "x-version" in text:
        raise ApiVersionRejected(
            f"{host} rejected API version header ({text.strip('`')}); "
            "this server speaks another API version (see --api-version).",
            status=status,
        )
    if status >= 500:
        raise ServerError(f"{host} had an internal error (HTTP {status}); try again shortly.", status=status)
    body = _json_error(response)
    if status in (409, 422) and body is not None:
        code = inert(str(body["error"]), limit=64)
        goals, cap = _cap_details(body.get("details"))
        raise Conflict(
            f"{host} refused the change ({code}).",
            status=status,
            code=code,
            in_progress_goals=goals,
            max_in_progress=cap,
        )
    raise BadRequest(f"{host} rejected the request (HTTP {status}).", status=status)


def _json_error(response: httpx.Response) -> dict[str, Any] | None:
    """HEAD's structured error body, if that is what this is."""
    try:
        body = response.json()
    except (ValueError, UnicodeDecodeError, RecursionError):  # (JSON nested beyond Python's stack)
        return None
    if isinstance(body, dict) and isinstance(body.get("error"), str):
        return body
    return None


def _cap_details(details: Any) -> tuple[tuple[tuple[str, str], ...], int | None]:
    """The goal cap's details: the goals in progress (id, title) and the cap; tolerant of junk."""
    if not isinstance(details, dict):
        return (), None
    goals = []
    for goal in details.get("in_progress_goals") or ():
        if isinstance(goal, dict) and isinstance(goal.get("id"), str):
            title = goal.get("title")
            goals.append((goal["id"], title if isinstance(title, str) else ""))
    cap = details.get("max_in_progress_goals")
    return tuple(goals[:20]), cap if isinstance(cap, int) and not isinstance(cap, bool) else None


def unwrap(response: httpx.Response, host: str) -> Any:
    """The envelope's `data`, or the bare body for the DELETE exceptions of the contract."""
    if not response.content:
        return None
    try:
        body = json.loads(response.content)
    except RecursionError:
        raise UnexpectedResponse(
            f"{host} answered with JSON nested too deeply to read.", status=response.status_code
        ) from None
    except (ValueError, UnicodeDecodeError):
        raise UnexpectedResponse(
            f"{host} answered with something that is not JSON (is this the API URL?).",
            status=response.status_code,
        ) from None
    if isinstance(body, dict):
        if "status_code" in body:
            return body.get("data")
        if set(body) <= {"id", "goal_id"}:
            return body
    raise UnexpectedResponse(f"{host} answered in an unexpected shape.", status=response.status_code)


# What a person calls a record (its class name, "coachingsession", read badly in a sentence).
_NOUNS = {"EnrichedSession": "coaching session", "CollabToken": "notes token"}


def _noun(model: type[Record]) -> str:
    name = model.__name__
    return _NOUNS.get(name) or re.sub(r"(?<!^)(?=[A-Z])", " ", name).lower()


def parse_one(model: type[M], data: Any, host: str) -> M:
    try:
        return model.model_validate(data)
    except Invalid:
        noun = _noun(model)
        article = "an" if noun[0] in "aeio" else "a"  # ("a user")
        raise UnexpectedResponse(f"{host} sent {article} {noun} in an unexpected shape.") from None


class Readable(list[M]):
    """The records of a list that could be read, how many could not (`unreadable`), and the ids of
    those that had one (a record that cannot be read was not deleted: it is not told as such)."""

    unreadable: int = 0
    unreadable_ids: frozenset[str] = frozenset()


def parse_list(model: type[M], data: Any, host: str) -> Readable[M]:
    """Every record of the list that reads; one that does not is left out and counted, so one
    odd row (another participant's due date in year 9999, a field a newer backend changed) does
    not hide the others. A list none of whose records read is refused as a whole: then it is the
    answer's shape that is unexpected, and the screen keeps what it showed."""
    shape = UnexpectedResponse(f"{host} sent a list of {_noun(model)}s in an unexpected shape.")
    if not isinstance(data, list):
        raise shape
    read: Readable[M] = Readable()
    ids: set[str] = set()
    for item in data:
        try:
            read.append(model.model_validate(item))
        except Invalid:
            read.unreadable += 1
            if isinstance(item, dict) and isinstance(item.get("id"), str):
                ids.add(item["id"])
    if read.unreadable and not read:
        raise shape
    read.unreadable_ids = frozenset(ids)
    return read
