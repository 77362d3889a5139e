"""The in-memory store (the demo's): bounded per assistant and in bytes, the oldest versions going first."""

from __future__ import annotations

import pytest
from history.samples import ACCOUNT, OTHER_ACCOUNT, SEEN, version

from revox_mcp.history.memory import MemoryStore
from revox_mcp.history.version import Limits

pytestmark = pytest.mark.anyio


async def test_versions_per_assistant_are_bounded_newest_kept() -> None:
    store = MemoryStore(limits=Limits(max_versions=3))
    await store.append(ACCOUNT, [version("a-1", f"d{n}", SEEN + n) for n in range(5)], 0)
    assert [v.digest for v in await store.read(ACCOUNT, "a-1", 10)] == ["d4", "d3", "d2"]
    assert len(store) == 3


async def test_the_bytes_held_are_bounded_oldest_versions_first() -> None:
    store = MemoryStore(limits=Limits(max_total_bytes=10_000))
    for n in range(30):
        await store.append(ACCOUNT, [version(f"a-{n % 4}", f"d{n}", SEEN + n, notes="x" * 1_000)], 0)
    assert store.size_bytes <= 10_000
    kept = [v.seen_at for ident in ("a-0", "a-1", "a-2", "a-3") for v in await store.read(ACCOUNT, ident, 50)]
    assert min(kept) == SEEN + 30 - len(kept)  # exactly the newest ones remain


async def test_an_unchanged_version_is_not_stored_again() -> None:
    store = MemoryStore()
    first = await store.append(ACCOUNT, [version("a-1", "d1")], 0)
    again = await store.append(ACCOUNT, [version("a-1", "d1", SEEN + 5)], 0)
    assert (first.new, again.new) == ([True], [False])


async def test_erasing_one_key_keeps_the_others_and_their_bytes() -> None:
    store = MemoryStore()
    await store.append(ACCOUNT, [version("a-1", "d1"), version("a-2", "d1")], 0)
    await store.append(OTHER_ACCOUNT, [version("a-1", "d1")], 0)
    size_of_other = store.size_bytes * 1 // 3
    assert await store.erase(ACCOUNT) == 2
    assert len(store) == 1
    assert store.size_bytes == pytest.approx(size_of_other, abs=5)
    assert await store.read(ACCOUNT, "a-1", 5) == []
