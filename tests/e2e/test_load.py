"""Load: 50 concurrent streamable-HTTP sessions x 20 calls against one server subprocess, loopback only.

Bounded in count (1,000 calls; by hand 10 sessions, ``support.scale``) and time (60 s hard limit).
Checks that every call succeeds, that the cache and single-flight collapse all of it into one
upstream list request, and that the server's resident memory stays bounded. The figures are printed
(`pytest -s`).
"""

from __future__ import annotations

import os
import random
from pathlib import Path

import anyio
import pytest
from fake_revox import FakeRevox
from loopback import streamable_session
from processes import child_env, http_server
from support import scale

SESSIONS = scale(50, 10)
CALLS_PER_SESSION = 20
ASSISTANTS = FakeRevox.make_assistants(200, prompt_chars=4_000)
TTL_SECONDS = 3600  # longer than the test's hard limit: one upstream listing, however slow the machine
TOKEN = "tok-load-test"
RSS_LIMIT_KB = 300 * 1024


def rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError("no VmRSS line")


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


async def session(base: str, ids: list[str], seed: int, failures: list[str]) -> int:
    """One client session: 20 calls, a quarter listings (various pages and queries), the rest get_assistant."""
    rng = random.Random(seed)
    done = 0
    async with (
        streamable_session(f"{base}/mcp", headers={"Authorization": f"Bearer {TOKEN}"}) as client,
    ):
        for call in range(CALLS_PER_SESSION):
            if call % 4 == 0:
                arguments: dict[str, object] = {"limit": rng.choice([5, 20, 100])}
                if rng.random() < 0.5:
                    arguments["query"] = rng.choice(["#1", "Support", "FR", "zzz-no-match"])
                result = await client.call_tool("list_assistants", arguments)
            else:
                detail = rng.choice(["summary", "summary", "full"])
                result = await client.call_tool("get_assistant", {"assistant_id": rng.choice(ids), "detail": detail})
            if result.is_error or result.structured_content is None:
                failures.append(f"session {seed} call {call}: {result.content!r}"[:300])
            done += 1
    return done


@pytest.mark.anyio
async def test_fifty_sessions_share_one_upstream_listing_and_bounded_memory(fake: FakeRevox) -> None:
    fake.set_assistants(ASSISTANTS)
    ids = [str(assistant["id"]) for assistant in ASSISTANTS]
    env = {
        **child_env(),
        "REVOX_API_KEY": fake.api_key,
        "REVOX_BASE_URL": fake.base_url,
        "REVOX_MCP_CACHE_TTL": str(TTL_SECONDS),
        "REVOX_MCP_AUTH_TOKEN": TOKEN,
    }
    with anyio.fail_after(60):
        async with http_server("--transport", "streamable-http", env=env) as (base, server):
            pid = server.process.pid
            rss_before = rss_kb(pid)
            failures: list[str] = []
            counts: list[int] = []

            async def run(seed: int) -> None:
                counts.append(await session(base, ids, seed, failures))

            async with anyio.create_task_group() as tg:
                for seed in range(SESSIONS):
                    tg.start_soon(run, seed)
            rss_after = rss_kb(pid)
            server_cpu = cpu_seconds(pid)

    listings = [request for request in fake.requests if request.method == "GET" and request.path == "/assistants"]
    print(
        f"\nload: {sum(counts)} calls over {len(counts)} sessions; "
        f"upstream: {len(listings)} GET /assistants, {len(fake.requests)} requests in all; "
        f"server RSS {rss_before / 1024:.1f} MB before, {rss_after / 1024:.1f} MB after, {server_cpu:.1f} s CPU"
    )
    assert failures == []
    assert sum(counts) == SESSIONS * CALLS_PER_SESSION
    assert len(listings) == 1
    assert len(fake.requests) == 1  # every assistant is in the listing: get_assistant reads the snapshot
    assert rss_after < RSS_LIMIT_KB
