"""The read operations the MCP edge exposes, over the cached client. No mcp, no httpx here.

Builds one ``Snapshot`` per fetched list (memoised by the list object the cache hands back), and
shapes every answer into an output model plus its compact text, inside the byte budget.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from revox_mcp.api.client import AssistantList, RevoxClient
from revox_mcp.cache.memory import Cached
from revox_mcp.domain import budget
from revox_mcp.domain.catalog import MAX_LIMIT, Page, Snapshot, decode_cursor, encode_cursor, page, select_fields
from revox_mcp.domain.compare import Comparison, compare
from revox_mcp.domain.diagnostics import Finding, VariableUse, diagnose, triage
from revox_mcp.domain.facts import JsonObject, coerce_string_list, text
from revox_mcp.domain.redaction import redact_text
from revox_mcp.domain.render import render_tree, stale_note, summary_line
from revox_mcp.domain.summary import AssistantDetail, AssistantSummary, detail, dump, lean_schema
from revox_mcp.errors import InputError, RevoxAuthError, RevoxError

R = TypeVar("R")

# Structured content and text share the budget: the text carries the bulk of a configuration.
STRUCTURED_BUDGET = 10_000
# What the result's JSON around the two (content list, keys, isError) may take.
_ENVELOPE = 400
# Text sizes are counted as sent: a JSON string, its quotes, backslashes and newlines escaped.
TEXT_BUDGET = budget.MAX_RESPONSE_BYTES - STRUCTURED_BUDGET - _ENVELOPE
# A get_assistant summary (its structured content, and its text, each): about 1k tokens.
SUMMARY_BUDGET = 4_000
# Room kept for the list of cut paths added after a model is cut to fit.
_CUT_LIST_ROOM = 600

M = TypeVar("M", bound=BaseModel)


class _Result(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra=lean_schema)
    stale: bool | None = None  # Revox unreachable: older cached data (the text says so too)
    age_seconds: int | None = None


class AssistantPage(_Result):
    """One page of the assistant index."""

    assistants: list[AssistantSummary]
    total: int = Field(description="matching the query")
    next_cursor: str | None = Field(None, description="cursor of the next page")


class AssistantView(_Result):
    """One assistant: a summary, or (detail=full / fields) the redacted configuration in the text."""

    id: str
    name: str | None = None
    summary: AssistantDetail | None = None
    fields: list[str] | None = Field(None, description="fields given as JSON in the text")
    cut: list[str] | None = Field(None, description="paths cut to fit")
    next_offset: int | None = Field(None, description="offset to read more of the field")


@dataclass(frozen=True)
class Answer:
    """An output model and the text rendering that goes with it."""

    model: BaseModel
    text: str


def bounded(model: M, max_bytes: int) -> tuple[M, list[str]]:
    """``model`` with its longest strings, then its longest lists, shortened until its JSON fits.

    Lists lose their tail (no marker item, so the output model still validates); the cut paths
    are returned for the text to name. Whatever the data (10,000 tools, 50,000 variables), the
    structured content stays inside its share of the response budget.
    """
    data = dump(model)
    if budget.size(data) <= max_bytes:
        return model, []
    fitted, cuts = budget.fit(data, max_bytes, "the text content has more", mark_lists=False)
    return type(model).model_validate(fitted), cuts


def cut_note(cuts: list[str], hint: str) -> str:
    if not cuts:
        return ""
    shown = ", ".join(cuts[:8]) + (f" and {len(cuts) - 8} more" if len(cuts) > 8 else "")
    return f"\n…[cut to fit: {shown}; {hint}]"


def clip(text_out: str, max_bytes: int, hint: str) -> str:
    """``text_out`` cut at a line boundary to fit ``max_bytes`` as sent, ending with what to do for the rest."""
    if budget.size(text_out) <= max_bytes:
        return text_out
    marker = f"\n…[cut to fit; {hint}]"
    room = max_bytes - budget.size(marker)
    kept = text_out.encode()[:room].decode("utf-8", "ignore")
    while budget.size(kept) > room:  # escapes made it bigger on the wire than in UTF-8
        kept = kept[: int(len(kept) * 0.9)]
    return (kept.rsplit("\n", 1)[0] if "\n" in kept else kept) + marker


def _without_gc(build: Callable[[], R]) -> R:
    """Run a bulk, cycle-free build with the cyclic GC paused: with 10,000 parsed assistants alive,
    its full collections doubled the time to diagnose them all (2.5 s instead of 1.1 s)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        return build()
    finally:
        if enabled:
            gc.enable()


def _freshness(cached: Cached[Any]) -> dict[str, Any]:
    return {"stale": True, "age_seconds": int(cached.age)} if cached.stale else {}


class AssistantService:
    def __init__(self, client: RevoxClient, *, demo: bool = False) -> None:
        self.client = client
        self.demo = demo
        self._snapshot: tuple[AssistantList, Snapshot] | None = None
        self._selection: tuple[JsonObject, tuple[str, ...] | None, dict[str, Any]] | None = None
        # The summary answer of each cached assistant object, built once (id() keyed, object kept alive).
        self._summaries: dict[int, tuple[JsonObject, AssistantView, str]] = {}

    async def snapshot(self) -> tuple[Snapshot, Cached[AssistantList]]:
        cached = await self.client.list_assistants()
        memo = self._snapshot
        if memo is None or memo[0] is not cached.value:
            memo = (
                cached.value,
                Snapshot(cached.value.assistants, cached.value.version, cached.value.raw_bytes),
            )
            self._snapshot = memo
        return memo[1], cached

    async def list_assistants(self, query: str | None, limit: int, cursor: str | None) -> Answer:
        snap, cached = await self.snapshot()
        result: Page = page(snap, query=query or None, limit=limit, cursor=cursor, max_bytes=STRUCTURED_BUDGET)
        model = AssistantPage(
            assistants=result.assistants,
            total=result.total,
            next_cursor=result.next_cursor,
            **_freshness(cached),
        )
        shown = len(result.assistants)
        head = f"{shown} of {result.total} assistants" + (f' matching "{query}"' if query else "")
        lines = [head + " (id | name | type | llm | voice | opening | features | prompt chars | updated)"]
        lines += [summary_line(s) for s in result.assistants]
        if result.next_cursor:
            lines.append(f"More: call list_assistants with cursor={result.next_cursor}")
        if not shown:
            lines.append("No assistant matches; call list_assistants without query to see all.")
        text_out = "\n".join(lines) + stale_note(cached.stale, cached.age, cached.stale_reason)
        return Answer(model, text_out)

    async def assistant(self, assistant_id: str) -> Cached[JsonObject]:
        return await self.client.get_assistant(assistant_id)

    async def get_assistant(
        self,
        assistant_id: str,
        detail_level: Literal["summary", "full"] = "summary",
        fields: Sequence[str] | str | None = None,
        offset: int = 0,
    ) -> Answer:
        wanted = coerce_string_list(fields, "fields")
        cached = await self.assistant(assistant_id)
        assistant = cached.value
        name = redact_text(raw) if (raw := text(assistant, "name")) else raw  # as in the summary
        ident = str(assistant.get("id"))
        note = stale_note(cached.stale, cached.age, cached.stale_reason)
        if detail_level == "summary" and wanted is None:
            if offset:
                raise InputError('offset applies to a text field: pass fields=["prompt"] with it.')
            model, body = self._summary(assistant, ident, name)
            if cached.stale:
                model = model.model_copy(update=_freshness(cached))
            more = 'get_assistant with fields=["<field>"] for a whole field'
            return Answer(model, clip(body + note, SUMMARY_BUDGET, more))
        config = self._select(assistant, wanted)
        config, cuts, next_offset = self._cut(config, wanted, offset)
        model = AssistantView(
            id=ident,
            name=name,
            fields=list(config),
            cut=cuts or None,
            next_offset=next_offset,
            **_freshness(cached),
        )
        model = bounded(model, STRUCTURED_BUDGET)[0]  # thousands of fields or cut paths
        return Answer(model, budget.json_text(config) + note)

    def _summary(self, assistant: JsonObject, ident: str, name: str | None) -> tuple[AssistantView, str]:
        """The summary view and its text for one cached assistant: warm calls reuse them."""
        memo = self._summaries.get(id(assistant))
        if memo is not None and memo[0] is assistant:
            return memo[1], memo[2]
        model, cuts = bounded(
            AssistantView(id=ident, name=name, summary=detail(assistant)), SUMMARY_BUDGET - _CUT_LIST_ROOM
        )
        if cuts:
            model = model.model_copy(update={"cut": cuts[:10]})
        hint = 'Full detail: get_assistant with detail="full", or fields=["prompt"] for one field.'
        more = 'get_assistant with fields=["<field>"] for a whole field'
        tree = render_tree(dump(model.summary)) if model.summary is not None else ""
        body = tree + cut_note(cuts, more) + "\n" + hint
        if len(self._summaries) >= 1024:  # bounded: cached assistants come and go with the TTL
            self._summaries.clear()
        self._summaries[id(assistant)] = (assistant, model, body)
        return model, body

    @staticmethod
    def _cut(
        config: dict[str, Any], wanted: list[str] | None, offset: int
    ) -> tuple[dict[str, Any], list[str], int | None]:
        if offset < 0:
            raise InputError("offset must be 0 or more.")
        single = wanted[0] if wanted and len(wanted) == 1 else None
        value = config.get(single) if single else None
        if single and isinstance(value, str):
            if offset > len(value):
                raise InputError(f"offset {offset} is past the end of {single} ({len(value)} characters).")
            room = TEXT_BUDGET - budget.size(budget.json_text({single: ""}))
            # Cut on a UTF-8 boundary: encode, slice the bytes, drop a partial trailing character.
            chunk = value[offset:].encode()[: max(room - 200, 1000)].decode("utf-8", "ignore")
            while budget.size(budget.json_text({single: chunk})) > room:  # escaped twice as sent
                chunk = chunk[: int(len(chunk) * 0.9)]
            end = offset + len(chunk)
            return (
                {single: chunk},
                ([single] if end < len(value) or offset else []),
                (end if end < len(value) else None),
            )
        if offset:
            raise InputError('offset applies to one text field: pass exactly one field, e.g. fields=["prompt"].')
        hint = 'get_assistant with fields=["<field>"] and offset to read it whole'
        limit = TEXT_BUDGET
        fitted, cuts = budget.fit(config, limit, hint)
        # The JSON text is escaped again as sent: shrink the limit by what that adds until it fits.
        while (sent := budget.size(budget.json_text(fitted))) > TEXT_BUDGET:
            limit = limit * TEXT_BUDGET // sent - 100
            fitted, cuts = budget.fit(config, limit, hint)
        return fitted, cuts, None

    def _select(self, assistant: JsonObject, wanted: list[str] | None) -> dict[str, Any]:
        """``select_fields``, memoised for the last assistant object (the cache hands back the same one).

        Reading a long field chunk by chunk (offset) then redacts it once, not once per chunk: a 1 MB
        prompt takes about 0.7 s to redact, on the event loop, and is read in about 50 chunks.
        """
        key = tuple(wanted) if wanted is not None else None
        memo = self._selection
        if memo is not None and memo[0] is assistant and memo[1] == key:
            return memo[2]
        config = select_fields(assistant, wanted)
        self._selection = (assistant, key, config)
        return config


class DiagnosisRow(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra=lean_schema)
    id: str
    name: str | None = None
    errors: int
    warnings: int
    top: str | None = Field(None, description="worst finding")


class DiagnosisView(_Result):
    """One assistant's findings and {{variables}}; or, with no id, every assistant ranked worst first."""

    assistant_id: str | None = None
    name: str | None = None
    findings: list[Finding] | None = None
    variables: list[VariableUse] | None = Field(None, description="{{variables}} each call must supply")
    assistants: list[DiagnosisRow] | None = None
    total: int | None = None
    next_cursor: str | None = None


class AssistantComparison(_Result):
    """Differences between two assistants' redacted configurations."""

    comparison: Comparison


class CacheView(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra=lean_schema)
    entries: int
    ttl_seconds: float
    oldest_age_seconds: float | None = None
    hits: int
    misses: int
    coalesced: int
    stale_served: int
    upstream_requests: int
    last_error: str | None = None


class StatusView(BaseModel):
    """What to check first when nothing works."""

    model_config = ConfigDict(extra="forbid", json_schema_extra=lean_schema)
    version: str
    demo: bool
    base_url: str
    api_key_configured: bool
    api_key_fingerprint: str | None = Field(None, description="SHA-256 prefix")
    key_accepted: bool | None = Field(None, description="absent: Revox unreachable")
    latency_ms: float | None = None
    error: str | None = None
    cache: CacheView


def _top_line(finding: Finding | None) -> str | None:
    if finding is None:
        return None
    return f"{finding.severity} {finding.rule} @ {finding.path or '(assistant)'}"


def _finding_line(finding: Finding) -> str:
    where = finding.path or "(assistant)"
    return f"{finding.severity.upper()} {finding.rule} @ {where}: {finding.message} Fix: {finding.fix}"


class Troubleshooting:
    """Diagnosis, comparison and status over the same client, cache and snapshots."""

    def __init__(self, service: AssistantService) -> None:
        self.service = service
        # Per snapshot: the table's indexes worst first, and each assistant's (errors, warnings, top).
        # Whole diagnoses are not kept: 10,000 of them would hold ~80 MB for a one-line-per-row table.
        self._memo: tuple[Snapshot, list[int], list[tuple[int, int, str | None]]] | None = None

    async def _all(self) -> tuple[Snapshot, list[int], list[tuple[int, int, str | None]], Cached[AssistantList]]:
        snap, cached = await self.service.snapshot()
        if self._memo is None or self._memo[0] is not snap:

            def tally() -> list[tuple[int, int, str | None]]:
                return [(e, w, _top_line(top)) for e, w, top in map(triage, snap.assistants)]

            rows = _without_gc(tally)
            names = [text(a, "name") or "" for a in snap.assistants]
            order = sorted(range(len(rows)), key=lambda i: (-rows[i][0], -rows[i][1], names[i]))
            self._memo = (snap, order, rows)
        return snap, self._memo[1], self._memo[2], cached

    async def diagnose_one(self, assistant_id: str) -> Answer:
        cached = await self.service.assistant(assistant_id)
        found = diagnose(cached.value)
        model = DiagnosisView(
            assistant_id=found.assistant_id,
            name=found.name,
            findings=found.findings,
            variables=found.variables,
            **_freshness(cached),
        )
        counts = f"{found.error_count} errors, {found.warning_count} warnings, {found.info_count} info"
        lines = [f"{found.name} ({found.assistant_id}): {counts}"]
        lines += [_finding_line(f) for f in found.findings]
        if found.variables:
            needed = "; ".join(f"{v.name} ({', '.join(v.sources)})" for v in found.variables)
            lines.append(f"Variables each call must supply: {needed}")
        return self._fit(model, "\n".join(lines) + stale_note(cached.stale, cached.age, cached.stale_reason))

    async def diagnose_all(self, limit: int, cursor: str | None) -> Answer:
        snap, order, tallies, cached = await self._all()
        if not 1 <= limit <= MAX_LIMIT:
            raise InputError(f"limit must be between 1 and {MAX_LIMIT}.")
        offset = decode_cursor(cursor, snap.version, "diagnose", "diagnose_assistant") if cursor else 0
        if offset > len(order):
            raise InputError("The cursor is past the end of the list. Call diagnose_assistant without a cursor.")
        chosen = order[offset : offset + limit]
        end = offset + len(chosen)
        rows = [
            DiagnosisRow(
                id=snap.summaries[i].id,
                name=snap.summaries[i].name,
                errors=tallies[i][0],
                warnings=tallies[i][1],
                top=tallies[i][2],
            )
            for i in chosen
        ]
        next_cursor = encode_cursor(snap.version, end, "diagnose") if end < len(order) else None
        model = DiagnosisView(assistants=rows, total=len(order), next_cursor=next_cursor, **_freshness(cached))
        lines = [f"{len(rows)} of {len(order)} assistants, worst first (id | name | errors | warnings | top finding)"]
        lines += [f"{r.id} | {r.name or '-'} | {r.errors} | {r.warnings} | {r.top or '-'}" for r in rows]
        if next_cursor:
            lines.append(f"More: call diagnose_assistant with cursor={next_cursor}")
        lines.append("Details: diagnose_assistant with assistant_id=<id>.")
        return self._fit(model, "\n".join(lines) + stale_note(cached.stale, cached.age, cached.stale_reason))

    async def compare(self, id_a: str, id_b: str, fields: Sequence[str] | str | None) -> Answer:
        wanted = coerce_string_list(fields, "fields")
        first = await self.service.assistant(id_a)
        second = await self.service.assistant(id_b)
        result = compare(first.value, second.value, wanted)
        stale = first.stale or second.stale
        model = AssistantComparison(
            comparison=result,
            stale=True if stale else None,
            age_seconds=int(max(first.age, second.age)) if stale else None,
        )
        lines = [
            f"A = {result.a['name']} ({result.a['id']}); B = {result.b['name']} ({result.b['id']})",
            f"{len(result.changes)} differences; {result.identical_fields} fields identical"
            + (f"; not compared: {', '.join(result.ignored)}" if result.ignored else ""),
        ]
        for change in result.changes:
            if change.diff is not None:
                lines.append(f"~ {change.path}: {change.a} → {change.b}\n{change.diff}")
            elif change.kind == "changed":
                lines.append(f"~ {change.path}: {budget.json_text(change.a)} → {budget.json_text(change.b)}")
            elif change.kind == "added":
                lines.append(f"+ {change.path} (only in B): {budget.json_text(change.b)}")
            else:
                lines.append(f"- {change.path} (only in A): {budget.json_text(change.a)}")
        return self._fit(model, "\n".join(lines))

    async def status(self, version: str, fingerprint: str | None, clock: Callable[[], float]) -> Answer:
        client = self.service.client
        key_accepted: bool | None = None
        error: str | None = None
        start = clock()
        try:
            key_accepted = await client.auth_status()
        except RevoxAuthError:
            key_accepted = False
        except RevoxError as exc:
            error = f"{type(exc).__name__}: {exc}"
        latency = round((clock() - start) * 1000, 1)
        lists, items = client.cache_stats().values()
        oldest = client.oldest_cache_age()
        model = StatusView(
            version=version,
            demo=self.service.demo,
            base_url=client.base_url,
            api_key_configured=fingerprint is not None,
            api_key_fingerprint=fingerprint,
            key_accepted=key_accepted,
            latency_ms=latency if error is None else None,
            error=error,
            cache=CacheView(
                entries=client.cache_entries(),
                ttl_seconds=client.cache_ttl,
                oldest_age_seconds=round(oldest, 1) if oldest is not None else None,
                hits=lists.hits + items.hits,
                misses=lists.misses + items.misses,
                coalesced=lists.coalesced + items.coalesced,
                stale_served=lists.stale_served + items.stale_served,
                upstream_requests=client.upstream_requests,
                last_error=client.last_error,
            ),
        )
        verdict = {True: "accepted", False: "REJECTED (check REVOX_API_KEY)", None: "unknown (Revox unreachable)"}
        text_out = render_tree(dump(model)) + f"\nAPI key: {verdict[key_accepted]}"
        return Answer(model, text_out)

    @staticmethod
    def _fit(model: BaseModel, text_out: str) -> Answer:
        """Long diagnoses and diffs: the model inside its budget, the text cut at a line boundary inside its own."""
        model, cuts = bounded(model, STRUCTURED_BUDGET)
        hint = "narrow the request (fields=[...]) for the rest"
        structured = cut_note([f"structured {path}" for path in cuts], "the text lists more")
        if budget.size(text_out + structured) <= TEXT_BUDGET:
            return Answer(model, text_out + structured)
        room = TEXT_BUDGET - budget.size(structured)
        return Answer(model, clip(text_out, room, hint) + structured)
