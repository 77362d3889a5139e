"""The shared cache on a real Redis, in-process: two ``Cache`` objects on one Redis play two replicas.

What the multi-process tests (tests/e2e/test_team.py) show end to end is pinned down here one rule at a
time: one upstream fetch for concurrent cold loads, a dead lock holder, the shared back-offs (after
a 429, after a failed load), the per-key request budget, Redis going away and coming back, and key
verdicts. Tasks line up on events and injected clocks, never on sleeps or elapsed time.
"""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

import anyio
import httpx
import pytest
from fake_revox import FakeRevox, Fault
from redis_server import RedisServer
from support import FakeClock

from revox_mcp.api.client import RevoxApi
from revox_mcp.cache.backend import CacheBackend, Entry, MemoryBackend
from revox_mcp.cache.clock import SYSTEM_CLOCK, Clock
from revox_mcp.cache.redis import RedisBackend
from revox_mcp.cache.shared import Coordinator, LocalCoordinator
from revox_mcp.cache.store import Cache, CacheKey, JsonCodec
from revox_mcp.credential import fingerprint_of
from revox_mcp.errors import RevoxAuthError, RevoxRateLimitError, RevoxUnavailableError
from revox_mcp.server.team import RevoxKeyVerifier
from revox_mcp.settings import shown_url as shown_redis_url

CODEC = JsonCodec()
FP_A, FP_B = fingerprint_of("sk-a"), fingerprint_of("sk-b")
LIST_A = CacheKey.of(FP_A, "GET", "/assistants")
LIST_B = CacheKey.of(FP_B, "GET", "/assistants")


@asynccontextmanager
async def replica(redis: RedisServer, clock: Clock = SYSTEM_CLOCK, **options: Any) -> AsyncIterator[Cache]:
    """A replica's cache on ``redis``; ``clock`` is its Redis backend's (the retry interval)."""
    backend = RedisBackend(redis.url, clock=clock)
    try:
        async with Cache(backend, coordinator=backend, **options) as cache:
            yield cache
    finally:
        await backend.aclose()


class Polls:
    """The cache's sleep while it waits for another replica's fetch: real (short), and told."""

    def __init__(self) -> None:
        self.count = 0
        self.waiting = anyio.Event()

    async def __call__(self, seconds: float) -> None:
        self.count += 1
        self.waiting.set()
        await anyio.sleep(seconds)


class Loads:
    """A load function that counts its calls and returns (or raises) what it is told."""

    def __init__(self, value: Any = "v", error: Exception | None = None, gate: anyio.Event | None = None) -> None:
        self.calls = 0
        self.value = value
        self.error = error
        self.gate = gate
        self.started = anyio.Event()

    async def __call__(self) -> Any:
        self.calls += 1
        self.started.set()
        if self.gate is not None:
            await self.gate.wait()
        if self.error is not None:
            raise self.error
        return self.value


@pytest.mark.anyio
async def test_every_entry_is_stored_with_an_expiry_and_read_by_another_replica(redis_server: RedisServer):
    async with replica(redis_server) as one, replica(redis_server) as two:
        assert (await one.get(LIST_A, Loads(["x"]), CODEC, ttl=30)).value == ["x"]
        never = Loads(["other"])
        shared = await two.get(LIST_A, never, CODEC, ttl=30)
        assert shared.value == ["x"]
        assert never.calls == 0
    dump = redis_server.dump()
    name = LIST_A.text("revox-mcp:1").encode()
    assert sorted(dump) == [name, name + b":meta"]  # the entry, and its header alone
    assert all(ttl > 0 for _value, ttl in dump.values())


@pytest.mark.anyio
async def test_concurrent_cold_loads_on_two_replicas_make_one_upstream_fetch(redis_server: RedisServer):
    gate = anyio.Event()
    loads = [Loads(["fresh"], gate=gate), Loads(["fresh"], gate=gate)]
    answers: list[Any] = []
    polls = Polls()
    async with replica(redis_server, sleep=polls) as one, replica(redis_server, sleep=polls) as two:

        async def call(cache: Cache, load: Loads) -> None:
            answers.append((await cache.get(LIST_A, load, CODEC, ttl=30)).value)

        with anyio.fail_after(10):
            async with anyio.create_task_group() as tg:
                for _ in range(10):
                    tg.start_soon(call, one, loads[0])
                    tg.start_soon(call, two, loads[1])
                await polls.waiting.wait()  # one replica fetches; the other lost the lock and waits for it
                gate.set()
    assert answers == [["fresh"]] * 20
    assert loads[0].calls + loads[1].calls == 1


@pytest.mark.anyio
async def test_a_dead_lock_holder_blocks_the_others_only_until_its_lock_expires(redis_server: RedisServer):
    polls = Polls()
    async with replica(redis_server) as dead, replica(redis_server, lock_ttl=1.0, sleep=polls) as alive:
        held = await dead.coordinator.try_lock(LIST_A.text("revox-mcp:1"), expire_after=0.5)  # never released
        assert held is not None
        load = Loads(["mine"])
        with anyio.fail_after(10):
            assert (await alive.get(LIST_A, load, CODEC, ttl=30)).value == ["mine"]
        assert polls.count > 0  # it waited for the holder first...
        assert load.calls == 1  # ...then, its lock expired, fetched once


@pytest.mark.anyio
async def test_a_429_on_one_replica_backs_every_replica_off_for_that_key_only(redis_server: RedisServer):
    async with replica(redis_server) as one, replica(redis_server) as two:
        with pytest.raises(RevoxRateLimitError):
            await one.get(LIST_A, Loads(error=RevoxRateLimitError(30)), CODEC, ttl=30)
        other_path = CacheKey.of(FP_A, "GET", "/assistants/x")
        never = Loads()
        with pytest.raises(RevoxRateLimitError) as caught:
            await two.get(other_path, never, CODEC, ttl=30)
        assert never.calls == 0
        assert caught.value.retry_after is not None
        assert 25 < caught.value.retry_after <= 30  # the wait left, named
        assert (await two.get(LIST_B, Loads(["b"]), CODEC, ttl=30)).value == ["b"]  # another key: unaffected


@pytest.mark.anyio
async def test_a_rate_limited_key_is_answered_stale_at_once(redis_server: RedisServer):
    clock = FakeClock(time.time())
    async with replica(redis_server, wall=clock, monotonic=time.monotonic) as one, replica(redis_server) as two:
        await one.get(LIST_A, Loads(["old"]), CODEC, ttl=30)
        clock.advance(60)
        with pytest.raises(RevoxRateLimitError):  # the other replica's 429, shared
            await two.get(CacheKey.of(FP_A, "GET", "/x"), Loads(error=RevoxRateLimitError(20)), CODEC, ttl=30)
        never = Loads()
        stale = await one.get(LIST_A, never, CODEC, ttl=30)
        assert never.calls == 0
        assert stale.value == ["old"]
        assert stale.stale is True
        assert stale.stale_reason is not None
        assert "next try in" in stale.stale_reason


@pytest.mark.anyio
async def test_the_per_key_request_budget_is_shared_by_replicas(redis_server: RedisServer):
    async with replica(redis_server, key_rate_limit=2) as one, replica(redis_server, key_rate_limit=2) as two:
        await one.get(CacheKey.of(FP_A, "GET", "/1"), Loads(), CODEC, ttl=30)
        await two.get(CacheKey.of(FP_A, "GET", "/2"), Loads(), CODEC, ttl=30)
        with pytest.raises(RevoxRateLimitError) as caught:
            await one.get(CacheKey.of(FP_A, "GET", "/3"), Loads(), CODEC, ttl=30)
        assert caught.value.retry_after is not None
        assert 0 < caught.value.retry_after <= 60
        await two.get(CacheKey.of(FP_B, "GET", "/1"), Loads(), CODEC, ttl=30)  # another key has its own budget


@pytest.mark.anyio
async def test_redis_going_away_is_tried_again_once_per_interval_and_logs_one_line_each_way(
    redis_server: RedisServer, caplog: pytest.LogCaptureFixture
):
    caplog.set_level(logging.WARNING, logger="revox_mcp.cache.redis")
    clock = FakeClock()
    async with replica(redis_server, Clock(monotonic=clock)) as one:
        await one.get(LIST_A, Loads(["kept"]), CODEC, ttl=30)
        redis_server.stop()
        for _ in range(20):
            never = Loads()
            assert (await one.get(LIST_A, never, CODEC, ttl=30)).value == ["kept"]  # from the local tier
            assert never.calls == 0
        loaded = Loads(["alone"])
        assert (await one.get(LIST_B, loaded, CODEC, ttl=30)).value == ["alone"]  # a cold load, on its own
        assert loaded.calls == 1

        redis_server.start()
        await one.get(CacheKey.of(FP_B, "GET", "/before"), Loads(["still alone"]), CODEC, ttl=30)
        clock.advance(1.0)  # the retry interval: the next command tries Redis again
        await one.get(CacheKey.of(FP_B, "GET", "/after"), Loads(["shared again"]), CODEC, ttl=30)
    messages = [record.getMessage() for record in caplog.records]
    assert sum("is unreachable" in message for message in messages) == 1
    assert sum("is back after" in message for message in messages) == 1
    stored = list(redis_server.dump())
    assert not any(b"/before" in key for key in stored)  # within the interval: Redis was left alone
    assert any(b"/after" in key for key in stored)


@pytest.mark.anyio
async def test_an_unreachable_redis_at_start_serves_alone_and_is_not_ready():
    backend = RedisBackend("redis://127.0.0.1:1/0", op_timeout=0.2)
    try:
        async with Cache(backend, coordinator=backend) as cache:
            with anyio.fail_after(2):
                assert (await cache.get(LIST_A, Loads(["alone"]), CODEC, ttl=30)).value == ["alone"]
            reason = await backend.unready()
    finally:
        await backend.aclose()
    assert reason == "Redis at redis://127.0.0.1:1/0 is unreachable"


def test_the_redis_url_is_shown_without_its_password():
    assert shown_redis_url("redis://user:s3cret@cache.internal:6380/2") == "redis://cache.internal:6380/2"
    assert "s3cret" not in shown_redis_url("rediss://:s3cret@h/0")


# --------------------------------------------------------------------------- key verdicts


def keys_asked(fake: FakeRevox) -> list[str]:
    """The keys Revox was asked about, in order."""
    return [request.key for request in fake.requests]


def verifier(
    transport: httpx.MockTransport,
    clock: FakeClock,
    backend: CacheBackend | None = None,
    coordinator: Coordinator | None = None,
) -> RevoxKeyVerifier:
    """A key verifier as a replica builds it (its clock: ``clock``); use inside ``async with``."""

    def api() -> RevoxApi:
        return RevoxApi(base_url="https://revox.test/api", transport=transport, max_retries=0)

    cache = Cache(
        backend or MemoryBackend(clock=clock),
        wall=clock,
        monotonic=clock,
        coordinator=coordinator or LocalCoordinator(clock),
    )
    return RevoxKeyVerifier(api, cache)


@asynccontextmanager
async def two_replicas(
    redis: RedisServer, transport: httpx.MockTransport, clock: FakeClock
) -> AsyncIterator[tuple[RevoxKeyVerifier, RevoxKeyVerifier]]:
    """The key verifiers of two replicas sharing ``redis``."""
    shared = [RedisBackend(redis.url), RedisBackend(redis.url)]
    try:
        async with (
            verifier(transport, clock, shared[0], shared[0]) as one,
            verifier(transport, clock, shared[1], shared[1]) as two,
        ):
            yield one, two
    finally:
        for backend in shared:
            await backend.aclose()


async def verdicts(check: Callable[[str], Awaitable[Any]], key: str, times: int) -> list[bool]:
    return [(await check(key)) is not None for _ in range(times)]


@pytest.mark.anyio
async def test_key_verdicts_are_cached_a_minute_when_accepted_and_ten_seconds_when_rejected():
    clock, fake = FakeClock(), FakeRevox([], api_key="sk-good")
    async with verifier(fake.transport(), clock) as check:
        token = await check.verify_token("sk-good")
        assert token is not None
        assert token.token == "sk-good"
        assert token.subject == fingerprint_of("sk-good")
        assert "sk-good" not in token.client_id
        assert await verdicts(check.verify_token, "sk-good", 5) == [True] * 5
        assert await verdicts(check.verify_token, "sk-bad", 5) == [False] * 5
        assert keys_asked(fake) == ["sk-good", "sk-bad"]
        clock.advance(11)  # a key fixed in the dashboard works again quickly
        assert await verdicts(check.verify_token, "sk-bad", 2) == [False, False]
        assert await verdicts(check.verify_token, "sk-good", 1) == [True]
        assert keys_asked(fake) == ["sk-good", "sk-bad", "sk-bad"]
        clock.advance(50)
        assert await verdicts(check.verify_token, "sk-good", 1) == [True]
        assert keys_asked(fake)[-1] == "sk-good"


@pytest.mark.anyio
async def test_when_revox_cannot_say_the_last_verdict_stands():
    clock, fake = FakeClock(), FakeRevox([], api_key="sk-good")
    async with verifier(fake.transport(), clock) as check:
        assert await verdicts(check.verify_token, "sk-good", 1) == [True]
        assert await verdicts(check.verify_token, "sk-bad", 1) == [False]
        fake.fail_every(Fault.status(503))
        clock.advance(120)
        assert await verdicts(check.verify_token, "sk-good", 1) == [True]
        assert await verdicts(check.verify_token, "sk-bad", 1) == [False]
        # Never seen: let through; its calls will say Revox is unavailable (no data of it can be cached).
        assert await verdicts(check.verify_token, "sk-new", 1) == [True]


@pytest.mark.anyio
async def test_while_revox_is_down_a_key_is_checked_once_per_back_off_window_and_answered_at_once():
    clock, fake = FakeClock(), FakeRevox([], api_key="sk-good")
    fake.fail_every(Fault.status(503))
    async with verifier(fake.transport(), clock) as check:
        assert await verdicts(check.verify_token, "sk-new", 5) == [True] * 5  # never seen: let through
        assert keys_asked(fake) == ["sk-new"]  # one check; the four others answered by the rule at once
        clock.advance(1.9)
        assert await verdicts(check.verify_token, "sk-new", 3) == [True] * 3
        assert keys_asked(fake) == ["sk-new"]
        clock.advance(0.2)  # the back-off (2 s) is over: one more check, which fails again
        assert await verdicts(check.verify_token, "sk-new", 3) == [True] * 3
        assert keys_asked(fake) == ["sk-new", "sk-new"]


@pytest.mark.anyio
async def test_a_key_check_that_fails_on_one_replica_backs_off_every_replica(redis_server: RedisServer):
    clock, fake = FakeClock(time.time()), FakeRevox([], api_key="sk-good")
    fake.fail_every(Fault.status(503))
    async with two_replicas(redis_server, fake.transport(), clock) as (one, two):
        assert await verdicts(one.verify_token, "sk-new", 1) == [True]
        assert await verdicts(two.verify_token, "sk-new", 3) == [True] * 3
        assert await verdicts(one.verify_token, "sk-new", 3) == [True] * 3
    assert keys_asked(fake) == ["sk-new"]  # one check for both replicas, within the back-off window
    failed = [ttl for key, (_value, ttl) in redis_server.dump().items() if key.endswith(b":failed")]
    assert len(failed) == 1
    assert 0 < failed[0] <= 2_000  # the window, in Redis's own time


@pytest.mark.anyio
async def test_a_verdict_is_shared_by_replicas_through_redis(redis_server: RedisServer):
    clock, fake = FakeClock(time.time()), FakeRevox([], api_key="sk-good")
    async with two_replicas(redis_server, fake.transport(), clock) as (one, two):
        assert await verdicts(one.verify_token, "sk-bad", 1) == [False]
        assert await verdicts(two.verify_token, "sk-bad", 2) == [False, False]
    assert keys_asked(fake) == ["sk-bad"]
    dumped = b"\n".join(key + value for key, (value, _ttl) in redis_server.dump().items())
    assert b"sk-bad" not in dumped  # verdicts are kept by fingerprint, never by key


@pytest.mark.anyio
@pytest.mark.parametrize("token", ["", "two words", "x" * 600, "clé-non-ascii", "tab\there"])
async def test_what_cannot_be_a_key_is_refused_without_asking_revox(token: str):
    fake = FakeRevox([], api_key="sk-good")
    async with verifier(fake.transport(), FakeClock()) as check:
        assert await check.verify_token(token) is None
    assert fake.requests == []


@pytest.mark.anyio
async def test_a_load_that_failed_on_the_lock_holder_backs_the_waiters_off(redis_server: RedisServer):
    gate = anyio.Event()
    failing = Loads(error=RevoxUnavailableError("Revox answered HTTP 503", 503), gate=gate)
    never = Loads(["second try"])
    polls = Polls()
    async with replica(redis_server) as one, replica(redis_server, sleep=polls) as two:
        failures: list[str] = []

        async def call(cache: Cache, load: Loads) -> None:
            with pytest.raises(RevoxUnavailableError) as caught:
                await cache.get(LIST_A, load, CODEC, ttl=30)
            failures.append(str(caught.value))

        with anyio.fail_after(10):
            async with anyio.create_task_group() as tg:
                tg.start_soon(call, one, failing)
                await failing.started.wait()  # one holds the fill lock, its load waits on the gate
                tg.start_soon(call, two, never)
                await polls.waiting.wait()  # the other waits for the holder's entry
                gate.set()
    assert failures == ["Revox answered HTTP 503"] * 2  # the waiter has the holder's reason
    assert (failing.calls, never.calls) == (1, 0)  # and did not ask Revox again within the back-off


@pytest.mark.anyio
async def test_a_key_error_on_the_lock_holder_still_lets_a_waiter_load(redis_server: RedisServer):
    """Only failures that back off are shared: a key rejected on one replica is not another's verdict."""
    gate = anyio.Event()
    rejected = Loads(error=RevoxAuthError(401), gate=gate)
    working = Loads(["second try"])
    polls = Polls()
    async with replica(redis_server) as one, replica(redis_server, sleep=polls) as two:
        results: list[Any] = []

        async def first() -> None:
            with pytest.raises(RevoxAuthError):
                await one.get(LIST_A, rejected, CODEC, ttl=30)

        async def second() -> None:
            results.append((await two.get(LIST_A, working, CODEC, ttl=30)).value)

        with anyio.fail_after(10):
            async with anyio.create_task_group() as tg:
                tg.start_soon(first)
                await rejected.started.wait()
                tg.start_soon(second)
                await polls.waiting.wait()
                gate.set()
    assert results == [["second try"]]
    assert rejected.calls == working.calls == 1


def test_entries_in_redis_are_the_cache_format():
    entry = Entry(b'{"a":1}', 12.5, "d")
    assert Entry.from_bytes(entry.to_bytes()) == entry
