"""Memory over weeks, and what an unchanged refresh costs: a real server process, 20 refreshes of 10,000.

``python -m revox_mcp --transport streamable-http`` runs as a child against the loopback fake Revox,
with ``REVOX_MCP_CACHE_TTL=0`` so that every call refreshes the whole list. Each refresh is one
``diagnose_assistant`` call without an id, made through the official client over HTTP: fetch,
ingest, index, a diagnosis tally of every assistant and the ranking (the heaviest whole-list
tool). After each refresh the child's ``VmRSS`` and CPU time (utime + stime) are read from /proc.
Meanwhile a second connection lists the tools every 0.1 s: its longest wait shows how long the
refresh keeps other requests from being served.

Kinds of content, each in a fresh process:

* unchanged: Revox sends the same list every time (the case that leaked before the rewrite);
* one renamed: one assistant gets a new name before each refresh (a new list version each time,
  everything else the same);
* all renamed (``run_churn``, opt-in: about 10 s of CPU per refresh): every assistant gets a new
  name before each refresh, so nothing can be reused.

Besides the 20th against the 2nd, the rows show the slope from the 10th to the 20th refresh: a
bounded cache levels off, a leak keeps its slope.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import anyio
from mcp import Client

from .common import API_KEY, FakeRevox, Row, ServerProcess, child_env, http_server

SECTION = "1. memory over weeks"
ASSISTANTS = 10_000
REFRESHES = 20
RSS_GOAL = 1.10  # RSS after the 20th refresh within 10 % of RSS after the 2nd
UNCHANGED_CPU_GOAL = 0.5  # an unchanged refresh cycle costs at most half the first


@dataclass(frozen=True)
class Run:
    rss_mb: list[float]  # after each refresh
    cpu_s: list[float]  # of each refresh
    peak_mb: float
    upstream_lists: int
    stale_answers: int  # calls that answered stale while a slow refresh went on (then joined it)
    stalls_s: list[float]  # longest tools/list wait on another connection during each refresh


Change = Callable[[list[dict[str, Any]], int], bool]  # may edit the assistants; True when it did


def unchanged(_assistants: list[dict[str, Any]], _refresh: int) -> bool:
    return False


def one_renamed(assistants: list[dict[str, Any]], refresh: int) -> bool:
    assistants[refresh % len(assistants)]["name"] = f"Renamed at refresh {refresh}"
    return True


def all_renamed(assistants: list[dict[str, Any]], refresh: int) -> bool:
    for number, assistant in enumerate(assistants):
        assistant["name"] = f"Assistant {number} (refresh {refresh})"
    return True


CASES: dict[str, Change] = {"unchanged": unchanged, "one renamed": one_renamed, "all renamed": all_renamed}
DEFAULT_CASES = ("unchanged", "one renamed")


async def _ping(other: Client, done: anyio.Event, waits: list[float]) -> None:
    while not done.is_set():
        start = time.perf_counter()
        await other.list_tools()
        waits.append(time.perf_counter() - start)
        await anyio.sleep(0.1)


async def _refreshes(
    server: ServerProcess,
    fake: FakeRevox,
    assistants: list[dict[str, Any]],
    change: Change,
    refreshes: int = REFRESHES,
) -> Run:
    rss: list[float] = []
    cpu: list[float] = []
    stalls: list[float] = []
    stale = 0
    fake.clear_log()
    async with Client(server.url, cache=None) as client, Client(server.url, cache=None) as other:
        await other.list_tools()
        for refresh in range(1, refreshes + 1):
            if change(assistants, refresh):
                fake.set_assistants(assistants)
            before = server.cpu()
            waits: list[float] = []
            done = anyio.Event()
            async with anyio.create_task_group() as group:
                group.start_soon(_ping, other, done, waits)
                while True:
                    result = await client.call_tool("diagnose_assistant", {})
                    assert not result.is_error, result.content
                    assert result.structured_content is not None
                    if not result.structured_content.get("stale"):
                        break
                    # The refresh outlived the 5 s grace; the next call joins it (TTL 0 never makes a second one).
                    stale += 1
                done.set()
            cpu.append(server.cpu() - before)
            rss.append(server.rss_mb())
            stalls.append(max(waits, default=0.0))
        peak = server.peak_mb()
    lists = sum(1 for request in fake.requests if request.path == "/assistants")
    return Run(rss, cpu, peak, lists, stale, stalls)


def measure(case: str, count: int = ASSISTANTS, refreshes: int = REFRESHES) -> Run:
    assistants = FakeRevox.make_assistants(count)
    with FakeRevox(assistants, api_key=API_KEY) as fake:
        env = child_env(REVOX_API_KEY=API_KEY, REVOX_BASE_URL=fake.base_url, REVOX_MCP_CACHE_TTL="0")
        with http_server(env) as server:
            return anyio.run(_refreshes, server, fake, assistants, CASES[case], refreshes)


def _rows(case: str, run: Run) -> list[Row]:
    second, tenth, last = run.rss_mb[1], run.rss_mb[9], run.rss_mb[-1]
    ratio = last / second
    slope = (last - tenth) / (REFRESHES - 10)
    curve = " / ".join(f"{run.rss_mb[i - 1]:.0f}" for i in (1, 2, 5, 10, 15, 20))
    rows = [
        Row(
            SECTION,
            f"{case}: RSS after refresh 1/2/5/10/15/20 of {ASSISTANTS:,} (peak); slope 10th→20th",
            f"{curve} MB ({run.peak_mb:.0f} MB); 20th = {ratio:.2f}× 2nd; {slope:+.1f} MB/refresh",
            f"20th ≤ {RSS_GOAL}× 2nd",
            ratio <= RSS_GOAL,
        )
    ]
    later = statistics.median(run.cpu_s[2:])
    cpu = f"{run.cpu_s[0]:.2f} / {run.cpu_s[1]:.2f} / {later:.2f} s"
    extra = f"; {run.upstream_lists} GET /assistants" + (
        f", {run.stale_answers} stale answers (refresh > 5 s grace)" if run.stale_answers else ""
    )
    if case == "unchanged":
        cycle = run.cpu_s[1] / run.cpu_s[0]
        rows.append(
            Row(
                "3. unchanged refresh",
                f"server CPU of refresh cycle 1 / 2 / median of 3-20 (fetch, ingest, rank all {ASSISTANTS:,})",
                f"{cpu} = 2nd {cycle:.2f}× 1st{extra}",
                f"2nd ≤ {UNCHANGED_CPU_GOAL}× 1st",
                cycle <= UNCHANGED_CPU_GOAL,
            )
        )
    else:
        rows.append(Row(SECTION, f"{case}: server CPU of refresh 1 / 2 / median of 3-20", cpu + extra))
    rows.append(
        Row(
            SECTION,
            f"{case}: longest tools/list wait on another connection during refresh 1 / 2 / median of 3-20",
            f"{run.stalls_s[0]:.2f} / {run.stalls_s[1]:.2f} / {statistics.median(run.stalls_s[2:]):.2f} s",
        )
    )
    return rows


def run() -> list[Row]:
    rows: list[Row] = []
    for case in DEFAULT_CASES:
        rows += _rows(case, measure(case))
    return rows


# The soak: weeks of refreshes compressed. TTL 0, so every call is a refresh; one assistant renamed
# before each, so every refresh is a new list version and a new version in the history store (the
# SQLite default, in the run's own state directory).
SOAK_ASSISTANTS = 1_000
SOAK_REFRESHES = 1_000


def run_soak() -> list[Row]:
    run = measure("one renamed", SOAK_ASSISTANTS, SOAK_REFRESHES)
    marks = (10, 100, 250, 500, 750, 1_000)
    curve = " / ".join(f"{run.rss_mb[i - 1]:.0f}" for i in marks)
    tenth, last = run.rss_mb[99], run.rss_mb[-1]
    ratio = last / tenth
    slope = (last - tenth) / (SOAK_REFRESHES - 100) * 100
    return [
        Row(
            "1. memory over weeks",
            f"soak: RSS after refresh {' / '.join(map(str, marks))} of {SOAK_ASSISTANTS:,}, one renamed each time "
            f"(a new version stored each time; peak)",
            f"{curve} MB ({run.peak_mb:.0f} MB); 1,000th = {ratio:.2f}× 100th; {slope:+.2f} MB per 100 refreshes",
            f"1,000th ≤ {RSS_GOAL}× 100th",
            ratio <= RSS_GOAL,
        )
    ]


def run_churn() -> list[Row]:
    return _rows("all renamed", measure("all renamed"))


if __name__ == "__main__":
    import sys

    for name in sys.argv[1:] or list(CASES):
        result = measure(name)
        print(name, result)
        for row in _rows(name, result):
            print(row)
