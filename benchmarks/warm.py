"""Warm tool calls over stdio: ``revox-mcp --demo`` against the fair floor, through the official client.

The fair floor (``fair_floor.py``) is the same server answering byte-identical precomputed results:
same tools, schemas, SDK validation and serialisation, none of our work. The results are computed
here first, in-process, against the demo runtime. Both servers run at once and each round calls
the floor and revox-mcp in turn (alternating who goes first), so that the machine's noise falls on
both alike. revox-mcp's cache TTL is raised for the run so that every measured call is warm.
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import anyio
from mcp import Client, StdioServerParameters

from .common import ROOT, Row, Stats, child_env, stats

SECTION = "4. warm call, stdio"
BASELINE_ID = "0f8e2c1a-7b3d-4e5f-9a0b-1c2d3e4f5a61"
FRENCH_ID = "1a9b8c7d-6e5f-4a3b-8c2d-1e0f9a8b7c62"
MISCONFIGURED_ID = "4d5e4f3a-2b1c-4d0e-9f8a-7b6c5d4e3f65"
LONG_PROMPT_ID = "6f3a2b1c-0d9e-4f8a-9b7c-5d4e3f2a1b67"
WARMUP = 20
ROUNDS = 200
GOAL = 1.1

CASES: tuple[tuple[str, str, dict[str, Any]], ...] = (
    ("list_assistants", "list_assistants", {}),
    ("get_assistant (summary)", "get_assistant", {"assistant_id": BASELINE_ID}),
    ('get_assistant fields=["prompt"] (9 kB)', "get_assistant", {"assistant_id": LONG_PROMPT_ID, "fields": ["prompt"]}),
    ("diagnose_assistant (one)", "diagnose_assistant", {"assistant_id": MISCONFIGURED_ID}),
    ("diagnose_assistant (all, ranked)", "diagnose_assistant", {}),
    ("compare_assistants", "compare_assistants", {"assistant_id_a": BASELINE_ID, "assistant_id_b": FRENCH_ID}),
)


def _wire(result: Any) -> str:
    return str(result.model_dump_json(by_alias=True, exclude_none=True))


async def precompute() -> list[dict[str, Any]]:
    """Each case's result, computed once in-process against the demo runtime, as wire JSON."""
    from revox_mcp.server.app import build_server
    from revox_mcp.settings import load_settings

    saved = []
    async with Client(build_server(load_settings({}, demo=True)), cache=None) as client:
        for _label, tool, arguments in CASES:
            result = await client.call_tool(tool, arguments)
            assert not result.is_error, result.content
            saved.append({"tool": tool, "arguments": arguments, "result": json.loads(_wire(result))})
    return saved


def _params(args: list[str]) -> StdioServerParameters:
    env = child_env(REVOX_MCP_CACHE_TTL="3600")
    return StdioServerParameters(command=sys.executable, args=args, env=env, cwd=str(ROOT))


async def _timed(client: Client, tool: str, arguments: dict[str, Any]) -> tuple[float, str]:
    start = time.perf_counter()
    result = await client.call_tool(tool, arguments)
    seconds = time.perf_counter() - start
    assert not result.is_error, result.content
    return seconds, _wire(result)


async def measure(results: Path) -> dict[str, tuple[Stats, Stats, bool]]:
    """For each case: (floor, revox-mcp, whether both sent identical results)."""
    floor_params = _params(["-m", "benchmarks.fair_floor", str(results)])
    revox_params = _params(["-m", "revox_mcp", "--demo"])
    times: dict[str, tuple[list[float], list[float]]] = {label: ([], []) for label, _, _ in CASES}
    identical = dict.fromkeys(times, True)
    async with Client(floor_params, cache=None) as floor, Client(revox_params, cache=None) as revox:
        for round_ in range(WARMUP + ROUNDS):
            for label, tool, arguments in CASES:
                order = (floor, revox) if round_ % 2 else (revox, floor)
                measured = {id(client): await _timed(client, tool, arguments) for client in order}
                (floor_s, floor_wire), (revox_s, revox_wire) = measured[id(floor)], measured[id(revox)]
                identical[label] = identical[label] and floor_wire == revox_wire
                if round_ >= WARMUP:
                    times[label][0].append(floor_s)
                    times[label][1].append(revox_s)
    return {label: (stats(f), stats(r), identical[label]) for label, (f, r) in times.items()}


def run() -> list[Row]:
    with tempfile.TemporaryDirectory() as scratch:
        results = Path(scratch) / "results.json"
        results.write_text(json.dumps(anyio.run(precompute), ensure_ascii=False), encoding="utf-8")
        measured = anyio.run(measure, results)
    rows = []
    for label, (floor, revox, same) in measured.items():
        median, p95 = revox.median_ms / floor.median_ms, revox.p95_ms / floor.p95_ms
        rows.append(
            Row(
                SECTION,
                f"{label}: revox-mcp vs fair floor, median / p95",
                f"{revox.median_ms:.2f} / {revox.p95_ms:.2f} ms vs {floor.median_ms:.2f} / {floor.p95_ms:.2f} ms "
                f"= {median:.2f}× / {p95:.2f}×" + ("" if same else " (**results differ**)"),
                f"median ≤ {GOAL}× floor",
                same and median <= GOAL,
            )
        )
    return rows


if __name__ == "__main__":
    for row in run():
        print(row)
