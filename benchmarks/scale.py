"""The scale curve over the loopback fake Revox (100, 1,000, 10,000 assistants), and ranking 10,000.

Each size runs in its own process (``python -m benchmarks.scale BASE_URL ID``) so that its peak
RSS is its own; the fake Revox runs in this parent process. In the child, an in-process server
(production settings) is called through the official client; each stage is timed in CPU time of
the child (``time.process_time``), which the other users of a shared machine barely disturb:

* load: the first call (get_assistant of one id): fetch, parse, clean every assistant, cache;
* first page: the first list_assistants after that (the index, then 20 summaries);
* warm calls (list_assistants, get_assistant), medians;
* diagnose_assistant without an id: first call (a tally of every assistant, the ranking), next page.

Then, with the server gone: a bare fetch (HTTP + JSON parse), and the diagnostics loops over the
raw list.
"""

from __future__ import annotations

import json
import os
import sys
import time
from typing import Any

import anyio
from mcp import Client

from .common import API_KEY, FakeRevox, Row, in_process_server, measured_in_child, stats, status_mb

SECTION = "6. scale"
SIZES = (100, 1_000, 10_000)
WARM_CALLS = 100
FIRST_PAGE_GOAL_MS = 50.0
RSS_GOAL_MB = 200.0
TRIAGE_GOAL_MS = 500.0


async def _cpu_ms(call: Any) -> float:
    start = time.process_time()
    await call
    return (time.process_time() - start) * 1000


async def _measure(base_url: str, some_id: str) -> dict[str, Any]:
    from revox_mcp.api.client import RevoxApi
    from revox_mcp.domain.diagnostics import diagnose, triage

    out: dict[str, Any] = {}
    # The load is the list's, whole: get_assistant waits for it (by default it would answer from
    # GET /assistants/{id} after a 2 s grace and leave the rest of the load to the first page).
    async with Client(in_process_server(base_url, lookup_grace=600.0), cache=None) as mcp:
        out["load_ms"] = await _cpu_ms(mcp.call_tool("get_assistant", {"assistant_id": some_id}))
        out["first_page_ms"] = await _cpu_ms(mcp.call_tool("list_assistants", {}))
        for tool, arguments in (("list_assistants", {}), ("get_assistant", {"assistant_id": some_id})):
            cpu = []
            for _ in range(WARM_CALLS):
                start = time.process_time()
                await mcp.call_tool(tool, arguments)
                cpu.append(time.process_time() - start)
            out[f"{tool}_warm_ms"] = stats(cpu).median_ms
        out["peak_rss_mb"] = _peak()
        out["diagnose_first_ms"] = await _cpu_ms(mcp.call_tool("diagnose_assistant", {}))
        out["diagnose_next_ms"] = await _cpu_ms(mcp.call_tool("diagnose_assistant", {"limit": 20}))
        out["peak_rss_after_diagnose_mb"] = _peak()
    async with RevoxApi(base_url=base_url) as api:
        start = time.process_time()
        reply = await api.assistants(API_KEY)
        out["fetch_ms"] = (time.process_time() - start) * 1000
    raw = list(reply.value["assistants"])  # parsed as it is read: read once, kept for two loops
    start = time.process_time()
    for assistant in raw:
        triage(assistant)
    out["triage_loop_ms"] = (time.process_time() - start) * 1000
    start = time.process_time()
    for assistant in raw:
        diagnose(assistant)
    out["diagnose_loop_ms"] = (time.process_time() - start) * 1000
    return out


def _peak() -> float:
    """Peak RSS of this process, VmHWM (``ru_maxrss`` would carry the parent's peak across fork and exec)."""
    return status_mb(os.getpid(), "VmHWM")


def _one_size(n: int) -> dict[str, Any]:
    assistants = FakeRevox.make_assistants(n)
    return measured_in_child("benchmarks.scale", assistants, str(assistants[n // 2]["id"]))


def run() -> list[Row]:
    results = {n: _one_size(n) for n in SIZES}
    rows: list[Row] = []
    small, big = results[SIZES[0]], results[SIZES[-1]]
    last = SIZES[-1]
    for n, measured in results.items():
        rows.append(
            Row(
                SECTION,
                f"{n:,} assistants, CPU: load (fetch, parse, clean, cache) / first list page after it",
                f"{measured['load_ms']:.0f} ms / {measured['first_page_ms']:.1f} ms",
                f"first page ≤ {FIRST_PAGE_GOAL_MS:.0f} ms" if n == last else "",
                measured["first_page_ms"] <= FIRST_PAGE_GOAL_MS if n == last else None,
            )
        )
    per = {n: results[n]["load_ms"] / n * 1000 for n in SIZES}
    rows.append(
        Row(
            SECTION,
            "load CPU per assistant, at each size",
            " / ".join(f"{per[n]:.0f}" for n in SIZES) + " µs",
            "linear: 10,000 within 1.5× of 1,000",
            per[last] <= 1.5 * per[SIZES[1]],
        )
    )
    fetch = {n: results[n]["fetch_ms"] / n * 1000 for n in SIZES}
    rows.append(
        Row(
            SECTION,
            "bare fetch (HTTP + JSON parse) CPU per assistant, at each size",
            " / ".join(f"{fetch[n]:.0f}" for n in SIZES) + " µs",
            "linear: 10,000 within 1.5× of 1,000",
            fetch[last] <= 1.5 * fetch[SIZES[1]],
        )
    )
    rows.append(
        Row(
            SECTION,
            f"peak RSS at {'/'.join(f'{n:,}' for n in SIZES)} (after diagnosing all)",
            " / ".join(f"{results[n]['peak_rss_mb']:.0f}" for n in SIZES)
            + f" MB ({big['peak_rss_after_diagnose_mb']:.0f} MB)",
            f"≤ {RSS_GOAL_MB:.0f} MB at {last:,}",
            big["peak_rss_after_diagnose_mb"] <= RSS_GOAL_MB,
        )
    )
    for tool in ("list_assistants", "get_assistant"):
        curve = " / ".join(f"{results[n][f'{tool}_warm_ms']:.2f}" for n in SIZES)
        flat = big[f"{tool}_warm_ms"] <= 1.5 * small[f"{tool}_warm_ms"]
        rows.append(
            Row(
                SECTION,
                f"warm {tool} (in-process, CPU), median at {'/'.join(map(str, SIZES))}",
                curve + " ms",
                "flat: 10,000 within 1.5× of 100",
                flat,
            )
        )
    rows.append(
        Row(
            SECTION,
            f"diagnose_assistant, {last:,} cached: first call (tally all + rank) / next page, CPU",
            f"{big['diagnose_first_ms']:.0f} ms / {big['diagnose_next_ms']:.1f} ms",
            "next page ≤ 50 ms",
            big["diagnose_next_ms"] <= FIRST_PAGE_GOAL_MS,
        )
    )
    rows.append(
        Row(
            SECTION,
            f"diagnostics over {last:,} raw assistants, CPU: triage loop (ranking) / diagnose loop",
            f"{big['triage_loop_ms']:.0f} ms / {big['diagnose_loop_ms']:.0f} ms",
            f"triage ≤ {TRIAGE_GOAL_MS:.0f} ms",
            big["triage_loop_ms"] <= TRIAGE_GOAL_MS,
        )
    )
    return rows


if __name__ == "__main__":
    print(json.dumps(anyio.run(_measure, sys.argv[1], sys.argv[2])))
