"""The cache policy: TTL, single flight, stale-if-error, stale-while-revalidate, back-off. No HTTP.

Over a ``CacheBackend`` of serialised entries (in-process or shared):

* a fresh entry (younger than its TTL) is answered at once;
* concurrent callers of one key share one load (a *flight*), which runs in the cache's own task
  group, not in a caller's task, so a caller that gives up (its own deadline) never cancels the
  load others wait for;
* with a stale entry at hand, a caller waits at most ``grace`` seconds for the refresh, then
  answers the stale entry (marked stale, with the reason) while the refresh goes on;
* a failed refresh sets a back-off for that key: until it ends, callers answer at once, from the
  stale entry or with the failure, so an outage costs one wait, not one per call;
* the value last loaded or decoded for each key is kept with its content digest: an unchanged
  re-fetch, or another replica's identical entry, reuses the value already in memory, and a
  changed one replaces (and releases) it.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, Generic, Protocol, TypeVar

import anyio
from anyio.abc import TaskGroup

from revox_mcp.cache.backend import CacheBackend, Entry
from revox_mcp.cache.memo import LRU
from revox_mcp.errors import RevoxRateLimitError, RevoxUnavailableError, stale_allowed

T = TypeVar("T")
T_co = TypeVar("T_co", covariant=True)

DEFAULT_GRACE = 5.0
DEFAULT_MAX_STALE = 24 * 3600.0
_MAX_FAILURES = 10_000
_MAX_STORED_PER_KEY = 1_000


class Codec(Protocol[T]):
    """How a cached value becomes bytes and back."""

    def encode(self, value: T) -> bytes: ...

    def decode(self, data: bytes) -> T: ...


class JsonCodec:
    """Plain JSON values (already cleaned, so always encodable)."""

    def encode(self, value: Any) -> bytes:
        return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()

    def decode(self, data: bytes) -> Any:
        return json.loads(data)


@dataclass(frozen=True)
class CacheKey:
    """What was asked of whom: key fingerprint, method, path, and canonical parameters or body."""

    fingerprint: str
    method: str
    path: str
    params: str = ""

    @classmethod
    def of(cls, fingerprint: str, method: str, path: str, params: Any = None) -> CacheKey:
        if params is None:
            return cls(fingerprint, method, path)
        canonical = json.dumps(params, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
        return cls(fingerprint, method, path, hashlib.sha256(canonical.encode()).hexdigest()[:24])

    def text(self, namespace: str) -> str:
        return f"{namespace}:{self.fingerprint}:{self.method}:{self.path}:{self.params}"


@dataclass(frozen=True)
class Cached(Generic[T_co]):
    """A value with how old it is and, when stale, why it could not be refreshed."""

    value: T_co
    age: float
    stale: bool = False
    stale_reason: str | None = None


@dataclass
class CacheStats:
    """One key fingerprint's figures (revox_status shows the caller's own only)."""

    hits: int = 0
    misses: int = 0
    coalesced: int = 0
    stale_served: int = 0
    loads: int = 0
    load_errors: int = 0
    last_error: str | None = None
    stored: OrderedDict[str, float] = field(default_factory=OrderedDict)  # cache key -> stored_at


@dataclass
class _Flight:
    done: anyio.Event = field(default_factory=anyio.Event)
    value: Cached[Any] | None = None
    error: BaseException | None = None


@dataclass(frozen=True)
class _Failure:
    until: float  # monotonic
    error: BaseException
    count: int


def reason_of(exc: BaseException) -> str:
    """A short, secret-free reason for a stale answer (errors carry no body, header or key)."""
    return str(exc) or type(exc).__name__


class Cache:
    """Cached loads for every key fingerprint of a process. Use inside ``async with``."""

    def __init__(
        self,
        backend: CacheBackend,
        *,
        namespace: str = "revox-mcp:1",
        grace: float = DEFAULT_GRACE,
        max_stale: float = DEFAULT_MAX_STALE,
        backoff_base: float = 2.0,
        backoff_max: float = 60.0,
        memo_entries: int = 256,
        wall: Callable[[], float] = time.time,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.backend = backend
        self.namespace = namespace
        self.grace = grace
        self.max_stale = max_stale
        self.backoff_base = backoff_base
        self.backoff_max = backoff_max
        self._wall = wall
        self._mono = monotonic
        # Per cache key, the digest and value last decoded or loaded: one value per key, so a
        # refresh with new content releases the previous value.
        self._decoded: LRU[str, tuple[str, Any]] = LRU(memo_entries)
        self._flights: dict[str, _Flight] = {}
        self._failures: OrderedDict[str, _Failure] = OrderedDict()
        self._stats: OrderedDict[str, CacheStats] = OrderedDict()
        self._tg: TaskGroup | None = None

    async def __aenter__(self) -> Cache:
        self._tg = anyio.create_task_group()
        await self._tg.__aenter__()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        tg, self._tg = self._tg, None
        if tg is not None:
            tg.cancel_scope.cancel()  # refreshes still running are abandoned with the lifespan
            await tg.__aexit__(None, None, None)  # the caller's own exception is not the task group's

    def stats(self, fingerprint: str) -> CacheStats:
        return self._stats.get(fingerprint) or CacheStats()

    def _stats_for(self, fingerprint: str) -> CacheStats:
        stats = self._stats.get(fingerprint)
        if stats is None:
            stats = self._stats[fingerprint] = CacheStats()
            while len(self._stats) > _MAX_FAILURES:
                self._stats.popitem(last=False)
        return stats

    def oldest_age(self, fingerprint: str) -> float | None:
        stored = self.stats(fingerprint).stored
        return max(self._wall() - min(stored.values()), 0.0) if stored else None

    async def get(
        self,
        key: CacheKey,
        load: Callable[[], Awaitable[T]],
        codec: Codec[T],
        *,
        ttl: float,
        stale_on: Callable[[BaseException], bool] = stale_allowed,
    ) -> Cached[T]:
        """The value for ``key``: cached, shared with concurrent callers, or freshly loaded."""
        name = key.text(self.namespace)
        stats = self._stats_for(key.fingerprint)
        entry = await self.backend.get(name)
        age = 0.0
        if entry is not None:
            age = max(self._wall() - entry.stored_at, 0.0)
            if age < ttl:
                stats.hits += 1
                return Cached(self._decode(name, entry, codec), age)
            if age > self.max_stale:
                entry = None
        flight = self._flights.get(name)
        if flight is None:
            failure = self._failures.get(name)
            if failure is not None and self._mono() < failure.until:
                wait = failure.until - self._mono()
                if entry is not None and stale_on(failure.error):
                    stats.stale_served += 1
                    reason = f"{reason_of(failure.error)}; next try in {max(int(wait + 0.999), 1)} s"
                    return Cached(self._decode(name, entry, codec), age, True, reason)
                raise failure.error.with_traceback(None)
            stats.misses += 1
            flight = self._launch(name, key, load, codec, ttl)
        else:
            stats.coalesced += 1
        if entry is None:
            await flight.done.wait()  # bounded by the caller's own deadline
        else:
            with anyio.move_on_after(self.grace):
                await flight.done.wait()
        if flight.value is not None:
            return flight.value
        if flight.error is not None:
            if entry is not None and stale_on(flight.error):
                stats.stale_served += 1
                return Cached(self._decode(name, entry, codec), age, True, reason_of(flight.error))
            raise flight.error.with_traceback(None)
        if entry is None or flight.done.is_set():
            raise RevoxUnavailableError("the server is shutting down")
        stats.stale_served += 1
        reason = f"Revox has not answered for {self.grace:g} s; refreshing in the background"
        return Cached(self._decode(name, entry, codec), age, True, reason)

    def _decode(self, name: str, entry: Entry, codec: Codec[T]) -> T:
        found = self._decoded.get(name)
        if found is not None and found[0] == entry.digest:
            value: T = found[1]
            return value
        value = codec.decode(entry.payload)
        self._decoded.put(name, (entry.digest, value))
        return value

    def _launch(
        self, name: str, key: CacheKey, load: Callable[[], Awaitable[T]], codec: Codec[T], ttl: float
    ) -> _Flight:
        if self._tg is None:
            raise RuntimeError("Cache used outside `async with`")
        flight = _Flight()
        self._flights[name] = flight
        self._tg.start_soon(self._fly, name, key, flight, load, codec, ttl)
        return flight

    async def _fly(
        self,
        name: str,
        key: CacheKey,
        flight: _Flight,
        load: Callable[[], Awaitable[T]],
        codec: Codec[T],
        ttl: float,
    ) -> None:
        stats = self._stats_for(key.fingerprint)
        stats.loads += 1
        try:
            value = await load()
            payload = codec.encode(value)
            entry = Entry(payload, self._wall(), hashlib.blake2b(payload, digest_size=12).hexdigest())
            await self.backend.set(name, entry, expire_after=ttl + self.max_stale)
            self._decoded.put(name, (entry.digest, value))
            self._failures.pop(name, None)
            stats.stored[name] = entry.stored_at
            stats.stored.move_to_end(name)
            while len(stats.stored) > _MAX_STORED_PER_KEY:
                stats.stored.popitem(last=False)
            flight.value = Cached(value, 0.0)
        except Exception as exc:  # every failure reaches the waiters, typed; none escapes the task group
            stats.load_errors += 1
            stats.last_error = type(exc).__name__
            flight.error = exc
            if stale_allowed(exc):
                self._back_off(name, exc)
        finally:
            del self._flights[name]
            flight.done.set()

    def _back_off(self, name: str, exc: BaseException) -> None:
        previous = self._failures.pop(name, None)
        count = previous.count + 1 if previous is not None else 1
        wait = min(self.backoff_base * 2 ** (count - 1), self.backoff_max)
        if isinstance(exc, RevoxRateLimitError) and exc.retry_after is not None:
            wait = max(wait, exc.retry_after)
        self._failures[name] = _Failure(self._mono() + wait, exc, count)
        while len(self._failures) > _MAX_FAILURES:
            self._failures.popitem(last=False)
