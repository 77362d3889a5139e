"""The shared cache: entries, fill locks, back-off and request budgets in Redis, with a local tier.

redis-py's asyncio client does the talking (its ``Lock`` is the fill lock: a token, an expiry and
Lua scripts to extend and release). What is stored is what the in-process cache stores: payloads
cleaned at ingest (redacted, secrets masked), keyed by key fingerprint; never a key. Every value is
written with an expiry.

A replica holding a copy of an entry asks Redis for its small header only (``KEY:meta``, written
with the entry and the same expiry): the payload crosses the wire only when it changed.

Redis may go away. Every command is bounded (``op_timeout``); the first failure logs one line and
switches this replica to its local tier (a ``MemoryBackend`` that holds a copy of every entry it
wrote or read) and to local back-off; it tries Redis again at most every ``retry_every`` seconds
(on the injected clock), and logs one line when Redis is back. Calls never wait for Redis longer
than one command's bound.
"""

from __future__ import annotations

import contextlib
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import anyio
from redis.asyncio import Redis
from redis.asyncio.lock import Lock
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import RedisError

from revox_mcp.cache.backend import Entry, MemoryBackend
from revox_mcp.cache.clock import SYSTEM_CLOCK, Clock
from revox_mcp.cache.shared import FillLock, LocalCoordinator, SharedUnavailable
from revox_mcp.settings import shown_url

log = logging.getLogger(__name__)

T = TypeVar("T")

DEFAULT_NAMESPACE = "revox-mcp:1"
# Redis answers on loopback or a LAN in well under a millisecond; half a second is "gone".
DEFAULT_OP_TIMEOUT = 0.5
DEFAULT_RETRY_EVERY = 1.0


def _header(entry: Entry) -> bytes:
    """What identifies an entry's content without its payload: when it was stored, and its digest."""
    return json.dumps({"t": entry.stored_at, "d": entry.digest}, separators=(",", ":")).encode()


class _RedisFillLock:
    def __init__(self, lock: Lock, backend: RedisBackend) -> None:
        self._lock = lock
        self._backend = backend

    async def extend(self) -> None:
        await self._backend.quietly(self._lock.reacquire())

    async def release(self) -> None:
        await self._backend.quietly(self._lock.release())


class RedisBackend:
    """A ``CacheBackend`` and ``Coordinator`` shared by every replica through one Redis."""

    shared = True
    holds_values = False  # given bytes: what every replica reads

    def __init__(
        self,
        url: str,
        *,
        namespace: str = DEFAULT_NAMESPACE,
        local: MemoryBackend | None = None,
        op_timeout: float = DEFAULT_OP_TIMEOUT,
        retry_every: float = DEFAULT_RETRY_EVERY,
        clock: Clock = SYSTEM_CLOCK,
    ) -> None:
        self.where = shown_url(url)
        self.namespace = namespace
        self.local = local if local is not None else MemoryBackend(clock=clock.wall)
        self.op_timeout = op_timeout
        self.retry_every = retry_every
        self._clock = clock.monotonic
        self._wall = clock.wall
        self._fallback = LocalCoordinator(clock.monotonic)
        # One command is tried once more on a fresh connection (a pooled one may predate a Redis
        # restart); no backoff: an unreachable Redis must cost a call nothing but one bound.
        self._redis: Redis = Redis.from_url(
            url,
            socket_timeout=op_timeout,
            socket_connect_timeout=op_timeout,
            retry=Retry(NoBackoff(), 1),
            health_check_interval=0,
        )
        self._down_since: float | None = None
        self._retry_at = 0.0

    async def aclose(self) -> None:
        await self._redis.aclose()

    # --- availability ---------------------------------------------------------------------------

    @property
    def available(self) -> bool:
        return self._down_since is None

    def _usable(self) -> bool:
        """Whether to try Redis now: it is up, or it is time for one caller to see if it is back."""
        if self._down_since is None:
            return True
        now = self._clock()
        if now < self._retry_at:
            return False
        self._retry_at = now + self.retry_every  # the others keep using the local tier meanwhile
        return True

    async def _run(self, command: Awaitable[T]) -> T:
        """One Redis command within its bound; SharedUnavailable (after logging the outage once) if not."""
        try:
            with anyio.fail_after(self.op_timeout * 2):
                result = await command
        except (RedisError, OSError, TimeoutError) as exc:
            if self._down_since is None:
                self._down_since = self._clock()
                self._retry_at = self._down_since + self.retry_every
                log.warning(
                    "Redis at %s is unreachable (%s): serving from this replica's own cache until it is back",
                    self.where,
                    type(exc).__name__,
                )
            raise SharedUnavailable(type(exc).__name__) from None
        if self._down_since is not None:
            down_for = self._clock() - self._down_since
            log.warning("Redis at %s is back after %.0f s: sharing the cache again", self.where, down_for)
            self._down_since = None
        return result

    async def _try(self, command: Callable[[], Awaitable[T]]) -> T:
        """``command`` when Redis is worth trying, else SharedUnavailable at once (no coroutine made)."""
        if not self._usable():
            raise SharedUnavailable("Redis is down")
        return await self._run(command())

    async def quietly(self, command: Awaitable[Any]) -> None:
        """Run a command whose failure changes nothing (lock upkeep): errors are dropped."""
        try:
            await self._run(command)
        except SharedUnavailable:
            pass
        except Exception:  # a lock that expired meanwhile (LockError): it is someone else's now
            log.debug("lock upkeep failed", exc_info=True)

    async def unready(self) -> str | None:
        try:
            await self._run(self._redis.ping())
        except SharedUnavailable:
            return f"Redis at {self.where} is unreachable"
        return None

    # --- CacheBackend ---------------------------------------------------------------------------

    async def get(self, key: str) -> Entry | None:
        """The newest entry: ours when Redis holds the same (only its small header crosses the wire), else Redis's."""
        local = await self.local.get(key)
        try:
            if local is not None and await self._try(lambda: self._same_as(key, local)):
                return local
            data, ttl_ms = await self._try(lambda: self._get_with_ttl(key))
        except SharedUnavailable:
            return local
        entry = Entry.from_bytes(data) if data is not None else None
        if entry is None or (local is not None and local.stored_at > entry.stored_at):
            return local  # Redis lost it (restart, eviction) or holds an older one: ours is as good
        if ttl_ms > 0:
            await self.local.set(key, entry, expire_after=ttl_ms / 1000)  # kept for when Redis goes away
        return entry

    async def _same_as(self, key: str, local: Entry) -> bool:
        header = await self._redis.get(f"{key}:meta")
        return header is not None and header == _header(local)

    async def _get_with_ttl(self, key: str) -> tuple[bytes | None, int]:
        async with self._redis.pipeline(transaction=False) as pipe:
            pipe.get(key)
            pipe.pttl(key)
            data, ttl_ms = await pipe.execute()
        return data, int(ttl_ms)

    async def set(self, key: str, entry: Entry, *, expire_after: float) -> None:
        await self.local.set(key, entry, expire_after=expire_after)
        millis = max(int(expire_after * 1000), 1)
        with contextlib.suppress(SharedUnavailable):  # the local tier has it; Redis gets the next one
            await self._try(lambda: self._set_pair(key, entry, millis))

    async def _set_pair(self, key: str, entry: Entry, millis: int) -> None:
        """The entry, and its header alone (what a replica holding a copy compares), with one expiry."""
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.set(key, entry.to_bytes(), px=millis)
            pipe.set(f"{key}:meta", _header(entry), px=millis)
            await pipe.execute()

    # --- Coordinator ----------------------------------------------------------------------------

    async def try_lock(self, name: str, *, expire_after: float) -> FillLock | None:
        lock = self._redis.lock(f"{name}:fill", timeout=expire_after, blocking=False, thread_local=False)
        acquired = await self._try(lambda: lock.acquire(blocking=False))
        return _RedisFillLock(lock, self) if acquired else None

    async def is_locked(self, name: str) -> bool:
        return bool(await self._try(lambda: self._redis.exists(f"{name}:fill")))

    async def backoff_left(self, fingerprint: str) -> float | None:
        local = self._fallback.local_backoff_left(fingerprint)
        try:
            ttl_ms = int(await self._try(lambda: self._redis.pttl(self._backoff_key(fingerprint))))
        except SharedUnavailable:
            return local
        shared = ttl_ms / 1000 if ttl_ms > 0 else None  # Redis's own clock: no skew between replicas
        return max(shared or 0.0, local or 0.0) or None

    async def back_off(self, fingerprint: str, seconds: float) -> None:
        self._fallback.local_back_off(fingerprint, seconds)
        millis = max(int(seconds * 1000), 1)
        key = self._backoff_key(fingerprint)
        with contextlib.suppress(SharedUnavailable):  # the local back-off holds meanwhile
            # The latest 429's Retry-After wins: it is Revox's most recent word on this key.
            await self._try(lambda: self._redis.set(key, b"1", px=millis))

    async def failed(self, name: str, seconds: float, reason: str) -> None:
        self._fallback.local_failed(name, seconds, reason)
        millis = max(int(seconds * 1000), 1)
        with contextlib.suppress(SharedUnavailable):  # the local back-off holds meanwhile
            await self._try(lambda: self._redis.set(f"{name}:failed", reason.encode(), px=millis))

    async def failure(self, name: str) -> tuple[float, str] | None:
        local = self._fallback.local_failure(name)
        try:
            reason, ttl_ms = await self._try(lambda: self._get_with_ttl(f"{name}:failed"))
        except SharedUnavailable:
            return local
        if reason is None or ttl_ms <= 0:
            return local
        left = ttl_ms / 1000  # Redis's own clock: no skew between replicas
        return (left, reason.decode(errors="replace")) if local is None or left > local[0] else local

    async def admit(self, fingerprint: str, per_minute: int) -> float | None:
        now = self._wall()
        window = int(now // 60)
        key = f"{self.namespace}:budget:{fingerprint}:{window}"
        try:
            count = await self._try(lambda: self._count(key))
        except SharedUnavailable:
            return await self._fallback.admit(fingerprint, per_minute)
        return None if count <= per_minute else (window + 1) * 60 - now

    async def _count(self, key: str) -> int:
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.incr(key)
            pipe.expire(key, 120)
            count, _ = await pipe.execute()
        return int(count)

    def _backoff_key(self, fingerprint: str) -> str:
        return f"{self.namespace}:backoff:{fingerprint}"
