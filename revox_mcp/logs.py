"""Logging: to stderr only (on stdio, stdout belongs to the protocol), every line scrubbed.

Whoever emits a record (httpx printing a request URL, uvicorn, the MCP SDK, us), it is written by
the one root handler, whose formatter scrubs the whole line, traceback included, before it is
written: the known secrets (API key, bearer token, Redis URL and its password) and, through the
domain's ``Redactor``, credentials by their structure (user info and credential query values in
URLs, bearer tokens, key formats). A ``REVOX_BASE_URL`` of ``https://user:pw@host/?gateway_key=...``
is logged as ``https://[REDACTED]:[REDACTED]@host/?gateway_key=[REDACTED]``.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterable
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from revox_mcp.domain.redaction import Redactor

LogLevel = Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"]
LINE_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
# Libraries that log every request at INFO: quiet unless the server itself logs at DEBUG.
CHATTY = ("httpx", "httpcore", "httpx2", "httpcore2", "uvicorn.access")


class ScrubbingFormatter(logging.Formatter):
    """Formats a record, then masks every secret in the whole text (message, traceback, stack)."""

    def __init__(self, fmt: str, secrets: Iterable[str]) -> None:
        super().__init__(fmt)
        # Longest first, so that a secret containing another is masked whole. Masked wherever it shows
        # from 4 characters on (shorter, it would mask letters everywhere; in a URL it is masked anyway).
        self._secrets = sorted({secret for secret in secrets if len(secret) >= 4}, key=len, reverse=True)
        self._redactor: Redactor | None = None

    def format(self, record: logging.LogRecord) -> str:
        return self.scrub(super().format(record))

    def scrub(self, text: str) -> str:
        if self._redactor is None:
            # The redactor's pattern tables are loaded with the first line logged, not at start.
            from revox_mcp.domain.redaction import Redactor

            self._redactor = Redactor(self._secrets)
        text = self._redactor.text(text)
        for secret in self._secrets:  # the redactor ignores values too short to match safely; a log line does not
            text = text.replace(secret, "[REDACTED]")
        return text


def configure_logging(level: str, secrets: Iterable[str] = ()) -> None:
    """One stderr handler on the root logger, scrubbing ``secrets`` and credentials from every line."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(ScrubbingFormatter(LINE_FORMAT, secrets))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    quiet = logging.WARNING if level != "DEBUG" else logging.DEBUG
    for chatty in CHATTY:
        logging.getLogger(chatty).setLevel(max(quiet, logging.getLogger(chatty).level))


_SDK_LEVELS: dict[int, LogLevel] = {
    logging.DEBUG: "DEBUG",
    logging.INFO: "INFO",
    logging.WARNING: "WARNING",
    logging.ERROR: "ERROR",
    logging.CRITICAL: "CRITICAL",
}


def sdk_level() -> LogLevel:
    """The root logger's level as the MCP SDK takes it (its own ``basicConfig`` is then a no-op)."""
    return _SDK_LEVELS.get(logging.getLogger().getEffectiveLevel(), "WARNING")
