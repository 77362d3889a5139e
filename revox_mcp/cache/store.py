"""The cache policy: TTL, single flight, stale-if-error, stale-while-revalidate, back-off. No HTTP.

Over a ``CacheBackend``: in process, entries hold the values themselves (never serialised); in a
shared store (Redis), their bytes:

* a fresh entry (younger than its TTL) is answered at once;
* concurrent callers of one key share one load (a *flight*), which runs in the cache's own task
  group, not in a caller's task, so a caller that gives up (its own deadline) never cancels the
  load others wait for;
* with a stale entry at hand, a caller waits at most ``grace`` seconds (on the injected sleep) for
  the refresh, then answers the stale entry (marked stale, with the reason) while the refresh goes on;
* a caller that can do without the value (``patience``: it has another way to its answer) waits at
  most that long for the load, then gets ``RevoxPendingError`` while the load goes on and fills the
  cache;
* a failed refresh sets a back-off for that key, shared with every replica through the
  ``Coordinator``: until it ends, callers answer at once, from the stale entry or with the failure,
  so an outage costs one wait per back-off window, not one per call or per replica;
* an unchanged re-fetch (the load hands back the value already stored) is stored again as it is,
  never encoded or hashed again; with a shared store, the value last loaded or decoded for each key
  is kept with its content digest, so another replica's identical entry reuses the value already in
  memory, and a changed one replaces (and releases) it.

Per key fingerprint, through a ``Coordinator`` (``cache.shared``; shared by every replica when the
backend is Redis):

* a 429 makes every caller of that key, on every replica, back off until its Retry-After: calls
  answer at once, with stale data or a rate-limit error naming the wait; other keys are unaffected;
* an optional budget of upstream requests per key and minute;
* across replicas, a fill lock makes concurrent cold loads of one cache key wait for ONE upstream
  fetch: the others poll the shared backend for its entry. The lock expires on its own
  (``lock_ttl``, extended while the fetch runs), so a dead holder blocks nobody for long; when the
  shared store is unreachable, each replica loads on its own.
"""

from __future__ import annotations

import hashlib
import json
import math
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, Generic, Protocol, TypeAlias, TypeVar

import anyio
from anyio.abc import TaskGroup

from revox_mcp.cache.backend import CacheBackend, Entry, weight_of
from revox_mcp.cache.clock import Sleep
from revox_mcp.cache.memo import LRU
from revox_mcp.cache.shared import Coordinator, FillLock, LocalCoordinator, SharedUnavailable
from revox_mcp.domain.render.waits import wait_words
from revox_mcp.errors import (
    RevoxPendingError,
    RevoxRateLimitError,
    RevoxUnavailableError,
    next_try,
    reason_of,
    stale_allowed,
)
from revox_mcp.settings import DEFAULT_CALL_BUDGET, DEFAULT_STALE_GRACE

T = TypeVar("T")
T_co = TypeVar("T_co", covariant=True)

# How long a value stays fresh: seconds, or seconds for the value at hand (a key verdict).
Ttl: TypeAlias = "float | Callable[[T], float]"

DEFAULT_MAX_STALE = 24 * 3600.0
# A fill lock outlives a dead holder by at most this; a live one extends it every third of it.
DEFAULT_LOCK_TTL = 10.0
# How long a replica waits for another's fetch before giving up: longer than that fetch may take.
DEFAULT_FILL_TIMEOUT = DEFAULT_CALL_BUDGET + 5.0
DEFAULT_POLL_EVERY = 0.05
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
    stored: LRU[str, float] = field(default_factory=lambda: LRU(_MAX_STORED_PER_KEY))  # cache key -> stored_at


@dataclass
class _Flight:
    done: anyio.Event = field(default_factory=anyio.Event)
    value: Cached[Any] | None = None
    error: BaseException | None = None
    started: float = 0.0  # monotonic: callers with stale data wait for it until started + grace at most


@dataclass(frozen=True)
class _Failure:
    until: float  # monotonic
    error: BaseException
    count: int


class _BackingOff(Exception):
    """Raised in a flight when another replica's load of the same entry failed and is backing off."""

    def __init__(self, left: float, error: RevoxUnavailableError) -> None:
        super().__init__(str(error))
        self.left = left
        self.error = error


def _seconds(ttl: Ttl[T], value: T) -> float:
    return ttl(value) if callable(ttl) else ttl


class Cache:
    """Cached loads for every key fingerprint of a process. Use inside ``async with``."""

    def __init__(
        self,
        backend: CacheBackend,
        *,
        namespace: str = "revox-mcp:1",
        grace: float = DEFAULT_STALE_GRACE,
        max_stale: float = DEFAULT_MAX_STALE,
        backoff_base: float = 2.0,
        backoff_max: float = 60.0,
        memo_entries: int = 256,
        wall: Callable[[], float] = time.time,
        monotonic: Callable[[], float] = time.monotonic,
        sleep: Sleep = anyio.sleep,
        coordinator: Coordinator | None = None,
        key_rate_limit: int | None = None,
        lock_ttl: float = DEFAULT_LOCK_TTL,
        fill_timeout: float = DEFAULT_FILL_TIMEOUT,
        poll_every: float = DEFAULT_POLL_EVERY,
    ) -> None:
        self.backend = backend
        self.coordinator: Coordinator = coordinator if coordinator is not None else LocalCoordinator(monotonic)
        self.key_rate_limit = key_rate_limit
        self.lock_ttl = lock_ttl
        self.fill_timeout = fill_timeout
        self.poll_every = poll_every
        self.namespace = namespace
        self.grace = grace
        self.max_stale = max_stale
        self.backoff_base = backoff_base
        self.backoff_max = backoff_max
        self._wall = wall
        self._mono = monotonic
        self._sleep = sleep
        # Shared store only (in process, entries hold their values): per cache key, the digest and value
        # last decoded or loaded; one value per key, so a refresh with new content releases the previous one.
        self._decoded: LRU[str, tuple[str, Any]] = LRU(memo_entries)
        self._flights: dict[str, _Flight] = {}
        self._failures: LRU[str, _Failure] = LRU(_MAX_FAILURES)
        self._limited: LRU[str, float] = LRU(_MAX_FAILURES)  # key fingerprint -> rate-limited until (monotonic)
        self._stats: LRU[str, CacheStats] = LRU(_MAX_FAILURES)
        self._tg: TaskGroup | None = None

    async def __aenter__(self) -> Cache:
        if self._tg is not None:
            raise RuntimeError("Cache is already open: one `async with` at a time")
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
        return self._stats.get_or_make(fingerprint, CacheStats)

    def oldest_age(self, fingerprint: str) -> float | None:
        stored = self.stats(fingerprint).stored
        return max(self._wall() - min(stored.values()), 0.0) if len(stored) else None

    async def get(
        self,
        key: CacheKey,
        load: Callable[[], Awaitable[T]],
        codec: Codec[T],
        *,
        ttl: Ttl[T],
        stale_on: Callable[[BaseException], bool] = stale_allowed,
        patience: float | None = None,
    ) -> Cached[T]:
        """The value for ``key``: cached, shared with concurrent callers, or freshly loaded.

        ``ttl``: how long a value stays fresh, in seconds or as a function of the value.
        ``stale_on``: the failures for which the last value is answered instead (marked stale).
        ``patience``: the longest this caller waits for a load under way (None: as long as it takes,
        or the stale grace); past it, ``RevoxPendingError``, and the load goes on for the next caller.
        """
        name = key.text(self.namespace)
        stats = self._stats_for(key.fingerprint)
        entry = await self.backend.get(name)
        age = 0.0
        if entry is not None:
            age = max(self._wall() - entry.stored_at, 0.0)
            if callable(ttl) or age < ttl:
                value = self._decode(name, entry, codec)
                if age < _seconds(ttl, value):
                    stats.hits += 1
                    return Cached(value, age)
            if age > self.max_stale:
                entry = None
        flight = self._flights.get(name)
        if flight is None:
            failure = self._failure(name, key.fingerprint)
            if failure is not None:
                wait, error = failure
                if entry is not None and stale_on(error):
                    stats.stale_served += 1
                    reason = reason_of(RevoxRateLimitError(wait) if isinstance(error, RevoxRateLimitError) else error)
                    if not isinstance(error, RevoxRateLimitError):
                        reason += f"; {next_try(wait)}"
                    return Cached(self._decode(name, entry, codec), age, True, reason)
                raise error.with_traceback(None)
            stats.misses += 1
            flight = self._launch(name, key, load, codec, ttl)
        else:
            stats.coalesced += 1
        # One grace per refresh, not per caller: once a refresh has run `grace` seconds, callers that
        # find it still running answer from the stale entry at once. Without one, a caller waits for
        # the load (bounded by its own deadline) or for its patience.
        grace_left = flight.started + self.grace - self._mono() if entry is not None else math.inf
        limit = min(grace_left, math.inf if patience is None else patience)
        await self._wait(flight.done, limit)
        if flight.value is not None:
            return flight.value
        if flight.error is not None:
            if entry is not None and stale_on(flight.error):
                stats.stale_served += 1
                return Cached(self._decode(name, entry, codec), age, True, reason_of(flight.error))
            raise flight.error.with_traceback(None)
        if flight.done.is_set():
            raise RevoxUnavailableError("the server is shutting down")
        if entry is None or limit < grace_left:  # the caller's patience ended first, not the grace
            raise RevoxPendingError(f"{key.method} {key.path}", limit)
        stats.stale_served += 1
        waited = max(self._mono() - flight.started, self.grace)
        reason = f"Revox has not answered for {wait_words(waited)}; refreshing in the background"
        return Cached(self._decode(name, entry, codec), age, True, reason)

    async def _wait(self, done: anyio.Event, seconds: float) -> None:
        """Until ``done`` is set, or for ``seconds`` (inf: no limit) on the cache's sleep, whichever comes first."""
        if math.isinf(seconds):
            await done.wait()
            return
        if done.is_set() or seconds <= 0:
            return
        async with anyio.create_task_group() as race:

            async def timer() -> None:
                await self._sleep(seconds)
                race.cancel_scope.cancel()

            race.start_soon(timer)
            await done.wait()
            race.cancel_scope.cancel()

    def _failure(self, name: str, fingerprint: str) -> tuple[float, BaseException] | None:
        """Why not to ask Revox now, and for how long: this key is rate limited, or this entry's load failed."""
        now = self._mono()
        until = self._limited.get(fingerprint)
        if until is not None:
            if now < until:
                return until - now, RevoxRateLimitError(until - now)  # naming the wait left, not the first one
            self._limited.pop(fingerprint)
        failure = self._failures.get(name)
        if failure is not None and now < failure.until:
            return failure.until - now, failure.error
        return None

    async def _entry_for(self, name: str, value: T, codec: Codec[T]) -> Entry:
        """The entry to store for a freshly loaded ``value``: the value itself for an in-process backend
        (never encoded); else its bytes, reused without encoding or hashing again when the load handed
        back the very value already stored (an unchanged list)."""
        if self.backend.holds_values:
            return Entry.holding(value, self._wall(), weight_of(value))
        known = self._decoded.get(name)
        if known is not None and known[1] is value:
            stored = await self.backend.get(name)
            if stored is not None and stored.digest == known[0]:
                return Entry(stored.payload, self._wall(), stored.digest)
        payload = codec.encode(value)
        return Entry(payload, self._wall(), hashlib.blake2b(payload, digest_size=12).hexdigest())

    def _decode(self, name: str, entry: Entry, codec: Codec[T]) -> T:
        if entry.payload is None:
            held: T = entry.value
            return held
        found = self._decoded.get(name)
        if found is not None and found[0] == entry.digest:
            value: T = found[1]
            return value
        value = codec.decode(entry.payload)
        self._decoded.put(name, (entry.digest, value))
        return value

    def _launch(
        self, name: str, key: CacheKey, load: Callable[[], Awaitable[T]], codec: Codec[T], ttl: Ttl[T]
    ) -> _Flight:
        if self._tg is None:
            raise RuntimeError("Cache used outside `async with`")
        flight = _Flight(started=self._mono())
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
        ttl: Ttl[T],
    ) -> None:
        stats = self._stats_for(key.fingerprint)
        stats.loads += 1
        try:
            flight.value = await self._fill(name, key, load, codec, ttl)
        except _BackingOff as known:  # another replica's failure: its back-off window holds here too
            flight.error = known.error
            self._failures.put(name, _Failure(self._mono() + known.left, known.error, self._failures_in_a_row(name)))
        except Exception as exc:  # every failure reaches the waiters, typed; none escapes the task group
            stats.load_errors += 1
            stats.last_error = type(exc).__name__
            flight.error = exc
            if stale_allowed(exc):
                self._back_off(name, exc)
        finally:
            del self._flights[name]
            flight.done.set()

    async def _fill(
        self, name: str, key: CacheKey, load: Callable[[], Awaitable[T]], codec: Codec[T], ttl: Ttl[T]
    ) -> Cached[T]:
        """The fresh value: loaded here, or (shared backend) loaded by whichever replica holds the fill lock."""
        left = await self.coordinator.backoff_left(key.fingerprint)
        if left is not None:
            self._limit(key.fingerprint, left)
            raise RevoxRateLimitError(left)
        failed = await self.coordinator.failure(name)
        if failed is not None:
            raise _BackingOff(failed[0], RevoxUnavailableError(failed[1]))
        if not self.coordinator.shared:
            return await self._load(name, key, load, codec, ttl)
        try:
            return await self._fill_shared(name, key, load, codec, ttl)
        except SharedUnavailable:
            return await self._load(name, key, load, codec, ttl)  # the shared store is gone: on our own

    async def _fill_shared(
        self, name: str, key: CacheKey, load: Callable[[], Awaitable[T]], codec: Codec[T], ttl: Ttl[T]
    ) -> Cached[T]:
        give_up = self._mono() + self.fill_timeout
        while True:
            lock = await self.coordinator.try_lock(name, expire_after=self.lock_ttl)
            if lock is not None:
                try:
                    fresh = await self._fresh(name, codec, ttl)  # filled while we asked for the lock?
                    return fresh if fresh is not None else await self._load(name, key, load, codec, ttl, lock)
                finally:
                    with anyio.CancelScope(shield=True):
                        await lock.release()
            # Another replica is fetching it: wait for its entry, not for a request of our own.
            while True:
                if self._mono() >= give_up:
                    raise RevoxUnavailableError("another replica's request to Revox did not finish in time")
                await self._sleep(self.poll_every)
                fresh = await self._fresh(name, codec, ttl)
                if fresh is not None:
                    return fresh
                if not await self.coordinator.is_locked(name):
                    break  # its fetch failed or its replica died: try to take the lock ourselves
            left = await self.coordinator.backoff_left(key.fingerprint)
            if left is not None:
                self._limit(key.fingerprint, left)
                raise RevoxRateLimitError(left)
            failed = await self.coordinator.failure(name)
            if failed is not None:  # its fetch failed: its back-off holds for us too
                raise _BackingOff(failed[0], RevoxUnavailableError(failed[1]))

    async def fresh(self, key: CacheKey, codec: Codec[T], *, ttl: Ttl[T]) -> Cached[T] | None:
        """The value for ``key`` if a fresh one is stored, else None: nothing is loaded, nothing waited for
        (a caller that would otherwise start several lookups at once can first see whether it needs to)."""
        found = await self._fresh(key.text(self.namespace), codec, ttl)
        if found is not None:
            self._stats_for(key.fingerprint).hits += 1
        return found

    async def _fresh(self, name: str, codec: Codec[T], ttl: Ttl[T]) -> Cached[T] | None:
        entry = await self.backend.get(name)
        if entry is None:
            return None
        age = max(self._wall() - entry.stored_at, 0.0)
        if not callable(ttl) and age >= ttl:
            return None
        value = self._decode(name, entry, codec)
        return Cached(value, age) if age < _seconds(ttl, value) else None

    async def _load(
        self,
        name: str,
        key: CacheKey,
        load: Callable[[], Awaitable[T]],
        codec: Codec[T],
        ttl: Ttl[T],
        lock: FillLock | None = None,
    ) -> Cached[T]:
        """One upstream request (within the key's budget), stored; a 429 is shared with every caller of the key."""
        if self.key_rate_limit is not None:
            wait = await self.coordinator.admit(key.fingerprint, self.key_rate_limit)
            if wait is not None:
                raise RevoxRateLimitError(wait)
        try:
            value = await load() if lock is None else await self._holding(lock, load)
        except RevoxRateLimitError as exc:
            wait = self._backoff_wait(exc, 1)
            self._limit(key.fingerprint, wait)
            await self.coordinator.back_off(key.fingerprint, wait)
            raise
        except Exception as exc:
            if stale_allowed(exc):  # told before the fill lock is let go: no replica retries in the window
                await self.coordinator.failed(name, self._next_wait(name, exc), reason_of(exc))
            raise
        entry = await self._entry_for(name, value, codec)
        await self.backend.set(name, entry, expire_after=_seconds(ttl, value) + self.max_stale)
        if not entry.held:  # a held value lives in its entry only
            self._decoded.put(name, (entry.digest, value))
        self._failures.pop(name)
        self._stats_for(key.fingerprint).stored.put(name, entry.stored_at)
        return Cached(value, 0.0)

    async def _holding(self, lock: FillLock, load: Callable[[], Awaitable[T]]) -> T:
        """``load()``, keeping the fill lock while it runs (a task group would wrap its error in a group)."""
        failure: Exception | None = None
        async with anyio.create_task_group() as tg:
            tg.start_soon(self._keep, lock)
            try:
                value = await load()
            except Exception as exc:
                failure = exc
            tg.cancel_scope.cancel()
        if failure is not None:
            raise failure
        return value

    async def _keep(self, lock: FillLock) -> None:
        while True:
            await self._sleep(self.lock_ttl / 3)
            await lock.extend()

    def _limit(self, fingerprint: str, seconds: float) -> None:
        until = self._mono() + seconds
        self._limited.put(fingerprint, max(until, self._limited.get(fingerprint) or until))

    def _backoff_wait(self, exc: BaseException, count: int) -> float:
        wait: float = min(self.backoff_base * 2 ** (count - 1), self.backoff_max)
        if isinstance(exc, RevoxRateLimitError) and exc.retry_after is not None:
            wait = max(wait, exc.retry_after)
        return wait

    def _failures_in_a_row(self, name: str) -> int:
        """How many loads of this entry will have failed in a row with the one failing now."""
        previous = self._failures.get(name)
        return previous.count + 1 if previous is not None else 1

    def _next_wait(self, name: str, exc: BaseException) -> float:
        """How long this entry backs off after ``exc``: longer after each failure in a row."""
        return self._backoff_wait(exc, self._failures_in_a_row(name))

    def _back_off(self, name: str, exc: BaseException) -> None:
        count = self._failures_in_a_row(name)
        self._failures.put(name, _Failure(self._mono() + self._backoff_wait(exc, count), exc, count))
