"""Typed failures. The API client raises them; the MCP edge translates them once into messages.

They never carry a response body, a header or a key: only what is safe to show a model.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

# For each kind of object: where a caller finds valid ids (named in not-found messages).
HOW_TO_FIND: Mapping[str, str] = MappingProxyType(
    {
        "assistant": "Call list_assistants (optionally with query=<name>) to find its id.",
        "call": "Call list_calls (filter with assistant_id=, status=... or query=) to find its id.",
        "campaign": "Campaigns that use an assistant are listed by diagnose_assistant(assistant_id=...).",
        "phone number": "Phone numbers that route to an assistant are listed by diagnose_assistant(assistant_id=...).",
    }
)


class RevoxError(Exception):
    """Base class: raised when the Revox API could not give a usable answer."""


class RevoxAuthError(RevoxError):
    """Raised when Revox answers 401 or 403: the API key is missing, wrong or lacks access."""

    def __init__(self, status: int) -> None:
        super().__init__(f"Revox rejected the API key (HTTP {status})")
        self.status = status


class RevoxNotFoundError(RevoxError):
    """Raised when Revox answers 404 for one object (an assistant, a call...)."""

    def __init__(self, kind: str, ident: str) -> None:
        super().__init__(f"{kind} not found")
        self.kind = kind
        self.ident = ident

    @property
    def how_to_find(self) -> str:
        return HOW_TO_FIND.get(self.kind, "")


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
    """Raised when Revox does not answer, body included, within the call's time budget."""


class RevoxResponseError(RevoxError):
    """Raised when Revox answers 2xx with a body that is not JSON, too big, or not of the expected shape."""

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


def stale_allowed(exc: BaseException) -> bool:
    """Whether the last good data may be served instead: Revox down, slow or garbled, not a wrong key or id."""
    return isinstance(exc, RevoxUnavailableError | RevoxRateLimitError | RevoxResponseError)


def reason_of(exc: BaseException) -> str:
    """A short, secret-free reason a failure can be told by (errors carry no body, header or key):
    shown with stale data, and shared with the other replicas while they back off."""
    if isinstance(exc, RevoxRateLimitError) and exc.retry_after is not None:
        return f"{exc}; next try in {max(int(exc.retry_after + 0.999), 1)} s"
    return str(exc) or type(exc).__name__
