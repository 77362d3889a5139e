"""The Revox HTTP API: the only module that imports httpx.

One long-lived ``httpx.AsyncClient`` (one connection pool) serves every key: the key is an input of
each request, set in that request's headers only. Every request goes through ``_request``, the one
choke point that owns retries, backoff, the per-call deadline (connect, headers and the whole
body), the body size cap, the mapping of statuses to ``errors`` and JSON parsing. Nothing here
caches or interprets payloads: that is ``cache`` and ``domain.ingest``'s job.
"""

from __future__ import annotations

import dataclasses
import email.utils
import functools
import hashlib
import logging
import math
import mmap
import random
import time
from collections.abc import Awaitable, Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import anyio

from revox_mcp import __version__
from revox_mcp.api.payload import Entries, Reply, parse_json, read_list
from revox_mcp.api.search import CallQuery, CallSearch, SearchPage
from revox_mcp.cache.memo import LRU
from revox_mcp.credential import fingerprint_of

if TYPE_CHECKING:
    import ssl

    import httpx

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
from revox_mcp.settings import (
    DEFAULT_BASE_URL,
    DEFAULT_CALL_BUDGET,
    DEFAULT_MAX_RETRIES,
    DEFAULT_RETRY_BACKOFF,
    DEFAULT_TIMEOUT,
)

log = logging.getLogger(__name__)

# A Retry-After longer than this is reported instead of slept.
MAX_RETRY_AFTER_SECONDS = 10.0
# Retry-After values are capped at a day: a 1e308-second wait is a broken header, not advice.
_RETRY_AFTER_CAP = 86_400.0
# Generous for 10,000 assistants with long prompts (about 40 MB); an endless body or a gzip bomb stops here.
DEFAULT_MAX_BODY_BYTES = 64 * 1024 * 1024
_RETRY_STATUSES = frozenset({408, 409, 429, 500, 502, 503, 504})
# Keys whose counters and call-search habits are remembered (a few bytes each): a team serves many.
_MAX_TRACKED_KEYS = 10_000


# A body is kept in blocks of this size, each mapped apart from the heap (see _Body).
_BLOCK_BYTES = 1024 * 1024


class _Body:
    """A body as it arrives, hashed as it comes, kept in blocks of anonymous memory of its own: a block
    let go is given back to the system at once, so the bytes of a big body read block by block (and
    cleaned meanwhile) do not stay behind as free heap under the values made from them."""

    def __init__(self) -> None:
        self._blocks: list[mmap.mmap] = []
        self._used = 0  # bytes written in the last block
        self.size = 0
        self._hash = hashlib.blake2b(digest_size=16)

    def add(self, chunk: bytes) -> None:
        self.size += len(chunk)
        self._hash.update(chunk)
        view = memoryview(chunk)
        while view:
            if not self._blocks or self._used == _BLOCK_BYTES:
                self._blocks.append(mmap.mmap(-1, _BLOCK_BYTES))
                self._used = 0
            count = min(len(view), _BLOCK_BYTES - self._used)
            self._blocks[-1][self._used : self._used + count] = view[:count]
            self._used += count
            view = view[count:]

    def digest(self) -> str:
        return self._hash.hexdigest()

    def take(self) -> list[memoryview]:
        """The body's bytes, block by block, for a reader that lets each go (and its block with it) as it
        reads it: this body holds them no more."""
        blocks, self._blocks = self._blocks, []
        views = [memoryview(block) for block in blocks]
        if views:
            views[-1] = views[-1][: self._used]
        return views

    def joined(self) -> bytearray:
        """The whole body in one buffer; each block is let go once copied."""
        whole = bytearray(self.size)
        at = 0
        for view in self.take():
            whole[at : at + len(view)] = view
            at += len(view)
            view.release()
        return whole


@dataclass
class KeyStats:
    """What one key's requests did: shown by revox_status for that key only."""

    requests: int = 0
    last_error: str | None = None


def segment(ident: str) -> str:
    """``ident`` as exactly one URL path segment: "/", "?", "#", "%" encoded; "." and ".." too."""
    encoded = quote(ident, safe="")
    return encoded.replace(".", "%2E") if encoded in (".", "..") else encoded


@functools.cache
def _tls_context() -> ssl.SSLContext:
    """The TLS context of every client in this process, built once: building one reads the whole CA
    bundle (~35 ms), which a server built per test, per replica restart or per ``call`` need not
    repeat. The same as httpx's default (certifi, or ``SSL_CERT_FILE``/``SSL_CERT_DIR`` when set);
    contexts are safe to share between clients."""
    import httpx

    return httpx.create_ssl_context()


class RevoxApi:
    """Read-only access to the Revox REST API, one request at a time, for any key."""

    def __init__(
        self,
        *,
        base_url: str = DEFAULT_BASE_URL,
        timeout: float = DEFAULT_TIMEOUT,
        budget: float = DEFAULT_CALL_BUDGET,
        max_retries: int = DEFAULT_MAX_RETRIES,
        backoff: float = DEFAULT_RETRY_BACKOFF,
        max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
        transport: httpx.AsyncBaseTransport | Callable[[], httpx.AsyncBaseTransport] | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = anyio.sleep,
        retry_rate_limited: bool = True,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.budget = budget
        self.max_retries = max_retries
        self.backoff = backoff
        self.max_body_bytes = max_body_bytes
        # False (team deployments): a 429 is reported at once, never slept through, so that the cache
        # can share the back-off with every replica and answer from stale data meanwhile.
        self.retry_rate_limited = retry_rate_limited
        self._clock = clock
        self._sleep = sleep
        # Built lazily: the TLS context costs ~35 ms, which a cold start need not pay before the first request.
        self._transport = transport
        self._http: httpx.AsyncClient | None = None
        self._stats: LRU[str, KeyStats] = LRU(_MAX_TRACKED_KEYS)
        self._search = CallSearch(self._post_search, _MAX_TRACKED_KEYS)

    def _client(self) -> httpx.AsyncClient:
        if self._http is None:
            # Imported on first use too: httpx (and what it pulls in) is not needed to start serving.
            import httpx

            transport = self._transport
            if transport is not None and not isinstance(transport, httpx.AsyncBaseTransport):
                transport = transport()  # a factory: the demo's fake Revox, built when first needed
            self._http = httpx.AsyncClient(
                base_url=self.base_url,
                transport=transport,
                verify=_tls_context(),
                # Each read, connect and write must progress within `timeout`; the whole exchange,
                # body included, is bounded separately by the call budget (see _send).
                timeout=httpx.Timeout(self.timeout, connect=min(self.timeout, 5.0)),
                headers={
                    "Accept": "application/json",
                    "Accept-Encoding": "gzip, deflate",
                    "User-Agent": f"revox-mcp/{__version__}",
                },
                follow_redirects=False,
            )
        return self._http

    async def aclose(self) -> None:
        if self._http is not None:
            await self._http.aclose()
            self._http = None

    async def __aenter__(self) -> RevoxApi:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    def stats(self, fingerprint: str) -> KeyStats:
        """This key's counters (a fresh, empty one when the key made no request)."""
        return self._stats.get(fingerprint) or KeyStats()

    def _stats_for(self, key: str) -> KeyStats:
        return self._stats.get_or_make(fingerprint_of(key), KeyStats)

    # --- endpoints (all reads; POST /call/search is a read that uses POST) ---------------------------

    async def assistants(self, key: str, *, unchanged: str | None = None) -> Reply:
        """``GET /assistants``: every assistant (sub-assistants excepted), full configurations."""
        return await self._request("GET", "/assistants", key=key, unchanged=unchanged, listed="assistants")

    async def assistant(self, key: str, ident: str) -> Reply:
        """``GET /assistants/{id}``: one bare assistant object (create/update wrap it: tolerated too)."""
        return _unwrapped(await self._one("assistant", f"/assistants/{segment(ident)}", ident, key), "assistant")

    async def call(self, key: str, ident: str) -> Reply:
        """``GET /call/{id}``: one call order with every attempt, out of its ``{"call": ...}`` envelope."""
        return _unwrapped(await self._one("call", f"/call/{segment(ident)}", ident, key), "call")

    async def search_calls(self, key: str, query: CallQuery) -> SearchPage:
        """``POST /call/search``: one page of calls, raw. The body, the page base, the sort and the
        page-size cap are ``api.search``'s (learnt per key)."""
        return await self._search.page(key, query)

    def search_page_cap(self, key: str) -> int | None:
        """The most calls Revox returned per search page for this key, once it returned fewer than asked."""
        return self._search.cap(key)

    async def _post_search(self, key: str, body: Mapping[str, Any]) -> Reply:
        return await self._request("POST", "/call/search", key=key, json=body)

    async def phone_numbers(self, key: str, *, unchanged: str | None = None) -> Reply:
        return await self._request("GET", "/phone-numbers", key=key, unchanged=unchanged, listed="phone_numbers")

    async def voices(self, key: str, *, unchanged: str | None = None) -> Reply:
        return await self._request("GET", "/voices", key=key, unchanged=unchanged, listed="voices")

    async def campaigns(self, key: str, *, unchanged: str | None = None) -> Reply:
        return await self._request("GET", "/campaigns", key=key, unchanged=unchanged, listed="campaigns")

    async def auth_status(self, key: str) -> bool:
        """Whether Revox accepts the key (``GET /auth-status``); RevoxAuthError when it says 401/403."""
        reply = await self._request("GET", "/auth-status", key=key)
        return isinstance(reply.value, Mapping) and reply.value.get("authenticated") is True

    async def _one(self, kind: str, path: str, ident: str, key: str) -> Reply:
        try:
            return await self._request("GET", path, key=key)
        except RevoxStatusError as exc:
            if exc.status == 404:
                raise RevoxNotFoundError(kind, ident) from None
            raise

    # --- the one request path -------------------------------------------------------------------------

    async def _request(
        self,
        method: str,
        path: str,
        *,
        key: str,
        params: Mapping[str, str] | None = None,
        json: Any = None,
        unchanged: str | None = None,
        listed: str | None = None,
    ) -> Reply:
        """One logical request: retried inside the call budget, parsed, or a typed RevoxError.

        ``unchanged``: the digest of the body the caller already has; a body with that digest is not
        parsed again (an unchanged list of 10,000 assistants costs a hash, not a parse).
        ``listed``: the member holding the list the body is for; its entries are an ``Entries``, parsed
        one at a time as the caller reads them (so the caller can clean each and let it go: the whole
        raw list, and the whole body's text, never exist at once).
        """
        stats = self._stats_for(key)
        deadline = self._clock() + self.budget
        attempt = 0
        while True:
            remaining = deadline - self._clock()
            if remaining <= 0:
                stats.last_error = "RevoxTimeoutError"
                raise RevoxTimeoutError(f"Revox did not answer within {self.budget:g} s")
            stats.requests += 1
            try:
                status, headers, body = await self._send(method, path, key, params, json, remaining)
            except RevoxError as exc:
                stats.last_error = type(exc).__name__
                delay = self._backoff(attempt)
                retryable = isinstance(exc, RevoxUnavailableError) and attempt < self.max_retries
                if not retryable or delay >= deadline - self._clock():
                    raise
                log.info("retrying %s %s in %.1fs after %s", method, path, delay, type(exc).__name__)
            else:
                if 200 <= status < 300:
                    digest = body.digest()
                    if digest == unchanged:
                        return Reply(None, body.size, 0, digest, unchanged=True)
                    if listed is not None:
                        return self._read_list(body, headers, digest, listed)
                    return self._parse(body.joined(), headers, digest)
                stats.last_error = f"HTTP {status}"
                error, wait = self._classify(status, headers, attempt)
                if wait is None or wait >= deadline - self._clock():
                    raise error
                delay = wait
                log.info("retrying %s %s in %.1fs after HTTP %d", method, path, delay, status)
            attempt += 1
            await self._sleep(delay)

    async def _send(
        self,
        method: str,
        path: str,
        key: str,
        params: Mapping[str, str] | None,
        json: Any,
        remaining: float,
    ) -> tuple[int, httpx.Headers, _Body]:
        """One HTTP exchange, connect to last body byte within ``remaining`` seconds.

        Error bodies are never read (they are not shown, and could be endless).
        """
        import httpx  # already imported by _client(): a dictionary lookup

        body = _Body()
        try:
            with anyio.fail_after(remaining):
                async with self._client().stream(
                    method,
                    path,
                    params=params,
                    json=json,
                    headers={"Authorization": f"Bearer {key}"},
                ) as response:
                    if 200 <= response.status_code < 300:
                        declared = response.headers.get("content-length", "")
                        if declared.isdigit() and int(declared) > self.max_body_bytes:
                            raise self._too_large()
                        async for chunk in response.aiter_bytes():
                            body.add(chunk)
                            if body.size > self.max_body_bytes:  # counted decoded: a gzip bomb stops here too
                                raise self._too_large()
                    return response.status_code, response.headers, body
        except TimeoutError:
            raise RevoxTimeoutError(f"Revox did not answer within {self.budget:g} s") from None
        except httpx.TimeoutException:
            raise RevoxTimeoutError(f"Revox stopped answering for {self.timeout:g} s") from None
        except httpx.DecodingError:
            raise RevoxResponseError("Revox sent a body that could not be decompressed") from None
        except httpx.HTTPError as exc:
            raise RevoxUnavailableError(f"could not reach Revox ({type(exc).__name__})") from None

    def _too_large(self) -> RevoxResponseError:
        return RevoxResponseError(f"Revox sent more than {self.max_body_bytes // (1024 * 1024)} MB")

    @staticmethod
    def _parse(body: bytearray, headers: httpx.Headers, digest: str) -> Reply:
        size = len(body)
        try:
            parsed = parse_json(body)  # frees the bytes once decoded: bytes, text and objects never all at once
        except ValueError:
            raise _not_json(headers) from None
        return Reply(parsed.value, size, parsed.dropped, digest)

    @staticmethod
    def _read_list(body: _Body, headers: httpx.Headers, digest: str, field: str) -> Reply:
        try:
            parsed = read_list(body.take(), field)
        except ValueError:
            raise _not_json(headers) from None
        value = parsed.value
        if isinstance(value, dict) and isinstance(value.get(field), Entries):
            value[field] = _CheckedEntries(value[field], headers)
        return Reply(value, body.size, parsed.dropped, digest)

    def _classify(self, status: int, headers: httpx.Headers, attempt: int) -> tuple[RevoxError, float | None]:
        """The error a non-2xx answer means, and the delay before a retry (None: do not retry)."""
        if status in (401, 403):
            return RevoxAuthError(status), None
        if status not in _RETRY_STATUSES and status < 500:
            return RevoxStatusError(status), None
        retry_after = retry_after_seconds(headers)
        error: RevoxError = (
            RevoxRateLimitError(retry_after)
            if status == 429
            else RevoxUnavailableError(f"Revox answered HTTP {status}", status)
        )
        if attempt >= self.max_retries or (retry_after is not None and retry_after > MAX_RETRY_AFTER_SECONDS):
            return error, None
        if status == 429 and not self.retry_rate_limited:
            return error, None
        return error, retry_after if retry_after is not None else self._backoff(attempt)

    def _backoff(self, attempt: int) -> float:
        # Exponential with jitter, like the official SDK: 0.5 s, 1 s, 2 s ... capped at 8 s.
        return float(min(self.backoff * 2**attempt, 8.0) * (0.75 + random.random() / 4))  # noqa: S311


def _not_json(headers: httpx.Headers) -> RevoxResponseError:
    kind = _media_type(headers.get("content-type", ""))
    return RevoxResponseError(f"Revox sent a body that is not valid JSON (content-type {kind})")


class _CheckedEntries(Entries):
    """A list's ``Entries`` whose body, found not to be JSON while they are read, raises RevoxResponseError."""

    def __init__(self, entries: Entries, headers: httpx.Headers) -> None:
        super().__init__(iter(entries))
        self._entries = entries
        self._headers = headers

    def __iter__(self) -> Iterator[Any]:
        try:
            yield from super().__iter__()
        except ValueError:
            raise _not_json(self._headers) from None
        finally:
            self.dropped = self._entries.dropped


def _unwrapped(reply: Reply, field: str) -> Reply:
    """The reply with ``{field: {...}}`` replaced by the object inside, when it came wrapped."""
    value = reply.value
    if isinstance(value, Mapping) and isinstance(value.get(field), Mapping):
        return dataclasses.replace(reply, value=value[field])
    return reply


def _media_type(content_type: str) -> str:
    """A content type fit to show: a known media type, or "another type" (never an arbitrary header value)."""
    media = content_type.split(";")[0].strip().lower()
    known = ("application/json", "text/html", "text/plain", "application/xml", "text/xml", "application/octet-stream")
    return media if media in known else ("no content type" if not media else "another content type")


def retry_after_seconds(headers: Mapping[str, str]) -> float | None:
    """Seconds to wait from ``retry-after-ms`` or ``Retry-After`` (seconds or an HTTP date), capped at a day."""
    if (millis := headers.get("retry-after-ms")) is not None:
        seconds = _finite(millis, 1000)
        if seconds is not None:
            return seconds
    value = headers.get("retry-after")
    if value is None:
        return None
    seconds = _finite(value, 1)
    if seconds is not None:
        return seconds
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return min(max(when.timestamp() - time.time(), 0.0), _RETRY_AFTER_CAP)


def _finite(text: str, per_second: float) -> float | None:
    try:
        value = float(text) / per_second
    except ValueError:
        return None
    # float() accepts "nan" and "inf": sleeping on those fails or never ends.
    return min(max(value, 0.0), _RETRY_AFTER_CAP) if math.isfinite(value) else None
