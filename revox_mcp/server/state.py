"""What a server lifespan owns (``AppState``), and which one the request being handled is served by.

The composition root (``app.build_server``) builds an ``AppState`` per lifespan; a middleware binds
it to each request, so that handlers, static resources and completions (which get no ``Context``)
all find it with ``current_state()``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from mcp.server.context import CallNext, HandlerResult, ServerRequestContext

from revox_mcp.credential import Credential
from revox_mcp.errors import InputError
from revox_mcp.settings import Settings

if TYPE_CHECKING:  # the services load with the first request that needs one (``service.bundle``)
    from revox_mcp.service.bundle import Services


class CredentialSource(Protocol):
    """Where a request's Revox key comes from: the server's own, or (multi-user) the caller's."""

    def current(self) -> Credential | None: ...


@dataclass(frozen=True)
class FixedCredential:
    """One key for every request (stdio, and single-user HTTP)."""

    credential: Credential

    def current(self) -> Credential | None:
        return self.credential


class AppState:
    """What one server lifespan owns: its settings, whose key each request uses, and the services
    (``service.bundle.Services``), built by ``build`` with the first request that needs one."""

    def __init__(self, settings: Settings, credentials: CredentialSource, build: Callable[[], Services]) -> None:
        self.settings = settings
        self.credentials = credentials
        self._build = build

    @functools.cached_property
    def services(self) -> Services:
        return self._build()

    def credential(self) -> Credential:
        """The key this request is served with; InputError (told to the caller) when there is none."""
        cred = self.credentials.current()
        if cred is None:
            raise InputError("No Revox API key for this request: send it as Authorization: Bearer <key>.")
        return cred


_current: ContextVar[AppState] = ContextVar("revox_mcp_state")


async def bind_state(ctx: ServerRequestContext[AppState, Any], call_next: CallNext) -> HandlerResult:
    """Middleware: the lifespan's state is the current state while the request is handled."""
    token = _current.set(ctx.lifespan_context)
    try:
        return await call_next(ctx)
    finally:
        _current.reset(token)


def current_state() -> AppState:
    """The state of the request being handled (``bind_state`` set it)."""
    return _current.get()
