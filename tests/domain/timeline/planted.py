"""Calls with known answers: a generator of call observations whose behaviour changes only where
a test plants a change. Seeded, so every run sees the same calls. Shared with benchmarks/timeline.py."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta, timezone

from revox_mcp.domain.timeline.observation import CallObservation

START = datetime(2026, 2, 1, tzinfo=timezone.utc)
OTHER_REASONS = ("client_initiated", "tool_end_call", "user_inactive")


@dataclass(frozen=True)
class Regime:
    """How calls behave while it lasts: each a probability, or a typical latency in ms."""

    no_answer: float = 0.1  # a dial error; the call ends without connecting
    voicemail: float = 0.15  # of connected calls
    rejected: float = 0.08  # of connected calls that reached no voicemail: end_reason user_rejected
    interested: float = 0.2
    uses_tool: float = 0.4
    tool_error: float = 0.05
    ttft_ms: float = 800.0
    ttfb_ms: float = 300.0
    prompt: str = "prompt-a"
    model: str = "gpt-4o"


STEADY = Regime()


def from_time(before: Regime, at: datetime, after: Regime) -> Callable[[datetime], Regime]:
    """``before`` until ``at``, ``after`` from it on."""
    return lambda moment: after if moment >= at else before


def calls(
    seed: int,
    *,
    days: float = 14,
    per_day: float = 60,
    regime: Callable[[datetime], Regime] = lambda _moment: STEADY,
    start: datetime = START,
) -> list[CallObservation]:
    """About ``per_day`` calls a day at random times, oldest first, behaving as ``regime`` says."""
    rng = random.Random(seed)
    span = days * 86_400
    count = round(days * per_day)
    moments = sorted(start + timedelta(seconds=rng.uniform(0, span)) for _ in range(count))
    return [_call(rng, index, moment, regime(moment)) for index, moment in enumerate(moments)]


def _latencies(rng: random.Random, typical: float, turns: int) -> tuple[float, ...]:
    return tuple(round(rng.lognormvariate(0, 0.35) * typical) for _ in range(turns))


def _call(rng: random.Random, index: int, moment: datetime, regime: Regime) -> CallObservation:
    call = CallObservation(at=moment, call_id=f"call-{index:05d}", prompt=regime.prompt, model=regime.model)
    if rng.random() < regime.no_answer:
        return replace(call, dial_errors=("no_answer",))
    if rng.random() < regime.voicemail:
        return replace(call, end_reasons=("voicemail",), voicemail=True, talk_s=round(rng.uniform(5, 20)))
    reason = "user_rejected" if rng.random() < regime.rejected else rng.choice(OTHER_REASONS)
    tools: tuple[str, ...] = ("Book-Slot",) if rng.random() < regime.uses_tool else ()
    errors = tools if tools and rng.random() < regime.tool_error else ()
    turns = rng.randint(3, 9)
    return replace(
        call,
        end_reasons=(reason,),
        reached_person=True,
        outcome="interested" if rng.random() < regime.interested else "not_interested",
        tool_results=tools,
        tool_errors=errors,
        talk_s=round(rng.uniform(20, 180)),
        llm_ttft_ms=_latencies(rng, regime.ttft_ms, turns),
        tts_ttfb_ms=_latencies(rng, regime.ttfb_ms, turns),
    )
