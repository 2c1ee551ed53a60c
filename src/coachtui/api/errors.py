"""Typed API errors. Messages are for people; none ever contains a cookie, password or entity text."""

from __future__ import annotations


class ApiError(Exception):
    """Base of every error the API client raises on purpose."""

    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.status = status

    def __str__(self) -> str:
        return self.message


class SessionExpired(ApiError):
    """401: the login is gone (or, on seed-era backends, sometimes 'not yours')."""


class InvalidCredentials(ApiError):
    """401 on /login: wrong e-mail or password."""


class Forbidden(ApiError):
    """403: logged in, but not allowed to see this."""


class NotFound(ApiError):
    """404: no such thing (or no such route)."""


class ApiVersionRejected(ApiError):
    """400 about the x-version header: the server speaks another API version."""


class BadRequest(ApiError):
    """Any other 4xx the client did not expect."""


class Conflict(ApiError):
    """409/422 domain errors of the HEAD backend (goal cap, already linked, ...).

    For the goal cap (`code == "conflict"`): `in_progress_goals` lists (id, title) of the goals
    in progress, from the error's details, and `max_in_progress` the cap.
    """

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        code: str | None = None,
        in_progress_goals: tuple[tuple[str, str], ...] = (),
        max_in_progress: int | None = None,
    ) -> None:
        super().__init__(message, status=status)
        self.code = code
        self.in_progress_goals = in_progress_goals
        self.max_in_progress = max_in_progress


class ServerError(ApiError):
    """5xx: the server failed; usually worth retrying later."""


class NetworkError(ApiError):
    """The server could not be reached, or the connection broke.

    `request_sent`: the request may have reached the server (the connection broke or timed out
    after it was written), so a write's outcome is unknown and must be checked, not repeated.
    """

    def __init__(self, message: str, *, status: int | None = None, request_sent: bool = False) -> None:
        super().__init__(message, status=status)
        self.request_sent = request_sent


class UnexpectedResponse(ApiError):
    """The server answered, but not like a refactor-platform backend (not JSON, wrong shape)."""
