"""Benchmarks 3 and 6: the scale curve over the loopback fake Revox, and diagnosing every assistant.

Each size runs in its own process (``python -m benchmarks.scale BASE_URL``) so its peak RSS is
its own; the fake Revox runs in this parent process. Times are per stage, in the same process:
the fetch (HTTP + JSON parse), then the first page (the snapshot: every summary, built once),
then warm calls through the in-process MCP client.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import time
from typing import Any

import anyio
from mcp import Client

from .common import ROOT, FakeRevox, Row, stats

SIZES = (100, 1_000, 10_000)
WARM_CALLS = 100
API_KEY = "sk-bench"
FIRST_PAGE_GOAL_MS = 50.0
RSS_GOAL_MB = 200.0
DIAGNOSE_GOAL_MS = 1000.0


def _rss_mb() -> float:
    """Peak RSS of this process in MB: VmHWM, which starts afresh at exec.

    ``getrusage().ru_maxrss`` is kept across fork and exec on Linux, so in this child it would
    report the parent's peak (the parent holds the fake Revox and its 10,000 assistants).
    """
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # not Linux: best effort


async def _measure(base_url: str) -> dict[str, Any]:
    from revox_mcp.api.client import RevoxClient
    from revox_mcp.domain.diagnostics import diagnose
    from revox_mcp.server.app import build_server
    from revox_mcp.service.assistants import AssistantService

    out: dict[str, Any] = {}
    # One client, as in the server: the MCP server below is handed this warmed one.
    client = RevoxClient(api_key=API_KEY, base_url=base_url, cache_ttl=3600)
    start = time.perf_counter()
    listed = await client.list_assistants()
    out["fetch_ms"] = (time.perf_counter() - start) * 1000
    start = time.perf_counter()
    await AssistantService(client).list_assistants(None, 20, None)
    out["first_page_ms"] = (time.perf_counter() - start) * 1000
    assistants = listed.value.assistants
    some_id = str(assistants[len(assistants) // 2]["id"])
    async with Client(build_server(lambda: client), cache=None) as mcp:
        for tool, arguments in (("list_assistants", {}), ("get_assistant", {"assistant_id": some_id})):
            seconds = []
            for _ in range(WARM_CALLS):
                start = time.perf_counter()
                await mcp.call_tool(tool, arguments)
                seconds.append(time.perf_counter() - start)
            out[f"{tool}_warm_ms"] = stats(seconds).median_ms
        out["peak_rss_mb"] = _rss_mb()
        start = time.perf_counter()
        await mcp.call_tool("diagnose_assistant", {})  # first call: every summary and every diagnosis
        out["diagnose_tool_first_ms"] = (time.perf_counter() - start) * 1000
        start = time.perf_counter()
        await mcp.call_tool("diagnose_assistant", {"limit": 20})
        out["diagnose_tool_next_ms"] = (time.perf_counter() - start) * 1000
        out["peak_rss_after_diagnose_mb"] = _rss_mb()
    start = time.perf_counter()
    for assistant in assistants:
        diagnose(assistant)
    out["diagnose_loop_ms"] = (time.perf_counter() - start) * 1000
    return out


def _one_size(n: int) -> dict[str, Any]:
    with FakeRevox(FakeRevox.make_assistants(n), api_key=API_KEY) as fake:
        done = subprocess.run(
            [sys.executable, "-m", "benchmarks.scale", fake.base_url],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
            timeout=300,
        )
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def run() -> list[Row]:
    results = {n: _one_size(n) for n in SIZES}
    rows: list[Row] = []
    big = results[SIZES[-1]]
    last = SIZES[-1]
    for n, measured in results.items():
        rows.append(
            Row(
                "3. scale",
                f"{n:,} assistants: fetch / first page after the fetch",
                f"{measured['fetch_ms']:.0f} ms / {measured['first_page_ms']:.1f} ms",
                f"first page ≤ {FIRST_PAGE_GOAL_MS:.0f} ms" if n == last else "",
                measured["first_page_ms"] <= FIRST_PAGE_GOAL_MS if n == last else None,
            )
        )
    rows.append(
        Row(
            "3. scale",
            f"peak RSS at {'/'.join(f'{n:,}' for n in SIZES)} (after diagnosing all)",
            " / ".join(f"{results[n]['peak_rss_mb']:.0f}" for n in SIZES)
            + f" MB ({big['peak_rss_after_diagnose_mb']:.0f} MB)",
            f"≤ {RSS_GOAL_MB:.0f} MB at {last:,}",
            big["peak_rss_after_diagnose_mb"] <= RSS_GOAL_MB,
        )
    )
    small = results[SIZES[0]]
    for tool in ("list_assistants", "get_assistant"):
        curve = " / ".join(f"{results[n][f'{tool}_warm_ms']:.2f}" for n in SIZES)
        flat = big[f"{tool}_warm_ms"] <= 1.5 * small[f"{tool}_warm_ms"]
        measure = f"warm {tool} (in-process), median at {'/'.join(map(str, SIZES))}"
        rows.append(Row("3. scale", measure, curve + " ms", "flat in n", flat))
    fetch = {n: results[n]["fetch_ms"] / n * 1000 for n in SIZES}
    rows.append(
        Row(
            "3. scale",
            "fetch (HTTP + JSON + parse) per assistant, at each size",
            " / ".join(f"{fetch[n]:.0f}" for n in SIZES) + " µs",
            "linear: 10,000 within 1.5× of 1,000 per assistant",
            fetch[SIZES[-1]] <= 1.5 * fetch[SIZES[1]],
        )
    )
    rows.append(
        Row(
            "6. diagnose 10,000",
            "diagnostics.diagnose loop",
            f"{big['diagnose_loop_ms']:.0f} ms",
            "well under 1 s",
            big["diagnose_loop_ms"] < DIAGNOSE_GOAL_MS / 2,
        )
    )
    rows.append(
        Row(
            "6. diagnose 10,000",
            "diagnose_assistant tool, list cached: first call (all summaries + diagnoses) / next page",
            f"{big['diagnose_tool_first_ms']:.0f} ms / {big['diagnose_tool_next_ms']:.1f} ms",
            "well under 1 s",
            big["diagnose_tool_first_ms"] < DIAGNOSE_GOAL_MS,
        )
    )
    return rows


if __name__ == "__main__":
    print(json.dumps(anyio.run(_measure, sys.argv[1])))
