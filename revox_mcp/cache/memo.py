"""The one bounded map: least recently used first out, by count and, optionally, by weight.

Every map that could grow with its input (memos of derived data, per-key back-offs and figures,
cache entries in memory) is an ``LRU``: nothing evicts by hand. Memo keys are content-based (key
fingerprint, object id, content digest...), never object identities, so an unchanged re-fetch,
another replica's copy or a shared cache all hit the same memo.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterator
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class LRU(Generic[K, V]):
    """At most ``max_entries`` values (and, with ``weigh``, at most ``max_weight`` in total); the least
    recently used goes first. ``None`` is not a value: ``get`` answers it for a missing key."""

    def __init__(
        self, max_entries: int, *, max_weight: int | None = None, weigh: Callable[[V], int] | None = None
    ) -> None:
        self.max_entries = max_entries
        self.max_weight = max_weight
        self._weigh = weigh
        self._items: OrderedDict[K, V] = OrderedDict()
        self.weight = 0
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
        self.pop(key)
        self._items[key] = value
        if self._weigh is not None:
            self.weight += self._weigh(value)
        while len(self._items) > self.max_entries or (
            self.max_weight is not None and self.weight > self.max_weight and self._items
        ):
            self.pop(next(iter(self._items)))
        return value

    def pop(self, key: K) -> V | None:
        """Forget ``key``; its value, or None."""
        value = self._items.pop(key, None)
        if value is not None and self._weigh is not None:
            self.weight -= self._weigh(value)
        return value

    def get_or_make(self, key: K, make: Callable[[], V]) -> V:
        found = self.get(key)
        return found if found is not None else self.put(key, make())

    def values(self) -> Iterator[V]:
        """The values, least recently used first (reading them uses none)."""
        return iter(list(self._items.values()))


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
