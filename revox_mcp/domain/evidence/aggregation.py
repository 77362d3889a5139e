"""The facts of many calls as distributions, percentiles and counts: what analyze_calls reports. Pure."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from revox_mcp.domain.call_fields import percentile
from revox_mcp.domain.evidence.call_facts import CallFacts


def _top(counter: Counter[str], keep: int = 6) -> dict[str, int]:
    """The most frequent values, the rest summed as "other"."""
    ranked = counter.most_common()
    shown = dict(ranked[:keep])
    rest = sum(count for _value, count in ranked[keep:])
    if rest:
        shown["other"] = rest
    return shown


@dataclass(frozen=True)
class Aggregate:
    calls: int
    attempts: int
    since: float | None
    until: float | None
    status: dict[str, int]
    outcome: dict[str, int]
    result: dict[str, int]
    end_reason: dict[str, int]
    ended_by: dict[str, int]
    dial_error: dict[str, int]
    duration: dict[str, int]
    reached_human: int
    voicemail: int
    tool_calls: dict[str, tuple[int, int]]  # name -> (errors, results)
    latency: dict[str, int]
    agent_turns: int
    cut_turns: int


def aggregate(calls: Sequence[CallFacts]) -> Aggregate:
    attempts = [attempt for call in calls for attempt in call.attempts]
    created = [call.created for call in calls if call.created is not None]
    durations = [attempt.duration for attempt in attempts if attempt.duration is not None]
    tools: dict[str, list[int]] = {}
    for attempt in attempts:
        for result in attempt.tools:
            tally = tools.setdefault(result.name, [0, 0])
            tally[0] += result.error
            tally[1] += 1
    latency: dict[str, int] = {}
    for label, values in (
        ("llm_ttft", [v for a in attempts for v in a.ttft]),
        ("tts_ttfb", [v for a in attempts for v in a.ttfb]),
        ("stt_delay", [v for a in attempts for v in a.stt]),
    ):
        for share, suffix in ((0.5, "p50"), (0.95, "p95")):
            value = percentile(values, share)
            if value is not None:
                latency[f"{label}_{suffix}"] = round(value)
    duration: dict[str, int] = {}
    for share, label in ((0.5, "p50"), (0.9, "p90")):
        value = percentile(durations, share)
        if value is not None:
            duration[label] = round(value)
    return Aggregate(
        calls=len(calls),
        attempts=len(attempts),
        since=min(created) if created else None,
        until=max(created) if created else None,
        status=_top(Counter(call.status or "none" for call in calls)),
        outcome=_top(Counter(call.outcome or "none" for call in calls)),
        result=_top(Counter(attempt.result or "none" for attempt in attempts)),
        end_reason=_top(Counter(a.end_reason for a in attempts if a.end_reason)),
        ended_by=_top(Counter(a.ended_by for a in attempts if a.ended_by)),
        dial_error=_top(Counter(a.dial_error for a in attempts if a.dial_error)),
        duration=duration,
        reached_human=sum(call.reached_human for call in calls),
        voicemail=sum(1 for attempt in attempts if attempt.result == "voicemail" or attempt.end_reason == "voicemail"),
        tool_calls=dict(
            sorted(((name, (tally[0], tally[1])) for name, tally in tools.items()), key=lambda kv: -kv[1][0])[:12]
        ),
        latency=latency,
        agent_turns=sum(a.agent_turns for a in attempts),
        cut_turns=sum(a.cut_turns for a in attempts),
    )
