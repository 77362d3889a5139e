"""MemoryBackend and Entry: entries expire on their own, the least recently used go first (by count and
weight), bytes round-trip, held values are weighed without being serialised."""

from __future__ import annotations

import json

import pytest
from support import FakeClock

from revox_mcp.cache.backend import Entry, MemoryBackend, weight_of
from revox_mcp.domain.ingest import ItemSet

pytestmark = pytest.mark.anyio


def entry(payload: bytes = b"{}", stored_at: float = 1.0) -> Entry:
    return Entry(payload, stored_at, "d" * 24)


def test_an_entry_round_trips_through_bytes() -> None:
    original = Entry(b'{"a": "\\n"}\nsecond line', 1234.5, "abc")
    assert Entry.from_bytes(original.to_bytes()) == original


@pytest.mark.parametrize("data", [b"", b"no header", b"{}\n", b'{"t": "x", "d": 1}\npayload', b"\xff\n"])
def test_bytes_that_are_not_an_entry_read_as_none(data: bytes) -> None:
    assert Entry.from_bytes(data) is None


async def test_an_entry_expires_on_its_own() -> None:
    clock = FakeClock()
    backend = MemoryBackend(clock=clock)
    await backend.set("k", entry(), expire_after=10)
    assert await backend.get("k") is not None
    clock.advance(10)
    assert await backend.get("k") is None
    assert len(backend) == 0


async def test_the_least_recently_used_entries_go_first_beyond_the_limits() -> None:
    backend = MemoryBackend(max_entries=2, max_bytes=1000, clock=FakeClock())
    await backend.set("a", entry(), expire_after=60)
    await backend.set("b", entry(), expire_after=60)
    await backend.get("a")  # a is now the most recently used
    await backend.set("c", entry(), expire_after=60)
    assert [await backend.get(k) is not None for k in "abc"] == [True, False, True]
    await backend.set("big", entry(b"x" * 999), expire_after=60)
    assert len(backend) == 1
    assert backend.size_bytes == 999


async def test_held_values_count_against_the_size_limit_by_their_estimated_weight() -> None:
    backend = MemoryBackend(max_entries=10, max_bytes=1000, clock=FakeClock())
    await backend.set("a", Entry.holding("first", 1.0, weight=600), expire_after=60)
    await backend.set("b", Entry.holding("second", 1.0, weight=600), expire_after=60)
    assert await backend.get("a") is None
    assert (found := await backend.get("b")) is not None
    assert found.value == "second"
    assert backend.size_bytes == 600


def test_a_held_entry_has_no_bytes_to_share() -> None:
    with pytest.raises(ValueError, match="shared backend"):
        Entry.holding({"a": 1}, 1.0, weight=10).to_bytes()


def test_a_values_weight_is_close_to_its_json_size_without_serialising_it() -> None:
    value = {"name": "Émilie's assistant", "prompt": "p" * 5000, "tools": [{"url": "https://x.test/a"}] * 20}
    size = len(json.dumps(value, ensure_ascii=False, separators=(",", ":")))
    assert 0.9 * size <= weight_of(value) <= 1.1 * size


def test_a_cleaned_list_weighs_what_revox_sent_for_it() -> None:
    listing = ItemSet(({"id": "a"},), ("d",), raw_bytes=12_345)
    assert weight_of(listing) == 12_345
    assert weight_of([listing, listing]) == 2 * 12_345 + 4
