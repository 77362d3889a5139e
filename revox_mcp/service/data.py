"""Revox data as the services read it: fetched through the API, cleaned at ingest, cached.

This is where the three meet: ``api`` (the HTTP requests), ``domain.ingest`` (cleaning, once, on
arrival) and ``cache`` (TTL, single flight, stale data). What comes out is cleaned and carries
its age and staleness; what goes into any cache is already cleaned.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass

from revox_mcp.api.client import Reply, RevoxApi
from revox_mcp.cache.memo import LRU
from revox_mcp.cache.store import Cache, Cached, CacheKey
from revox_mcp.credential import Credential
from revox_mcp.domain.facts import validate_assistant_id
from revox_mcp.domain.ingest import Item, ItemCodec, ItemSet, ItemSetCodec, ingest_list, ingest_object
from revox_mcp.domain.redaction import Redactor
from revox_mcp.errors import RevoxResponseError, RevoxUnavailableError

_ITEM_SET_CODEC = ItemSetCodec()
_ITEM_CODEC = ItemCodec()


@dataclass(frozen=True)
class DataSettings:
    ttl: float = 30.0
    # Cleaned objects kept by raw digest: an unchanged re-fetch cleans nothing again.
    clean_memo_entries: int = 20_000


class RevoxData:
    """Cleaned, cached Revox objects for any credential."""

    def __init__(
        self, api: RevoxApi, cache: Cache, settings: DataSettings = DataSettings(), own_secrets: tuple[str, ...] = ()
    ) -> None:
        self.api = api
        self.cache = cache
        self.settings = settings
        self._own_secrets = own_secrets
        self._cleaned: LRU[tuple[str, str], Item] = LRU(settings.clean_memo_entries)
        # One redactor per key (its known secrets are that key and the server's own): its memos
        # make repeated content cheap, so it lives as long as the key is in use.
        self._redactors: LRU[str, Redactor] = LRU(1024)

    @property
    def ttl(self) -> float:
        return self.settings.ttl

    def redactor(self, cred: Credential) -> Redactor:
        """Cleans everything this credential reads; masks by value its own key and the server's secrets."""
        return self._redactors.get_or_make(cred.fingerprint, lambda: Redactor([cred.key, *self._own_secrets]))

    def _memo(self, cred: Credential) -> Callable[[str, Callable[[], Item | None]], Item | None]:
        def lookup(digest: str, make: Callable[[], Item | None]) -> Item | None:
            key = (cred.fingerprint, digest)
            found = self._cleaned.get(key)
            if found is not None:
                return found
            made = make()
            return self._cleaned.put(key, made) if made is not None else None

        return lookup

    async def _cached(
        self, cred: Credential, method: str, path: str, load: Callable[[], Awaitable[ItemSet]], ttl: float | None = None
    ) -> Cached[ItemSet]:
        key = CacheKey.of(cred.fingerprint, method, path)
        return await self.cache.get(key, load, _ITEM_SET_CODEC, ttl=self.ttl if ttl is None else ttl)

    def _list_of(self, cred: Credential, reply: Reply, field: str) -> ItemSet:
        value = reply.value
        if not isinstance(value, Mapping) or not isinstance(value.get(field), list):
            raise RevoxResponseError(f'expected an object with a "{field}" list')
        return ingest_list(
            value[field], self.redactor(cred), raw_bytes=reply.size, dropped=reply.dropped, memo=self._memo(cred)
        )

    async def assistants(self, cred: Credential) -> Cached[ItemSet]:
        """Every listed assistant (``GET /assistants``), cleaned."""

        async def load() -> ItemSet:
            return self._list_of(cred, await self.api.assistants(cred.key), "assistants")

        return await self._cached(cred, "GET", "/assistants", load)

    async def assistant(self, cred: Credential, assistant_id: str) -> Cached[Item]:
        """One assistant, from the list when it is in it, else ``GET /assistants/{id}``.

        The list carries every assistant's full configuration, so one (coalesced, cached) list
        request answers any number of lookups; only ids the list hides (sub-assistants) or does
        not know cost a request of their own.
        """
        ident = validate_assistant_id(assistant_id)
        listing = await self.assistants(cred)
        found = listing.value.get(ident)
        if found is not None:
            return Cached(found, listing.age, listing.stale, listing.stale_reason)
        if listing.stale:
            # Revox just failed to list: asking it again for one id would only double the wait.
            raise RevoxUnavailableError(f"{listing.stale_reason}; the assistant is not in the cached list")

        async def load() -> Item:
            reply = await self.api.assistant(cred.key, ident)
            payload = reply.value
            if isinstance(payload, Mapping) and isinstance(payload.get("assistant"), Mapping):
                payload = payload["assistant"]  # create/update wrap it; tolerate that shape too
            item = ingest_object(payload, self.redactor(cred), self._memo(cred))
            if item is None:
                raise RevoxResponseError("expected an assistant object with an id")
            return item

        key = CacheKey.of(cred.fingerprint, "GET", "/assistants/" + ident)
        return await self.cache.get(key, load, _ITEM_CODEC, ttl=self.ttl)
