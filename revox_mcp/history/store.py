"""The versions the server observed: what a store does, and ``History``, what the data path calls.

``History.record`` is awaited by the fetch that saw the versions, so a version is stored before the
answer that saw it returns. It is cheap when nothing changed: the digest last recorded for each
(key fingerprint, assistant) is kept in a bounded map, and a refresh whose versions all match it
asks the store one tiny question (has another writer written since?) and writes nothing. What did
change is written in one batch. Every call to the store has a deadline; when the store fails or is
late, ``record`` gives up (the versions are tried again on the next fetch), ``history`` answers
nothing, the problem is logged once and shown by ``health``, and each answer still returns.

Without a store (history off) nothing is written anywhere.
"""

from __future__ import annotations

import itertools
import logging
import time
from collections.abc import Awaitable, Callable, Hashable, Sequence
from dataclasses import dataclass
from typing import Protocol, TypeVar

import anyio

from revox_mcp.cache.memo import LRU
from revox_mcp.domain.ingest import ItemSet
from revox_mcp.history.version import Health, Limits, StoreError, StoreKind, Version

log = logging.getLogger(__name__)

T = TypeVar("T")

# What a store answers to "has anyone else written?": equal tokens mean no other writer did.
Token = Hashable

# A refresh of a few assistants must not wait on the store for long; a first fetch of 10,000 writes
# 10,000 versions (1.5 to 3 s of encoding and one transaction on a busy 2-core machine, a fifth to a
# third of the time cleaning them took), so the deadline grows with the batch: 4.5 s for 10,000.
DEFAULT_DEADLINE = 0.5
DEFAULT_DEADLINE_PER_VERSION = 0.000_4
DEFAULT_MAX_DEADLINE = 5.0
DEFAULT_READ_DEADLINE = 1.0
# After a failure the store is left alone this long: an outage costs one deadline, not one per fetch.
DEFAULT_RETRY_EVERY = 30.0
# (key fingerprint, assistant) pairs whose last recorded digest is remembered: 10,000 assistants
# of two keys; about 250 bytes each.
DEFAULT_MEMO_ENTRIES = 20_000
DEFAULT_HISTORY_LIMIT = 20


@dataclass(frozen=True)
class Appended:
    """What a store did with a batch: which versions were new, its token after the write, and
    whether its token was still ``expected`` when the write began (no other writer in between)."""

    new: list[bool]
    token: Token
    undisturbed: bool


class Store(Protocol):
    """Where versions live. Every method raises ``StoreError`` (one line, no secret) when it cannot."""

    kind: StoreKind
    where: str
    limits: Limits
    # How often an unchanged version must be confirmed to the store (Redis: to keep it from
    # expiring); None: never.
    refresh_every: float | None

    async def token(self, account: str) -> Token:
        """A value that changes when another writer (process, replica) writes ``account``'s versions."""
        ...

    async def append(self, account: str, versions: Sequence[Version], expected: Token) -> Appended:
        """Store each version that differs from the assistant's latest one (in order: a batch may hold
        several versions of one assistant), atomically, bounded by ``limits``."""
        ...

    async def read(self, account: str, assistant_id: str, limit: int) -> list[Version]:
        """The assistant's stored versions, newest first, at most ``limit``."""
        ...

    async def erase(self, account: str | None) -> int:
        """Delete ``account``'s versions (every account's when None); how many versions were erased."""
        ...

    async def check(self) -> None:
        """Raise StoreError unless versions can be read and written now (opens the store if needed)."""
        ...

    async def count(self, account: str) -> int:
        """How many versions are stored for ``account``."""
        ...

    async def aclose(self) -> None: ...


class _Failed:
    """What a call to the store that failed or was late returns (its problem is on the circuit)."""


FAILED = _Failed()


@dataclass(frozen=True, slots=True)
class _Seen:
    digest: str
    epoch: int  # valid while the account's epoch is this one
    confirmed_at: float  # monotonic


class _Circuit:
    """One kind of access to the store (writing or reading): after a failure it is not tried again for
    ``retry_every`` seconds; a failure and the recovery are each logged once."""

    def __init__(self, doing: str, where: str, retry_every: float, clock: Callable[[], float]) -> None:
        self.doing = doing
        self.where = where
        self.retry_every = retry_every
        self.problem: str | None = None
        self.failures = 0
        self._clock = clock
        self._retry_at = 0.0

    def usable(self) -> bool:
        return self.problem is None or self._clock() >= self._retry_at

    def failed(self, reason: str) -> None:
        self.failures += 1
        self._retry_at = self._clock() + self.retry_every
        if self.problem is None:
            log.warning(
                "history store %s: %s failed (%s); answers go on without it, retrying every %.0f s",
                self.where,
                self.doing,
                reason,
                self.retry_every,
            )
        self.problem = reason

    def succeeded(self) -> None:
        if self.problem is not None:
            log.warning("history store %s: %s works again", self.where, self.doing)
            self.problem = None


class History:
    """Records the versions the server observes and reads them back; never fails a caller.

    ``store`` None: history off. Timers (``clock``, monotonic) are injectable; deadlines are anyio's.
    """

    def __init__(
        self,
        store: Store | None,
        *,
        deadline: float = DEFAULT_DEADLINE,
        deadline_per_version: float = DEFAULT_DEADLINE_PER_VERSION,
        max_deadline: float = DEFAULT_MAX_DEADLINE,
        read_deadline: float = DEFAULT_READ_DEADLINE,
        retry_every: float = DEFAULT_RETRY_EVERY,
        memo_entries: int = DEFAULT_MEMO_ENTRIES,
        clock: Callable[[], float] = time.monotonic,
        wall: Callable[[], float] = time.time,
        off_reason: str = "history is off (REVOX_MCP_HISTORY=off): no version is recorded, nothing is written",
    ) -> None:
        self.store = store
        self.deadline = deadline
        self.deadline_per_version = deadline_per_version
        self.max_deadline = max_deadline
        self.read_deadline = read_deadline
        self._clock = clock
        self._wall = wall
        self._off_reason = off_reason
        where = store.where if store is not None else "off"
        self._writes = _Circuit("recording versions", where, retry_every, clock)
        self._reads = _Circuit("reading versions", where, retry_every, clock)
        self._checked = False
        self._memo_entries = memo_entries
        self._seen: LRU[tuple[str, str], _Seen] = LRU(memo_entries)
        # Per account: the store's token when the remembered digests were last known valid, and their epoch.
        self._epochs: LRU[str, tuple[Token, int]] = LRU(max(1024, memo_entries // 10))
        # Per account: the last listing recorded whole (its version), under which epoch, and when.
        self._listings: LRU[str, tuple[str, int, float]] = LRU(1024)
        self._epoch_numbers = itertools.count(1)

    @property
    def on(self) -> bool:
        return self.store is not None

    # --- recording --------------------------------------------------------------------------------

    def deadline_for(self, count: int) -> float:
        """How long recording ``count`` versions may take before it is given up."""
        return min(self.max_deadline, self.deadline + self.deadline_per_version * count)

    async def record(self, account: str, versions: Sequence[Version]) -> list[Version]:
        """Store the versions seen in one fetch for key fingerprint ``account``; the ones that were new.

        Within the deadline, or not at all: then [] (and they are tried again on the next fetch).
        """
        new = await self._record(account, versions)
        return [] if isinstance(new, _Failed) else new

    async def record_listing(self, account: str, listing: ItemSet, *, seen_at: float | None = None) -> list[Version]:
        """``record`` for a cleaned list of assistants (an ``ItemSet``): when it is the list last recorded
        whole, only the store's token is asked (has another writer written?) and no version is built."""
        store = self.store
        if store is None or not self._writes.usable():
            return []
        last = self._listings.get(account)
        known = self._epochs.get(account)
        if last is not None and known is not None and (listing.version, known[1]) == last[:2]:
            fresh = store.refresh_every is None or self._clock() - last[2] < store.refresh_every
            token = await self._call(self._writes, self.deadline, store.token(account))
            if token is FAILED or (fresh and token == known[0]):
                return []
        seen = self._wall() if seen_at is None else seen_at
        versions = [
            version
            for item, digest in zip(listing.items, listing.digests, strict=True)
            if (version := Version.of(item, digest, seen)) is not None
        ]
        new = await self._record(account, versions)
        if isinstance(new, _Failed):
            return []
        if (recorded := self._epochs.get(account)) is not None:
            self._listings.put(account, (listing.version, recorded[1], self._clock()))
        return new

    async def _record(self, account: str, versions: Sequence[Version]) -> list[Version] | _Failed:
        """The new versions, or FAILED when the store is off, failing, or was late."""
        if self.store is None or not self._writes.usable():
            return FAILED
        if not versions:
            return []
        return await self._call(self._writes, self.deadline_for(len(versions)), self._append(account, versions))

    async def _append(self, account: str, versions: Sequence[Version]) -> list[Version]:
        store = self.store
        assert store is not None
        token = await store.token(account)
        epoch = self._epoch(account, token)
        pending = self._pending(account, versions, epoch, store.refresh_every)
        if not pending:
            return []
        appended = await store.append(account, pending, token)
        if not appended.undisturbed:  # another writer wrote meanwhile: what is remembered is re-checked
            epoch = next(self._epoch_numbers)
        self._epochs.put(account, (appended.token, epoch))
        now = self._clock()
        for version in pending:
            self._seen.put((account, version.assistant_id), _Seen(version.digest, epoch, now))
        return [version for version, new in zip(pending, appended.new, strict=True) if new]

    async def _call(self, circuit: _Circuit, deadline: float, call: Awaitable[T]) -> T | _Failed:
        """``call`` within ``deadline``; FAILED (the failure noted on ``circuit``) when it fails or is late."""
        try:
            with anyio.fail_after(deadline):
                result = await call
        except StoreError as exc:
            circuit.failed(str(exc))
            return FAILED
        except TimeoutError:
            circuit.failed(f"no answer within {deadline:.1f} s")
            return FAILED
        circuit.succeeded()
        return result

    def _epoch(self, account: str, token: Token) -> int:
        """The epoch under which remembered digests are valid: a new one when the token moved."""
        known = self._epochs.get(account)
        if known is not None and known[0] == token:
            return known[1]
        epoch = next(self._epoch_numbers)
        self._epochs.put(account, (token, epoch))
        return epoch

    def _pending(self, account: str, versions: Sequence[Version], epoch: int, refresh: float | None) -> list[Version]:
        """The versions whose digest differs from the one last recorded (or not known to be)."""
        now = self._clock()
        current: dict[str, str | None] = {}
        pending: list[Version] = []
        for version in versions:
            ident = version.assistant_id
            if ident in current:
                known = current[ident]
            else:
                seen = self._seen.get((account, ident))
                valid = seen is not None and seen.epoch == epoch
                fresh = refresh is None or (seen is not None and now - seen.confirmed_at < refresh)
                known = seen.digest if seen is not None and valid and fresh else None
            if known != version.digest:
                pending.append(version)
            current[ident] = version.digest
        return pending

    # --- reading ----------------------------------------------------------------------------------

    async def history(self, account: str, assistant_id: str, limit: int = DEFAULT_HISTORY_LIMIT) -> list[Version]:
        """The assistant's stored versions, newest first (at most ``limit``); [] when off or failing."""
        store = self.store
        if store is None or limit <= 0 or not self._reads.usable():
            return []
        read = store.read(account, assistant_id, min(limit, store.limits.max_versions))
        versions = await self._call(self._reads, self.read_deadline, read)
        return [] if isinstance(versions, _Failed) else versions

    async def health(self, *, probe: bool = False, account: str | None = None) -> Health:
        """ok, off or unavailable, with a one-line reason. The store is checked (within the read
        deadline) on first use, when a retry is due, and whenever ``probe`` asks (revox_status: what
        to check first when nothing works); otherwise the answer is what the last calls found."""
        store = self.store
        if store is None:
            return Health("off", "off", self._off_reason)
        failing = self._writes.problem is not None or self._reads.problem is not None
        due = failing and self._writes.usable() and self._reads.usable()
        if (probe or due or not (failing or self._checked)) and not isinstance(
            await self._call(self._writes, self.read_deadline, store.check()), _Failed
        ):
            self._checked = True
            self._reads.succeeded()
        failures = self._writes.failures + self._reads.failures
        if self._writes.problem is not None:
            reason = f"{self._writes.problem}: new versions are not recorded"
            return Health("unavailable", store.kind, reason, store.where, failures=failures)
        if self._reads.problem is not None:
            reason = f"{self._reads.problem}: stored versions cannot be read"
            return Health("unavailable", store.kind, reason, store.where, failures=failures)
        versions = None
        if account is not None:
            counted = await self._call(self._reads, self.read_deadline, store.count(account))
            versions = None if isinstance(counted, _Failed) else counted
        return Health("ok", store.kind, _WHAT[store.kind], store.where, versions, failures)

    # --- erasing ----------------------------------------------------------------------------------

    async def erase(self, account: str | None = None) -> int:
        """Delete the versions of key fingerprint ``account`` (of every key when None); how many.

        Raises StoreError when the store cannot do it: erasing is asked for explicitly and must not
        pass for done when it was not.
        """
        store = self.store
        if store is None:
            return 0
        erased = await store.erase(account)
        if account is None:
            self._seen = LRU(self._memo_entries)
            self._listings = LRU(1024)
            self._epochs = LRU(max(1024, self._memo_entries // 10))
        else:
            self._epochs.put(account, (object(), next(self._epoch_numbers)))  # forget what was recorded
        return erased

    async def aclose(self) -> None:
        if self.store is not None:
            await self.store.aclose()


_WHAT: dict[StoreKind, str] = {
    "sqlite": "recording versions in a SQLite file",
    "redis": "recording versions in Redis, shared by replicas",
    "memory": "recording versions in this process's memory only: nothing is written to disk",
    "off": "off",
}
