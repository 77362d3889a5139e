"""Team deployment: many people, each with their own Revox key, on stateless replicas.

* ``CallerCredential``: a request's key is the caller's bearer token, for that request only.
* ``RevoxKeyVerifier``: the SDK's ``TokenVerifier``, asking Revox (``GET /auth-status``) whether a
  key is good; the verdict is cached per key fingerprint in the (shared) cache backend, about a
  minute when accepted and 10 s when rejected, so a flood of one bad key is not a flood upstream.
* ``add_readyz``: readiness for load balancers, with no key and no call to Revox.

The key itself is never logged, stored, put in an error or a cursor: everything derived from it
is keyed by its fingerprint.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

import anyio
from mcp.server.auth.middleware.auth_context import get_access_token
from mcp.server.auth.provider import AccessToken, TokenVerifier
from mcp.server.mcpserver import MCPServer
from starlette.requests import Request
from starlette.responses import JSONResponse

from revox_mcp.api.client import RevoxApi
from revox_mcp.cache.backend import CacheBackend, Entry
from revox_mcp.cache.shared import Coordinator
from revox_mcp.cache.store import DEFAULT_MAX_STALE
from revox_mcp.credential import Credential
from revox_mcp.errors import RevoxAuthError, RevoxError

log = logging.getLogger(__name__)

ACCEPTED_TTL = 60.0
REJECTED_TTL = 10.0
# Longer than any key a person pastes; anything else is refused without asking Revox.
MAX_KEY_CHARS = 512
# At most this many different keys are checked with Revox at once (a flood of random keys waits).
MAX_CONCURRENT_CHECKS = 8
_MAX_TRACKED = 10_000


@dataclass(frozen=True)
class CallerCredential:
    """The key of the request being served: the bearer token the SDK's auth middleware verified."""

    def current(self) -> Credential | None:
        token = get_access_token()
        return Credential(token.token) if token is not None else None


def plausible_key(token: str) -> bool:
    """Whether ``token`` could be a key at all (printable ASCII, no spaces, bounded): else no upstream check."""
    return 0 < len(token) <= MAX_KEY_CHARS and token.isascii() and token.isprintable() and " " not in token


class RevoxKeyVerifier(TokenVerifier):
    """Accepts the keys Revox accepts; verdicts cached per fingerprint, shared by replicas through ``backend``."""

    def __init__(
        self,
        api: Callable[[], RevoxApi],
        backend: CacheBackend,
        coordinator: Coordinator,
        *,
        namespace: str = "revox-mcp:1",
        accepted_ttl: float = ACCEPTED_TTL,
        rejected_ttl: float = REJECTED_TTL,
        wall: Callable[[], float] = time.time,
    ) -> None:
        self._make_api = api
        self._api: RevoxApi | None = None  # its own client: key checks are not data fetches
        self.backend = backend
        self.coordinator = coordinator
        self.namespace = namespace
        self.accepted_ttl = accepted_ttl
        self.rejected_ttl = rejected_ttl
        self._wall = wall
        self._checks = anyio.CapacityLimiter(MAX_CONCURRENT_CHECKS)
        self._locks: OrderedDict[str, anyio.Lock] = OrderedDict()

    async def verify_token(self, token: str) -> AccessToken | None:
        if not plausible_key(token):
            return None
        cred = Credential(token)
        if not await self._accepted(cred):
            return None  # the SDK answers 401 with WWW-Authenticate: Bearer error="invalid_token"
        # The fingerprint identifies the principal: an SSE session opened with one key refuses another's messages.
        return AccessToken(token=token, client_id=f"revox-key-{cred.short}", scopes=[], subject=cred.fingerprint)

    async def _accepted(self, cred: Credential) -> bool:
        name = f"{self.namespace}:verdict:{cred.fingerprint}"
        known = await self._known(name)
        if known is not None and known[1]:
            return known[0]
        lock = self._lock_for(cred.fingerprint)
        async with lock:  # one check per key at a time in this replica; the others read its verdict
            known = await self._known(name)
            if known is not None and known[1]:
                return known[0]
            verdict = await self._ask_revox(cred)
        if verdict is None:
            # Revox could not say (down, or this key is rate limited): the last verdict stands; a key
            # never seen is let through, and its calls then say what is wrong with Revox.
            return known[0] if known is not None else True
        digest = hashlib.blake2b(b"%d" % verdict, digest_size=12).hexdigest()
        # Kept, past its freshness, as long as any data of this key may be: the last word during an outage.
        entry = Entry(b"1" if verdict else b"0", self._wall(), digest)
        await self.backend.set(name, entry, expire_after=DEFAULT_MAX_STALE)
        return verdict

    async def _known(self, name: str) -> tuple[bool, bool] | None:
        """The cached verdict and whether it is still fresh, or None."""
        entry = await self.backend.get(name)
        if entry is None:
            return None
        verdict = entry.payload == b"1"
        age = self._wall() - entry.stored_at
        return verdict, 0 <= age < (self.accepted_ttl if verdict else self.rejected_ttl)

    async def _ask_revox(self, cred: Credential) -> bool | None:
        if await self.coordinator.backoff_left(cred.fingerprint) is not None:
            return None  # every replica leaves this key alone until its Retry-After
        if self._api is None:
            self._api = self._make_api()
        async with self._checks:
            try:
                return await self._api.auth_status(cred.key)
            except RevoxAuthError:
                return False
            except RevoxError as exc:
                log.info("could not check key %s with Revox: %s", cred.short, type(exc).__name__)
                return None

    def _lock_for(self, fingerprint: str) -> anyio.Lock:
        lock = self._locks.get(fingerprint)
        if lock is None:
            lock = self._locks[fingerprint] = anyio.Lock()
            while len(self._locks) > _MAX_TRACKED:
                oldest, kept = next(iter(self._locks.items()))
                if kept.locked():
                    break
                del self._locks[oldest]
        return lock

    async def aclose(self) -> None:
        if self._api is not None:
            await self._api.aclose()
            self._api = None


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
