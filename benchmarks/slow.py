"""A slow Revox: seconds until a tool answers, with and without cached data, production settings.

In-process servers (``build_server`` over the production ``RevoxApi``: 15 s per read, 40 s call
budget, two retries), each against its own loopback Revox, called through the official client:

* cached, TTL expired, Revox slower than the whole budget (each list request waits 60 s): the
  first call, the next calls made while that refresh still runs, and ten concurrent calls;
* a body that drips steadily (64 KB/s over a 4 MB list), with the list cached and without;
* no data at all: Revox slow for 3 s and then answering; Revox never answering within the budget.

The scenarios wait on timers, not on the CPU, so they run side by side: the two that must wait
out the whole 40 s budget overlap with the others, and the run takes about 45 s. CPU-heavy
preparation (filling the caches) is done first, so that it cannot delay another scenario's timer.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import anyio
from mcp import Client
from mcp.types import CallToolResult, TextContent

from .common import API_KEY, FakeRevox, Fault, Row, in_process_server
from .drip import DripRevox

SECTION = "2. slow Revox"
GRACE = 5.0  # the cache's stale-while-revalidate grace (Settings.stale_grace default)
BUDGET = 40.0  # RevoxApi's call budget (Settings.call_budget default)
DEADLINE_GOAL = 45.0
SLACK = 1.1  # timer-driven figures: 10 % for scheduling on a shared machine
DRIP_RATE = 64 * 1024
DRIP_ASSISTANTS = 1_320  # about 4 MB of JSON
TTL = 1.0


@dataclass(frozen=True)
class Call:
    seconds: float
    error: bool
    stale: bool
    reason: str


async def _timed(client: Client, tool: str, arguments: dict[str, Any]) -> Call:
    start = time.perf_counter()
    result: CallToolResult = await client.call_tool(tool, arguments)
    seconds = time.perf_counter() - start
    structured = result.structured_content or {}
    text = "".join(block.text for block in result.content if isinstance(block, TextContent))
    reason = str(structured.get("stale_reason") or (text if result.is_error else ""))
    return Call(seconds, bool(result.is_error), bool(structured.get("stale")), reason)


def _server(base_url: str) -> Client:
    return Client(in_process_server(base_url, ttl=TTL), cache=None)


async def _slow_with_cache(client: Client, ids: list[str]) -> dict[str, Any]:
    """TTL expired, every list request takes 60 s: the first call, the next two, then ten at once."""
    first = await _timed(client, "list_assistants", {})
    following = [
        await _timed(client, "get_assistant", {"assistant_id": ids[0]}),
        await _timed(client, "diagnose_assistant", {}),
    ]
    together: list[Call] = []

    async def one(index: int) -> None:
        together.append(await _timed(client, "get_assistant", {"assistant_id": ids[index]}))

    async with anyio.create_task_group() as group:
        for index in range(10):
            group.start_soon(one, index)
    return {"first": first, "next": following, "concurrent": together}


async def _scenarios() -> dict[str, Any]:
    slow_list = FakeRevox.make_assistants(1_000)
    drip_body = json.dumps(
        {"assistants": FakeRevox.make_assistants(DRIP_ASSISTANTS)}, ensure_ascii=False, separators=(",", ":")
    ).encode()
    out: dict[str, Any] = {"drip_mb": len(drip_body) / 1024 / 1024}
    with (
        FakeRevox(slow_list, api_key=API_KEY) as slow,
        FakeRevox(FakeRevox.make_assistants(100), api_key=API_KEY) as late,
        FakeRevox(FakeRevox.make_assistants(100), api_key=API_KEY) as never,
        DripRevox(drip_body, rate=DRIP_RATE, fast=1) as drip_cached,
        DripRevox(drip_body, rate=DRIP_RATE) as drip_cold,
    ):
        async with (
            _server(slow.base_url) as slow_client,
            _server(drip_cached.base_url) as drip_cached_client,
            _server(late.base_url) as late_client,
            _server(never.base_url) as never_client,
            _server(drip_cold.base_url) as drip_cold_client,
        ):
            # Fill two caches first (the CPU-bound ingest and ranking), then let their TTL expire.
            for client in (slow_client, drip_cached_client):
                for tool in ("list_assistants", "diagnose_assistant"):
                    assert not (await client.call_tool(tool, {})).is_error
            slow.inject(*[Fault.slow(60)] * 5, path="/assistants")
            late.inject(Fault.slow(3), path="/assistants")
            never.inject(*[Fault.slow(60)] * 5, path="/assistants")
            await anyio.sleep(TTL * 1.2)

            async def record(name: str, make: Callable[[], Any]) -> None:
                out[name] = await make()

            async def in_turn() -> None:
                # Timed against the 5 s grace: one after the other, so that no ingest delays a timer.
                ids = [str(a["id"]) for a in slow_list]
                await record("slow_cached", lambda: _slow_with_cache(slow_client, ids))
                await record("drip_cached", lambda: _timed(drip_cached_client, "list_assistants", {}))
                await record("late_cold", lambda: _timed(late_client, "list_assistants", {}))

            async with anyio.create_task_group() as group:
                group.start_soon(in_turn)
                group.start_soon(record, "never_cold", lambda: _timed(never_client, "list_assistants", {}))
                group.start_soon(record, "drip_cold", lambda: _timed(drip_cold_client, "list_assistants", {}))
    return out


def _short(reason: str) -> str:
    reason = reason.replace("Error executing tool list_assistants: ", "")
    return reason if len(reason) <= 90 else reason[:89] + "…"


def _within_grace(call: Call) -> bool:
    return not call.error and call.stale and call.seconds <= GRACE * SLACK


def run() -> list[Row]:
    found = anyio.run(_scenarios)
    cached = found["slow_cached"]
    first: Call = cached["first"]
    following: list[Call] = cached["next"]
    together: list[Call] = cached["concurrent"]
    slowest = max(together, key=lambda call: call.seconds)
    drip_cached: Call = found["drip_cached"]
    late: Call = found["late_cold"]
    never: Call = found["never_cold"]
    drip_cold: Call = found["drip_cold"]
    drip = f"{DRIP_RATE // 1024} KB/s over a {found['drip_mb']:.1f} MB list"
    return [
        Row(
            SECTION,
            "cached, TTL expired, Revox slower than the budget (60 s per request): first call",
            f"{first.seconds:.2f} s, {'stale' if first.stale else 'not stale'}: {_short(first.reason)}",
            f"≤ {GRACE:g} s grace (+10 %), stale with reason (before: 40 s)",
            _within_grace(first) and bool(first.reason),
        ),
        Row(
            SECTION,
            "same, the next calls while that refresh runs: get_assistant, diagnose all; 10 concurrent (slowest)",
            " / ".join(f"{call.seconds:.2f}" for call in following) + f" s; {slowest.seconds:.2f} s",
            f"each ≤ {GRACE:g} s (+10 %), stale (before: 40 s each)",
            all(_within_grace(call) for call in [*following, *together]),
        ),
        Row(
            SECTION,
            f"cached, TTL expired, body drips {drip}",
            f"{drip_cached.seconds:.2f} s, {'stale' if drip_cached.stale else 'not stale'}",
            f"≤ {GRACE:g} s (+10 %), stale",
            _within_grace(drip_cached),
        ),
        Row(
            SECTION,
            f"no data, body drips {drip}",
            f"{drip_cold.seconds:.1f} s, {'error' if drip_cold.error else 'answered'}: {_short(drip_cold.reason)}",
            f"≤ {DEADLINE_GOAL:g} s (before: 62 s)",
            drip_cold.seconds <= DEADLINE_GOAL,
        ),
        Row(
            SECTION,
            "no data, Revox never answers within the budget (60 s per request)",
            f"{never.seconds:.1f} s, {'error' if never.error else 'answered'}: {_short(never.reason)}",
            f"≤ {DEADLINE_GOAL:g} s (budget {BUDGET:g} s)",
            never.seconds <= DEADLINE_GOAL,
        ),
        Row(
            SECTION,
            "no data, Revox answers after 3 s (100 assistants)",
            f"{late.seconds:.2f} s, {'error' if late.error else 'data'}",
            "data, 3 s + ingest",
            not late.error and late.seconds <= 3 * SLACK + 1,
        ),
    ]


if __name__ == "__main__":
    for row in run():
        print(row)
