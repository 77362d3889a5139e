"""The Revox HTTP client: the only module that imports httpx.

One long-lived ``httpx.AsyncClient`` per process. Every request goes through ``_get_json``, which
owns retries, backoff, the per-call time budget and the mapping of failures to ``errors``. Results
are cached per API key (``cache.TTLCache``), so concurrent identical calls make one request.
"""

from __future__ import annotations

import email.utils
import gc
import hashlib
import json
import logging
import math
import random
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, unquote

import anyio
import httpx

from revox_mcp import __version__
from revox_mcp.cache.memory import Cached, CacheStats, TTLCache
from revox_mcp.domain.facts import JsonObject, parse_assistant, parse_assistant_list, validate_assistant_id
from revox_mcp.errors import (
    RevoxAuthError,
    RevoxError,
    RevoxNotFoundError,
    RevoxRateLimitError,
    RevoxResponseError,
    RevoxStatusError,
    RevoxTimeoutError,
    RevoxUnavailableError,
)

log = logging.getLogger(__name__)

DEFAULT_BASE_URL = "https://www.getrevox.com/api"
# Many MCP clients abandon a call after 60 s. A tool call must answer, with data or an error,
# well before that, retries and backoff included.
CALL_BUDGET_SECONDS = 40.0
# A Retry-After longer than this is reported to the model instead of slept.
MAX_RETRY_AFTER_SECONDS = 10.0
_RETRY_STATUSES = frozenset({408, 409, 429, 500, 502, 503, 504})


@dataclass(frozen=True)
class AssistantList:
    """One ``GET /assistants`` answer: the usable assistants, their size on the wire, a content hash."""

    assistants: tuple[JsonObject, ...]
    raw_bytes: int
    version: str
    by_id: Mapping[str, JsonObject] = field(default_factory=dict, compare=False, repr=False)


def _stale_allowed(exc: BaseException) -> bool:
    """Serve the last good data when Revox is down or garbled, not when the key or id is wrong."""
    return isinstance(exc, RevoxUnavailableError | RevoxRateLimitError | RevoxResponseError)


def key_fingerprint(api_key: str) -> str:
    """A short, non-reversible tag of the key: cache entries are scoped by it, never by the key."""
    return hashlib.sha256(api_key.encode()).hexdigest()[:12]


class RevoxClient:
    """Read-only, cached access to Revox assistants."""

    def __init__(
        self,
        *,
        api_key: str,
        base_url: str = DEFAULT_BASE_URL,
        timeout: float = 15.0,
        cache_ttl: float = 30.0,
        max_retries: int = 2,
        budget: float = CALL_BUDGET_SECONDS,
        backoff: float = 0.5,
        max_cache_entries: int = 512,
        transport: httpx.AsyncBaseTransport | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = anyio.sleep,
    ) -> None:
        self._api_key = api_key
        self._scope = key_fingerprint(api_key)
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.max_retries = max_retries
        self.budget = budget
        self.backoff = backoff
        self._clock = clock
        self._sleep = sleep
        self._http = httpx.AsyncClient(
            base_url=self.base_url,
            transport=transport,
            timeout=httpx.Timeout(timeout, connect=min(timeout, 5.0)),
            headers={
                "Authorization": f"Bearer {api_key}",
                "Accept": "application/json",
                "User-Agent": f"revox-mcp/{__version__}",
            },
            follow_redirects=False,
        )
        self._lists: TTLCache[tuple[str, str], AssistantList] = TTLCache(cache_ttl, max_entries=64, clock=clock)
        self._items: TTLCache[tuple[str, str], JsonObject] = TTLCache(
            cache_ttl, max_entries=max_cache_entries, clock=clock
        )
        self.upstream_requests = 0
        self.last_error: str | None = None

    async def __aenter__(self) -> RevoxClient:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()

    @property
    def cache_ttl(self) -> float:
        return self._lists.ttl

    def cache_stats(self) -> dict[str, CacheStats]:
        return {"list": self._lists.stats, "assistants": self._items.stats}

    def oldest_cache_age(self) -> float | None:
        ages = [age for age in (self._lists.oldest_age(), self._items.oldest_age()) if age is not None]
        return max(ages) if ages else None

    def cache_entries(self) -> int:
        return len(self._lists) + len(self._items)

    async def list_assistants(self) -> Cached[AssistantList]:
        """Every assistant (``GET /assistants``), from the cache when fresh."""
        return await self._lists.get((self._scope, "/assistants"), self._load_list, serve_stale_on=_stale_allowed)

    def fresh_list(self) -> Cached[AssistantList] | None:
        """The cached list if still fresh, without any request."""
        return self._lists.fresh((self._scope, "/assistants"))

    async def get_assistant(self, assistant_id: str) -> Cached[JsonObject]:
        """One assistant, from the list when it is in it, else ``GET /assistants/{id}``.

        The list carries every assistant's full configuration, so one (coalesced, cached) list
        request answers any number of lookups; only ids the list hides (sub-assistants) or does
        not know cost a request of their own.
        """
        assistant_id = validate_assistant_id(assistant_id)
        listing = self.fresh_list() or await self.list_assistants()
        found = listing.value.by_id.get(assistant_id)
        if found is not None:
            return Cached(found, listing.age, listing.stale, listing.stale_reason)
        if listing.stale:
            # Revox just failed to list: asking it again for one id would only double the wait.
            raise RevoxUnavailableError(f"{listing.stale_reason}; the assistant is not in the cached list")
        # quote(safe="") encodes "/", "?", "#", "%" and ".": the id is always exactly one segment.
        path = "/assistants/" + quote(assistant_id, safe="")
        if assistant_id in (".", ".."):
            path = "/assistants/" + assistant_id.replace(".", "%2E")

        async def load() -> JsonObject:
            try:
                return parse_assistant(await self._get_json(path))
            except RevoxStatusError as exc:
                if exc.status == 404:
                    raise RevoxNotFoundError(assistant_id) from None
                raise

        return await self._items.get((self._scope, path), load, serve_stale_on=_stale_allowed)

    async def auth_status(self) -> bool:
        """Whether Revox accepts the key (``GET /auth-status``), never cached."""
        payload = await self._get_json("/auth-status")
        return isinstance(payload, Mapping) and payload.get("authenticated") is True

    async def _load_list(self) -> AssistantList:
        payload, size = await self._get_json_sized("/assistants")
        assistants = tuple(parse_assistant_list(payload))
        digest = hashlib.sha256()
        for assistant in assistants:
            digest.update(str(assistant.get("id")).encode())
            digest.update(str(assistant.get("updated_at")).encode())
        by_id = {str(a["id"]): a for a in assistants}
        # The list lives for a TTL and holds no reference cycles: move it out of the cyclic GC's
        # reach so its passes stay as cheap with 10,000 assistants as with 10 (refcounting still
        # frees the list when the cache drops it). Collect first, so no cyclic garbage lying
        # around is frozen with it and kept forever (~120 ms once per fetch at 10,000).
        gc.collect()
        gc.freeze()
        return AssistantList(assistants, size, digest.hexdigest()[:12], by_id)

    async def _get_json(self, path: str) -> Any:
        payload, _size = await self._get_json_sized(path)
        return payload

    async def _get_json_sized(self, path: str) -> tuple[Any, int]:
        """GET ``path`` with retries inside the call budget; return parsed JSON and its size."""
        deadline = self._clock() + self.budget
        attempt = 0
        while True:
            remaining = deadline - self._clock()
            if remaining <= 0:
                raise RevoxTimeoutError("Revox did not answer within the time budget")
            try:
                response, body = await self._send(path, remaining)
            except RevoxError as exc:
                delay = self._backoff(attempt)
                if attempt >= self.max_retries or not isinstance(exc, RevoxUnavailableError):
                    self.last_error = type(exc).__name__
                    raise
                if delay >= deadline - self._clock():
                    raise
                log.info("retrying %s in %.1fs after %s", path, delay, type(exc).__name__)
            else:
                status = response.status_code
                if 200 <= status < 300:
                    size = len(body)
                    return self._parse(body, response.headers), size
                self.last_error = f"HTTP {status}"
                error, wait = self._classify(response, attempt)
                if wait is None or wait >= deadline - self._clock():
                    raise error
                delay = wait
                log.info("retrying %s in %.1fs after HTTP %d", path, delay, status)
            attempt += 1
            await self._sleep(delay)

    async def _send(self, path: str, remaining: float) -> tuple[httpx.Response, bytearray]:
        """One GET: the response (headers, status) and, for a 2xx, its body; error bodies are never read."""
        self.upstream_requests += 1
        timeout = min(self.timeout, remaining)
        body = bytearray()  # grown in place: a 30 MB list is held once, not as chunks plus their join
        try:
            async with self._http.stream(
                "GET", path, timeout=httpx.Timeout(timeout, connect=min(timeout, 5.0))
            ) as response:
                if 200 <= response.status_code < 300:
                    async for chunk in response.aiter_bytes():
                        body += chunk
            return response, body
        except httpx.TimeoutException:
            raise RevoxTimeoutError(f"Revox did not answer within {timeout:g} s") from None
        except httpx.HTTPError as exc:
            raise RevoxUnavailableError(f"could not reach Revox ({type(exc).__name__})") from None

    def _classify(self, response: httpx.Response, attempt: int) -> tuple[RevoxError, float | None]:
        """The error a non-2xx answer means, and the delay before a retry (None: do not retry)."""
        status = response.status_code
        if status in (401, 403):
            return RevoxAuthError(status), None
        if status not in _RETRY_STATUSES and status < 500:
            return RevoxStatusError(status), None
        retry_after = _retry_after(response.headers, self._clock)
        error: RevoxError = (
            RevoxRateLimitError(retry_after)
            if status == 429
            else RevoxUnavailableError(f"Revox answered HTTP {status}", status)
        )
        if attempt >= self.max_retries or (retry_after is not None and retry_after > MAX_RETRY_AFTER_SECONDS):
            return error, None
        return error, retry_after if retry_after is not None else self._backoff(attempt)

    def _backoff(self, attempt: int) -> float:
        # Exponential with jitter, like the official SDK: 0.5 s, 1 s, 2 s ... capped at 8 s.
        return float(min(self.backoff * 2**attempt, 8.0) * (0.75 + random.random() / 4))  # noqa: S311

    @staticmethod
    def _parse(body: bytearray, headers: httpx.Headers) -> Any:
        """Parse and release the body: the text is decoded first and the bytes freed before the
        objects are built, so a big list never holds bytes, text and objects at once."""
        # Parsing makes no reference cycles, so the cyclic GC has nothing to find: pausing it
        # makes a 10,000-assistant list parse about 1.8x faster (its passes scale with the heap).
        enabled = gc.isenabled()
        gc.disable()
        try:
            text = body.decode("utf-8", "surrogatepass")
            body.clear()
            return json.loads(text)
        except (ValueError, RecursionError):  # RecursionError: absurdly deep nesting
            kind = headers.get("content-type", "unknown").split(";")[0].strip()[:40]
            raise RevoxResponseError(f"Revox sent a body that is not valid JSON (content-type {kind})") from None
        finally:
            if enabled:
                gc.enable()


def _retry_after(headers: httpx.Headers, clock: Callable[[], float]) -> float | None:
    """Seconds to wait from ``retry-after-ms`` or ``Retry-After`` (seconds or an HTTP date)."""
    if (millis := headers.get("retry-after-ms")) is not None:
        try:
            return _non_negative(float(millis) / 1000)
        except ValueError:
            pass
    value = headers.get("retry-after")
    if value is None:
        return None
    try:
        return _non_negative(float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(when.timestamp() - time.time(), 0.0)


def _non_negative(seconds: float) -> float:
    # float() accepts "nan" and "inf": sleeping on those fails or never ends, so treat them as unparseable.
    if not math.isfinite(seconds):
        raise ValueError(seconds)
    return max(seconds, 0.0)


def demo_transport(assistants: list[JsonObject], listed_ids: set[str]) -> httpx.MockTransport:
    """An in-process fake of the Revox API over the demo data, so ``--demo`` uses the real code path."""
    by_id = {str(a["id"]): a for a in assistants}
    listing = json.dumps({"assistants": [a for a in assistants if a["id"] in listed_ids]}).encode()

    def handle(request: httpx.Request) -> httpx.Response:
        segments = [unquote(s) for s in request.url.raw_path.decode().split("?")[0].split("/") if s]
        if segments[-1:] == ["assistants"]:
            return httpx.Response(200, content=listing, headers={"content-type": "application/json"})
        if segments[-1:] == ["auth-status"]:
            return httpx.Response(200, json={"authenticated": True})
        if len(segments) >= 2 and segments[-2] == "assistants" and segments[-1] in by_id:
            return httpx.Response(200, json=by_id[segments[-1]])
        return httpx.Response(404, json={"error": "Not found"})

    return httpx.MockTransport(handle)
