"""Benchmarks 1 and 2: warm tool calls and cold start over stdio, through the official MCP client.

The floor is the same SDK serving a no-op tool (``floor_server.py``), measured in the same run.
revox-mcp runs in demo mode (the demo data behind the real client, cache and service code); its
cache TTL is raised for the run so every measured call is warm.
"""

from __future__ import annotations

import os
import sys
import time
from typing import Any

import anyio
from mcp import Client, StdioServerParameters

from .common import ROOT, Row, Stats, stats

DEMO_ID = "0f8e2c1a-7b3d-4e5f-9a0b-1c2d3e4f5a61"
WARMUP = 20
CALLS = 200
COLD_RUNS = 7
WARM_GOAL = 1.3
COLD_GOAL = 1.2


def _params(server: str) -> StdioServerParameters:
    # The child inherits almost nothing from us: pass PATH, and the TTL that keeps the cache warm.
    env = {"PATH": os.environ.get("PATH", ""), "REVOX_MCP_CACHE_TTL": "3600", "REVOX_MCP_LOG_LEVEL": "WARNING"}
    if server == "floor":
        floor = str(ROOT / "benchmarks" / "floor_server.py")
        return StdioServerParameters(command=sys.executable, args=[floor], env=env)
    return StdioServerParameters(command=sys.executable, args=["-m", "revox_mcp", "--demo"], env=env, cwd=str(ROOT))


async def _timed_calls(client: Client, tool: str, arguments: dict[str, Any]) -> Stats:
    for _ in range(WARMUP):
        await client.call_tool(tool, arguments)
    seconds = []
    for _ in range(CALLS):
        start = time.perf_counter()
        result = await client.call_tool(tool, arguments)
        seconds.append(time.perf_counter() - start)
        assert not result.is_error
    return stats(seconds)


async def warm_calls() -> dict[str, Stats]:
    out: dict[str, Stats] = {}
    async with Client(_params("floor"), cache=None) as floor:
        out["noop (floor)"] = await _timed_calls(floor, "noop", {})
    async with Client(_params("revox"), cache=None) as revox:
        out["get_assistant"] = await _timed_calls(revox, "get_assistant", {"assistant_id": DEMO_ID})
        out["list_assistants"] = await _timed_calls(revox, "list_assistants", {})
    return out


async def cold_start(server: str) -> Stats:
    """Process start to the first tools/list answer (initialize included), several runs."""
    seconds = []
    for _ in range(COLD_RUNS):
        start = time.perf_counter()
        async with Client(_params(server), cache=None) as client:
            await client.list_tools()
            seconds.append(time.perf_counter() - start)
    return stats(seconds)


def run() -> list[Row]:
    warm = anyio.run(warm_calls)
    floor = warm["noop (floor)"]
    rows = [
        Row("1. warm call, stdio", "no-op tool (floor), median / p95", f"{floor.median_ms:.2f} / {floor.p95_ms:.2f} ms")
    ]
    for tool in ("get_assistant", "list_assistants"):
        measured = warm[tool]
        median, p95 = measured.median_ms / floor.median_ms, measured.p95_ms / floor.p95_ms
        rows.append(
            Row(
                "1. warm call, stdio",
                f"{tool}, median / p95",
                f"{measured.median_ms:.2f} / {measured.p95_ms:.2f} ms = {median:.2f}× / {p95:.2f}× floor",
                f"≤ {WARM_GOAL}× floor",
                median <= WARM_GOAL and p95 <= WARM_GOAL,
            )
        )
    floor_cold = anyio.run(cold_start, "floor")
    revox_cold = anyio.run(cold_start, "revox")
    ratio = revox_cold.median_ms / floor_cold.median_ms
    rows.append(Row("2. cold start", "minimal SDK server, median", f"{floor_cold.median_ms:.0f} ms"))
    rows.append(
        Row(
            "2. cold start",
            "revox-mcp --demo to first tools/list, median",
            f"{revox_cold.median_ms:.0f} ms = {ratio:.2f}× minimal",
            f"≤ {COLD_GOAL}×",
            ratio <= COLD_GOAL,
        )
    )
    return rows
