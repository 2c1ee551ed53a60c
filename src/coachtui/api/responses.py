"""Reading the backend's answers: status codes to typed errors, the envelope, and models."""

from __future__ import annotations

import json
from typing import Any, TypeVar

import httpx
from pydantic import BaseModel, TypeAdapter, ValidationError

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

LOGIN_HINT = "run `coachtui login`"
M = TypeVar("M", bound=BaseModel)


def _body_text(response: httpx.Response) -> str:
    try:
        return response.text.strip()[:200]
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
    code = _json_error_code(response)
    if status in (409, 422) and code is not None:
        raise Conflict(f"{host} refused the change ({code}).", status=status, code=code)
    raise BadRequest(f"{host} rejected the request (HTTP {status}).", status=status)


def _json_error_code(response: httpx.Response) -> str | None:
    try:
        body = response.json()
    except (ValueError, UnicodeDecodeError):
        return None
    if isinstance(body, dict) and isinstance(body.get("error"), str):
        return str(body["error"])[:64]
    return None


def unwrap(response: httpx.Response, host: str) -> Any:
    """The envelope's `data`, or the bare body for the DELETE exceptions of the contract."""
    if not response.content:
        return None
    try:
        body = json.loads(response.content)
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


def parse_one(model: type[M], data: Any, host: str) -> M:
    try:
        return model.model_validate(data)
    except ValidationError:
        raise UnexpectedResponse(f"{host} sent a {model.__name__.lower()} in an unexpected shape.") from None


def parse_list(model: type[M], data: Any, host: str) -> list[M]:
    try:
        return TypeAdapter(list[model]).validate_python(data)  # type: ignore[valid-type]
    except ValidationError:
        raise UnexpectedResponse(
            f"{host} sent a list of {model.__name__.lower()}s in an unexpected shape."
        ) from None
