"""Secret redaction (stub: being written). Pure functions, no I/O."""

from __future__ import annotations

REDACTED = "[REDACTED]"


def redact_text(text: str) -> str:
    """Return ``text`` with credentials (URL query values, bearer tokens, key-like strings) masked."""
    return text
