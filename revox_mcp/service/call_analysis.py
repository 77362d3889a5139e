"""analyze_calls: an assistant's calls aggregated, the findings that tie them to its configuration, and
over a period, the time axis (series, configuration changes, change points and their causes).

Two ways to choose the calls: the ``last`` N finished ones (the default), or every finished call of
a period (``since``/``until`` or the last ``days``; ``call_period`` reads it). Every finding and
change point carries its drill-down: the ``list_calls`` arguments that return exactly its calls.

A change point's cause seen in the calls is shown with what changed: the last call with the old
configuration and the first with the new one are read (``GET /call/{id}``, cached) and the
assistants they embed compared (``domain.compare``: cleaned, hence redacted, at ingest).
"""

from __future__ import annotations

import math
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, NamedTuple

import anyio

from revox_mcp.cache.memo import LRU
from revox_mcp.cache.store import Cached
from revox_mcp.credential import Credential
from revox_mcp.domain import budget
from revox_mcp.domain.call_fields import ANALYZED_STATUSES, name_of
from revox_mcp.domain.compare import Change, compare
from revox_mcp.domain.evidence import Aggregate, Evidence, aggregate, findings, needs_campaigns
from revox_mcp.domain.facts import campaigns_of, child, validate_assistant_id
from revox_mcp.domain.output import dump
from revox_mcp.domain.render.calls import (
    PeriodText,
    analysis_text,
    dropped_note,
    period_analysis_text,
    span_text,
)
from revox_mcp.domain.timeline.analysis import analyze_timeline
from revox_mcp.domain.timeline.change import ChangePoint
from revox_mcp.domain.timeline.config import ConfigChange
from revox_mcp.domain.timeline.period import Period, PeriodView, argument
from revox_mcp.domain.timeline.record import CallRecord
from revox_mcp.domain.timeline.series import SeriesRow, with_categories
from revox_mcp.errors import InputError, RevoxError, RevoxNotFoundError
from revox_mcp.service.answers import CallAnalysis
from revox_mcp.service.assistants import AssistantService
from revox_mcp.service.call_period import PeriodScans, Scan
from revox_mcp.service.data import RecordPage, RevoxData
from revox_mcp.service.results import Answer, freshness, stale_note

# analyze_calls over the last N calls: the whole answer as sent (structured content and text) fits this
# (8 kB until each finding carried its drill-down: about 200 bytes each)...
ANALYSIS_BUDGET = 10_000
# ...and over a period, with its time axis.
PERIOD_BUDGET = 16_000
MIN_LAST, MAX_LAST = 10, 200
DEFAULT_LAST = 50
# At most one search request per this many calls analysed.
CALLS_PER_REQUEST = 100
# A configuration change's diff as an answer carries it: this many changed paths, each text diff this long.
DIFF_PATHS = 6
DIFF_CHARS = 700

StoredChanges = Callable[[Credential, str], Awaitable[list[ConfigChange]]]


async def no_stored_changes(_cred: Credential, _assistant_id: str) -> list[ConfigChange]:
    """The versions the server stored of an assistant: none until a history store is wired in
    (``history``: its versions dated by the assistant's own edit time, ``updated_at``)."""
    return []


@dataclass
class _Shape:
    """How much of a period's answer is shown: shrunk step by step until the answer fits."""

    bucket_lines: bool = True
    categories: int | None = None  # None: each row's own top categories; else the period's top N
    diff_chars: int = DIFF_CHARS
    examples: tuple[int, int] = (3, 2)  # example call ids: structured, text
    findings: int | None = None  # None: all
    changes: bool = True  # every configuration change, not only causes
    tested: bool = True  # the names of the metrics tested
    points: int | None = None  # None: every change point; else the most significant N
    detail: bool = True  # each bucket's p95 latency and talk time


# Each step makes the answer smaller, and says what it cut: (what it cuts, how it says so, the step).
# A later step of the same thing replaces the earlier one's words.
_STEPS: tuple[tuple[str, str, Callable[[_Shape], None]], ...] = (
    ("lines", "the text's line per bucket (the series has its figures)", lambda s: setattr(s, "bucket_lines", False)),
    ("categories", "categories beyond each kind's top 3 per bucket", lambda s: setattr(s, "categories", 3)),
    ("diffs", "configuration diffs shortened", lambda s: setattr(s, "diff_chars", 200)),
    ("tested", "the names of the metrics tested", lambda s: setattr(s, "tested", False)),
    ("examples", "example calls beyond 2 per finding", lambda s: setattr(s, "examples", (2, 1))),
    ("categories", "categories beyond each kind's top 1 per bucket", lambda s: setattr(s, "categories", 1)),
    ("points", "change points beyond the 5 strongest (named in notes)", lambda s: setattr(s, "points", 5)),
    ("changes", "configuration changes that caused no change point", lambda s: setattr(s, "changes", False)),
    ("examples", "example calls beyond 1 per finding", lambda s: setattr(s, "examples", (1, 1))),
    ("categories", "categories per bucket", lambda s: setattr(s, "categories", 0)),
    ("detail", "p95 latency and talk time per bucket", lambda s: setattr(s, "detail", False)),
    ("points", "change points beyond the 3 strongest (named in notes)", lambda s: setattr(s, "points", 3)),
    ("diffs", "configuration diffs (their fields are kept)", lambda s: setattr(s, "diff_chars", 0)),
)


def _filters(ident: str) -> dict[str, list[str]]:
    return {"assistant_ids": [ident], "statuses": list(ANALYZED_STATUSES)}


def drill_base(ident: str) -> dict[str, str]:
    """The list_calls arguments every drill-down of an analysis starts from: its calls' assistant and statuses."""
    return {"assistant_id": ident, "status": ",".join(ANALYZED_STATUSES)}


class CallAnalyzer:
    """analyze_calls for any credential."""

    def __init__(
        self,
        data: RevoxData,
        assistants: AssistantService,
        scans: PeriodScans,
        stored: StoredChanges = no_stored_changes,
        *,
        memo_entries: int,
    ) -> None:
        self.data = data
        self.assistants = assistants
        self.scans = scans
        self.stored = stored
        self._diffs: LRU[tuple[str, str, str], list[Change]] = LRU(min(memo_entries, 1024))
        # Analyses of periods, by what they are computed from (a few answers: each holds its findings).
        self._analyses: LRU[tuple[Any, ...], _Analysis] = LRU(64)

    async def config(self, cred: Credential, ident: str, notes: list[str]) -> _Config:
        """The assistant's configuration, name and content digest (None and a note when it cannot be read)."""
        try:
            assistant = await self.assistants.assistant(cred, ident)
        except RevoxNotFoundError:
            raise
        except RevoxError as exc:
            notes.append(f"configuration not read ({exc}): findings show patterns without the field values")
            return _Config(None, None, "")
        config = assistant.value.value
        return _Config(config, name_of(config.get("name")), assistant.value.digest)

    async def _campaigns_of(self, cred: Credential, ident: str, notes: list[str]) -> list[Mapping[str, Any]] | None:
        """The campaigns that use the assistant, or None (and a note) when they cannot be read."""
        try:
            cached = await self.data.campaigns(cred)
        except RevoxError as exc:
            notes.append(f"campaigns not read ({exc}): their fields are not shown")
            return None
        return campaigns_of(ident, cached.value.items)

    async def analyze(
        self,
        cred: Credential,
        assistant_id: str,
        last: int | None = None,
        since: str | None = None,
        until: str | None = None,
        days: int | None = None,
    ) -> Answer:
        ident = validate_assistant_id(assistant_id)
        if since is None and until is None and days is None:
            return await self._last(cred, ident, DEFAULT_LAST if last is None else last)
        if last is not None:
            raise InputError("Give either last (the last N calls) or a period (since/until or days), not both.")
        return await self._period(cred, ident, self.scans.period(since, until, days))

    # --- the last N calls -------------------------------------------------------------------------

    async def _last(self, cred: Credential, ident: str, last: int) -> Answer:
        if not MIN_LAST <= last <= MAX_LAST:
            raise InputError(f"last must be between {MIN_LAST} and {MAX_LAST}.")
        notes: list[str] = []
        config, name, _digest = await self.config(cred, ident, notes)
        requests = math.ceil(last / CALLS_PER_REQUEST)
        scan = await self.scans.scan(cred, _filters(ident), want=last, size=math.ceil(last / requests))
        chosen = scan.records[:last]
        facts = [record.facts for record in chosen]
        if not scan.sorted:
            notes.append(
                "Revox refused sort_by=created_at: these are the first calls it returned, maybe not the latest"
            )
        if len(chosen) < last and scan.total is not None and scan.total > len(chosen):
            notes.append(
                f"Revox returned fewer calls than it counts: analysed {len(chosen)} of the {last} asked "
                f"(at most one page request per {CALLS_PER_REQUEST} calls)"
            )
        agg = aggregate(facts)
        found = findings(facts, config, agg)
        if needs_campaigns(found):  # a finding names a campaign field: show its value
            found = findings(facts, config, agg, await self._campaigns_of(cred, ident, notes))
        drill = drill_base(ident)
        timed = [record.created for record in chosen if record.created is not None]
        if timed:
            span = {"since": _argument(min(timed)), "until": _argument(max(timed), end=True)}
            found = [_drilled(f, {**drill, **span}) for f in found]
        return self._last_answer(ident, name, scan.total, agg, found, notes, scan.cached)

    def _last_answer(
        self,
        ident: str,
        name: str | None,
        total: int | None,
        agg: Aggregate,
        found: list[Evidence],
        notes: list[str],
        cached: Cached[RecordPage],
    ) -> Answer:
        base = _base(ident, name, total, agg, cached)
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

    # --- a period -----------------------------------------------------------------------------------

    async def _period(self, cred: Credential, ident: str, period: Period) -> Answer:
        notes: list[str] = []
        config = await self.config(cred, ident, notes)
        scan = await self.scans.scan(cred, _filters(ident), since=period.since.timestamp())
        first, end = scan.slice(period)
        stored = [change for change in await self.stored(cred, ident) if period.contains(change.at)]
        # What the answer is computed from: the same calls, buckets, configuration and stored versions
        # give the same analysis, whatever "now" a relative period ("the last 30 days") resolved to.
        key = (
            cred.fingerprint,
            ident,
            scan.version,
            first,
            end,
            period.origin.timestamp(),
            period.bucket,
            len(period.bucket_starts()),
            config.digest,
            budget.json_text([dump(change) for change in stored]),
        )
        analysis = self._analyses.get(key)
        if analysis is None:
            read = len(notes)
            analysis = await self._analysis(cred, ident, period, scan.records[first:end], config, stored, notes)
            if len(notes) == read:  # not kept when something it needed could not be read
                self._analyses.put(key, analysis)
        span = {"since": argument(period.since), "until": argument(period.until, end=True)}
        found = [_drilled(f, {**drill_base(ident), **span}) for f in analysis.found]
        if analysis.note:
            notes.append(analysis.note)
        view = period.view(end - first, complete=scan.complete, note=scan.note(period))
        facts = _PeriodFacts(
            ident,
            config.name,
            scan,
            analysis.agg,
            found,
            notes,
            view,
            analysis.series,
            analysis.changes,
            analysis.points,
        )
        return self._period_answer(facts, analysis.tested)

    async def _analysis(
        self,
        cred: Credential,
        ident: str,
        period: Period,
        records: Sequence[CallRecord],
        config: _Config,
        stored: list[ConfigChange],
        notes: list[str],
    ) -> _Analysis:
        """The findings and the time axis of a period's calls (newest first)."""
        facts = [record.facts for record in records]
        agg = aggregate(facts)
        found = findings(facts, config.value, agg)
        if needs_campaigns(found):  # a finding names a campaign field: show its value
            found = findings(facts, config.value, agg, await self._campaigns_of(cred, ident, notes))
        observations = [obs for record in records if (obs := record.observation) is not None]
        timeline = analyze_timeline(period, observations, stored=stored)
        base = drill_base(ident)
        points = [p.model_copy(update={"drill_down": {**base, **p.drill_down}}) for p in timeline.change_points]
        changes, points = await self._with_diffs(cred, timeline.config_changes, points)
        return _Analysis(agg, found, timeline.series, changes, points, timeline.metrics, timeline.note)

    async def _with_diffs(
        self, cred: Credential, changes: list[ConfigChange], points: list[ChangePoint]
    ) -> tuple[list[ConfigChange], list[ChangePoint]]:
        """Each configuration change seen in the calls that caused a change point, with what changed
        between the assistants its two calls embed; a change of the rest of the configuration names
        its fields (in the change and in the causes)."""
        causes = {(p.cause.at, p.cause.kind) for p in points if p.cause is not None and p.cause.source == "calls"}
        wanted = [
            c
            for c in changes
            if (c.at, c.kind) in causes and c.last_call_before is not None and c.first_call is not None
        ]
        diffs: dict[tuple[str, str], list[Change] | None] = {}

        async def read(before: str, after: str) -> None:
            diffs[before, after] = await self._diff(cred, before, after)

        async with anyio.create_task_group() as group:
            for change in wanted:
                group.start_soon(read, change.last_call_before or "", change.first_call or "")
        fields: dict[tuple[datetime, str], dict[str, Any]] = {}
        out: list[ConfigChange] = []
        for change in changes:
            diff = diffs.get((change.last_call_before or "", change.first_call or ""))
            if diff is None:
                out.append(change)
                continue
            update: dict[str, Any] = {"diff": diff}
            if change.kind == "config" and diff:
                update["fields"] = list(dict.fromkeys(c.path.split(".")[0].split("[")[0] for c in diff))
                update["summary"] = f"configuration changed: {', '.join(update['fields'][:4])}"
                fields[change.at, change.kind] = update
            out.append(change.model_copy(update=update))
        named = [
            p.model_copy(update={"cause": p.cause.model_copy(update=_named(fields[p.cause.at, p.cause.kind]))})
            if p.cause is not None and (p.cause.at, p.cause.kind) in fields
            else p
            for p in points
        ]
        return out, named

    async def _diff(self, cred: Credential, before: str, after: str) -> list[Change] | None:
        """What differs between the assistants two calls embed (None: a call could not be read)."""
        slot = (cred.fingerprint, before, after)
        known = self._diffs.get(slot)
        if known is not None:
            return known
        try:
            async with self.data.page_limiter(cred):
                old = await self.data.call(cred, before)
            async with self.data.page_limiter(cred):
                new = await self.data.call(cred, after)
        except RevoxError:
            return None  # not cached: the next answer tries again
        a, b = child(old.value.value, "assistant"), child(new.value.value, "assistant")
        if a is None or b is None:
            return None  # a call without its assistant: nothing to compare
        return self._diffs.put(slot, compare(a, b).changes)

    def _period_answer(self, facts: _PeriodFacts, tested: list[str]) -> Answer:
        """The answer at the first shape that fits ``PERIOD_BUDGET``: each step makes it smaller, so the
        steps are searched by halves; then the least severe findings go, one by one."""

        def render(steps: int, findings: int | None = None) -> tuple[CallAnalysis, str]:
            shape = _Shape(findings=findings)
            cut: dict[str, str] = {}
            for topic, label, step in _STEPS[:steps]:
                step(shape)
                cut.pop(topic, None)
                cut[topic] = label
            return self._period_render(facts, tested, shape, list(cut.values()))

        low, high = 0, len(_STEPS)
        while low < high:
            middle = (low + high) // 2
            if _sent(*render(middle)) <= PERIOD_BUDGET:
                high = middle
            else:
                low = middle + 1
        model, text = render(low)
        kept = len(facts.found)
        while _sent(model, text) > PERIOD_BUDGET and kept > 0:
            kept -= 1
            model, text = render(len(_STEPS), kept)
        return Answer(model, text)

    def _period_render(
        self, facts: _PeriodFacts, tested: list[str], shape: _Shape, cut: list[str]
    ) -> tuple[CallAnalysis, str]:
        points = facts.points
        dropped_points: list[str] = []
        if shape.points is not None and len(points) > shape.points:
            order = sorted(
                range(len(points)), key=lambda i: (points[i].p_value if points[i].p_value is not None else 2.0, i)
            )
            strongest = set(order[: shape.points])
            dropped_points = [p.metric for i, p in enumerate(points) if i not in strongest]
            points = [p for i, p in enumerate(points) if i in strongest]
        if shape.categories is None:
            series = facts.series
        else:  # the categories whose shift a change point shows stay, so a chart can draw it
            series = with_categories(facts.series, shape.categories, _categories_of(points))
        if not shape.detail:
            series = [row.model_copy(update={"llm_ttft_p95_ms": None, "talk_p50_s": None}) for row in series]
        causes = {(p.cause.at, p.cause.kind) for p in points if p.cause is not None}
        changes = [_diff_cut(c, shape.diff_chars) for c in facts.changes if shape.changes or (c.at, c.kind) in causes]
        structured_examples, text_examples = shape.examples
        kept = facts.found if shape.findings is None else facts.found[: shape.findings]
        kept = [f.model_copy(update={"examples": f.examples[:structured_examples]}) for f in kept]
        examples_cut = None if shape.examples == (3, 2) else shape.examples
        more = dropped_note(facts.found[len(kept) :], examples_cut, PERIOD_BUDGET)
        notes = [*facts.notes, more] if more else list(facts.notes)
        if dropped_points:
            notes.append(f"{len(dropped_points)} more change points (cut to fit 16 kB): {', '.join(dropped_points)}")
        base = _base(facts.ident, facts.name, facts.scan.total, facts.agg, facts.scan.cached)
        base["total"] = None  # over a period, the calls analysed are the period's (period.calls)
        model = CallAnalysis(
            findings=kept,
            period=facts.view,
            series=series,
            config_changes=changes,
            change_points=points,
            tested=tested if shape.tested else None,
            notes=notes or None,
            cut=cut or None,
            **base,
        )
        text = period_analysis_text(
            PeriodText(
                ident=facts.ident,
                name=facts.name,
                agg=facts.agg,
                period=facts.view,
                series=series,
                changes=changes,
                points=points,
                findings=kept,
                found=len(facts.found),
                notes=notes,
                examples=text_examples,
                bucket_lines=shape.bucket_lines,
                drill=drill_base(facts.ident),
                cut=cut,
            )
        )
        return model, text + stale_note(facts.scan.cached)


class _Config(NamedTuple):
    value: Mapping[str, Any] | None
    name: str | None
    digest: str  # "" when not read


@dataclass(frozen=True)
class _Analysis:
    """What a period's calls show, before any drill-down names the period: memoised by content."""

    agg: Aggregate
    found: list[Evidence]
    series: list[SeriesRow]
    changes: list[ConfigChange]
    points: list[ChangePoint]
    tested: list[str]
    note: str | None


@dataclass(frozen=True)
class _PeriodFacts:
    ident: str
    name: str | None
    scan: Scan
    agg: Aggregate
    found: list[Evidence]
    notes: list[str]
    view: PeriodView
    series: list[SeriesRow]
    changes: list[ConfigChange]
    points: list[ChangePoint]


# A change point's metric ("end_reason=user_rejected") names a category of the series: its kind there.
_CATEGORY_KINDS = {"outcome": "outcomes", "end_reason": "end_reasons", "dial_error": "dial_errors"}


def _categories_of(points: Sequence[ChangePoint]) -> dict[str, set[str]]:
    """The series' categories the change points are about, by kind."""
    named: dict[str, set[str]] = {}
    for point in points:
        field, _, value = point.metric.partition("=")
        if value and field in _CATEGORY_KINDS:
            named.setdefault(_CATEGORY_KINDS[field], set()).add(value)
    return named


def _named(update: Mapping[str, Any]) -> dict[str, Any]:
    """What a cause takes from its change once the diff named its fields."""
    return {"fields": update["fields"], "summary": update["summary"]}


def _diff_cut(change: ConfigChange, chars: int) -> ConfigChange:
    """The change with its diff cut to ``chars`` per text diff and ``DIFF_PATHS`` paths (0: none)."""
    if not change.diff:
        return change
    if chars <= 0:
        return change.model_copy(update={"diff": None})
    shown: list[Change] = []
    for path in change.diff[:DIFF_PATHS]:
        text = path.diff
        if text is not None and len(text) > chars:
            text = text[:chars].rsplit("\n", 1)[0] + "\n… diff cut to fit"
        shown.append(path.model_copy(update={"diff": text}))
    return change.model_copy(update={"diff": shown})


def _argument(seconds: float, *, end: bool = False) -> str:
    return argument(datetime.fromtimestamp(seconds, tz=timezone.utc), end=end)


def _drilled(finding: Evidence, around: Mapping[str, str]) -> Evidence:
    """The finding with its drill-down complete: the calls analysed (``around``) narrowed by its own
    filter. (A copy keeps the calls it counted.)"""
    return finding.model_copy(update={"drill_down": {**around, **(finding.drill_down or {})}})


def _base(ident: str, name: str | None, total: int | None, agg: Aggregate, cached: Cached[Any]) -> dict[str, Any]:
    counts = {
        label: values
        for label, values in (
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
    return {
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


def _sent(model: CallAnalysis, text: str) -> int:
    return budget.size(dump(model)) + budget.sent_size(text) + budget.ENVELOPE
