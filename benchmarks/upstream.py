"""Upstream requests to the loopback fake Revox, for many calls within one cache TTL.

Mixed calls use only ids the list shows; revox_status is left out on purpose (it checks the key
against Revox on every call). Every lookup goes through the (single-flight, cached) list first,
so whether a listing came first or not, one request per endpoint should serve every call:
``diagnose_assistant`` also reads the account's phone numbers, voices and campaigns, one cached
request each. Both orders are measured, and 50 concurrent cold calls.
"""

from __future__ import annotations

import random
from typing import Any

import anyio
from mcp import Client

from .common import API_KEY, FakeRevox, Row, in_process_server

SECTION = "7. upstream"
MIXED_CALLS = 1_000
CONCURRENT = 50


def _server(base_url: str) -> Any:

    return in_process_server(base_url)


def _mixed(ids: list[str], rng: random.Random) -> tuple[str, dict[str, Any]]:
    kind = rng.randrange(5)
    if kind == 0:
        return "list_assistants", {"limit": rng.randint(1, 100)}
    if kind == 1:
        return "get_assistant", {"assistant_id": rng.choice(ids)}
    if kind == 2:
        return "get_assistant", {"assistant_id": rng.choice(ids), "fields": ["prompt"]}
    if kind == 3:
        return "diagnose_assistant", {"assistant_id": rng.choice(ids)}
    return "compare_assistants", {"assistant_id_a": rng.choice(ids), "assistant_id_b": rng.choice(ids)}


def _per_endpoint(fake: FakeRevox) -> tuple[int, int]:
    """(requests, endpoints asked): at most one request per endpoint is the goal."""
    paths = [request.path for request in fake.requests]
    return len(paths), len(set(paths))


async def _mixed_calls(fake: FakeRevox, ids: list[str], list_first: bool) -> tuple[int, int]:
    fake.clear_log()
    rng = random.Random(5)
    async with Client(_server(fake.base_url), cache=None) as client:
        if list_first:  # as the server's instructions tell agents to start
            await client.call_tool("list_assistants", {})
        for _ in range(MIXED_CALLS - list_first):
            name, arguments = _mixed(ids, rng)
            assert not (await client.call_tool(name, arguments)).is_error
    return _per_endpoint(fake)


async def _concurrent_cold(fake: FakeRevox, ids: list[str], mixed: bool) -> tuple[int, int]:
    fake.clear_log()
    rng = random.Random(7)
    calls = [_mixed(ids, rng) if mixed else ("list_assistants", {}) for _ in range(CONCURRENT)]
    async with Client(_server(fake.base_url), cache=None) as client, anyio.create_task_group() as group:
        for name, arguments in calls:
            group.start_soon(client.call_tool, name, arguments)
    return _per_endpoint(fake)


def run() -> list[Row]:
    assistants = FakeRevox.make_assistants(1_000)
    ids = [str(a["id"]) for a in assistants]
    with FakeRevox(assistants, api_key=API_KEY) as fake:
        listed_first = anyio.run(_mixed_calls, fake, ids, True)
        any_order = anyio.run(_mixed_calls, fake, ids, False)
        concurrent_lists = anyio.run(_concurrent_cold, fake, ids, False)
        concurrent_mixed = anyio.run(_concurrent_cold, fake, ids, True)
    measured = {
        f"{MIXED_CALLS:,} mixed calls in one TTL, list first": listed_first,
        f"{MIXED_CALLS:,} mixed calls in one TTL, gets before the list": any_order,
        f"{CONCURRENT} concurrent cold list_assistants": concurrent_lists,
        f"{CONCURRENT} concurrent cold mixed calls": concurrent_mixed,
    }
    return [
        Row(SECTION, f"requests: {label}", f"{n} for {endpoints} endpoints", "1 per endpoint", n == endpoints)
        for label, (n, endpoints) in measured.items()
    ]
