"""Where cache entries live: a protocol over entries, and the in-process backend.

An entry carries a wall-clock timestamp and either its value's bytes with their digest, so that a
backend shared between processes (Redis) can hold it as it is and every replica can judge its age
and compare contents, or, in process, the value itself: nothing there reads bytes, so the in-process
backend is handed values and never pays for a serialised copy of what it already holds. Backends
never see a key, only fingerprints inside cache keys, and never anything but cleaned (redacted) data.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from revox_mcp.cache.memo import LRU

# What a number, a boolean or null counts for when a value's weight is estimated.
_SCALAR_WEIGHT = 8


@dataclass(frozen=True)
class Entry:
    """A stored value and when it was stored (``time.time()``): its bytes (``payload``, what a shared
    store holds) and their digest, or (``held``) the value itself, which never leaves the process."""

    payload: bytes | None
    stored_at: float
    digest: str
    value: Any = field(default=None, compare=False, repr=False)
    held_weight: int = field(default=0, compare=False, repr=False)

    @classmethod
    def holding(cls, value: Any, stored_at: float, weight: int) -> Entry:
        """An in-process entry: the value as it is, and about how many bytes it would take serialised."""
        return cls(None, stored_at, "", value, weight)

    @property
    def held(self) -> bool:
        return self.payload is None

    @property
    def weight(self) -> int:
        """What the entry counts for against a backend's size limit: its bytes, or its value's estimate."""
        return self.held_weight if self.payload is None else len(self.payload)

    def to_bytes(self) -> bytes:
        if self.payload is None:
            raise ValueError("an entry held in process has no bytes: store values encoded in a shared backend")
        header = json.dumps({"t": self.stored_at, "d": self.digest}, separators=(",", ":")).encode()
        return header + b"\n" + self.payload

    @classmethod
    def from_bytes(cls, data: bytes) -> Entry | None:
        """The entry, or None when ``data`` is not one (another version's format, corruption)."""
        header, sep, payload = data.partition(b"\n")
        if not sep:
            return None
        try:
            meta = json.loads(header)
            return cls(payload, float(meta["t"]), str(meta["d"]))
        except (ValueError, KeyError, TypeError):
            return None


def weight_of(value: Any) -> int:
    """About how many bytes ``value`` would take as JSON, without serialising it: a ``weight`` it states
    (a cleaned list: the size of Revox's body), else the sum of its strings and scalars."""
    total = 0
    stack = [value]
    while stack:
        item = stack.pop()
        kind: type = type(item)
        # Cheapest checks first (a cached page holds hundreds of thousands of plain values): exact
        # scalar types, then the containers; only what is left is asked for a stated ``weight``.
        if kind in _SCALARS:
            total += _SCALAR_WEIGHT
        elif isinstance(item, str | bytes):
            total += len(item) + 2
        elif isinstance(item, list | tuple):
            total += 2 + len(item)
            stack.extend(item)
        elif isinstance(item, dict | Mapping):
            total += 2 + sum(len(str(key)) + 4 for key in item)
            stack.extend(item.values())
        elif isinstance(stated := getattr(item, "weight", None), int):
            total += stated
        elif (names := _field_names(kind)) is not None:
            stack.extend(getattr(item, name) for name in names)
        else:
            total += _SCALAR_WEIGHT
    return total


_SCALARS = frozenset({int, float, bool, type(None)})


@functools.cache
def _field_names(kind: type) -> tuple[str, ...] | None:
    """The field names of a dataclass type (None: not one), looked up once per type."""
    if not dataclasses.is_dataclass(kind):
        return None
    return tuple(part.name for part in dataclasses.fields(kind))


class CacheBackend(Protocol):
    """Storage of entries by cache key; every entry expires on its own after ``expire_after`` seconds."""

    # True: the backend lives in this process and is given values as they are (``Entry.holding``);
    # False: it is shared between processes and is given their bytes.
    holds_values: bool

    async def get(self, key: str) -> Entry | None: ...

    async def set(self, key: str, entry: Entry, *, expire_after: float) -> None: ...


class MemoryBackend:
    """Entries in this process, least recently used dropped beyond ``max_bytes`` (of their ``weight``:
    bytes, or a held value's estimate) or ``max_entries``."""

    holds_values = True

    def __init__(
        self,
        *,
        max_entries: int = 4096,
        max_bytes: int = 512 * 1024 * 1024,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._clock = clock
        # Each entry with when it expires (``clock``), weighed by its payload's size or its value's estimate.
        self._entries: LRU[str, tuple[Entry, float]] = LRU(
            max_entries, max_weight=max_bytes, weigh=lambda stored: stored[0].weight
        )

    def __len__(self) -> int:
        return len(self._entries)

    @property
    def size_bytes(self) -> int:
        return self._entries.weight

    def entries(self) -> list[Entry]:
        """Every entry stored now (expired ones included until they are next asked for)."""
        return [entry for entry, _expires in self._entries.values()]

    async def get(self, key: str) -> Entry | None:
        found = self._entries.get(key)
        if found is None:
            return None
        entry, expires = found
        if self._clock() >= expires:
            self._entries.pop(key)
            return None
        return entry

    async def set(self, key: str, entry: Entry, *, expire_after: float) -> None:
        self._entries.put(key, (entry, self._clock() + expire_after))
