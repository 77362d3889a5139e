"""A bounded least-recently-used map, for data derived from cleaned Revox payloads.

Keys are content-based (key fingerprint, object id, content digest...), never object identities,
so an unchanged re-fetch, another replica's copy or a shared cache all hit the same memo.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class LRU(Generic[K, V]):
    """At most ``max_entries`` values; the least recently used goes first."""

    def __init__(self, max_entries: int) -> None:
        self.max_entries = max_entries
        self._items: OrderedDict[K, V] = OrderedDict()
        self.hits = 0
        self.misses = 0

    def __len__(self) -> int:
        return len(self._items)

    def get(self, key: K) -> V | None:
        value = self._items.get(key)
        if value is None:
            self.misses += 1
            return None
        self.hits += 1
        self._items.move_to_end(key)
        return value

    def put(self, key: K, value: V) -> V:
        self._items[key] = value
        self._items.move_to_end(key)
        while len(self._items) > self.max_entries:
            self._items.popitem(last=False)
        return value

    def get_or_make(self, key: K, make: Callable[[], V]) -> V:
        found = self.get(key)
        return found if found is not None else self.put(key, make())


class Latest(Generic[K, V]):
    """Per key (a key fingerprint), the value derived from the latest version of something (a list):
    a new version replaces the old one's value, so no superseded version is kept."""

    def __init__(self, max_keys: int = 1024) -> None:
        self._values: LRU[K, tuple[str, V]] = LRU(max_keys)

    def get_or_make(self, key: K, version: str, make: Callable[[], V]) -> V:
        found = self._values.get(key)
        if found is not None and found[0] == version:
            return found[1]
        return self._values.put(key, (version, make()))[1]
