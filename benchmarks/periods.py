"""analyze_calls over 30 days x 3,000 calls of one assistant, through the whole server in process.

The calls are the planted story of ``tests/domain/timeline/planted.py`` (a prompt edit that makes
calls worse on day 12, a model switch that makes them slower on day 20), written as Revox sends
them (``tests/period_support.py``) and served by the one fake Revox in process, each answer after
``LATENCY`` seconds (a network round trip; the fake itself answers at once).

- cold: the first analyze of the month reads every page (Revox has no date filter), at most four at
  once; against the floor, one page read alone (a list_calls of 100 calls: one request, 100 calls
  cleaned). Bounded by upstream paging: the cold answer should cost no more than its pages read one
  after the other.
- warm: the same question again, from the cache (no request), and again a minute later with "now"
  moved (a relative period resolves to other bounds; the same calls give the same analysis).

    python -m benchmarks.periods
"""

from __future__ import annotations

import time
from dataclasses import replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import anyio

from .common import Row, stats  # puts tests/ on the path: the planted calls live there

if TYPE_CHECKING:
    from domain.timeline.planted import Regime

SECTION = "12. periods of calls"
DAYS, PER_DAY = 30, 100
EDIT, SWITCH = timedelta(days=12, hours=14, minutes=2), timedelta(days=20, hours=9, minutes=30)
LATENCY = 0.15  # seconds per Revox answer
WARM_RUNS = 20
WARM_BUDGET_MS = 100.0
PERIOD_BUDGET = 16_000


def _story(at: datetime) -> Regime:
    from domain.timeline.planted import START, STEADY

    regime = STEADY
    if at >= START + EDIT:
        regime = replace(regime, rejected=0.4, prompt="prompt-b")
    if at >= START + SWITCH:
        regime = replace(regime, ttft_ms=1_300.0, model="gpt-4.1")
    return regime


async def _measure() -> dict[str, Any]:
    from domain.timeline.planted import START
    from mcp import Client
    from period_support import ASSISTANT_ID, clock_at, period_server, planted

    _made, served = planted(3, regime=_story, days=DAYS, per_day=PER_DAY)
    now = START + timedelta(days=DAYS)
    clock = clock_at(now)
    arguments = {"assistant_id": ASSISTANT_ID, "days": DAYS}
    out: dict[str, Any] = {"calls": len(served)}
    floor_server, floor_upstream = period_server(served, now, latency=LATENCY)
    async with Client(floor_server) as client:
        started = time.perf_counter()
        await client.call_tool("list_calls", {"assistant_id": ASSISTANT_ID, "limit": 100})
        out["page"] = time.perf_counter() - started
    server, upstream = period_server(served, now, clock=clock, latency=LATENCY)
    async with Client(server) as client:
        started = time.perf_counter()
        cold = await client.call_tool("analyze_calls", arguments)
        out["cold"] = time.perf_counter() - started
        assert not cold.is_error, cold
        out["pages"] = len(upstream.searches())
        out["requests"] = len(upstream.requests)
        out["most"] = upstream.most
        out["size"] = len(cold.model_dump_json(by_alias=True, exclude_none=True).encode())
        content = cold.structured_content or {}
        out["points"] = [point["metric"] for point in content.get("change_points", [])]
        asked = len(upstream.requests)
        warm: list[float] = []
        for _ in range(WARM_RUNS):
            started = time.perf_counter()
            await client.call_tool("analyze_calls", arguments)
            warm.append(time.perf_counter() - started)
        out["warm"] = warm
        out["warm_requests"] = len(upstream.requests) - asked
        moved: list[float] = []
        for _ in range(WARM_RUNS):
            clock.advance(0.4)  # "the last 30 days" ends later each time, all within a search's 10 s
            started = time.perf_counter()
            await client.call_tool("analyze_calls", arguments)
            moved.append(time.perf_counter() - started)
        out["moved"] = moved
        out["moved_requests"] = len(upstream.requests) - asked
    assert floor_upstream.requests
    return out


def run() -> list[Row]:
    found = anyio.run(_measure)
    pages, page, cold = found["pages"], found["page"], found["cold"]
    warm, moved = stats(found["warm"]), stats(found["moved"])
    serial = pages * page
    assert {"end_reason=user_rejected", "llm_ttft_ms"} <= set(found["points"]), found["points"]
    return [
        Row(
            SECTION,
            f"one page alone (the floor): list_calls of 100, {LATENCY * 1000:.0f} ms per Revox answer",
            f"{page * 1000:.0f} ms",
        ),
        Row(
            SECTION,
            f"cold analyze_calls days={DAYS}, {found['calls']:,} calls: requests (search pages), in flight, time",
            f"{found['requests']} ({pages}), {found['most']} at once, {cold:.1f} s = "
            f"{cold / serial:.2f}x its {pages} pages read one after the other",
            "≤ 1x the pages read in a row (bounded by upstream paging)",
            cold <= serial,
        ),
        Row(
            SECTION,
            f"warm repeat (same question): median / p95 of {WARM_RUNS}, requests",
            f"{warm.median_ms:.0f} / {warm.p95_ms:.0f} ms, {found['warm_requests']} requests",
            f"≤ {WARM_BUDGET_MS:.0f} ms, no request",
            warm.median_ms <= WARM_BUDGET_MS and found["warm_requests"] == 0,
        ),
        Row(
            SECTION,
            "warm with now moved 0.4 s each time (other period bounds, the same calls): median / p95",
            f"{moved.median_ms:.0f} / {moved.p95_ms:.0f} ms, {found['moved_requests']} requests",
            f"≤ {WARM_BUDGET_MS:.0f} ms",
            moved.median_ms <= WARM_BUDGET_MS,
        ),
        Row(
            SECTION,
            "the answer as sent (structured content, text, envelope)",
            f"{found['size']:,} bytes; change points: {', '.join(found['points'])}",
            f"≤ {PERIOD_BUDGET:,} bytes",
            found["size"] <= PERIOD_BUDGET,
        ),
    ]


if __name__ == "__main__":
    for row in run():
        print(f"{row.measure}: {row.value}" + (f" [goal {row.goal}: {row.verdict}]" if row.goal else ""))
