"""LRU, the one bounded map: bounded by count and by weight, least recently used out first."""

from __future__ import annotations

from revox_mcp.cache.memo import LRU


def test_the_least_recently_used_goes_first_beyond_the_count() -> None:
    lru: LRU[str, int] = LRU(2)
    lru.put("a", 1)
    lru.put("b", 2)
    assert lru.get("a") == 1  # a is now the most recently used
    lru.put("c", 3)
    assert (lru.get("a"), lru.get("b"), lru.get("c")) == (1, None, 3)


def test_a_weighed_map_keeps_its_total_weight_under_the_bound() -> None:
    lru: LRU[str, bytes] = LRU(100, max_weight=10, weigh=len)
    lru.put("a", b"12345")
    lru.put("b", b"1234")
    lru.put("a", b"123")  # replacing a value replaces its weight
    assert lru.weight == 7
    lru.put("c", b"123456")
    assert (lru.get("b"), lru.weight) == (None, 9)  # b, least recently used, made room
    assert lru.pop("a") == b"123"
    assert (lru.weight, len(lru), list(lru.values())) == (6, 1, [b"123456"])


def test_one_value_heavier_than_the_bound_is_not_kept() -> None:
    lru: LRU[str, bytes] = LRU(100, max_weight=4, weigh=len)
    lru.put("a", b"12")
    lru.put("big", b"12345")
    assert (len(lru), lru.weight) == (0, 0)
