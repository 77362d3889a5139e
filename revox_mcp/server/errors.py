"""The one translation of typed failures into what a model reads, and the per-call deadline.

Every tool and resource handler runs through ``answered`` once (tools by ``registration``,
resources by ``resource_read``), never a try/except per handler: Revox and input errors become one
or two actionable sentences; a call that would outlive its deadline (``Settings.call_deadline``)
answers with a timeout message instead. No traceback, raw upstream body, header or key ever
reaches the model.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from typing import ParamSpec, TypeVar

import anyio
from mcp.server.mcpserver.exceptions import ResourceError, ResourceNotFoundError, ToolError

from revox_mcp.domain.render.waits import wait_words
from revox_mcp.errors import (
    InputError,
    RevoxAuthError,
    RevoxError,
    RevoxNotFoundError,
    RevoxPendingError,
    RevoxRateLimitError,
    RevoxRefusalError,
    RevoxResponseError,
    RevoxStatusError,
    RevoxTimeoutError,
    RevoxUnavailableError,
)
from revox_mcp.server.state import current_state

P = ParamSpec("P")
R = TypeVar("R")


def error_message(exc: RevoxError | InputError) -> str:
    """One actionable sentence or two for each failure; never a body, a header or the key."""
    if isinstance(exc, InputError):
        return str(exc)
    if isinstance(exc, RevoxAuthError):
        return (
            f"Revox rejected the API key (HTTP {exc.status}). Check REVOX_API_KEY in this MCP server's "
            "configuration (create a key in the Revox dashboard), then restart the server."
        )
    if isinstance(exc, RevoxNotFoundError):
        shown = _redact_text(exc.ident)[:80]
        return f"No {exc.kind} with id {shown!r}. {exc.how_to_find}".rstrip()
    if isinstance(exc, RevoxRateLimitError):
        wait = f"retry in {wait_words(exc.retry_after)}" if exc.retry_after is not None else "retry in a minute"
        return f"Revox is rate limiting requests (HTTP 429): {wait}."
    if isinstance(exc, RevoxRefusalError):
        return f"{exc}: this key may not read it (ask for that permission in the Revox dashboard)."
    if isinstance(exc, RevoxPendingError):
        return f"{exc}."
    if isinstance(exc, RevoxTimeoutError):
        return f"Revox did not answer in time ({exc.reason}). It may be slow or down: retry in a minute."
    if isinstance(exc, RevoxUnavailableError):
        return (
            f"Revox is unavailable right now ({exc.reason}). Retry in a minute; if it persists, "
            "check REVOX_BASE_URL and the network."
        )
    if isinstance(exc, RevoxResponseError):
        return (
            f"Revox sent an unexpected answer ({exc.reason}). Usually temporary: retry; if it persists, "
            "check that REVOX_BASE_URL points at the Revox API."
        )
    if isinstance(exc, RevoxStatusError) and exc.status == 404:
        return "Revox answered HTTP 404 for a listing: REVOX_BASE_URL probably does not point at the Revox API."
    if isinstance(exc, RevoxStatusError):
        return f"Revox refused the request (HTTP {exc.status})."
    return "Revox could not answer."


def timeout_text(deadline: float) -> str:
    return (
        f"No answer within {deadline:g} s: Revox is too slow right now. "
        "Retry in a minute; cached data is served as soon as some exists."
    )


async def answered(
    work: Callable[[], Awaitable[R]],
    *,
    deadline: float,
    failure: Callable[[str], Exception] = ToolError,
    not_found: Callable[[str], Exception] = ToolError,
) -> R:
    """``work()`` within ``deadline`` seconds; its typed failures raised as ``failure``/``not_found`` of
    their message (tools: ToolError for both; resources: ResourceError, ResourceNotFoundError)."""
    try:
        with anyio.fail_after(deadline):
            return await work()
    except TimeoutError:
        raise failure(timeout_text(deadline)) from None
    except RevoxNotFoundError as exc:
        raise not_found(error_message(exc)) from None
    except (RevoxError, InputError) as exc:
        raise failure(error_message(exc)) from None


def resource_read(handler: Callable[P, Awaitable[R]]) -> Callable[P, Awaitable[R]]:
    """Run a resource handler inside the call deadline; an unknown id is ResourceNotFoundError, else ResourceError."""

    @functools.wraps(handler)
    async def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        return await answered(
            lambda: handler(*args, **kwargs),
            deadline=current_state().settings.call_deadline,
            failure=ResourceError,
            not_found=ResourceNotFoundError,
        )

    return wrapper


def _redact_text(text: str) -> str:
    """The redactor, loaded when first needed (an echo of a caller's argument in an error)."""
    from revox_mcp.domain.redaction import redact_text

    return redact_text(text)
