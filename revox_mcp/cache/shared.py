"""What replicas agree on besides the entries: fill locks, back-offs, per-key request budgets.

A ``Coordinator`` is one per process. ``LocalCoordinator`` keeps it all in this process (one
replica); ``cache.redis.RedisBackend`` shares it through Redis, so that every replica waits for one
upstream fetch, backs off together after a 429 (for the key) or a failed load (for the entry), and
counts one request budget per key. Everything is keyed by key fingerprint or cache key, never by key.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Protocol, runtime_checkable

from revox_mcp.cache.memo import LRU

_MAX_TRACKED = 10_000


class SharedUnavailable(Exception):
    """Raised when the shared store cannot be reached: the caller goes on alone, from its own cache."""


class FillLock(Protocol):
    """The right to fetch one cache key upstream, held for a bounded time (a dead holder blocks no one)."""

    async def extend(self) -> None:
        """Keep holding it (the fetch is still running); errors are swallowed."""

    async def release(self) -> None:
        """Let it go; errors are swallowed (it expires on its own anyway)."""


@runtime_checkable
class Coordinator(Protocol):
    """Per-key agreements between the callers of one process, or of every replica."""

    @property
    def shared(self) -> bool:
        """Whether other processes take part (then fill locks mean something)."""

    async def try_lock(self, name: str, *, expire_after: float) -> FillLock | None:
        """The fill lock for ``name`` if nobody holds it, else None; SharedUnavailable when it cannot tell."""

    async def is_locked(self, name: str) -> bool:
        """Whether someone holds the fill lock for ``name``; SharedUnavailable when it cannot tell."""

    async def backoff_left(self, fingerprint: str) -> float | None:
        """Seconds before this key may ask Revox again after a 429, or None."""

    async def back_off(self, fingerprint: str, seconds: float) -> None:
        """Nobody asks Revox for this key for ``seconds``."""

    async def failed(self, name: str, seconds: float, reason: str) -> None:
        """Nobody loads the cache key ``name`` for ``seconds``: its load failed, for ``reason`` (secret-free)."""

    async def failure(self, name: str) -> tuple[float, str] | None:
        """While a load of ``name`` that failed (here or on another replica) is backing off: the seconds
        left and the reason; else None."""

    async def admit(self, fingerprint: str, per_minute: int) -> float | None:
        """Count one upstream request for this key: None when within ``per_minute``, else seconds to wait."""

    async def unready(self) -> str | None:
        """A short reason this process cannot serve with its shared cache now, or None."""


class LocalCoordinator:
    """One process: back-offs and request budgets in memory, no fill locks (single flight covers it)."""

    shared = False

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._backoff: LRU[str, float] = LRU(_MAX_TRACKED)  # fingerprint -> until (clock)
        self._failed: LRU[str, tuple[float, str]] = LRU(_MAX_TRACKED)  # cache key -> (until, reason)
        self._windows: LRU[tuple[str, int], int] = LRU(_MAX_TRACKED)  # (fingerprint, minute) -> requests

    async def try_lock(self, name: str, *, expire_after: float) -> FillLock | None:
        raise SharedUnavailable("no shared store")

    async def is_locked(self, name: str) -> bool:
        raise SharedUnavailable("no shared store")

    async def backoff_left(self, fingerprint: str) -> float | None:
        return self.local_backoff_left(fingerprint)

    def local_backoff_left(self, fingerprint: str) -> float | None:
        until = self._backoff.get(fingerprint)
        if until is None:
            return None
        left = until - self._clock()
        if left <= 0:
            self._backoff.pop(fingerprint)
            return None
        return left

    async def back_off(self, fingerprint: str, seconds: float) -> None:
        self.local_back_off(fingerprint, seconds)

    def local_back_off(self, fingerprint: str, seconds: float) -> None:
        until = self._clock() + seconds
        self._backoff.put(fingerprint, max(until, self._backoff.get(fingerprint) or until))

    async def failed(self, name: str, seconds: float, reason: str) -> None:
        self.local_failed(name, seconds, reason)

    def local_failed(self, name: str, seconds: float, reason: str) -> None:
        self._failed.put(name, (self._clock() + seconds, reason))

    async def failure(self, name: str) -> tuple[float, str] | None:
        return self.local_failure(name)

    def local_failure(self, name: str) -> tuple[float, str] | None:
        found = self._failed.get(name)
        if found is None:
            return None
        left = found[0] - self._clock()
        if left <= 0:
            self._failed.pop(name)
            return None
        return left, found[1]

    async def admit(self, fingerprint: str, per_minute: int) -> float | None:
        now = self._clock()
        window = int(now // 60)
        slot = (fingerprint, window)
        count = self._windows.put(slot, (self._windows.get(slot) or 0) + 1)
        return None if count <= per_minute else (window + 1) * 60 - now

    async def unready(self) -> str | None:
        return None
