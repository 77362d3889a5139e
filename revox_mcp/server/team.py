"""Team deployment: many people, each with their own Revox key, on stateless replicas.

* ``CallerCredential``: a request's key is the caller's bearer token, for that request only.
* ``RevoxKeyVerifier``: the SDK's ``TokenVerifier``, asking Revox (``GET /auth-status``) whether a
  key is good. Verdicts are cache entries (``cache.store``), per key fingerprint, in the (shared)
  backend: fresh about a minute when accepted and 10 s when rejected, checked once at a time per
  key across replicas, so a flood of one bad key is not a flood upstream. When Revox cannot say
  (down, or rate limiting the key), the check backs off like any data request, across replicas,
  and meanwhile the rule answers at once: the last verdict stands; a key never seen is let through
  (its calls then say what is wrong with Revox).
* ``add_readyz``: readiness for load balancers, with no key and no call to Revox.

The key itself is never logged, stored, put in an error or a cursor: everything derived from it
is keyed by its fingerprint.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from types import TracebackType

import anyio
from mcp.server.auth.middleware.auth_context import get_access_token
from mcp.server.auth.provider import AccessToken, TokenVerifier
from mcp.server.mcpserver import MCPServer
from starlette.requests import Request
from starlette.responses import JSONResponse

from revox_mcp.api.client import RevoxApi
from revox_mcp.cache.shared import Coordinator
from revox_mcp.cache.store import Cache, CacheKey
from revox_mcp.credential import Credential
from revox_mcp.errors import RevoxAuthError, RevoxError

log = logging.getLogger(__name__)

ACCEPTED_TTL = 60.0
REJECTED_TTL = 10.0
# Longer than any key a person pastes; anything else is refused without asking Revox.
MAX_KEY_CHARS = 512
# At most this many different keys are checked with Revox at once (a flood of random keys waits).
MAX_CONCURRENT_CHECKS = 8


@dataclass(frozen=True)
class CallerCredential:
    """The key of the request being served: the bearer token the SDK's auth middleware verified."""

    def current(self) -> Credential | None:
        token = get_access_token()
        return Credential(token.token) if token is not None else None


def plausible_key(token: str) -> bool:
    """Whether ``token`` could be a key at all (printable ASCII, no spaces, bounded): else no upstream check."""
    return 0 < len(token) <= MAX_KEY_CHARS and token.isascii() and token.isprintable() and " " not in token


class VerdictCodec:
    """A verdict as a cache entry's payload."""

    def encode(self, value: bool) -> bytes:
        return b"1" if value else b"0"

    def decode(self, data: bytes) -> bool:
        return data == b"1"


_VERDICTS = VerdictCodec()


class RevoxKeyVerifier(TokenVerifier):
    """Accepts the keys Revox accepts. Use inside ``async with`` (its cache's background checks), for as
    long as the HTTP app serves: ``http.holding`` enters it with the app's lifespan."""

    def __init__(
        self,
        api: Callable[[], RevoxApi],
        cache: Cache,
        *,
        accepted_ttl: float = ACCEPTED_TTL,
        rejected_ttl: float = REJECTED_TTL,
    ) -> None:
        self._make_api = api
        self._api: RevoxApi | None = None  # its own client: key checks are not data fetches
        self.cache = cache
        self.accepted_ttl = accepted_ttl
        self.rejected_ttl = rejected_ttl
        self._checks = anyio.CapacityLimiter(MAX_CONCURRENT_CHECKS)

    @property
    def coordinator(self) -> Coordinator:
        return self.cache.coordinator

    async def __aenter__(self) -> RevoxKeyVerifier:
        await self.cache.__aenter__()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        try:
            await self.cache.__aexit__(exc_type, exc, tb)
        finally:
            if self._api is not None:
                await self._api.aclose()
                self._api = None

    async def verify_token(self, token: str) -> AccessToken | None:
        if not plausible_key(token):
            return None
        cred = Credential(token)
        if not await self._accepted(cred):
            return None  # the SDK answers 401 with WWW-Authenticate: Bearer error="invalid_token"
        # The fingerprint identifies the principal: an SSE session opened with one key refuses another's messages.
        return AccessToken(token=token, client_id=f"revox-key-{cred.short}", scopes=[], subject=cred.fingerprint)

    async def _accepted(self, cred: Credential) -> bool:
        key = CacheKey.of(cred.fingerprint, "GET", "/auth-status")
        try:
            # Whatever Revox fails with, the last verdict stands (served stale, at once during the back-off).
            verdict = await self.cache.get(
                key, lambda: self._ask_revox(cred), _VERDICTS, ttl=self._fresh_for, stale_on=_revox_failed
            )
        except RevoxError:
            return True  # no verdict known: let the key through; its calls say what is wrong with Revox
        return verdict.value

    def _fresh_for(self, accepted: bool) -> float:
        return self.accepted_ttl if accepted else self.rejected_ttl

    async def _ask_revox(self, cred: Credential) -> bool:
        if self._api is None:
            self._api = self._make_api()
        async with self._checks:
            try:
                return await self._api.auth_status(cred.key)
            except RevoxAuthError:
                return False
            except RevoxError as exc:
                log.info("could not check key %s with Revox: %s", cred.short, type(exc).__name__)
                raise


def _revox_failed(exc: BaseException) -> bool:
    return isinstance(exc, RevoxError)


def add_readyz(server: MCPServer, coordinator: Coordinator | None) -> None:
    """GET /readyz: 200 when this replica can serve with its shared cache; 503 and a short reason if not.

    No key needed, no call to Revox: only the shared store (Redis) is checked, when there is one.
    """

    @server.custom_route("/readyz", methods=["GET"])  # type: ignore[untyped-decorator]  # unannotated in mcp 2.3
    async def readyz(_request: Request) -> JSONResponse:
        reason = await coordinator.unready() if coordinator is not None else None
        if reason is not None:
            return JSONResponse({"status": "unavailable", "reason": reason}, status_code=503)
        cache = "shared" if coordinator is not None and coordinator.shared else "in-process"
        return JSONResponse({"status": "ready", "cache": cache})
