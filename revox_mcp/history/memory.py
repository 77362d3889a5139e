"""Versions in this process's memory: the demo's store (it writes nothing to disk) and the tests'.

Encoded like every store (bounded JSON), so what it holds and how it is bounded is what the file
and Redis hold; lost when the process ends.
"""

from __future__ import annotations

from collections import OrderedDict, deque
from collections.abc import Sequence
from dataclasses import dataclass

from revox_mcp.history.store import Appended, Token
from revox_mcp.history.version import DEFAULT_LIMITS, Limits, StoreKind, Version, decode_config, encode_config


@dataclass(frozen=True, slots=True)
class _Stored:
    number: int  # in the order stored, over the whole store
    digest: str
    seen_at: float
    updated_at: str | None
    config: bytes


class MemoryStore:
    """A ``Store`` in a dict: the newest ``max_versions`` per assistant, ``max_total_bytes`` in all
    (the oldest versions dropped first)."""

    kind: StoreKind = "memory"
    where = "memory"
    refresh_every: float | None = None

    def __init__(self, *, limits: Limits = DEFAULT_LIMITS) -> None:
        self.limits = limits
        self._versions: dict[tuple[str, str], deque[_Stored]] = {}
        self._order: OrderedDict[int, tuple[str, str]] = OrderedDict()  # number -> whose, oldest first
        self._numbers = 0
        self.size_bytes = 0

    def __len__(self) -> int:
        return len(self._order)

    async def token(self, account: str) -> Token:
        return 0  # this process is the only writer

    async def append(self, account: str, versions: Sequence[Version], expected: Token) -> Appended:
        new: list[bool] = []
        for version in versions:
            slot = (account, version.assistant_id)
            kept = self._versions.setdefault(slot, deque())
            if kept and kept[-1].digest == version.digest:
                new.append(False)
                continue
            self._numbers += 1
            config = encode_config(version.config, self.limits.max_config_bytes)
            kept.append(_Stored(self._numbers, version.digest, version.seen_at, version.updated_at, config))
            self._order[self._numbers] = slot
            self.size_bytes += len(config)
            new.append(True)
            while len(kept) > self.limits.max_versions:
                self._drop(kept.popleft())
        while self.size_bytes > self.limits.max_total_bytes and self._order:
            number, slot = next(iter(self._order.items()))
            kept = self._versions[slot]
            assert kept[0].number == number  # per assistant, oldest first like the whole store
            self._drop(kept.popleft())
            if not kept:
                del self._versions[slot]
        return Appended(new, 0, True)

    def _drop(self, stored: _Stored) -> None:
        del self._order[stored.number]
        self.size_bytes -= len(stored.config)

    async def read(self, account: str, assistant_id: str, limit: int) -> list[Version]:
        kept = self._versions.get((account, assistant_id), ())
        newest = list(reversed(kept))[:limit]
        return [
            Version(assistant_id, stored.digest, stored.seen_at, decode_config(stored.config), stored.updated_at)
            for stored in newest
        ]

    async def erase(self, account: str | None) -> int:
        slots = [slot for slot in self._versions if account is None or slot[0] == account]
        erased = 0
        for slot in slots:
            for stored in self._versions.pop(slot):
                self._drop(stored)
                erased += 1
        return erased

    async def check(self) -> None:
        return None

    async def count(self, account: str) -> int:
        return sum(len(kept) for (whose, _ident), kept in self._versions.items() if whose == account)

    async def aclose(self) -> None:
        return None
