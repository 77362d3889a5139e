"""The text of revox_status, and what Revox's answer to the key check means. Pure.

"Unreachable" is said only when no answer came; an answer (404, 429, 5xx, a body that is not the
API's) is named with what it suggests doing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from revox_mcp.domain.render.tree import render_tree
from revox_mcp.domain.render.waits import wait_words
from revox_mcp.errors import (
    RevoxAuthError,
    RevoxError,
    RevoxRateLimitError,
    RevoxResponseError,
    RevoxStatusError,
    RevoxTimeoutError,
    RevoxUnavailableError,
)

CHECKED = "GET /auth-status"


@dataclass(frozen=True)
class KeyCheck:
    """What the key check found: the key's verdict (None: unknown), one sentence saying what Revox
    answered and what to do, the HTTP status Revox answered with, and the wait it asked for."""

    accepted: bool | None
    said: str
    http_status: int | None = None
    retry_after_seconds: float | None = None


def key_check(accepted: bool | None, failure: RevoxError | None) -> KeyCheck:
    """What the answer to ``GET /auth-status`` means: ``accepted`` when Revox answered 2xx, else the
    failure it raised (an auth failure is a verdict, every other one leaves the key unknown)."""
    if failure is None:
        if accepted:
            return KeyCheck(True, "accepted")
        return KeyCheck(False, f"REJECTED: Revox answered {CHECKED} without authenticating it (check REVOX_API_KEY)")
    if isinstance(failure, RevoxAuthError):
        return KeyCheck(False, f"REJECTED: Revox answered HTTP {failure.status} (check REVOX_API_KEY)", failure.status)
    if isinstance(failure, RevoxRateLimitError):
        wait = failure.retry_after
        when = f"retry in {wait_words(wait)}" if wait is not None else "retry in a minute"
        return KeyCheck(None, f"unknown: Revox is rate limiting this key (HTTP 429): {when}", 429, wait)
    if isinstance(failure, RevoxStatusError):
        if failure.status == 404:
            said = (
                f"unknown: Revox answered HTTP 404 for {CHECKED}: is REVOX_BASE_URL the Revox API "
                "(base_url above, e.g. https://www.getrevox.com/api)?"
            )
        else:
            said = f"unknown: Revox refused {CHECKED} (HTTP {failure.status})"
        return KeyCheck(None, said, failure.status)
    if isinstance(failure, RevoxTimeoutError):
        return KeyCheck(None, f"unknown: Revox did not answer in time ({failure.reason}): retry in a minute")
    if isinstance(failure, RevoxUnavailableError):
        if failure.status is not None:
            return KeyCheck(
                None, f"unknown: Revox answered HTTP {failure.status} (unavailable): retry in a minute", failure.status
            )
        return KeyCheck(None, f"unknown: Revox unreachable ({failure.reason}): check REVOX_BASE_URL and the network")
    if isinstance(failure, RevoxResponseError):
        return KeyCheck(
            None, f"unknown: Revox's answer is not the API's ({failure.reason}): is REVOX_BASE_URL the Revox API?"
        )
    return KeyCheck(None, f"unknown: {failure}")


def status_text(status: dict[str, Any]) -> str:
    """The status as ``key: value`` lines, then what Revox said of the key."""
    fields = {k: v for k, v in status.items() if k != "key_check"}
    return render_tree(fields) + f"\nAPI key: {status.get('key_check', 'not checked (no key)')}"
