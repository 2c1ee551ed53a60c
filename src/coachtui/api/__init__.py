"""HTTP client and wire models for the refactor-platform backend. Never imports Textual."""

import coachtui.api._no_httpx_cli  # noqa: F401  (first: before httpx is imported)
from coachtui.api.client import DEFAULT_API_VERSION, ApiClient, LoginResult
from coachtui.api.errors import (
    ApiError,
    ApiVersionRejected,
    BadRequest,
    Conflict,
    Forbidden,
    InvalidCredentials,
    NetworkError,
    NotFound,
    ServerError,
    SessionExpired,
    UnexpectedResponse,
)
from coachtui.api.models import (
    Action,
    Agreement,
    CoachingSession,
    EnrichedSession,
    Era,
    Goal,
    Organization,
    Relationship,
    Status,
    User,
)

__all__ = [
    "DEFAULT_API_VERSION",
    "Action",
    "Agreement",
    "ApiClient",
    "ApiError",
    "ApiVersionRejected",
    "BadRequest",
    "CoachingSession",
    "Conflict",
    "EnrichedSession",
    "Era",
    "Forbidden",
    "Goal",
    "InvalidCredentials",
    "LoginResult",
    "NetworkError",
    "NotFound",
    "Organization",
    "Relationship",
    "ServerError",
    "SessionExpired",
    "Status",
    "UnexpectedResponse",
    "User",
]
