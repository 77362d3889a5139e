"""Typed failures. The client raises them; the MCP edge translates them once into messages.

They never carry a response body, a header or the API key: only what is safe to show a model.
"""

from __future__ import annotations


class RevoxError(Exception):
    """Base class: raised when the Revox API could not give a usable answer."""


class RevoxAuthError(RevoxError):
    """Raised when Revox answers 401 or 403: the API key is missing, wrong or lacks access."""

    def __init__(self, status: int) -> None:
        super().__init__(f"Revox rejected the API key (HTTP {status})")
        self.status = status


class RevoxNotFoundError(RevoxError):
    """Raised when Revox answers 404 for an assistant id."""

    def __init__(self, assistant_id: str) -> None:
        super().__init__("assistant not found")
        self.assistant_id = assistant_id


class RevoxRateLimitError(RevoxError):
    """Raised when Revox answers 429 and waiting would not fit the call's time budget."""

    def __init__(self, retry_after: float | None) -> None:
        super().__init__("Revox rate limit reached")
        self.retry_after = retry_after


class RevoxUnavailableError(RevoxError):
    """Raised on 5xx answers and connection failures, once retries are spent."""

    def __init__(self, reason: str, status: int | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.status = status


class RevoxTimeoutError(RevoxUnavailableError):
    """Raised when Revox does not answer within the request timeout or the call's time budget."""


class RevoxResponseError(RevoxError):
    """Raised when Revox answers 2xx with a body that is not JSON or not of the expected shape."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class RevoxStatusError(RevoxError):
    """Raised on any other non-2xx status (400, 409, 422, ...)."""

    def __init__(self, status: int) -> None:
        super().__init__(f"Revox answered HTTP {status}")
        self.status = status


class InputError(ValueError):
    """Raised when a tool or resource argument is invalid; the message says how to fix it."""
