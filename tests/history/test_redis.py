"""Redis (team mode), against a real redis-server: shared by replicas, one round trip per batch,
bounded and expiring, and Redis going away mid-run never fails a call."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable

import pytest
from history.samples import ACCOUNT, OTHER_ACCOUNT, SEEN, assistants, listing, version, versions_of
from redis_server import RedisServer, free_port
from support import FakeClock

from revox_mcp.history.redis import CHUNK, RedisStore
from revox_mcp.history.store import History
from revox_mcp.history.version import Limits

pytestmark = pytest.mark.anyio

HOUR_MS = 3_600_000


@pytest.fixture
async def replicas(redis_server: RedisServer) -> AsyncIterator[Callable[..., History]]:
    """Histories over one Redis, as replicas would have; each closed after the test."""
    made: list[History] = []

    def make(**options: object) -> History:
        limits = options.pop("limits", Limits())
        assert isinstance(limits, Limits)
        history = History(RedisStore(redis_server.url, limits=limits), **options)  # type: ignore[arg-type]
        made.append(history)
        return history

    yield make
    for history in made:
        await history.aclose()


def command_calls(server: RedisServer) -> dict[str, int]:
    """Commands Redis ran since ``reset_stats`` (the test's own left out), those run by scripts included."""
    with server.client() as client:
        stats = client.info("commandstats")
    calls = {name.removeprefix("cmdstat_"): int(value["calls"]) for name, value in stats.items()}
    return {name: count for name, count in calls.items() if name not in ("info", "config|resetstat", "hello")}


def reset_stats(server: RedisServer) -> None:
    with server.client() as client:
        client.config_resetstat()


async def test_versions_are_recorded_and_read_back_newest_first(replicas: Callable[..., History]) -> None:
    history = replicas()
    assert len(await history.record(ACCOUNT, [version("a-1", "d1", SEEN), version("a-2", "x1", SEEN)])) == 2
    assert [v.digest for v in await history.record(ACCOUNT, [version("a-1", "d2", SEEN + 60)])] == ["d2"]
    stored = await history.history(ACCOUNT, "a-1")
    assert [(v.digest, v.seen_at, v.config["prompt"]) for v in stored] == [
        ("d2", SEEN + 60, "prompt of d2"),
        ("d1", SEEN, "prompt of d1"),
    ]
    assert (await history.health()).state == "ok"


async def test_two_replicas_store_a_change_once_and_see_each_others_reverts(replicas: Callable[..., History]) -> None:
    one, two = replicas(), replicas()
    assert len(await one.record(ACCOUNT, [version("a-1", "d1", SEEN)])) == 1
    assert await two.record(ACCOUNT, [version("a-1", "d1", SEEN + 1)]) == []
    assert len(await two.record(ACCOUNT, [version("a-1", "d2", SEEN + 2)])) == 1
    assert len(await one.record(ACCOUNT, [version("a-1", "d1", SEEN + 3)])) == 1  # the revert "one" alone saw
    assert await two.record(ACCOUNT, [version("a-1", "d1", SEEN + 4)]) == []
    assert [v.seen_at for v in await one.history(ACCOUNT, "a-1")] == [SEEN + 3, SEEN + 2, SEEN]


async def test_a_first_record_of_many_is_one_transaction(
    replicas: Callable[..., History], redis_server: RedisServer
) -> None:
    history = replicas()
    versions = versions_of(listing(assistants(1_000)))
    reset_stats(redis_server)
    assert len(await history.record(ACCOUNT, versions)) == 1_000
    calls = command_calls(redis_server)
    assert calls["multi"] == calls["exec"] == 1
    assert calls["evalsha"] == -(-1_000 // CHUNK)  # every version checked and pushed by the script, in chunks
    assert calls["mget"] == 1  # the latest digests, before any configuration is sent
    assert calls["lpush"] == 1_000


async def test_an_unchanged_refresh_asks_one_get(replicas: Callable[..., History], redis_server: RedisServer) -> None:
    history = replicas()
    items = listing(assistants(500))
    await history.record_listing(ACCOUNT, items, seen_at=SEEN)
    reset_stats(redis_server)
    assert await history.record_listing(ACCOUNT, items, seen_at=SEEN + 30) == []
    assert command_calls(redis_server) == {"get": 1}


async def test_every_key_is_bounded_and_expires(replicas: Callable[..., History], redis_server: RedisServer) -> None:
    history = replicas(limits=Limits(max_versions=3, expire_after=3_600))
    for n in range(6):
        await history.record(ACCOUNT, [version("a-1", f"d{n}", SEEN + n), version("a-2", "x1", SEEN)])
    assert [v.digest for v in await history.history(ACCOUNT, "a-1", limit=10)] == ["d5", "d4", "d3"]
    keys = redis_server.dump()
    assert len(keys) == 5  # two assistants' lists and latest digests, the key's write counter
    assert all(0 < ttl <= HOUR_MS for _value, ttl in keys.values())


async def test_unchanged_versions_are_confirmed_before_they_expire(
    replicas: Callable[..., History], redis_server: RedisServer
) -> None:
    clock = FakeClock()
    history = replicas(limits=Limits(expire_after=3_600), clock=clock)
    batch = [version("a-1", "d1"), version("a-2", "x1")]
    await history.record(ACCOUNT, batch)
    with redis_server.client() as client:
        for key in client.scan_iter():
            client.pexpire(key, 5_000)  # as if the last confirmation were nearly an hour ago
    clock.advance(1_000)  # more than a quarter of the expiry later
    assert await history.record(ACCOUNT, batch) == []
    ttls = [ttl for _value, ttl in redis_server.dump().values()]
    assert all(ttl > 5_000 for ttl in ttls)


async def test_redis_going_away_mid_run_is_logged_once_and_every_call_answers(
    replicas: Callable[..., History], redis_server: RedisServer, caplog: pytest.LogCaptureFixture
) -> None:
    clock = FakeClock()
    history = replicas(clock=clock, retry_every=5)
    await history.record(ACCOUNT, [version("a-1", "d1", SEEN)])
    redis_server.stop()
    with caplog.at_level(logging.WARNING, logger="revox_mcp.history"):
        for step in range(3):
            assert await history.record(ACCOUNT, [version("a-1", f"e{step}", SEEN + step)]) == []
            assert await history.history(ACCOUNT, "a-1") == []
        health = await history.health()
        assert (health.state, health.store) == ("unavailable", "redis")
        assert "unreachable" in health.reason
        assert health.where == redis_server.url
        redis_server.start()  # empty: it kept nothing (no persistence)
        clock.advance(6)
        assert [v.digest for v in await history.record(ACCOUNT, [version("a-1", "d2", SEEN + 9)])] == ["d2"]
        assert [v.digest for v in await history.history(ACCOUNT, "a-1")] == ["d2"]
        assert (await history.health()).state == "ok"
    messages = [record.getMessage() for record in caplog.records]
    assert len([m for m in messages if "failed" in m]) == 2  # recording, reading: once each
    assert len([m for m in messages if "works again" in m]) == 2


async def test_an_unreachable_redis_at_start_is_reported() -> None:
    history = History(RedisStore(f"redis://127.0.0.1:{free_port()}/0", op_timeout=0.2))
    assert await history.record(ACCOUNT, [version()]) == []
    health = await history.health()
    assert (health.state, health.store) == ("unavailable", "redis")
    await history.aclose()


async def test_the_redis_url_shown_holds_no_password(redis_server: RedisServer) -> None:
    url = f"redis://user:s3cret-pass-word@127.0.0.1:{redis_server.port}/0"
    history = History(RedisStore(url))
    health = await history.health()
    assert "s3cret" not in f"{health.where} {health.reason}"
    await history.aclose()


async def test_erasing_a_key_deletes_its_versions_only(
    replicas: Callable[..., History], redis_server: RedisServer
) -> None:
    history = replicas()
    await history.record(ACCOUNT, [version("a-1", "d1"), version("a-1", "d2", SEEN + 1), version("a-2", "x1")])
    await history.record(OTHER_ACCOUNT, [version("a-1", "d1")])
    assert await history.erase(ACCOUNT) == 3
    assert await history.history(ACCOUNT, "a-1") == []
    assert all(OTHER_ACCOUNT.encode() in key for key in redis_server.dump())
    assert len(await history.record(ACCOUNT, [version("a-1", "d2")])) == 1
    assert await history.erase() == 2
    assert redis_server.dump() == {}


async def test_a_redis_that_lost_everything_gets_the_versions_again(
    replicas: Callable[..., History], redis_server: RedisServer
) -> None:
    """Redis restarted empty and another replica wrote since: this one's memory of what is stored is void."""
    one, two = replicas(), replicas()
    batch = [version("a-1", "d1"), version("a-2", "x1")]
    await one.record(ACCOUNT, batch)
    with redis_server.client() as client:
        client.flushall()
    await two.record(ACCOUNT, [version("a-3", "z1")])
    assert len(await one.record(ACCOUNT, batch)) == 2
    assert [v.digest for v in await one.history(ACCOUNT, "a-1")] == ["d1"]


async def test_a_redis_out_of_memory_is_reported_and_its_versions_still_read(
    replicas: Callable[..., History], redis_server: RedisServer
) -> None:
    history = replicas()
    await history.record(ACCOUNT, [version("a-1", "d1")])
    with redis_server.client() as client:
        client.config_set("maxmemory-policy", "noeviction")
        client.config_set("maxmemory", "1")
    assert await history.record(ACCOUNT, [version("a-1", "d2", SEEN + 1)]) == []
    assert [v.digest for v in await history.history(ACCOUNT, "a-1")] == ["d1"]
    health = await history.health()
    assert health.state == "unavailable"
    assert health.reason.startswith("Redis refused the command (command not allowed when used memory")
