"""Who a request is made for: a Revox API key and its fingerprint. No I/O.

The key travels with each request (one HTTP client serves every key); everything derived from it,
cache entries, memos, cursors and counters, is scoped by the fingerprint, never by the key.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field


def fingerprint_of(key: str) -> str:
    """A short, non-reversible tag of a key (SHA-256 prefix): safe to log, show and store."""
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:16]


@dataclass(frozen=True)
class Credential:
    """A Revox API key (never printed: it is out of ``repr``) and its fingerprint."""

    key: str = field(repr=False)
    fingerprint: str = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "fingerprint", fingerprint_of(self.key))

    @property
    def short(self) -> str:
        """The 8-character form shown to people (``revox_status``)."""
        return self.fingerprint[:8]
