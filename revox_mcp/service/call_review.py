"""Reviewing calls: list_calls, get_call and analyze_calls, over cleaned (and, by default,
personal-data-masked) calls.

``CallService`` is what the tools call: get_call here, list_calls in ``call_list``, analyze_calls in
``call_analysis``, both over the period scans of ``call_period``. Derived data is memoised by content
(key fingerprint, call id, digest). Text from calls (transcripts, outcome summaries, tool outputs)
reaches the model only inside a quoted call-data block, or as a short quote in a finding.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

from revox_mcp.cache.store import Cached
from revox_mcp.credential import Credential
from revox_mcp.domain import budget
from revox_mcp.domain.call_views import (
    Turn,
    choose_attempt,
    select_call_fields,
    summary_of,
    turns_of,
    whole_call,
)
from revox_mcp.domain.facts import coerce_string_list
from revox_mcp.domain.ingest import Item
from revox_mcp.domain.output import dump
from revox_mcp.domain.quoting import CALL_DATA_NOTE
from revox_mcp.domain.render.calls import READ_CALL_ON, call_json_text, summary_text, transcript_text
from revox_mcp.errors import InputError
from revox_mcp.service.answers import CallView
from revox_mcp.service.assistants import AssistantService
from revox_mcp.service.call_analysis import CallAnalyzer, StoredChanges, no_stored_changes
from revox_mcp.service.call_list import CallLister
from revox_mcp.service.call_period import PeriodScans
from revox_mcp.service.data import RevoxData
from revox_mcp.service.results import Answer, freshness, stale_note

__all__ = ["CallService"]

Detail = Literal["summary", "transcript", "full"]

# get_call's JSON of a call: this much as structured content, as much again as text.
_CALL_ROOM = budget.HALF_BUDGET - 1_500


class CallService:
    """Calls for any credential."""

    def __init__(
        self,
        data: RevoxData,
        assistants: AssistantService,
        *,
        memo_entries: int,
        stored: StoredChanges = no_stored_changes,
    ) -> None:
        self.data = data
        self.assistants = assistants
        self.scans = PeriodScans(data)
        self.lister = CallLister(data, assistants, self.scans, memo_entries=memo_entries)
        self.analyzer = CallAnalyzer(data, assistants, self.scans, stored, memo_entries=memo_entries)

    async def list_calls(self, cred: Credential, **arguments: Any) -> Answer:
        """list_calls (``call_list.CallLister.list_calls``: its arguments)."""
        return await self.lister.list_calls(cred, **arguments)

    async def analyze_calls(
        self,
        cred: Credential,
        assistant_id: str,
        last: int | None = None,
        since: str | None = None,
        until: str | None = None,
        days: int | None = None,
    ) -> Answer:
        """analyze_calls over the ``last`` N finished calls (default 50) or a period (``call_analysis``)."""
        return await self.analyzer.analyze(cred, assistant_id, last, since, until, days)

    # --- get_call -----------------------------------------------------------------------------------

    async def get_call(
        self,
        cred: Credential,
        call_id: str,
        detail: Detail = "summary",
        fields: Sequence[str] | str | None = None,
        attempt: int | None = None,
        offset: int = 0,
    ) -> Answer:
        wanted = coerce_string_list(fields, "fields")
        if offset < 0:
            raise InputError("offset must be 0 or more.")
        if wanted is not None:
            detail = "full"
        cached = await self.data.call(cred, call_id)
        call = cached.value.value
        ident = str(call.get("id"))
        if detail == "summary":
            if offset:
                raise InputError('offset applies to detail="transcript" or to fields: pass one of them with it.')
            return self._summary(cached, attempt)
        if detail == "transcript":
            return self._transcript(cached, ident, attempt, offset)
        return self._full(cached, ident, wanted, attempt, offset)

    def _summary(self, cached: Cached[Item], attempt: int | None) -> Answer:
        call = cached.value.value
        ident = str(call.get("id"))
        summary = summary_of(call, attempt)
        model = CallView(id=ident, note=CALL_DATA_NOTE, summary=summary, **freshness(cached))
        return _fit(model, summary_text(ident, summary) + stale_note(cached))

    def _transcript(self, cached: Cached[Item], ident: str, attempt: int | None, offset: int) -> Answer:
        number, chosen = choose_attempt(cached.value.value, attempt)
        turns = turns_of(chosen)
        if offset > len(turns):
            raise InputError(f"offset {offset} is past the last turn ({len(turns)} turns).")
        shown: list[Turn] = []
        used = 0
        room = budget.MAX_RESPONSE_BYTES // 2 - 1_500
        for turn in turns[offset:]:
            used += budget.size(dump(turn)) + 10
            if used > room and shown:
                break
            shown.append(turn)
        end = offset + len(shown)
        next_offset = end if end < len(turns) else None
        model = CallView(
            id=ident,
            note=CALL_DATA_NOTE,
            attempt=number or None,
            turns=shown,
            total_turns=len(turns),
            next_offset=next_offset,
            **freshness(cached),
        )
        text = transcript_text(ident, number, shown, offset, len(turns), next_offset, room)
        return _fit(model, text + stale_note(cached))

    def _full(
        self, cached: Cached[Item], ident: str, wanted: list[str] | None, attempt: int | None, offset: int
    ) -> Answer:
        call = cached.value.value
        number, chosen = choose_attempt(call, attempt)
        if wanted is None:
            selected: dict[str, Any] = whole_call(call)
        else:
            selected = select_call_fields(call, chosen, number, wanted)
        single = wanted[0] if wanted and len(wanted) == 1 else None
        listed = selected.get(single) if single and single in selected else None
        if isinstance(listed, list) and single is not None:
            if offset > len(listed):
                raise InputError(f"offset {offset} is past the end of {single} ({len(listed)} items).")
            part = listed[offset:]
            room = budget.HALF_BUDGET - 1_500
            kept: list[Any] = []
            for entry in part:
                fitted, _cuts = budget.fit(entry, room // 2, READ_CALL_ON)
                if budget.size([*kept, fitted]) > room and kept:
                    break
                kept.append(fitted)
            end = offset + len(kept)
            selected[single] = kept
            next_offset = end if end < len(listed) else None
        elif offset:
            raise InputError(
                'offset applies to one list field, e.g. fields=["speech_events"] or ["llm_system_prompt"].'
            )
        else:
            next_offset = None
        fitted_call, cuts = budget.fit(selected, _CALL_ROOM, READ_CALL_ON)
        model = CallView(
            id=ident,
            note=CALL_DATA_NOTE,
            attempt=number or None,
            call=fitted_call,
            cut=cuts[:20] or None,
            next_offset=next_offset,
            **freshness(cached),
        )
        text = call_json_text(ident, fitted_call, cuts, next_offset, wanted is None, _CALL_ROOM)
        return _fit(model, text + stale_note(cached))


# A call view: the model in its half of the budget (cut paths listed in its "cut"), the text the rest.
_FIT = budget.AnswerFit(budget.HALF_BUDGET, "the text has more", "narrow it with fields=[...] or offset", "cut")


def _fit(model: CallView, text: str) -> Answer:
    return Answer(*_FIT(model, text))
