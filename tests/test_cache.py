"""TTLCache on its own: TTL, LRU bound, single-flight, stale-if-error and stats, on a fake clock."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import anyio
import anyio.lowlevel
import pytest

from revox_mcp.cache.memory import Cached, CacheStats, TTLCache


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


class FakeClock:
    """Monotonic time that moves only when a test says so."""

    def __init__(self) -> None:
        self.now = 1_000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


class Loader:
    """A load function that counts its calls and returns ``value-<n>``, or raises what it is told."""

    def __init__(self) -> None:
        self.calls = 0
        self.error: Exception | None = None

    async def __call__(self) -> str:
        self.calls += 1
        if self.error is not None:
            raise self.error
        return f"value-{self.calls}"


class Upstream(Exception):
    """An error the cache may answer with stale data."""


class Rejected(Exception):
    """An error the cache must always re-raise."""


def stale_on_upstream(exc: BaseException) -> bool:
    return isinstance(exc, Upstream)


async def until(condition: Callable[[], bool]) -> None:
    """Yield to the other tasks until ``condition`` holds: a barrier, not a sleep."""
    for _ in range(1_000):
        if condition():
            return
        await anyio.lowlevel.checkpoint()
    raise AssertionError("the other tasks never reached the expected point")


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def load() -> Loader:
    return Loader()


@pytest.mark.anyio
async def test_a_value_is_served_from_the_cache_within_the_ttl(clock: FakeClock, load: Loader) -> None:
    cache: TTLCache[str, str] = TTLCache(30, clock=clock)

    first = await cache.get("k", load)
    clock.advance(29.5)
    second = await cache.get("k", load)

    assert first == Cached("value-1", 0.0)
    assert second == Cached("value-1", 29.5)
    assert load.calls == 1


@pytest.mark.anyio
async def test_a_value_is_reloaded_once_its_age_reaches_the_ttl(clock: FakeClock, load: Loader) -> None:
    cache: TTLCache[str, str] = TTLCache(30, clock=clock)

    await cache.get("k", load)
    clock.advance(30)
    reloaded = await cache.get("k", load)

    assert reloaded == Cached("value-2", 0.0)
    assert load.calls == 2


@pytest.mark.anyio
async def test_a_zero_ttl_reloads_on_every_call(clock: FakeClock, load: Loader) -> None:
    cache: TTLCache[str, str] = TTLCache(0, clock=clock)

    values = [(await cache.get("k", load)).value for _ in range(3)]

    assert values == ["value-1", "value-2", "value-3"]
    assert cache.fresh("k") is None


@pytest.mark.anyio
async def test_fresh_never_loads_and_ignores_expired_entries(clock: FakeClock, load: Loader) -> None:
    cache: TTLCache[str, str] = TTLCache(10, clock=clock)
    assert cache.fresh("k") is None

    await cache.get("k", load)
    clock.advance(4)
    assert cache.fresh("k") == Cached("value-1", 4.0)
    clock.advance(6)
    assert cache.fresh("k") is None
    assert load.calls == 1


@pytest.mark.anyio
async def test_keys_are_cached_independently(clock: FakeClock, load: Loader) -> None:
    cache: TTLCache[str, str] = TTLCache(10, clock=clock)

    assert (await cache.get("a", load)).value == "value-1"
    assert (await cache.get("b", load)).value == "value-2"
    assert (await cache.get("a", load)).value == "value-1"
    assert len(cache) == 2


@pytest.mark.anyio
async def test_the_least_recently_stored_entry_is_evicted_beyond_max_entries(clock: FakeClock, load: Loader) -> None:
    cache: TTLCache[str, str] = TTLCache(60, max_entries=2, clock=clock)

    for key in ("a", "b", "c"):
        await cache.get(key, load)

    assert len(cache) == 2
    assert cache.fresh("a") is None
    assert cache.fresh("b") is not None
    assert cache.fresh("c") is not None


@pytest.mark.anyio
async def test_reading_an_entry_protects_it_from_eviction(clock: FakeClock, load: Loader) -> None:
    cache: TTLCache[str, str] = TTLCache(60, max_entries=2, clock=clock)
    await cache.get("a", load)
    await cache.get("b", load)

    await cache.get("a", load)  # a hit makes "a" the most recently used
    await cache.get("c", load)

    assert cache.fresh("b") is None
    assert cache.fresh("a") == Cached("value-1", 0.0)
    assert load.calls == 3


@pytest.mark.anyio
async def test_a_failed_reload_serves_the_last_value_as_stale_when_allowed(clock: FakeClock, load: Loader) -> None:
    cache: TTLCache[str, str] = TTLCache(30, clock=clock)
    await cache.get("k", load)
    clock.advance(45)
    load.error = Upstream("upstream is down")

    result = await cache.get("k", load, serve_stale_on=stale_on_upstream)

    assert result == Cached("value-1", 45.0, stale=True, stale_reason="upstream is down")
    assert cache.stats.stale_served == 1
    assert cache.stats.load_errors == 1


@pytest.mark.anyio
async def test_a_failed_reload_raises_when_the_error_does_not_allow_stale(clock: FakeClock, load: Loader) -> None:
    cache: TTLCache[str, str] = TTLCache(30, clock=clock)
    await cache.get("k", load)
    clock.advance(45)
    load.error = Rejected("key revoked")

    with pytest.raises(Rejected):
        await cache.get("k", load, serve_stale_on=stale_on_upstream)
    assert cache.stats.stale_served == 0


@pytest.mark.anyio
async def test_stale_is_never_served_unless_the_caller_asks_for_it(clock: FakeClock, load: Loader) -> None:
    cache: TTLCache[str, str] = TTLCache(30, clock=clock)
    await cache.get("k", load)
    clock.advance(45)
    load.error = Upstream("upstream is down")

    with pytest.raises(Upstream):
        await cache.get("k", load)


@pytest.mark.anyio
async def test_stale_is_served_up_to_max_stale_and_not_beyond(clock: FakeClock, load: Loader) -> None:
    cache: TTLCache[str, str] = TTLCache(30, max_stale=100, clock=clock)
    await cache.get("k", load)
    load.error = Upstream("upstream is down")

    clock.advance(100)
    assert (await cache.get("k", load, serve_stale_on=stale_on_upstream)).stale is True
    clock.advance(0.5)
    with pytest.raises(Upstream):
        await cache.get("k", load, serve_stale_on=stale_on_upstream)


@pytest.mark.anyio
async def test_an_error_with_nothing_cached_is_raised_and_not_remembered(clock: FakeClock, load: Loader) -> None:
    cache: TTLCache[str, str] = TTLCache(30, clock=clock)
    load.error = Upstream("upstream is down")

    with pytest.raises(Upstream):
        await cache.get("k", load, serve_stale_on=stale_on_upstream)

    load.error = None
    assert (await cache.get("k", load)).value == "value-2"
    assert len(cache) == 1


@pytest.mark.anyio
async def test_concurrent_cold_gets_share_one_load(clock: FakeClock) -> None:
    cache: TTLCache[str, str] = TTLCache(30, clock=clock)
    release = anyio.Event()
    loads = 0

    async def gated_load() -> str:
        nonlocal loads
        loads += 1
        await release.wait()
        return "shared"

    results: list[Cached[str]] = []

    async def caller() -> None:
        results.append(await cache.get("k", gated_load))

    async with anyio.create_task_group() as tg:
        for _ in range(10):
            tg.start_soon(caller)
        await until(lambda: cache.stats.coalesced == 9)
        assert loads == 1
        clock.advance(2)
        release.set()

    assert loads == 1
    assert [r.value for r in results] == ["shared"] * 10
    # The value was stored when the load finished, so nobody sees the time spent waiting as age.
    assert {r.age for r in results} == {0.0}


@pytest.mark.anyio
async def test_gets_of_different_keys_do_not_coalesce(clock: FakeClock) -> None:
    cache: TTLCache[str, str] = TTLCache(30, clock=clock)
    release = anyio.Event()
    started: list[str] = []

    def gated(key: str) -> Callable[[], Awaitable[str]]:
        async def load() -> str:
            started.append(key)
            await release.wait()
            return key

        return load

    async with anyio.create_task_group() as tg:
        for key in ("a", "b", "c"):
            tg.start_soon(cache.get, key, gated(key))
        await until(lambda: len(started) == 3)
        release.set()

    assert sorted(started) == ["a", "b", "c"]
    assert cache.stats.coalesced == 0


@pytest.mark.anyio
async def test_a_waiter_receives_the_leaders_error(clock: FakeClock) -> None:
    cache: TTLCache[str, str] = TTLCache(30, clock=clock)
    release = anyio.Event()
    failure = Rejected("key revoked")
    loads = 0

    async def failing_load() -> str:
        nonlocal loads
        loads += 1
        await release.wait()
        raise failure

    errors: list[BaseException] = []

    async def caller() -> None:
        try:
            await cache.get("k", failing_load)
        except Rejected as exc:
            errors.append(exc)

    async with anyio.create_task_group() as tg:
        tg.start_soon(caller)
        tg.start_soon(caller)
        await until(lambda: cache.stats.coalesced == 1)
        release.set()

    assert loads == 1
    assert errors == [failure, failure]


@pytest.mark.anyio
async def test_a_waiter_is_served_stale_when_the_leaders_reload_fails(clock: FakeClock, load: Loader) -> None:
    cache: TTLCache[str, str] = TTLCache(30, clock=clock)
    await cache.get("k", load)
    clock.advance(60)
    release = anyio.Event()

    async def failing_reload() -> str:
        await release.wait()
        raise Upstream("upstream is down")

    results: list[Cached[str]] = []

    async def caller() -> None:
        results.append(await cache.get("k", failing_reload, serve_stale_on=stale_on_upstream))

    async with anyio.create_task_group() as tg:
        tg.start_soon(caller)
        tg.start_soon(caller)
        await until(lambda: cache.stats.coalesced == 1)
        release.set()

    assert results == [Cached("value-1", 60.0, stale=True, stale_reason="upstream is down")] * 2
    assert cache.stats.stale_served == 2


@pytest.mark.anyio
async def test_a_waiter_takes_over_the_load_when_the_leader_is_cancelled(clock: FakeClock) -> None:
    cache: TTLCache[str, str] = TTLCache(30, clock=clock)
    never = anyio.Event()
    loads = 0

    async def load() -> str:
        nonlocal loads
        loads += 1
        if loads == 1:
            await never.wait()  # the leader's load hangs until it is cancelled
        return f"value-{loads}"

    leader_scope = anyio.CancelScope()
    waiter_results: list[Cached[str]] = []

    async def leader() -> None:
        with leader_scope:
            await cache.get("k", load)

    async def waiter() -> None:
        waiter_results.append(await cache.get("k", load))

    with anyio.fail_after(5):  # a deadlock fails the test instead of hanging it
        async with anyio.create_task_group() as tg:
            tg.start_soon(leader)
            await until(lambda: loads == 1)
            tg.start_soon(waiter)
            await until(lambda: cache.stats.coalesced == 1)
            leader_scope.cancel()

    assert leader_scope.cancelled_caught
    assert waiter_results == [Cached("value-2", 0.0)]
    assert loads == 2
    assert (await cache.get("k", load)).value == "value-2"


@pytest.mark.anyio
async def test_a_cancelled_load_leaves_nothing_behind(clock: FakeClock, load: Loader) -> None:
    cache: TTLCache[str, str] = TTLCache(30, clock=clock)
    never = anyio.Event()

    async def hanging() -> str:
        await never.wait()
        return "never"

    with anyio.CancelScope() as scope:
        scope.cancel()
        await cache.get("k", hanging)

    assert len(cache) == 0
    assert (await cache.get("k", load)).value == "value-1"


@pytest.mark.anyio
async def test_stats_count_hits_misses_loads_errors_and_stale(clock: FakeClock, load: Loader) -> None:
    cache: TTLCache[str, str] = TTLCache(30, clock=clock)

    await cache.get("k", load)  # miss, load
    await cache.get("k", load)  # hit
    clock.advance(30)
    load.error = Upstream("down")
    await cache.get("k", load, serve_stale_on=stale_on_upstream)  # miss, load, error, stale
    with pytest.raises(Upstream):
        await cache.get("other", load, serve_stale_on=stale_on_upstream)  # miss, load, error

    assert cache.stats == CacheStats(
        hits=1, misses=3, coalesced=0, stale_served=1, loads=3, load_errors=2, last_error="Upstream"
    )


@pytest.mark.anyio
async def test_oldest_age_reports_the_oldest_entry(clock: FakeClock, load: Loader) -> None:
    cache: TTLCache[str, str] = TTLCache(30, clock=clock)
    assert cache.oldest_age() is None

    await cache.get("a", load)
    clock.advance(5)
    await cache.get("b", load)
    clock.advance(2)

    assert cache.oldest_age() == 7.0
