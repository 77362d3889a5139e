"""Per-bucket rows of what calls did: counts, top categories, latency percentiles. Pure.

Every count is of calls (a call order, whatever its attempts), except ``attempts`` and the tool
results: a call whose attempts ended for two reasons counts once under each, so the categories of
a row may sum to more than its calls. A row keeps its ``top`` categories of each kind and sums the
rest as "other"; ties are broken by name, so the same calls always give the same rows.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from datetime import datetime

from pydantic import Field

from revox_mcp.domain.call_fields import percentile
from revox_mcp.domain.output import Out
from revox_mcp.domain.timeline.observation import CallObservation
from revox_mcp.domain.timeline.period import Moment, Period, stamp

TOP = 5


class SeriesRow(Out):
    """What the calls of one bucket did (counts of calls unless named otherwise)."""

    start: Moment
    calls: int
    attempts: int = 0
    reached_person: int = 0
    voicemail: int = 0
    tool_errors: int = 0  # tool results that were errors
    tool_results: int = 0
    outcomes: dict[str, int] = Field(default_factory=dict)
    end_reasons: dict[str, int] = Field(default_factory=dict)
    dial_errors: dict[str, int] = Field(default_factory=dict)
    talk_p50_s: int | None = None
    llm_ttft_p50_ms: int | None = None
    llm_ttft_p95_ms: int | None = None
    tts_ttfb_p50_ms: int | None = None


def top_counts(counts: dict[str, int], keep: int) -> dict[str, int]:
    """The ``keep`` most frequent values (ties by name), the rest summed as "other"."""
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    shown = dict(ranked[:keep])
    rest = sum(count for _name, count in ranked[keep:])
    if rest:
        shown["other"] = shown.get("other", 0) + rest
    return shown


def _percentile(values: list[float], share: float) -> int | None:
    value = percentile(values, share)  # nearest rank, as the evidence rules count
    return round(value) if value is not None else None


def _counts(groups: Iterable[tuple[str, ...]]) -> dict[str, int]:
    """Calls per name: a call counts once under each name it shows (two attempts ended alike: once)."""
    counts: dict[str, int] = {}
    for names in groups:
        for name in names if len(names) < 2 else dict.fromkeys(names):
            counts[name] = counts.get(name, 0) + 1
    return counts


def _row(start: datetime, calls: list[CallObservation], top: int) -> SeriesRow:
    talk = [call.talk_s for call in calls if call.talk_s is not None]
    ttft = [value for call in calls for value in call.llm_ttft_ms]
    ttfb = [value for call in calls for value in call.tts_ttfb_ms]
    return SeriesRow(
        start=start,
        calls=len(calls),
        attempts=sum(call.attempts for call in calls),
        reached_person=sum(call.reached_person for call in calls),
        voicemail=sum(call.voicemail for call in calls),
        tool_errors=sum(len(call.tool_errors) for call in calls),
        tool_results=sum(len(call.tool_results) for call in calls),
        outcomes=top_counts(_counts((call.outcome,) for call in calls if call.outcome), top),
        end_reasons=top_counts(_counts(call.end_reasons for call in calls), top),
        dial_errors=top_counts(_counts(call.dial_errors for call in calls), top),
        talk_p50_s=_percentile(talk, 0.5),
        llm_ttft_p50_ms=_percentile(ttft, 0.5),
        llm_ttft_p95_ms=_percentile(ttft, 0.95),
        tts_ttfb_p50_ms=_percentile(ttfb, 0.5),
    )


def build_series(period: Period, observations: Sequence[CallObservation], *, top: int = TOP) -> list[SeriesRow]:
    """One row per bucket of the period, empty buckets included; calls outside the period are left out."""
    starts = period.bucket_starts()
    buckets: list[list[CallObservation]] = [[] for _ in starts]
    for call in observations:
        seconds = stamp(call.at)
        if period.holds(seconds):
            buckets[period.bucket_of(seconds)].append(call)
    return [_row(start, calls, top) for start, calls in zip(starts, buckets, strict=True)]


def with_categories(
    rows: Sequence[SeriesRow], keep: int, named: Mapping[str, Collection[str]] | None = None
) -> list[SeriesRow]:
    """The rows with each kind of category limited to the ``keep`` most frequent over all the rows
    (the same names in every row, the rest summed as "other"; none at all for 0) and the ones ``named``
    (kind -> names: those of the change points shown, which a chart of the period must still draw): a
    series cut to fit."""
    kinds = ("outcomes", "end_reasons", "dial_errors")
    chosen: dict[str, set[str]] = {}
    for kind in kinds:
        totals: dict[str, int] = {}
        for row in rows:
            for name, count in getattr(row, kind).items():
                if name != "other":
                    totals[name] = totals.get(name, 0) + count
        chosen[kind] = set(dict(top_counts(totals, keep)).keys()) - {"other"} if keep else set()
        chosen[kind] |= set((named or {}).get(kind, ()))
    out: list[SeriesRow] = []
    for row in rows:
        update: dict[str, dict[str, int]] = {}
        for kind in kinds:
            counts: dict[str, int] = getattr(row, kind)
            kept = {name: count for name, count in counts.items() if name in chosen[kind]}
            rest = sum(count for name, count in counts.items() if name not in chosen[kind])
            if keep and rest:
                kept["other"] = rest
            update[kind] = kept
        out.append(row.model_copy(update=update))
    return out
