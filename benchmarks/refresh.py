"""Where an unchanged refresh of 10,000 assistants spends its CPU, against what any refresh must do.

In a child process (``python -m benchmarks.refresh BASE_URL ID``; the fake Revox runs in this
parent), an in-process server with production settings, whose cache clock is moved by hand, is
called through the official client. Each cycle: get_assistant (the list refreshed: fetch, parse,
clean, cache) then diagnose_assistant without an id (a tally of every assistant, the ranking).
Cycle 1 starts cold; before cycle 2 the clock passes the TTL, and Revox sends the same list.
The floor is a bare ``RevoxApi`` fetch of the same list (HTTP + JSON parse, nothing kept), which
no refresh can avoid. All figures are CPU time of the child (``time.process_time``).
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from typing import Any

import anyio
from mcp import Client

from .common import API_KEY, FakeRevox, Row, in_process_server, measured_in_child

SECTION = "3. unchanged refresh"
ASSISTANTS = 10_000
TTL = 30.0
FLOOR_RUNS = 3


class _Clock:
    """Wall time plus an offset the benchmark moves, so a TTL passes without waiting for it."""

    def __init__(self) -> None:
        self.offset = 0.0

    def __call__(self) -> float:
        return time.time() + self.offset


async def _cpu_ms(call: Any) -> float:
    start = time.process_time()
    result = await call
    assert not result.is_error, result.content
    return (time.process_time() - start) * 1000


async def _measure(base_url: str, some_id: str) -> dict[str, Any]:
    from revox_mcp.api.client import RevoxApi

    clock = _Clock()
    # A grace far beyond the refresh: each measured call waits for its refresh instead of answering stale.
    server = in_process_server(base_url, ttl=TTL, clock=clock, stale_grace=600.0)
    out: dict[str, Any] = {}
    async with Client(server, cache=None) as client:
        for cycle in (1, 2):
            clock.offset += TTL + 1
            out[f"load_{cycle}"] = await _cpu_ms(client.call_tool("get_assistant", {"assistant_id": some_id}))
            out[f"rank_{cycle}"] = await _cpu_ms(client.call_tool("diagnose_assistant", {}))
    floors = []
    async with RevoxApi(base_url=base_url) as api:
        for _ in range(FLOOR_RUNS):
            start = time.process_time()
            reply = await api.assistants(API_KEY)
            list(reply.value["assistants"])  # the entries are parsed as they are read: the floor parses them
            floors.append((time.process_time() - start) * 1000)
    out["floor"] = statistics.median(floors)
    return out


def measure() -> dict[str, Any]:
    assistants = FakeRevox.make_assistants(ASSISTANTS)
    return measured_in_child("benchmarks.refresh", assistants, str(assistants[0]["id"]))


def run() -> list[Row]:
    found = measure()
    first, second = found["load_1"] + found["rank_1"], found["load_2"] + found["rank_2"]
    return [
        Row(
            SECTION,
            f"in-process CPU, cycle 1 / 2 of {ASSISTANTS:,} unchanged: refresh (fetch, parse, clean, cache); ranking",
            f"{found['load_1']:.0f} / {found['load_2']:.0f} ms; {found['rank_1']:.0f} / {found['rank_2']:.0f} ms",
        ),
        Row(
            SECTION,
            "in-process CPU, cycle 2 vs cycle 1, and vs the floor (bare fetch: HTTP + JSON parse)",
            f"{second:.0f} ms = {second / first:.2f}× cycle 1 = {second / found['floor']:.1f}× floor "
            f"({found['floor']:.0f} ms)",
        ),
    ]


if __name__ == "__main__":
    print(json.dumps(anyio.run(_measure, sys.argv[1], sys.argv[2])))
