"""The services one server lifespan answers with, over one data access, built together.

``server.state.AppState`` builds them with the first request that needs one, not when the lifespan
starts: a client's ``initialize`` and ``tools/list`` (which read only the output models of
``service.answers``) never wait for the rule engines, redactor patterns and time axis these load.
"""

from __future__ import annotations

from dataclasses import dataclass

from revox_mcp import __version__
from revox_mcp.history.store import History
from revox_mcp.service.assistants import AssistantService
from revox_mcp.service.call_review import CallService
from revox_mcp.service.data import RevoxData
from revox_mcp.service.history import HistoryService, Seed
from revox_mcp.service.status import StatusService
from revox_mcp.service.troubleshooting import Troubleshooting
from revox_mcp.settings import Settings


@dataclass(frozen=True)
class Services:
    """The data access and the services over it."""

    data: RevoxData
    assistants: AssistantService
    calls: CallService
    troubleshooting: Troubleshooting
    status: StatusService
    history: HistoryService

    @classmethod
    def over(
        cls, settings: Settings, data: RevoxData, history: History | None = None, *, seed: Seed | None = None
    ) -> Services:
        """The services over ``data``, each keeping ``settings.memo_entries`` derived answers; the
        versions ``data`` fetches recorded in ``history`` (None: off), seeded first by ``seed``."""
        memo = settings.memo_entries
        assistants = AssistantService(data, memo_entries=memo)
        versions = HistoryService(
            history or History(None), data, assistants, call_days=settings.history_call_days, seed=seed
        )
        data.recorder = versions
        return cls(
            data=data,
            assistants=assistants,
            calls=CallService(data, assistants, memo_entries=memo, stored=versions.stored_changes),
            troubleshooting=Troubleshooting(assistants, memo_entries=memo),
            status=StatusService(data, version=__version__, demo=settings.demo, history=versions.health),
            history=versions,
        )
