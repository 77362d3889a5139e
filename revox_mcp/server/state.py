"""What a server lifespan owns (``AppState``), and which one the request being handled is served by.

The composition root (``app.build_server``) builds an ``AppState`` per lifespan; a middleware binds
it to each request, so that handlers, static resources and completions (which get no ``Context``)
all find it with ``current_state()``.
"""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, Protocol

from mcp.server.context import CallNext, HandlerResult, ServerRequestContext

from revox_mcp import __version__
from revox_mcp.credential import Credential
from revox_mcp.errors import InputError
from revox_mcp.history.store import History
from revox_mcp.service.assistants import AssistantService
from revox_mcp.service.call_review import CallService
from revox_mcp.service.data import RevoxData
from revox_mcp.service.history import HistoryService, Seed
from revox_mcp.service.status import StatusService
from revox_mcp.service.troubleshooting import Troubleshooting
from revox_mcp.settings import Settings


class CredentialSource(Protocol):
    """Where a request's Revox key comes from: the server's own, or (multi-user) the caller's."""

    def current(self) -> Credential | None: ...


@dataclass(frozen=True)
class FixedCredential:
    """One key for every request (stdio, and single-user HTTP)."""

    credential: Credential

    def current(self) -> Credential | None:
        return self.credential


@dataclass(frozen=True)
class AppState:
    """What one server lifespan owns: the data access and the services over it."""

    settings: Settings
    credentials: CredentialSource
    data: RevoxData
    assistants: AssistantService
    calls: CallService
    troubleshooting: Troubleshooting
    status: StatusService
    history: HistoryService

    @classmethod
    def over(
        cls,
        settings: Settings,
        credentials: CredentialSource,
        data: RevoxData,
        history: History | None = None,
        *,
        seed: Seed | None = None,
    ) -> AppState:
        """The services over ``data``, each keeping ``settings.memo_entries`` derived answers; the
        versions ``data`` fetches recorded in ``history`` (None: off), seeded first by ``seed``."""
        memo = settings.memo_entries
        assistants = AssistantService(data, memo_entries=memo)
        versions = HistoryService(
            history or History(None), data, assistants, call_days=settings.history_call_days, seed=seed
        )
        data.recorder = versions
        return cls(
            settings=settings,
            credentials=credentials,
            data=data,
            assistants=assistants,
            calls=CallService(data, assistants, memo_entries=memo, stored=versions.stored_changes),
            troubleshooting=Troubleshooting(assistants, memo_entries=memo),
            status=StatusService(data, version=__version__, demo=settings.demo, history=versions.health),
            history=versions,
        )

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
