"""A TTL cache with single-flight loading and stale-if-error. Async, no HTTP.

One cache serves every caller of a process. Concurrent requests for the same key share one
upstream load; a value older than the TTL is reloaded, and if that reload fails with an error the
caller allows, the last good value is served, marked stale, rather than nothing.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass, field
from typing import Generic, TypeVar

import anyio

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


@dataclass(frozen=True)
class Cached(Generic[V]):
    """A value with how old it is and, when stale, why it could not be refreshed."""

    value: V
    age: float
    stale: bool = False
    stale_reason: str | None = None


@dataclass
class CacheStats:
    hits: int = 0
    misses: int = 0
    coalesced: int = 0
    stale_served: int = 0
    loads: int = 0
    load_errors: int = 0
    last_error: str | None = None


@dataclass
class _Entry(Generic[V]):
    value: V
    stored_at: float


@dataclass
class _Flight(Generic[V]):
    done: anyio.Event = field(default_factory=anyio.Event)
    value: _Entry[V] | None = None
    error: BaseException | None = None


class TTLCache(Generic[K, V]):
    """Keyed values that live ``ttl`` seconds (0: always reload), bounded to ``max_entries`` (LRU)."""

    def __init__(
        self,
        ttl: float,
        *,
        max_entries: int = 512,
        max_stale: float = 24 * 3600.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.ttl = ttl
        self.max_entries = max_entries
        self.max_stale = max_stale
        self._clock = clock
        self._entries: OrderedDict[K, _Entry[V]] = OrderedDict()
        self._flights: dict[K, _Flight[V]] = {}
        self.stats = CacheStats()

    def __len__(self) -> int:
        return len(self._entries)

    def fresh(self, key: K) -> Cached[V] | None:
        """The value for ``key`` if it is within the TTL, without loading anything."""
        entry = self._entries.get(key)
        if entry is None:
            return None
        age = self._clock() - entry.stored_at
        if age >= self.ttl:
            return None
        self._entries.move_to_end(key)
        return Cached(entry.value, age)

    def oldest_age(self) -> float | None:
        if not self._entries:
            return None
        now = self._clock()
        return max(now - entry.stored_at for entry in self._entries.values())

    async def get(
        self,
        key: K,
        load: Callable[[], Awaitable[V]],
        *,
        serve_stale_on: Callable[[BaseException], bool] = lambda _exc: False,
    ) -> Cached[V]:
        """The cached value, or the result of one shared ``load()`` for all concurrent callers."""
        while True:
            cached = self.fresh(key)
            if cached is not None:
                self.stats.hits += 1
                return cached
            flight = self._flights.get(key)
            if flight is None:
                return await self._lead(key, load, serve_stale_on)
            self.stats.coalesced += 1
            await flight.done.wait()
            if flight.value is not None:
                return Cached(flight.value.value, self._clock() - flight.value.stored_at)
            if flight.error is not None:
                return self._stale_or_raise(key, flight.error, serve_stale_on)
            # The leading caller was cancelled before it finished: take over the load.

    async def _lead(
        self,
        key: K,
        load: Callable[[], Awaitable[V]],
        serve_stale_on: Callable[[BaseException], bool],
    ) -> Cached[V]:
        flight: _Flight[V] = _Flight()
        self._flights[key] = flight
        self.stats.misses += 1
        self.stats.loads += 1
        try:
            value = await load()
        except anyio.get_cancelled_exc_class():
            raise
        except Exception as exc:
            flight.error = exc
            self.stats.load_errors += 1
            self.stats.last_error = type(exc).__name__
            return self._stale_or_raise(key, exc, serve_stale_on)
        else:
            entry = _Entry(value, self._clock())
            flight.value = entry
            self._store(key, entry)
            return Cached(value, 0.0)
        finally:
            del self._flights[key]
            flight.done.set()

    def _store(self, key: K, entry: _Entry[V]) -> None:
        self._entries[key] = entry
        self._entries.move_to_end(key)
        while len(self._entries) > self.max_entries:
            self._entries.popitem(last=False)

    def _stale_or_raise(self, key: K, exc: BaseException, serve_stale_on: Callable[[BaseException], bool]) -> Cached[V]:
        entry = self._entries.get(key)
        if entry is not None and serve_stale_on(exc):
            age = self._clock() - entry.stored_at
            if age <= self.max_stale:
                self.stats.stale_served += 1
                return Cached(entry.value, age, stale=True, stale_reason=str(exc))
        raise exc
