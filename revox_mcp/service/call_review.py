"""Reviewing calls: list_calls, get_call and analyze_calls, over cleaned (and, by default,
personal-data-masked) calls.

Paging is Revox's (``POST /call/search``): our cursor names the filters and holds where the next
page starts and the page size in use, so a page-size cap Revox applies (undocumented) never skips
calls. Derived data is memoised by content (key fingerprint, call id, digest). Text from calls
(transcripts, outcome summaries, tool outputs) reaches the model only inside a quoted call-data
block, or as a short quote in a finding.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Annotated, Any, Literal

from revox_mcp.cache.memo import LRU
from revox_mcp.cache.store import Cached
from revox_mcp.credential import Credential
from revox_mcp.domain import budget
from revox_mcp.domain.call_fields import ANALYZED_STATUSES, FILTERS, name_of, parse_filter
from revox_mcp.domain.call_views import (
    CallRow,
    CallSummary,
    Turn,
    choose_attempt,
    row_of,
    select_call_fields,
    summary_of,
    turns_of,
    whole_call,
)
from revox_mcp.domain.catalog import check_limit
from revox_mcp.domain.cursor import decode_cursor, encode_cursor
from revox_mcp.domain.evidence import Aggregate, CallFacts, Evidence, aggregate, facts_of, findings, needs_campaigns
from revox_mcp.domain.facts import campaigns_of, coerce_string_list, validate_assistant_id
from revox_mcp.domain.ingest import Item
from revox_mcp.domain.output import AnObject, Objects, dump
from revox_mcp.domain.quoting import CALL_DATA_NOTE
from revox_mcp.domain.render.calls import (
    READ_CALL_ON,
    analysis_text,
    call_json_text,
    call_list_text,
    dropped_note,
    row_line,
    span_text,
    summary_text,
    transcript_text,
)
from revox_mcp.errors import InputError, RevoxError, RevoxNotFoundError
from revox_mcp.service.assistants import AssistantService
from revox_mcp.service.data import CallPage, RevoxData
from revox_mcp.service.results import Answer, Result, freshness, stale_note

Detail = Literal["summary", "transcript", "full"]

# analyze_calls: the whole answer as sent (structured content, text and the result around them) fits this.
ANALYSIS_BUDGET = 8_000
# get_call's JSON of a call: this much as structured content, as much again as text.
_CALL_ROOM = budget.HALF_BUDGET - 1_500
MIN_LAST, MAX_LAST = 10, 200
# At most one search request per this many calls analysed.
CALLS_PER_REQUEST = 100


class CallList(Result):
    """One page of calls, newest first when Revox accepts the sort."""

    calls: Annotated[list[CallRow], Objects]
    total: int | None = None
    next_cursor: str | None = None
    order: str | None = None
    stopped_by: Literal["size"] | None = None


class CallView(Result):
    """One call: its summary, the transcript of one attempt, or its redacted JSON."""

    id: str
    note: str | None = None
    summary: Annotated[CallSummary | None, AnObject] = None
    attempt: int | None = None
    turns: Annotated[list[Turn] | None, Objects] = None
    total_turns: int | None = None
    call: Annotated[dict[str, Any] | None, AnObject] = None
    cut: list[str] | None = None
    next_offset: int | None = None


class CallAnalysis(Result):
    """An assistant's recent calls aggregated, and the findings that tie patterns to its configuration."""

    assistant_id: str
    name: str | None = None
    calls: int
    attempts: int
    total: int | None = None
    span: str | None = None  # created, oldest to newest
    # status, outcome (per call); result, end_reason, ended_by, dial_error (per attempt): value -> count
    counts: Annotated[dict[str, dict[str, int]], AnObject]
    # talk time p50/p90 (s), calls that reached a person, voicemail attempts, agent turns and interrupted
    # ones, latency p50/p95 (ms), tool "errors/results"
    metrics: Annotated[dict[str, int | str], AnObject]
    findings: Annotated[list[Evidence], Objects]
    notes: list[str] | None = None


def _filters(
    assistant_id: str | None,
    status: str | Sequence[str] | None,
    outcome: str | Sequence[str] | None,
    result: str | Sequence[str] | None,
    direction: str | Sequence[str] | None,
) -> dict[str, list[str]]:
    chosen: dict[str, list[str]] = {}
    if assistant_id:
        chosen["assistant_ids"] = [validate_assistant_id(assistant_id)]
    for name, value in (("status", status), ("outcome", outcome), ("result", result), ("direction", direction)):
        values = parse_filter(value, name)
        if values:
            chosen[FILTERS[name][0]] = values
    return chosen


def _position(raw: str) -> tuple[int, int]:
    offset, _sep, size = raw.partition(".")
    if not offset.isdigit() or not size.isdigit() or not 1 <= int(size) <= 100:
        raise InputError("The cursor is not one list_calls returned. Call list_calls again without a cursor.")
    return int(offset), int(size)


class CallService:
    """Calls for any credential."""

    def __init__(self, data: RevoxData, assistants: AssistantService, *, memo_entries: int) -> None:
        self.data = data
        self.assistants = assistants
        self._facts: LRU[tuple[str, str, str], CallFacts] = LRU(memo_entries)
        self._rows: LRU[tuple[str, str, str], tuple[CallRow, str]] = LRU(memo_entries)

    # --- list_calls ---------------------------------------------------------------------------------

    def _row(self, cred: Credential, call: Mapping[str, Any], digest: str) -> tuple[CallRow, str]:
        key = (cred.fingerprint, str(call.get("id")), digest)

        def make() -> tuple[CallRow, str]:
            row = row_of(call)
            return row, row_line(row)

        return self._rows.get_or_make(key, make)

    async def list_calls(
        self,
        cred: Credential,
        *,
        assistant_id: str | None = None,
        status: str | Sequence[str] | None = None,
        outcome: str | Sequence[str] | None = None,
        result: str | Sequence[str] | None = None,
        direction: str | Sequence[str] | None = None,
        query: str | None = None,
        limit: int = 20,
        cursor: str | None = None,
    ) -> Answer:
        check_limit(limit)
        filters = _filters(assistant_id, status, outcome, result, direction)
        query = " ".join(query.split()) if query and query.strip() else None
        tag = {"filters": filters, "query": query}
        if cursor:
            offset, size = _position(
                decode_cursor(cursor, tool="list_calls", scope=cred.fingerprint, version=None, query=tag)
            )
        else:
            offset, size = 0, min(limit, self.data.page_cap(cred) or limit)
        page_number, skip = divmod(offset, size)
        cached = await self.data.call_page(cred, filters, query, page_number, size)
        page = cached.value
        capped = 0 < page.received < size and page.total is not None and page.received < page.total
        if capped and page_number * size + page.received < page.total:  # type: ignore[operator]
            # Revox sent fewer than asked while more exist: it caps the page size. Page in its size.
            size = page.received
            if page_number:
                page_number, skip = divmod(offset, size)
                cached = await self.data.call_page(cred, filters, query, page_number, size)
                page = cached.value
        rows: list[CallRow] = []
        lines: list[str] = []
        used = 0
        full = False
        for position in range(skip, min(len(page.calls.items), skip + limit)):
            row, line = self._row(cred, page.calls.items[position], page.calls.digests[position])
            used += budget.size(dump(row)) + budget.sent_size(line)
            if used > budget.MAX_RESPONSE_BYTES - 4_000 and rows:
                full = True
                break
            rows.append(row)
            lines.append(line)
        end = offset + len(rows)
        if page.received < size and page.calls.items and skip + len(rows) >= len(page.calls.items):
            more = page.total is not None and end < page.total and page.received > 0
        else:
            more = (page.total is None and page.received >= size) or (page.total is not None and end < page.total)
        # Only a cursor that moves forward: an empty page never loops.
        next_cursor = (
            encode_cursor(tool="list_calls", scope=cred.fingerprint, version="0", position=f"{end}.{size}", query=tag)
            if more and rows
            else None
        )
        order = None if page.sorted else "as Revox returned it (it refused sort_by=created_at)"
        stopped_by: Literal["size"] | None = "size" if full else None
        model = CallList(
            calls=rows,
            total=page.total,
            next_cursor=next_cursor,
            order=order,
            stopped_by=stopped_by,
            **freshness(cached),
        )
        stopped = budget.size_stop(len(rows), limit, budget.WHOLE_ANSWER) if full else None
        text = call_list_text(lines, page.total, order, filters, query, next_cursor, stopped)
        return Answer(model, text + stale_note(cached))

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

    # --- analyze_calls ------------------------------------------------------------------------------

    def _facts_of(self, cred: Credential, call: Mapping[str, Any], digest: str) -> CallFacts:
        key = (cred.fingerprint, str(call.get("id")), digest)
        return self._facts.get_or_make(key, lambda: facts_of(call))

    async def analyze_calls(self, cred: Credential, assistant_id: str, last: int = 50) -> Answer:
        if not MIN_LAST <= last <= MAX_LAST:
            raise InputError(f"last must be between {MIN_LAST} and {MAX_LAST}.")
        ident = validate_assistant_id(assistant_id)
        notes: list[str] = []
        config: Mapping[str, Any] | None = None
        name: str | None = None
        try:
            assistant = await self.assistants.assistant(cred, ident)
            config = assistant.value.value
            name = name_of(config.get("name"))
        except RevoxNotFoundError:
            raise
        except RevoxError as exc:
            notes.append(f"configuration not read ({exc}): findings show patterns without the field values")
        requests = math.ceil(last / CALLS_PER_REQUEST)
        size = math.ceil(last / requests)
        cap = self.data.page_cap(cred)
        if cap is not None and cap < size:
            size = cap
        filters = {"assistant_ids": [ident], "statuses": list(ANALYZED_STATUSES)}
        chosen: list[tuple[dict[str, Any], str]] = []
        seen: set[str] = set()
        pages: list[Cached[CallPage]] = []
        for page_number in range(requests):
            cached = await self.data.call_page(cred, filters, None, page_number, size)
            pages.append(cached)
            page = cached.value
            for call, digest in zip(page.calls.items, page.calls.digests, strict=True):
                if str(call.get("id")) not in seen:
                    seen.add(str(call.get("id")))
                    chosen.append((call, digest))
            reached_end = page.received < size or (page.total is not None and (page_number + 1) * size >= page.total)
            if len(chosen) >= last or reached_end:
                break
        chosen = chosen[:last]
        total = pages[0].value.total
        sorted_ = pages[0].value.sorted
        facts = [self._facts_of(cred, call, digest) for call, digest in chosen]
        if not sorted_:
            notes.append(
                "Revox refused sort_by=created_at: these are the first calls it returned, maybe not the latest"
            )
            facts.sort(key=lambda f: f.created or 0.0, reverse=True)
        if len(facts) < last and total is not None and total > len(facts):
            per_page = max(p.value.received for p in pages)
            notes.append(
                f"Revox returned at most {per_page} calls per page: analysed {len(facts)} of the {last} asked "
                f"(at most one page request per {CALLS_PER_REQUEST} calls)"
            )
        agg = aggregate(facts)
        found = findings(facts, config, agg)
        if needs_campaigns(found):  # a finding names a campaign field: show its value
            found = findings(facts, config, agg, await self._campaigns_of(cred, ident, notes))
        stale = next((p for p in pages if p.stale), pages[0])
        return self._analysis(ident, name, total, agg, found, notes, stale)

    async def _campaigns_of(self, cred: Credential, ident: str, notes: list[str]) -> list[Mapping[str, Any]] | None:
        """The campaigns that use the assistant, or None (and a note) when they cannot be read."""
        try:
            cached = await self.data.campaigns(cred)
        except RevoxError as exc:
            notes.append(f"campaigns not read ({exc}): their fields are not shown")
            return None
        return campaigns_of(ident, cached.value.items)

    def _analysis(
        self,
        ident: str,
        name: str | None,
        total: int | None,
        agg: Aggregate,
        found: list[Evidence],
        notes: list[str],
        cached: Cached[CallPage],
    ) -> Answer:
        counts = {
            name: values
            for name, values in (
                ("status", agg.status),
                ("outcome", agg.outcome),
                ("result", agg.result),
                ("end_reason", agg.end_reason),
                ("ended_by", agg.ended_by),
                ("dial_error", agg.dial_error),
            )
            if values
        }
        metrics: dict[str, int | str] = {f"talk_s_{k}": v for k, v in agg.duration.items()}
        metrics.update({"reached_human": agg.reached_human, "voicemail": agg.voicemail})
        if agg.agent_turns:
            metrics.update({"agent_turns": agg.agent_turns, "interrupted": agg.cut_turns})
        metrics.update({f"{k}_ms": v for k, v in agg.latency.items()})
        metrics.update({f"tool {n}": f"{e}/{r}" for n, (e, r) in agg.tool_calls.items()})
        base: dict[str, Any] = {
            "assistant_id": ident,
            "name": name,
            "calls": agg.calls,
            "attempts": agg.attempts,
            "total": total,
            "span": span_text(agg),
            "counts": counts,
            "metrics": metrics,
            **freshness(cached),
        }
        kept = list(found)
        # Tighter and tighter: fewer example ids (structured, text), then fewer findings, worst kept.
        levels = [(3, 2), (2, 1), (1, 1)]
        examples_cut: tuple[int, int] | None = None
        while True:
            structured_examples, text_examples = levels[0]
            kept = [f.model_copy(update={"examples": f.examples[:structured_examples]}) for f in kept]
            more = dropped_note(found[len(kept) :], examples_cut, ANALYSIS_BUDGET)
            model = CallAnalysis(findings=kept, notes=[*notes, more] if more else notes or None, **base)
            text = analysis_text(ident, name, total, agg, notes, len(found), kept, text_examples, more)
            text += stale_note(cached)
            if _sent(model, text) <= ANALYSIS_BUDGET or not kept:
                return Answer(model, text)
            if len(levels) > 1:
                levels.pop(0)
                examples_cut = levels[0]
            else:
                kept.pop()


def _sent(model: CallAnalysis, text: str) -> int:
    return budget.size(dump(model)) + budget.sent_size(text) + budget.ENVELOPE


# A call view: the model in its half of the budget (cut paths listed in its "cut"), the text the rest.
_FIT = budget.AnswerFit(budget.HALF_BUDGET, "the text has more", "narrow it with fields=[...] or offset", "cut")


def _fit(model: CallView, text: str) -> Answer:
    return Answer(*_FIT(model, text))
