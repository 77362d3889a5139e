"""revox_status: what to check first when nothing works, for the caller's own key only."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable

from revox_mcp.credential import Credential
from revox_mcp.domain.output import dump
from revox_mcp.domain.render.status import key_check, status_text
from revox_mcp.errors import RevoxAuthError, RevoxError
from revox_mcp.history.version import Health
from revox_mcp.service.answers import CacheView, HistoryStatus, StatusView
from revox_mcp.service.data import RevoxData
from revox_mcp.service.results import Answer
from revox_mcp.settings import shown_url


class StatusService:
    def __init__(
        self,
        data: RevoxData,
        *,
        version: str,
        demo: bool,
        history: Callable[[Credential | None], Awaitable[Health]] | None = None,
        clock: Callable[[], float] = time.perf_counter,
    ):
        self.data = data
        self.version = version
        self.demo = demo
        self._history = history
        self._clock = clock

    async def status(self, cred: Credential | None) -> Answer:
        check = None
        error: str | None = None
        latency: float | None = None
        if cred is not None:
            start = self._clock()
            accepted: bool | None = None
            failure: RevoxError | None = None
            try:
                accepted = await self.data.api.auth_status(cred.key)
            except RevoxError as exc:
                failure = exc
                if not isinstance(exc, RevoxAuthError):
                    error = f"{type(exc).__name__}: {exc}"
            if error is None:
                latency = round((self._clock() - start) * 1000, 1)
            check = key_check(accepted, failure)
        fingerprint = cred.fingerprint if cred is not None else ""
        stats = self.data.cache.stats(fingerprint)
        oldest = self.data.cache.oldest_age(fingerprint)
        api_stats = self.data.api.stats(fingerprint)
        health = await self._history(cred) if self._history is not None else None
        model = StatusView(
            version=self.version,
            demo=self.demo,
            base_url=shown_url(self.data.api.base_url),
            api_key_configured=cred is not None and not self.demo,
            api_key_fingerprint=cred.short if cred is not None and not self.demo else None,
            key_accepted=check.accepted if check is not None else None,
            key_check=check.said if check is not None else None,
            http_status=check.http_status if check is not None else None,
            retry_after_seconds=check.retry_after_seconds if check is not None else None,
            latency_ms=latency,
            error=error,
            cache=CacheView(
                entries=len(stats.stored),
                ttl_seconds=self.data.ttl,
                oldest_age_seconds=round(oldest, 1) if oldest is not None else None,
                hits=stats.hits,
                misses=stats.misses,
                coalesced=stats.coalesced,
                stale_served=stats.stale_served,
                upstream_requests=api_stats.requests,
                last_error=api_stats.last_error or stats.last_error,
            ),
            history=None if health is None else HistoryStatus.model_validate(health, from_attributes=True),
        )
        return Answer(model, status_text(dump(model)))
