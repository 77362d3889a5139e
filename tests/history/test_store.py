"""History records what changed, cheaply, within a deadline, and never fails its caller."""

from __future__ import annotations

import logging
from collections.abc import Sequence

import anyio
import pytest
from history.samples import ACCOUNT, OTHER_ACCOUNT, SEEN, CountingStore, assistants, listing, version
from support import FakeClock

from revox_mcp.history.memory import MemoryStore
from revox_mcp.history.store import Appended, History, Token
from revox_mcp.history.version import StoreError, Version

pytestmark = pytest.mark.anyio


class BrokenStore(MemoryStore):
    """A store that fails every call while ``broken``, like a disk that went read-only."""

    where = "broken-store"

    def __init__(self) -> None:
        super().__init__()
        self.broken = True
        self.tries = 0

    def _fail(self) -> None:
        self.tries += 1
        if self.broken:
            raise StoreError("disk says no")

    async def token(self, account: str) -> Token:
        self._fail()
        return 0

    async def read(self, account: str, assistant_id: str, limit: int) -> list[Version]:
        self._fail()
        return await super().read(account, assistant_id, limit)

    async def check(self) -> None:
        self._fail()


class SilentStore(MemoryStore):
    """A store that never answers (a hung disk, a blackholed network)."""

    async def append(self, account: str, versions: Sequence[Version], expected: Token) -> Appended:
        await anyio.sleep_forever()
        raise AssertionError("unreachable")

    async def read(self, account: str, assistant_id: str, limit: int) -> list[Version]:
        await anyio.sleep_forever()
        raise AssertionError("unreachable")


async def test_new_versions_are_returned_and_read_back_newest_first() -> None:
    history = History(MemoryStore())
    first = await history.record(ACCOUNT, [version("a-1", "d1", SEEN), version("a-2", "x1", SEEN)])
    second = await history.record(ACCOUNT, [version("a-1", "d2", SEEN + 60), version("a-2", "x1", SEEN + 60)])
    assert [v.digest for v in first] == ["d1", "x1"]
    assert [v.digest for v in second] == ["d2"]
    stored = await history.history(ACCOUNT, "a-1")
    assert [(v.digest, v.seen_at, v.config["prompt"]) for v in stored] == [
        ("d2", SEEN + 60, "prompt of d2"),
        ("d1", SEEN, "prompt of d1"),
    ]


async def test_an_unchanged_refresh_asks_the_store_one_token_and_writes_nothing() -> None:
    store = CountingStore()
    history = History(store)
    batch = [version(f"a-{n}", "d1") for n in range(50)]
    await history.record(ACCOUNT, batch)
    store.calls.clear()
    assert await history.record(ACCOUNT, batch) == []
    assert store.calls == ["token"]


async def test_only_the_changed_versions_are_sent_to_the_store() -> None:
    store = CountingStore()
    history = History(store)
    await history.record(ACCOUNT, [version(f"a-{n}", "d1") for n in range(50)])
    changed = [version(f"a-{n}", "d2" if n == 7 else "d1") for n in range(50)]
    new = await history.record(ACCOUNT, changed)
    assert [(v.assistant_id, v.digest) for v in new] == [("a-7", "d2")]
    assert store.appended == [50, 1]


async def test_a_revert_to_an_earlier_content_is_a_new_version() -> None:
    history = History(MemoryStore())
    for step, digest in enumerate(["d1", "d2", "d1"]):
        await history.record(ACCOUNT, [version("a-1", digest, SEEN + step)])
    assert [v.digest for v in await history.history(ACCOUNT, "a-1")] == ["d1", "d2", "d1"]


async def test_several_versions_of_one_assistant_in_one_batch_are_kept_in_order() -> None:
    """How the demo seeds its story: the past versions, oldest first, in one call."""
    history = History(MemoryStore())
    batch = [version("a-1", "d1", SEEN), version("a-1", "d1", SEEN + 1), version("a-1", "d2", SEEN + 2)]
    batch.append(version("a-1", "d1", SEEN + 3))
    new = await history.record(ACCOUNT, batch)
    assert [v.seen_at for v in new] == [SEEN, SEEN + 2, SEEN + 3]
    assert [v.digest for v in await history.history(ACCOUNT, "a-1")] == ["d1", "d2", "d1"]


async def test_versions_are_kept_per_key_fingerprint() -> None:
    history = History(MemoryStore())
    await history.record(ACCOUNT, [version("a-1", "d1")])
    assert await history.record(OTHER_ACCOUNT, [version("a-1", "d1")]) != []
    assert await history.history(OTHER_ACCOUNT, "a-2") == []
    assert len(await history.history(OTHER_ACCOUNT, "a-1")) == 1


async def test_another_writer_makes_the_remembered_digests_checked_again() -> None:
    """Two servers sharing a file, or replicas sharing Redis: a revert the other one stored is not missed."""
    store = CountingStore()
    history = History(store)
    await history.record(ACCOUNT, [version("a-1", "d1"), version("a-2", "x1")])
    await store.append(ACCOUNT, [version("a-1", "d2")], store.other_writer)  # the other writer's version
    store.other_writer += 1
    store.appended.clear()
    new = await history.record(ACCOUNT, [version("a-1", "d1", SEEN + 9), version("a-2", "x1", SEEN + 9)])
    assert store.appended == [2]  # both checked against the store, not against what this one remembered
    assert [(v.assistant_id, v.digest) for v in new] == [("a-1", "d1")]
    store.calls.clear()
    assert await history.record(ACCOUNT, [version("a-1", "d1"), version("a-2", "x1")]) == []
    assert store.calls == ["token"]


async def test_a_listing_recorded_whole_is_skipped_at_the_cost_of_one_token() -> None:
    store = CountingStore()
    history = History(store)
    raw = assistants(30)
    first = await history.record_listing(ACCOUNT, listing(raw), seen_at=SEEN)
    assert len(first) == 30
    assert all(v.seen_at == SEEN for v in first)
    store.calls.clear()
    assert await history.record_listing(ACCOUNT, listing(raw), seen_at=SEEN + 30) == []
    assert store.calls == ["token"]
    raw[4]["prompt"] = "Edited."
    changed = await history.record_listing(ACCOUNT, listing(raw), seen_at=SEEN + 60)
    assert [(v.assistant_id, v.config["prompt"], v.seen_at) for v in changed] == [(raw[4]["id"], "Edited.", SEEN + 60)]
    assert store.appended == [30, 1]


async def test_a_store_that_expires_versions_is_told_again_about_unchanged_ones() -> None:
    """Redis expires what is not confirmed: unchanged versions are re-sent once per refresh period."""
    clock = FakeClock()
    store = CountingStore()
    store.refresh_every = 100.0
    history = History(store, clock=clock)
    batch = [version(f"a-{n}", "d1") for n in range(5)]
    await history.record(ACCOUNT, batch)
    clock.advance(60)
    await history.record(ACCOUNT, batch)
    clock.advance(60)
    assert await history.record(ACCOUNT, batch) == []
    assert store.appended == [5, 5]


async def test_a_failing_store_is_logged_once_left_alone_then_tried_again(caplog: pytest.LogCaptureFixture) -> None:
    clock = FakeClock()
    store = BrokenStore()
    history = History(store, clock=clock, retry_every=30)
    with caplog.at_level(logging.WARNING, logger="revox_mcp.history"):
        assert await history.record(ACCOUNT, [version()]) == []
        assert await history.record(ACCOUNT, [version()]) == []
        assert await history.history(ACCOUNT, "a-1") == []
        health = await history.health()
        assert store.tries == 2  # the write, then the read: each failure leaves its kind alone for a while
        assert (health.state, health.store, health.where) == ("unavailable", "memory", "broken-store")
        assert "disk says no" in health.reason
        clock.advance(31)
        store.broken = False
        assert [v.digest for v in await history.record(ACCOUNT, [version()])] == ["d1"]
        assert len(await history.history(ACCOUNT, "a-1")) == 1
        assert (await history.health()).state == "ok"
    failed = [r.getMessage() for r in caplog.records if "failed" in r.getMessage()]
    back = [r.getMessage() for r in caplog.records if "works again" in r.getMessage()]
    assert len(failed) == 2  # recording, reading: once each
    assert all("disk says no" in message and "broken-store" in message for message in failed)
    assert len(back) == 2


async def test_health_notices_a_store_that_came_back() -> None:
    clock = FakeClock()
    store = BrokenStore()
    history = History(store, clock=clock, retry_every=30)
    assert (await history.health()).state == "unavailable"
    store.broken = False
    assert (await history.health()).state == "unavailable"  # not asked again before the retry is due
    clock.advance(31)
    assert (await history.health()).state == "ok"


async def test_a_probe_checks_the_store_even_when_all_seemed_well() -> None:
    store = BrokenStore()
    store.broken = False
    history = History(store)
    assert (await history.health()).state == "ok"
    store.broken = True
    assert (await history.health()).state == "ok"  # nothing has failed since the first check
    assert (await history.health(probe=True)).state == "unavailable"


async def test_a_store_that_never_answers_is_given_up_at_the_deadline() -> None:
    history = History(SilentStore(), deadline=0.01, deadline_per_version=0.0, read_deadline=0.01)
    assert await history.record(ACCOUNT, [version()]) == []
    assert await history.history(ACCOUNT, "a-1") == []
    health = await history.health()
    assert health.state == "unavailable"
    assert "no answer within" in health.reason


async def test_the_deadline_grows_with_the_batch_up_to_a_bound() -> None:
    history = History(MemoryStore(), deadline=0.5, deadline_per_version=0.001, max_deadline=5.0)
    assert history.deadline_for(1) == pytest.approx(0.501)
    assert history.deadline_for(2_000) == pytest.approx(2.5)
    assert history.deadline_for(1_000_000) == 5.0


async def test_history_off_records_nothing_and_says_so() -> None:
    history = History(None)
    assert await history.record(ACCOUNT, [version()]) == []
    assert await history.record_listing(ACCOUNT, listing(assistants(3))) == []
    assert await history.history(ACCOUNT, "a-1") == []
    assert await history.erase() == 0
    health = await history.health()
    assert (health.state, health.store) == ("off", "off")
    assert "REVOX_MCP_HISTORY=off" in health.reason


async def test_erasing_a_key_forgets_its_versions_and_what_was_recorded() -> None:
    history = History(MemoryStore())
    await history.record(ACCOUNT, [version("a-1", "d1"), version("a-2", "x1")])
    await history.record(OTHER_ACCOUNT, [version("a-1", "d1")])
    assert await history.erase(ACCOUNT) == 2
    assert await history.history(ACCOUNT, "a-1") == []
    assert len(await history.history(OTHER_ACCOUNT, "a-1")) == 1
    assert len(await history.record(ACCOUNT, [version("a-1", "d1")])) == 1  # recorded again, not skipped
    assert await history.erase() == 2
    assert await history.history(OTHER_ACCOUNT, "a-1") == []
    assert len(await history.record(OTHER_ACCOUNT, [version("a-1", "d1")])) == 1


async def test_history_answers_at_most_the_limit_and_the_bound() -> None:
    history = History(MemoryStore())
    await history.record(ACCOUNT, [version("a-1", f"d{n}", SEEN + n) for n in range(8)])
    assert [v.digest for v in await history.history(ACCOUNT, "a-1", limit=3)] == ["d7", "d6", "d5"]
    assert await history.history(ACCOUNT, "a-1", limit=0) == []
