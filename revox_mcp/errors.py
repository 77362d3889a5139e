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


class RevoxRefusalError(RevoxError):
    """Raised when Revox refuses one of the account's listings to this key: 403 (the key lacks that
    permission) or 404 (not offered). An answer, not a failure: cached for the TTL like data."""

    def __init__(self, what: str, status: int) -> None:
        super().__init__(f"Revox refused {what} to this key (HTTP {status})")
        self.what = what
        self.status = status


class RevoxPendingError(RevoxError):
    """Raised when a call that waits at most ``seconds`` for a fetch it can do without finds it still
    under way: the fetch goes on in the background and fills the cache for the next call."""

    def __init__(self, what: str, seconds: float) -> None:
        # Imported here: the domain package imports this module (its facts raise InputError).
        from revox_mcp.domain.render.waits import wait_words

        waited = wait_words(seconds)
        super().__init__(f"Revox has not sent {what} within {waited}; still loading: ask again in a moment")
        self.what = what
        self.seconds = seconds


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
        return f"{exc}; {next_try(exc.retry_after)}"
    return str(exc) or type(exc).__name__


def next_try(seconds: float) -> str:
    """When Revox is asked again, said as every wait is: "next try in 1 min 30 s"."""
    # Imported here, as in RevoxPendingError: the domain package imports this module.
    from revox_mcp.domain.render.waits import wait_words

    return f"next try in {wait_words(seconds)}"
