"""The cache policy: TTL, single flight, stale-if-error, stale-while-revalidate, back-off, memoised decoding.

Loads are plain async functions the test controls (anyio.Event barriers, counters); time is a fake
clock moved by hand, and the cache's waits (the stale-while-revalidate grace) are timers the test
fires: no test sleeps or measures elapsed time.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import anyio
import pytest
from anyio.abc import TaskGroup
from support import FakeClock, Timers

from revox_mcp.cache.backend import Entry, MemoryBackend, weight_of
from revox_mcp.cache.shared import LocalCoordinator
from revox_mcp.cache.store import Cache, CacheKey, JsonCodec
from revox_mcp.errors import RevoxAuthError, RevoxPendingError, RevoxRateLimitError, RevoxUnavailableError

pytestmark = pytest.mark.anyio

KEY = CacheKey.of("fp-one", "GET", "/assistants")
OTHER = CacheKey.of("fp-two", "GET", "/assistants")


class CountingCodec(JsonCodec):
    def __init__(self) -> None:
        self.decodes = 0
        self.encodes = 0

    def encode(self, value: Any) -> bytes:
        self.encodes += 1
        return super().encode(value)

    def decode(self, data: bytes) -> Any:
        self.decodes += 1
        return super().decode(data)


class Loads:
    """A load that answers ``value`` (or raises ``error``), counting its calls."""

    def __init__(self, value: Any = "v1") -> None:
        self.value = value
        self.error: BaseException | None = None
        self.calls = 0
        self.gate: anyio.Event | None = None

    async def __call__(self) -> Any:
        self.calls += 1
        if self.gate is not None:
            await self.gate.wait()
        if self.error is not None:
            raise self.error
        return self.value


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def timers(clock: FakeClock) -> Timers:
    return Timers(clock)


@pytest.fixture
async def cache(clock: FakeClock, timers: Timers) -> AsyncIterator[Cache]:
    async with Cache(MemoryBackend(clock=clock), wall=clock, monotonic=clock, sleep=timers.sleep, grace=5.0) as opened:
        yield opened


CODEC = JsonCodec()


async def get(cache: Cache, load: Callable[[], Awaitable[Any]], key: CacheKey = KEY, ttl: float = 30.0) -> Any:
    return await cache.get(key, load, CODEC, ttl=ttl)


async def test_a_fresh_value_is_answered_without_loading(cache: Cache, clock: FakeClock) -> None:
    load = Loads()
    first = await get(cache, load)
    clock.advance(29)
    second = await get(cache, load)
    assert (first.value, second.value, load.calls) == ("v1", "v1", 1)
    assert second.age == 29
    assert cache.stats("fp-one").hits == 1


async def test_fresh_answers_only_a_fresh_stored_value_and_never_loads(cache: Cache, clock: FakeClock) -> None:
    assert await cache.fresh(KEY, CODEC, ttl=30.0) is None  # nothing stored: nothing loaded either
    load = Loads()
    await get(cache, load)
    clock.advance(29)
    found = await cache.fresh(KEY, CODEC, ttl=30.0)
    assert found is not None
    assert (found.value, found.age, found.stale) == ("v1", 29, False)
    assert cache.stats("fp-one").hits == 1
    clock.advance(2)
    assert await cache.fresh(KEY, CODEC, ttl=30.0) is None  # expired: None, not the stale value
    assert await cache.fresh(OTHER, CODEC, ttl=30.0) is None
    assert load.calls == 1


async def test_past_the_ttl_the_value_is_loaded_again(cache: Cache, clock: FakeClock) -> None:
    load = Loads()
    await get(cache, load)
    load.value = "v2"
    clock.advance(31)
    assert (await get(cache, load)).value == "v2"
    assert load.calls == 2


async def test_concurrent_cold_callers_share_one_load(cache: Cache) -> None:
    load = Loads()
    load.gate = anyio.Event()
    answers: list[Any] = []

    async def call() -> None:
        answers.append((await get(cache, load)).value)

    async with anyio.create_task_group() as tg:
        for _ in range(20):
            tg.start_soon(call)
        await anyio.wait_all_tasks_blocked()
        load.gate.set()
    assert answers == ["v1"] * 20
    assert load.calls == 1
    assert cache.stats("fp-one").coalesced == 19


async def test_a_caller_that_gives_up_does_not_cancel_the_shared_load(cache: Cache) -> None:
    load = Loads()
    load.gate = anyio.Event()
    async with anyio.create_task_group() as tg:
        tg.start_soon(get, cache, load)
        await anyio.wait_all_tasks_blocked()  # the caller waits for the load it started
        tg.cancel_scope.cancel()  # and gives up (its own deadline)
    load.gate.set()
    assert (await get(cache, load)).value == "v1"
    assert load.calls == 1  # the second caller joined the load the first one started


async def test_keys_of_different_fingerprints_never_share(cache: Cache) -> None:
    first, second = Loads("one"), Loads("two")
    assert (await get(cache, first, KEY)).value == "one"
    assert (await get(cache, second, OTHER)).value == "two"
    assert cache.stats("fp-one").misses == cache.stats("fp-two").misses == 1


async def test_a_failed_refresh_serves_the_stale_value_with_the_reason(cache: Cache, clock: FakeClock) -> None:
    load = Loads()
    await get(cache, load)
    clock.advance(60)
    load.error = RevoxUnavailableError("Revox answered HTTP 503", 503)
    stale = await get(cache, load)
    assert (stale.value, stale.stale, stale.age) == ("v1", True, 60)
    assert stale.stale_reason == "Revox answered HTTP 503"


async def test_a_rejected_key_is_raised_not_hidden_behind_stale_data(cache: Cache, clock: FakeClock) -> None:
    load = Loads()
    await get(cache, load)
    clock.advance(60)
    load.error = RevoxAuthError(401)
    with pytest.raises(RevoxAuthError):
        await get(cache, load)
    load.error = None
    assert (await get(cache, load)).stale is False  # no back-off after a key error


async def test_after_a_failure_calls_answer_at_once_until_the_back_off_ends(cache: Cache, clock: FakeClock) -> None:
    load = Loads()
    await get(cache, load)
    clock.advance(60)
    load.error = RevoxUnavailableError("down")
    await get(cache, load)
    assert load.calls == 2
    clock.advance(1)
    within = await get(cache, load)
    assert load.calls == 2  # no new attempt inside the back-off
    assert within.stale is True
    assert within.stale_reason is not None
    assert "next try in 1 s" in within.stale_reason
    clock.advance(2)
    await get(cache, load)
    assert load.calls == 3  # the back-off (2 s) is over: one more attempt, which fails again
    clock.advance(3)
    await get(cache, load)
    assert load.calls == 3  # the next back-off is 4 s
    load.error = None
    clock.advance(2)
    assert (await get(cache, load)).stale is False
    assert load.calls == 4


async def test_with_nothing_cached_a_failure_is_raised_and_repeated_during_the_back_off(
    cache: Cache, clock: FakeClock
) -> None:
    load = Loads()
    load.error = RevoxUnavailableError("down")
    with pytest.raises(RevoxUnavailableError):
        await get(cache, load)
    with pytest.raises(RevoxUnavailableError):
        await get(cache, load)
    assert load.calls == 1
    clock.advance(3)
    load.error = None
    assert (await get(cache, load)).value == "v1"


async def test_a_rate_limit_backs_off_for_its_retry_after(cache: Cache, clock: FakeClock) -> None:
    load = Loads()
    await get(cache, load)
    clock.advance(60)
    load.error = RevoxRateLimitError(600.0)
    await get(cache, load)
    clock.advance(500)
    assert (await get(cache, load)).stale is True
    assert load.calls == 2
    clock.advance(101)
    load.error = None
    assert (await get(cache, load)).stale is False


async def test_a_slow_refresh_answers_stale_after_the_grace_and_finishes_in_the_background(
    cache: Cache, clock: FakeClock, timers: Timers
) -> None:
    load = await _refreshing(cache, clock)
    async with anyio.create_task_group() as tg:
        answers = await _waiting_caller(tg, cache, load)
        assert (answers, timers.pending) == ([], [5.0])  # waiting for the refresh, for the grace at most
        timers.fire()  # the grace is over; the refresh still runs
    [stale] = answers
    assert (stale.value, stale.stale) == ("v1", True)
    assert stale.stale_reason is not None
    assert "refreshing in the background" in stale.stale_reason
    load.gate.set()
    await anyio.wait_all_tasks_blocked()
    fresh = await get(cache, load)
    assert (fresh.value, fresh.stale, load.calls) == ("v2", False, 2)


async def test_a_refresh_within_the_grace_is_answered_fresh(cache: Cache, clock: FakeClock, timers: Timers) -> None:
    load = await _refreshing(cache, clock)
    async with anyio.create_task_group() as tg:
        answers = await _waiting_caller(tg, cache, load)
        load.gate.set()  # the refresh ends before the grace does
    [fresh] = answers
    assert (fresh.value, fresh.stale) == ("v2", False)
    assert timers.pending == []  # the grace's timer was let go


async def _refreshing(cache: Cache, clock: FakeClock) -> Loads:
    """A load whose value "v1" is cached and now stale, and whose refresh to "v2" waits on its gate."""
    load = Loads()
    await get(cache, load)
    clock.advance(60)
    load.value, load.gate = "v2", anyio.Event()
    return load


async def _waiting_caller(tg: TaskGroup, cache: Cache, load: Loads) -> list[Any]:
    """A caller started in ``tg``, once it waits: its answer will be the list's one item."""
    answers: list[Any] = []

    async def call() -> None:
        answers.append(await get(cache, load))

    tg.start_soon(call)
    await anyio.wait_all_tasks_blocked()
    return answers


async def test_data_older_than_max_stale_is_not_served(clock: FakeClock) -> None:
    async with Cache(MemoryBackend(clock=clock), wall=clock, monotonic=clock, max_stale=3600) as cache:
        load = Loads()
        await get(cache, load)
        clock.advance(30 + 3601)
        load.error = RevoxUnavailableError("down")
        with pytest.raises(RevoxUnavailableError):
            await get(cache, load)


async def test_an_in_process_backend_holds_the_value_itself_never_a_serialised_copy(clock: FakeClock) -> None:
    backend = MemoryBackend(clock=clock)
    codec = CountingCodec()
    value = {"big": ["x" * 1000] * 10}
    async with Cache(backend, wall=clock, monotonic=clock) as cache:
        load = Loads(value)
        for _ in range(3):
            assert (await cache.get(KEY, load, codec, ttl=30)).value is value
            clock.advance(31)
    assert load.calls == 3
    assert (codec.encodes, codec.decodes) == (0, 0)
    [entry] = backend.entries()
    assert entry.payload is None
    assert entry.value is value
    assert entry.weight == weight_of(value)  # its estimated size counts against max_bytes


async def test_caches_over_one_in_process_backend_share_the_value(clock: FakeClock) -> None:
    backend = MemoryBackend(clock=clock)
    value = {"x": [1, 2]}
    async with Cache(backend, wall=clock, monotonic=clock) as writer:
        await writer.get(KEY, Loads(value), CODEC, ttl=30)
    async with Cache(backend, wall=clock, monotonic=clock) as reader:  # another lifespan of the same process
        assert (await reader.get(KEY, Loads("unused"), CODEC, ttl=30)).value is value


async def test_another_processes_entry_is_decoded_once_then_memoised(clock: FakeClock) -> None:
    backend = MemoryBackend(clock=clock)
    payload = JsonCodec().encode({"x": 1})
    # What a shared store hands over: another process's bytes, which this one must decode.
    await backend.set(KEY.text("revox-mcp:1"), Entry(payload, clock(), "digest-of-x"), expire_after=60)
    codec = CountingCodec()
    async with Cache(backend, wall=clock, monotonic=clock) as reader:
        for _ in range(5):
            assert (await reader.get(KEY, Loads("unused"), codec, ttl=30)).value == {"x": 1}
    assert codec.decodes == 1


async def test_the_cache_refuses_to_load_outside_its_context(clock: FakeClock) -> None:
    cache = Cache(MemoryBackend(clock=clock), wall=clock, monotonic=clock)
    with pytest.raises(RuntimeError, match="async with"):
        await get(cache, Loads())


async def test_stats_say_how_old_the_oldest_entry_is(cache: Cache, clock: FakeClock) -> None:
    await get(cache, Loads())
    clock.advance(12)
    await get(cache, Loads(), CacheKey.of("fp-one", "GET", "/voices"))
    assert cache.oldest_age("fp-one") == 12
    assert cache.oldest_age("fp-two") is None
    assert len(cache.stats("fp-one").stored) == 2


async def test_one_grace_per_refresh_not_per_caller(cache: Cache, clock: FakeClock, timers: Timers) -> None:
    """Once a refresh has run past the grace, later callers answer from the stale entry at once."""
    load = await _refreshing(cache, clock)
    async with anyio.create_task_group() as tg:
        await _waiting_caller(tg, cache, load)
        timers.fire()  # the first caller waits the grace, then answers stale
    clock.advance(10)  # the refresh has now been running for 15 s
    later = await get(cache, load)  # no timer: it answers at once
    assert timers.pending == []
    assert later.stale is True
    assert later.stale_reason is not None
    assert "15 s" in later.stale_reason
    load.gate.set()


async def test_a_failed_load_backs_off_every_cache_sharing_the_coordinator(clock: FakeClock) -> None:
    """Two lifespans of one process (or a lifespan and the key verifier): one failure, one back-off."""
    coordinator, backend = LocalCoordinator(clock), MemoryBackend(clock=clock)
    async with (
        Cache(backend, wall=clock, monotonic=clock, coordinator=coordinator) as one,
        Cache(backend, wall=clock, monotonic=clock, coordinator=coordinator) as two,
    ):
        failing = Loads()
        failing.error = RevoxUnavailableError("Revox answered HTTP 503", 503)
        with pytest.raises(RevoxUnavailableError):
            await get(one, failing)
        never = Loads()
        with pytest.raises(RevoxUnavailableError, match="HTTP 503"):
            await get(two, never)
        assert never.calls == 0
        clock.advance(2)  # the back-off is over
        assert (await get(two, never)).value == "v1"


# --- patience: a caller that can do without the value waits for it at most that long ----------------


async def _impatient_caller(tg: TaskGroup, cache: Cache, load: Loads, patience: float) -> list[Any]:
    """A caller that waits at most ``patience`` for ``load``; its outcome (answer or error) is the list's item."""
    outcomes: list[Any] = []

    async def call() -> None:
        try:
            outcomes.append(await cache.get(KEY, load, CODEC, ttl=30.0, patience=patience))
        except RevoxPendingError as exc:
            outcomes.append(exc)

    tg.start_soon(call)
    await anyio.wait_all_tasks_blocked()
    return outcomes


async def test_a_cold_load_past_the_callers_patience_is_pending_and_then_fills_the_cache(
    cache: Cache, timers: Timers
) -> None:
    load = Loads()
    load.gate = anyio.Event()
    async with anyio.create_task_group() as tg:
        outcomes = await _impatient_caller(tg, cache, load, 2.0)
        assert (outcomes, timers.pending) == ([], [2.0])
        timers.fire()
    [pending] = outcomes
    assert isinstance(pending, RevoxPendingError)
    assert str(pending) == "Revox has not sent GET /assistants within 2 s; still loading: ask again in a moment"
    load.gate.set()  # the load was not cancelled: it fills the cache for the next caller
    await anyio.wait_all_tasks_blocked()
    assert ((await get(cache, load)).value, load.calls) == ("v1", 1)


async def test_a_load_within_the_callers_patience_is_answered(cache: Cache, timers: Timers) -> None:
    load = Loads()
    load.gate = anyio.Event()
    async with anyio.create_task_group() as tg:
        outcomes = await _impatient_caller(tg, cache, load, 2.0)
        load.gate.set()
    assert [answer.value for answer in outcomes] == ["v1"]
    assert timers.pending == []


@pytest.mark.parametrize(("patience", "stale"), [(2.0, False), (30.0, True)])
async def test_with_stale_data_the_shorter_of_the_patience_and_the_stale_grace_ends_the_wait(
    cache: Cache, clock: FakeClock, timers: Timers, patience: float, stale: bool
) -> None:
    """A caller with another way to its answer does not sit out the stale grace (5 s) for a refresh;
    a more patient one gets the stale value after the grace, like any caller."""
    load = await _refreshing(cache, clock)
    async with anyio.create_task_group() as tg:
        outcomes = await _impatient_caller(tg, cache, load, patience)
        assert timers.pending == [min(patience, 5.0)]
        timers.fire()
    [outcome] = outcomes
    if stale:
        assert (outcome.value, outcome.stale) == ("v1", True)
    else:
        assert isinstance(outcome, RevoxPendingError)
    load.gate.set()


@pytest.mark.parametrize(
    ("failures", "said"),
    [(1, "next try in 2 s"), (6, "next try in 1 min 4 s"), (7, "next try in 2 min")],
)
async def test_a_back_off_is_said_as_people_say_a_wait(clock: FakeClock, failures: int, said: str) -> None:
    """The back-off doubles from 2 s (2, 4, ... 64 s) up to 120 s; its reason says it exactly."""
    async with Cache(
        MemoryBackend(clock=clock), wall=clock, monotonic=clock, backoff_base=2.0, backoff_max=120.0
    ) as cache:
        load = Loads()
        await get(cache, load)
        load.error = RevoxUnavailableError("down")
        for _ in range(failures):
            clock.advance(1_000)  # past the TTL and any back-off: each get is one more failed refresh
            await get(cache, load)
        within = await get(cache, load)
    assert load.calls == failures + 1
    assert within.stale_reason == f"down; {said}"
