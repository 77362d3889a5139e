"""Where cache entries live: a protocol over serialised entries, and the in-process backend.

An entry is bytes plus a wall-clock timestamp and a content digest, so that a backend shared
between processes (Redis) can hold it as it is and every replica can judge its age. Backends never
see a key, only fingerprints inside cache keys, and never anything but cleaned (redacted) data.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from revox_mcp.cache.memo import LRU


@dataclass(frozen=True)
class Entry:
    """A serialised value, when it was stored (``time.time()``), and the digest of ``payload``."""

    payload: bytes
    stored_at: float
    digest: str

    def to_bytes(self) -> bytes:
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


class CacheBackend(Protocol):
    """Storage of entries by cache key; every entry expires on its own after ``expire_after`` seconds."""

    async def get(self, key: str) -> Entry | None: ...

    async def set(self, key: str, entry: Entry, *, expire_after: float) -> None: ...


class MemoryBackend:
    """Entries in this process, least recently used dropped beyond ``max_bytes`` or ``max_entries``."""

    def __init__(
        self,
        *,
        max_entries: int = 4096,
        max_bytes: int = 512 * 1024 * 1024,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._clock = clock
        # Each entry with when it expires (``clock``), weighed by its payload's size.
        self._entries: LRU[str, tuple[Entry, float]] = LRU(
            max_entries, max_weight=max_bytes, weigh=lambda stored: len(stored[0].payload)
        )

    def __len__(self) -> int:
        return len(self._entries)

    @property
    def size_bytes(self) -> int:
        return self._entries.weight

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
