"""Revox data as the services read it: fetched through the API, cleaned at ingest, cached.

This is where the three meet: ``api`` (how Revox is asked, paged included), ``domain.ingest`` and
``domain.call_cleaning`` (cleaning, once, on arrival) and ``cache`` (TTL, single flight, stale
data). What comes out is cleaned and carries its age and staleness; what goes into any cache is
already cleaned.
"""

from __future__ import annotations

import functools
import hashlib
import json
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any, Protocol

import anyio

from revox_mcp.api.client import RevoxApi
from revox_mcp.api.payload import Reply
from revox_mcp.api.search import CallQuery
from revox_mcp.cache.memo import LRU
from revox_mcp.cache.store import Cache, Cached, CacheKey
from revox_mcp.credential import Credential
from revox_mcp.domain.call_cleaning import clean_call
from revox_mcp.domain.call_fields import FINISHED_STATUSES, enum, validate_call_id
from revox_mcp.domain.facts import validate_assistant_id
from revox_mcp.domain.ingest import (
    Item,
    ItemCodec,
    ItemSet,
    ItemSetCodec,
    Streamed,
    ingest_list,
    ingest_object,
)
from revox_mcp.domain.personal import Mode
from revox_mcp.domain.timeline.record import CallRecord, record_from_json, record_json, record_of
from revox_mcp.errors import (
    RevoxAuthError,
    RevoxError,
    RevoxNotFoundError,
    RevoxPendingError,
    RevoxRefusalError,
    RevoxResponseError,
    RevoxStatusError,
    RevoxUnavailableError,
)
from revox_mcp.settings import (
    DEFAULT_LOOKUP_GRACE,
    DEFAULT_MEMO_ENTRIES,
    DEFAULT_PERIOD_CONCURRENCY,
    DEFAULT_PERIOD_DAYS,
    DEFAULT_PERIOD_MAX_CALLS,
    DEFAULT_PERIOD_PAGE_TTL,
    DEFAULT_TTL,
    Settings,
)

if TYPE_CHECKING:
    from revox_mcp.domain.redaction import Redactor

_ITEM_SET_CODEC = ItemSetCodec()
_ITEM_CODEC = ItemCodec()


# Lists at least this long are cleaned in a worker thread: cleaning 10,000 assistants takes seconds
# of CPU, and the event loop must keep answering other calls (and serving stale data) meanwhile.
THREAD_AT = 100


@dataclass(frozen=True)
class DataSettings:
    ttl: float = DEFAULT_TTL
    # Calls: personal data masked at ingest ("mask") or shown ("show"); part of every call cache key.
    personal_data: Mode = "mask"
    # How long a call waits for a fetch it can do without (Settings.lookup_grace).
    lookup_grace: float = DEFAULT_LOOKUP_GRACE
    # Periods of calls (``Settings``' period_* fields): how much a period scan reads, how many pages
    # at once per key, how long its pages stay while the newest is unchanged, the default period.
    period_max_calls: int = DEFAULT_PERIOD_MAX_CALLS
    period_concurrency: int = DEFAULT_PERIOD_CONCURRENCY
    period_page_ttl: float = DEFAULT_PERIOD_PAGE_TTL
    period_days: int = DEFAULT_PERIOD_DAYS
    now: datetime | None = None  # "now" for periods; None: the clock's
    memo_entries: int = DEFAULT_MEMO_ENTRIES

    @classmethod
    def of(cls, settings: Settings) -> DataSettings:
        return cls(
            ttl=settings.cache_ttl,
            personal_data=settings.personal_data,
            lookup_grace=settings.lookup_grace,
            period_max_calls=settings.period_max_calls,
            period_concurrency=settings.period_concurrency,
            period_page_ttl=settings.period_page_ttl,
            period_days=settings.period_days,
            now=settings.periods_now,
            memo_entries=settings.memo_entries,
        )


@dataclass(frozen=True)
class _Generation:
    """The last list fetched for one key and path: its body's digest, the cleaned list, and each
    cleaned object by the digest of what Revox sent for it. The next fetch reuses what did not change
    (everything, when the body is the same) and then replaces it, so one generation is kept, not two."""

    body: str
    listing: ItemSet
    cleaned: Mapping[str, Item]


class ListEndpoint(Protocol):
    """A RevoxApi list method: ``GET`` of a whole list, skipped parsing when the body is unchanged."""

    def __call__(self, key: str, *, unchanged: str | None = None) -> Awaitable[Reply]: ...


class Recorder(Protocol):
    """Told of every assistant fetched from Revox (cleaned), before the fetch returns: the history."""

    async def listing(self, cred: Credential, listing: ItemSet) -> None: ...

    async def one(self, cred: Credential, item: Item) -> None: ...


class NoRecorder:
    async def listing(self, cred: Credential, listing: ItemSet) -> None:
        return None

    async def one(self, cred: Credential, item: Item) -> None:
        return None


class RevoxData:
    """Cleaned, cached Revox objects for any credential."""

    # What fetched assistants are handed to (service.history sets it): never fails a fetch.
    recorder: Recorder = NoRecorder()

    def __init__(
        self,
        api: RevoxApi,
        cache: Cache,
        settings: DataSettings = DataSettings(),
        own_secrets: tuple[str, ...] = (),
        *,
        wall: Callable[[], float] = time.time,
    ) -> None:
        self.api = api
        self.cache = cache
        self.settings = settings
        self._own_secrets = own_secrets
        self._wall = wall
        # Pages of one key read at once by period scans, whoever asks: the key's share of Revox.
        self._page_limiters: LRU[str, anyio.CapacityLimiter] = LRU(1024)
        self._records: LRU[tuple[str, str, str], CallRecord] = LRU(settings.memo_entries)
        self._generations: LRU[tuple[str, str], _Generation] = LRU(4096)
        self._ingest_limiter = anyio.CapacityLimiter(1)  # one list cleaned at a time, off the event loop
        # One redactor per key (its known secrets are that key and the server's own): its memos
        # make repeated content cheap, so it lives as long as the key is in use.
        self._redactors: LRU[str, Redactor] = LRU(1024)

    @property
    def ttl(self) -> float:
        return self.settings.ttl

    def now(self) -> datetime:
        """Now, for periods ("the last 7 days"): the configured moment (the demo's), else the clock's."""
        return self.settings.now or datetime.fromtimestamp(self._wall(), tz=timezone.utc)

    def redactor(self, cred: Credential) -> Redactor:
        """Cleans everything this credential reads; masks by value its own key and the server's secrets."""
        from revox_mcp.domain.redaction import Redactor  # its pattern table: loaded on the first read, not at start

        return self._redactors.get_or_make(cred.fingerprint, lambda: Redactor([cred.key, *self._own_secrets]))

    async def _cached(
        self,
        cred: Credential,
        method: str,
        path: str,
        load: Callable[[], Awaitable[ItemSet]],
        *,
        patience: float | None = None,
    ) -> Cached[ItemSet]:
        key = CacheKey.of(cred.fingerprint, method, path)
        return await self.cache.get(key, load, _ITEM_SET_CODEC, ttl=self.ttl, patience=patience)

    async def _list(self, cred: Credential, path: str, field: str, endpoint: ListEndpoint) -> ItemSet:
        """A list endpoint's objects, cleaned, reusing what the previous fetch already cleaned."""
        slot = (cred.fingerprint, path)
        previous = self._generations.get(slot)
        reply = await endpoint(cred.key, unchanged=previous.body if previous is not None else None)
        if reply.unchanged and previous is not None:
            return previous.listing  # the same body: nothing parsed, nothing cleaned
        value = reply.value
        if not isinstance(value, Mapping) or not isinstance(value.get(field), list | Streamed):
            raise RevoxResponseError(f'expected an object with a "{field}" list')
        entries: list[Any] | Streamed = value[field]
        known: Mapping[str, Item] = previous.cleaned if previous is not None else {}
        redactor = self.redactor(cred)

        def build() -> _Generation:
            cleaned: dict[str, Item] = {}

            def memo(digest: str, make: Callable[[], Item | None]) -> Item | None:
                item = known.get(digest) or cleaned.get(digest) or make()
                if item is not None:
                    cleaned[digest] = item
                return item

            listing = ingest_list(
                entries,
                lambda raw: ingest_object(raw, redactor, memo),
                raw_bytes=reply.size,
                dropped=reply.dropped,
                consume=True,
            )
            return _Generation(reply.digest, listing, cleaned)

        if not isinstance(entries, list) or len(entries) >= THREAD_AT:  # streamed: parsed as it is cleaned
            generation = await anyio.to_thread.run_sync(build, limiter=self._ingest_limiter)
        else:
            generation = build()
        self._generations.put(slot, generation)
        return generation.listing

    async def assistants(self, cred: Credential, *, patience: float | None = None) -> Cached[ItemSet]:
        """Every listed assistant (``GET /assistants``), cleaned; ``patience``: see ``Cache.get``."""
        return await self._cached(cred, "GET", "/assistants", self._assistant_list(cred), patience=patience)

    def _assistant_list(self, cred: Credential) -> Callable[[], Awaitable[ItemSet]]:
        async def load() -> ItemSet:
            listing = await self._list(cred, "/assistants", "assistants", self.api.assistants)
            await self.recorder.listing(cred, listing)
            return listing

        return load

    async def assistant(self, cred: Credential, assistant_id: str) -> Cached[Item]:
        """One assistant, from the list when it is in it, else ``GET /assistants/{id}``.

        The list carries every assistant's full configuration, so one (coalesced, cached) list
        request answers any number of lookups; only ids the list hides (sub-assistants) or does
        not know cost a request of their own. A lookup waits for the list at most the lookup grace:
        when it has not come by then (a list of thousands, a body that drips), the assistant is asked
        for by id too, and whichever has it first answers; the list goes on and serves later lookups.
        """
        ident = validate_assistant_id(assistant_id)
        try:
            listing = await self.assistants(cred, patience=self.settings.lookup_grace)
        except RevoxPendingError:
            return await self._sooner(cred, ident)
        found = listing.value.get(ident)
        if found is not None:
            return Cached(found, listing.age, listing.stale, listing.stale_reason)
        if listing.stale:
            # Revox just failed to list: asking it again for one id would only double the wait.
            raise RevoxUnavailableError(f"{listing.stale_reason}; the assistant is not in the cached list")
        return await self._by_id(cred, ident)

    async def _by_id(self, cred: Credential, ident: str) -> Cached[Item]:
        """``GET /assistants/{id}``, cached under its own key."""

        async def load() -> Item:
            reply = await self.api.assistant(cred.key, ident)
            item = ingest_object(reply.value, self.redactor(cred))
            if item is None:
                raise RevoxResponseError("expected an assistant object with an id")
            await self.recorder.one(cred, item)
            return item

        key = CacheKey.of(cred.fingerprint, "GET", "/assistants/" + ident)
        return await self.cache.get(key, load, _ITEM_CODEC, ttl=self.ttl)

    async def _sooner(self, cred: Credential, ident: str) -> Cached[Item]:
        """The assistant from whichever has it first: its own request, or the list still on its way.

        Revox's "no such id" is the answer; any other failure of one waits for the other, and the
        request's own failure is raised when neither has it. Neither fetch is cancelled: each fills
        the cache (they run in the cache's task group; only the waiting here stops)."""
        race = _Race()
        async with anyio.create_task_group() as group:

            async def own() -> None:
                try:
                    race.found = await self._by_id(cred, ident)
                except RevoxNotFoundError as exc:
                    race.error = exc
                except RevoxError as exc:
                    race.error = exc
                    return  # the list may still have it
                group.cancel_scope.cancel()

            async def listed() -> None:
                try:
                    listing = await self.assistants(cred)
                except RevoxError:
                    return  # the request's own answer decides
                found = listing.value.get(ident)
                if found is not None:
                    race.found = Cached(found, listing.age, listing.stale, listing.stale_reason)
                    group.cancel_scope.cancel()

            group.start_soon(own)
            group.start_soon(listed)
        if race.found is not None:
            return race.found
        if race.error is not None:
            raise race.error
        raise RevoxUnavailableError("the server is shutting down")

    # --- calls, phone numbers, voices, campaigns (issue 10) --------------------------------------------
    #
    # Calls are cleaned by domain.call_cleaning before they reach a cache: the personal-data mode is
    # part of every call cache key, so a shared cache never hands one mode's data to the other.

    @property
    def personal_data(self) -> Mode:
        return self.settings.personal_data

    def _call_ttls(self) -> tuple[float, float, float]:
        """(searches, running calls, finished calls): seconds, all 0 when caching is off."""
        if self.ttl <= 0:
            return 0.0, 0.0, 0.0
        return min(self.ttl, SEARCH_TTL), min(self.ttl, RUNNING_CALL_TTL), max(self.ttl, FINISHED_CALL_TTL)

    def page_cap(self, cred: Credential) -> int | None:
        """The most calls Revox returned per search page for this key, once it returned fewer than asked."""
        return self.api.search_page_cap(cred.key)

    async def call_page(
        self,
        cred: Credential,
        filters: Mapping[str, Sequence[str]],
        query: str | None,
        page: int,
        page_size: int,
    ) -> Cached[CallPage]:
        """One page of ``POST /call/search`` (``page`` counted from 0), cleaned."""
        search = CallQuery(filters, query, page, page_size)

        async def load() -> CallPage:
            found = await self.api.search_calls(cred.key, search)
            redactor, mode = self.redactor(cred), self.personal_data
            calls = ingest_list(
                found.calls,
                lambda raw: clean_call(raw, redactor, mode, search=True),
                raw_bytes=found.size,
                dropped=found.dropped,
                consume=True,
            )
            return CallPage(calls, found.total, found.received, found.sorted)

        search_ttl, _running, _finished = self._call_ttls()
        params = {
            "filters": {name: list(values) for name, values in sorted(filters.items())},
            "query": query,
            "page": page,
            "page_size": page_size,
            "personal_data": self.personal_data,
        }
        key = CacheKey.of(cred.fingerprint, "POST", "/call/search", params)
        return await self.cache.get(key, load, _CALL_PAGE_CODEC, ttl=search_ttl)

    def page_limiter(self, cred: Credential) -> anyio.CapacityLimiter:
        """The pages of a period this key may have in flight at once (shared by all its callers)."""
        return self._page_limiters.get_or_make(
            cred.fingerprint, lambda: anyio.CapacityLimiter(max(self.settings.period_concurrency, 1))
        )

    async def record_page(
        self,
        cred: Credential,
        filters: Mapping[str, Sequence[str]],
        query: str | None,
        page: int,
        page_size: int,
        generation: str | None = None,
    ) -> Cached[RecordPage]:
        """One page of ``POST /call/search``, each call cleaned then kept as a compact record
        (``domain.timeline.record``): what period scans read. ``generation`` names the newest page
        the scan started from: with it, the page is kept ``period_page_ttl`` (its place in the
        list is the same while the newest page is), without it as long as a search."""
        search = CallQuery(filters, query, page, page_size)
        redactor, mode = self.redactor(cred), self.personal_data

        def build(found: list[Any]) -> tuple[tuple[CallRecord, ...], tuple[str, ...]]:
            records: list[CallRecord] = []
            digests: list[str] = []
            seen: set[str] = set()
            for position, raw in enumerate(found):
                found[position] = None  # each raw call freed once read
                item = clean_call(raw, redactor, mode, search=True)
                if item is None or str(item.value["id"]) in seen:
                    continue
                ident = str(item.value["id"])
                seen.add(ident)
                slot = (cred.fingerprint, ident, item.digest)
                record = self._records.get(slot)
                if record is None:
                    record = self._records.put(slot, record_of(item.value))
                records.append(record)
                digests.append(item.digest)
            return tuple(records), tuple(digests)

        async def load() -> RecordPage:
            found = await self.api.search_calls(cred.key, search)
            raws = list(found.calls)
            records, digests = await anyio.to_thread.run_sync(build, raws, limiter=self._ingest_limiter)
            return RecordPage(records, digests, found.total, found.received, found.sorted)

        search_ttl, _running, _finished = self._call_ttls()
        ttl = search_ttl if generation is None or search_ttl <= 0 else max(self.settings.period_page_ttl, search_ttl)
        params = {
            "filters": {name: list(values) for name, values in sorted(filters.items())},
            "query": query,
            "page": page,
            "page_size": page_size,
            "personal_data": self.personal_data,
            "generation": generation,
        }
        key = CacheKey.of(cred.fingerprint, "POST", "/call/search#records", params)
        return await self.cache.get(key, load, _RECORD_PAGE_CODEC, ttl=ttl)

    async def call(self, cred: Credential, call_id: str) -> Cached[Item]:
        """One call order (``GET /call/{id}``), cleaned: finished calls cached longer than running ones."""
        ident = validate_call_id(call_id)

        async def load() -> Item:
            reply = await self.api.call(cred.key, ident)
            item = clean_call(reply.value, self.redactor(cred), self.personal_data, search=False)
            if item is None:
                raise RevoxResponseError("expected a call object with an id")
            return item

        _search, running, finished = self._call_ttls()
        key = CacheKey.of(cred.fingerprint, "GET", "/call/" + ident, {"personal_data": self.personal_data})
        cached = await self.cache.get(key, load, _ITEM_CODEC, ttl=finished)
        if enum(cached.value.value, "status") not in FINISHED_STATUSES and cached.age >= running:
            cached = await self.cache.get(key, load, _ITEM_CODEC, ttl=running)
        return cached

    # The account's lists are extras to every answer that reads them (a diagnosis's cross-checks and
    # used-by): a caller waits for one at most the lookup grace (RevoxPendingError; the fetch goes on and
    # fills the cache), and Revox's refusal of one to this key is an answer, cached for the TTL like data.

    async def phone_numbers(self, cred: Credential) -> Cached[ItemSet]:
        """The account's phone numbers (``GET /phone-numbers``), cleaned (embedded assistants redacted)."""
        return await self._account_list(cred, "/phone-numbers", "phone_numbers", self.api.phone_numbers)

    async def voices(self, cred: Credential) -> Cached[ItemSet]:
        """The account's voice catalogue (``GET /voices``): it changes rarely, so it is kept longer."""
        return await self._account_list(cred, "/voices", "voices", self.api.voices)

    async def campaigns(self, cred: Credential) -> Cached[ItemSet]:
        """The account's campaigns (``GET /campaigns``), cleaned (embedded assistants redacted)."""
        return await self._account_list(cred, "/campaigns", "campaigns", self.api.campaigns)

    async def fresh_account_list(self, cred: Credential, path: str) -> Cached[ItemSet] | None:
        """The account list at ``path`` (``/phone-numbers``, ``/voices``, ``/campaigns``) if a fresh one
        is cached, else None (also for a cached refusal): nothing is fetched, nothing waited for."""
        key = self._account_key(cred, path)
        cached = await self.cache.fresh(key, _ACCOUNT_LIST_CODEC, ttl=self._account_ttl(path))
        if cached is None or isinstance(cached.value, Refusal):
            return None
        return Cached(cached.value, cached.age)

    @staticmethod
    def _account_key(cred: Credential, path: str) -> CacheKey:
        return CacheKey.of(cred.fingerprint, "GET", path)

    def _account_ttl(self, path: str) -> float:
        if path == "/voices":  # the voice catalogue changes rarely: kept longer
            return max(self.ttl, VOICES_TTL) if self.ttl > 0 else 0.0
        return self.ttl

    async def _account_list(self, cred: Credential, path: str, field: str, endpoint: ListEndpoint) -> Cached[ItemSet]:
        """One account list, or RevoxRefusalError (from Revox or from the cache), or RevoxPendingError."""

        async def load() -> ItemSet | Refusal:
            try:
                return await self._list(cred, path, field, endpoint)
            except (RevoxAuthError, RevoxStatusError) as exc:
                if exc.status not in REFUSALS:
                    raise  # 401: the key itself is rejected, never an answer to keep
                return Refusal(exc.status)

        key = self._account_key(cred, path)
        ttl = self._account_ttl(path)
        cached = await self.cache.get(key, load, _ACCOUNT_LIST_CODEC, ttl=ttl, patience=self.settings.lookup_grace)
        value = cached.value
        if isinstance(value, Refusal):
            raise RevoxRefusalError(f"GET {path}", value.status)
        return Cached(value, cached.age, cached.stale, cached.stale_reason)


# What Revox answers when a key may not read one of the account's lists: 403 (the key lacks that
# permission), 404 (not offered). 401 is not among them: that is the key rejected.
REFUSALS = frozenset({403, 404})


@dataclass(frozen=True)
class Refusal:
    """Revox's refusal of a list to a key (its HTTP status): cached like the list would have been."""

    status: int


class AccountListCodec:
    """An account list, or Revox's refusal of it (``!`` then the status: no JSON starts with ``!``)."""

    def encode(self, value: ItemSet | Refusal) -> bytes:
        if isinstance(value, Refusal):
            return b"!%d" % value.status
        return _ITEM_SET_CODEC.encode(value)

    def decode(self, data: bytes) -> ItemSet | Refusal:
        if data.startswith(b"!"):
            return Refusal(int(data[1:]))
        return _ITEM_SET_CODEC.decode(data)


_ACCOUNT_LIST_CODEC = AccountListCodec()


@dataclass
class _Race:
    """What the first of two fetches found for a lookup, and the lookup's own failure."""

    found: Cached[Item] | None = None
    error: RevoxError | None = None


# Calls change while they run: searches are cached for seconds, finished calls for minutes.
SEARCH_TTL = 10.0
RUNNING_CALL_TTL = 5.0
FINISHED_CALL_TTL = 300.0
VOICES_TTL = 300.0


@dataclass(frozen=True)
class CallPage:
    """One search page: the cleaned calls, Revox's total_count, how many it sent, and whether sorted by us."""

    calls: ItemSet
    total: int | None
    received: int
    sorted: bool


class CallPageCodec:
    def encode(self, value: CallPage) -> bytes:
        body = {
            "calls": value.calls.to_json(),
            "total": value.total,
            "received": value.received,
            "sorted": value.sorted,
        }
        return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()

    def decode(self, data: bytes) -> CallPage:
        loaded = json.loads(data)
        return CallPage(
            ItemSet.from_json(loaded["calls"]), loaded["total"], int(loaded["received"]), bool(loaded["sorted"])
        )


_CALL_PAGE_CODEC = CallPageCodec()


@dataclass(frozen=True)
class RecordPage:
    """One search page as a period scan keeps it: a compact record per call (and the digest of what
    Revox sent for it), Revox's total_count, how many calls it sent, and whether sorted by us."""

    records: tuple[CallRecord, ...]
    digests: tuple[str, ...]
    total: int | None
    received: int
    sorted: bool

    @functools.cached_property
    def oldest(self) -> float | None:
        """When its oldest call was created (None: no call with a time)."""
        return min((r.created for r in self.records if r.created is not None), default=None)

    @functools.cached_property
    def newest(self) -> float | None:
        return max((r.created for r in self.records if r.created is not None), default=None)

    @functools.cached_property
    def generation(self) -> str:
        """What names this page's content: while it is the same, older pages hold the same calls."""
        parts = [str(self.total), str(self.received), *self.digests]
        return hashlib.blake2b("\n".join(parts).encode(), digest_size=8).hexdigest()


class RecordPageCodec:
    def encode(self, value: RecordPage) -> bytes:
        body = {
            "records": [record_json(record) for record in value.records],
            "digests": list(value.digests),
            "total": value.total,
            "received": value.received,
            "sorted": value.sorted,
        }
        return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()

    def decode(self, data: bytes) -> RecordPage:
        loaded = json.loads(data)
        return RecordPage(
            tuple(record_from_json(record) for record in loaded["records"]),
            tuple(loaded["digests"]),
            loaded["total"],
            int(loaded["received"]),
            bool(loaded["sorted"]),
        )


_RECORD_PAGE_CODEC = RecordPageCodec()
