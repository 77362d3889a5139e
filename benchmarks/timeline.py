"""The time axis of 30 days x 3,000 calls: change-point detection against building the series alone.

In this process, on planted calls (``tests/domain/timeline/planted.py``: a prompt edit that makes
calls worse on day 12, a model switch that makes them slower on day 20, and a stored version at
the edit). The baseline is what any answer with a time axis must do: keep the period's calls,
in order, and build the per-day series. Measured: the whole ``analyze_timeline`` (series, the
configuration changes seen in calls, every metric's change points with their tests and
corrections, attribution). CPU time (``time.process_time``), median and p95 of the runs after a
warm-up; the goal is the issue's warm budget for the whole ``analyze_calls`` answer.

    python -m benchmarks.timeline
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from revox_mcp.domain.timeline.analysis import analyze_timeline
from revox_mcp.domain.timeline.config import ConfigChange
from revox_mcp.domain.timeline.observation import in_period
from revox_mcp.domain.timeline.period import parse_period
from revox_mcp.domain.timeline.series import build_series

from .common import Row  # puts tests/ on the path: the planted calls live there

if TYPE_CHECKING:
    from domain.timeline.planted import Regime

SECTION = "11. time axis"
DAYS, PER_DAY = 30, 100
EDIT_DAY, SWITCH_DAY = timedelta(days=12, hours=14, minutes=2), timedelta(days=20, hours=9, minutes=30)
WARM_UP, RUNS = 3, 25
WARM_BUDGET_MS = 100.0


def _story(at: datetime) -> Regime:
    from domain.timeline.planted import START, STEADY

    regime = STEADY
    if at >= START + EDIT_DAY:
        regime = replace(regime, rejected=0.4, prompt="prompt-b")
    if at >= START + SWITCH_DAY:
        regime = replace(regime, ttft_ms=1_300.0, model="gpt-4.1")
    return regime


def _cpu_ms(work: Callable[[], Any]) -> list[float]:
    for _ in range(WARM_UP):
        work()
    spent = []
    for _ in range(RUNS):
        start = time.process_time()
        work()
        spent.append((time.process_time() - start) * 1000)
    return sorted(spent)


def _p95(ordered: list[float]) -> float:
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def run() -> list[Row]:
    from domain.timeline.planted import START, calls

    period = parse_period(last_days=DAYS, now=START + timedelta(days=DAYS))
    made = calls(1, days=DAYS, per_day=PER_DAY, regime=_story)
    stored = [
        ConfigChange(at=START + EDIT_DAY, source="stored", kind="version", fields=["prompt"], summary="prompt edited")
    ]
    timeline = analyze_timeline(period, made, stored=stored)
    found = {point.metric: point for point in timeline.change_points}
    assert {"end_reason=user_rejected", "llm_ttft_ms"} <= found.keys(), found  # the planted shifts
    floor = _cpu_ms(lambda: build_series(period, in_period(period, made)))
    whole = _cpu_ms(lambda: analyze_timeline(period, made, stored=stored))
    median, floor_median = statistics.median(whole), statistics.median(floor)
    return [
        Row(
            SECTION,
            f"series alone (the floor), {len(made):,} calls over {DAYS} days: median / p95 CPU",
            f"{floor_median:.1f} / {_p95(floor):.1f} ms",
        ),
        Row(
            SECTION,
            f"analyze_timeline: series + {len(timeline.metrics)} metrics' change points + causes: median / p95 CPU",
            f"{median:.1f} / {_p95(whole):.1f} ms ({median / floor_median:.1f}x the floor; "
            f"{len(timeline.change_points)} change points)",
            f"≤ {WARM_BUDGET_MS:.0f} ms (the warm analyze budget)",
            median <= WARM_BUDGET_MS,
        ),
    ]


if __name__ == "__main__":
    for row in run():
        print(f"{row.measure}: {row.value}" + (f" [goal {row.goal}: {row.verdict}]" if row.goal else ""))
