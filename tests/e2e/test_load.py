"""Load: 50 concurrent streamable-HTTP sessions x 20 calls against one server subprocess, loopback only.

Bounded in count (1,000 calls) and time (60 s hard limit). Checks that every call succeeds, that
the cache and single-flight collapse all of it into one upstream list request per TTL window, and
that the server's resident memory stays bounded. The figures are printed (`pytest -s`).
"""

from __future__ import annotations

import os
import random
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import anyio
import httpx
import httpx2
import pytest
from fake_revox import FakeRevox
from mcp import Client
from mcp.client.streamable_http import streamable_http_client
from processes import stop

SESSIONS = 50
CALLS_PER_SESSION = 20
ASSISTANTS = 200
TTL_SECONDS = 30
TOKEN = "tok-load-test"
RSS_LIMIT_KB = 300 * 1024


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def fake() -> Iterator[FakeRevox]:
    with FakeRevox(FakeRevox.make_assistants(ASSISTANTS, prompt_chars=4_000)) as server:
        yield server


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


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
        httpx2.AsyncClient(headers={"Authorization": f"Bearer {TOKEN}"}, timeout=30) as http,
        Client(streamable_http_client(f"{base}/mcp", http_client=http)) as client,
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
    ids = [str(assistant["id"]) for assistant in FakeRevox.make_assistants(ASSISTANTS, prompt_chars=4_000)]
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {
        "PATH": os.environ.get("PATH", ""),
        "REVOX_API_KEY": fake.api_key,
        "REVOX_BASE_URL": fake.base_url,
        "REVOX_MCP_CACHE_TTL": str(TTL_SECONDS),
        "REVOX_MCP_AUTH_TOKEN": TOKEN,
    }
    process = await anyio.open_process(
        [sys.executable, "-m", "revox_mcp", "--transport", "streamable-http", "--port", str(port)],
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        with anyio.fail_after(60):
            async with httpx.AsyncClient(timeout=2) as probe:
                while True:
                    assert process.returncode is None, "the server exited early"
                    try:
                        if (await probe.get(f"{base}/healthz")).status_code == 200:
                            break
                    except httpx.TransportError:
                        await anyio.sleep(0.05)
            rss_before = rss_kb(process.pid)
            failures: list[str] = []
            counts: list[int] = []
            started = time.monotonic()

            async def run(seed: int) -> None:
                counts.append(await session(base, ids, seed, failures))

            async with anyio.create_task_group() as tg:
                for seed in range(SESSIONS):
                    tg.start_soon(run, seed)
            duration = time.monotonic() - started
            rss_after = rss_kb(process.pid)
            server_cpu = cpu_seconds(process.pid)
    finally:
        await stop(process)

    listings = [request for request in fake.requests if request.method == "GET" and request.path == "/assistants"]
    print(
        f"\nload: {sum(counts)} calls over {len(counts)} sessions in {duration:.1f} s; "
        f"upstream: {len(listings)} GET /assistants, {len(fake.requests)} requests in all; "
        f"server RSS {rss_before / 1024:.1f} MB before, {rss_after / 1024:.1f} MB after, {server_cpu:.1f} s CPU"
    )
    assert failures == []
    assert sum(counts) == SESSIONS * CALLS_PER_SESSION
    # One listing per TTL window. On a machine slow enough for the run to outlive a window, the
    # cache may rightly reload once per window; below one window it must be exactly one request.
    windows = 1 + int(duration // TTL_SECONDS)
    assert 1 <= len(listings) <= windows
    if windows == 1:
        assert len(fake.requests) == 1  # every assistant is in the listing: get_assistant reads the snapshot
    assert rss_after < RSS_LIMIT_KB
