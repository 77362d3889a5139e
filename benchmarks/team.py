"""Benchmark: the team deployment, 1 replica without Redis, 1 and 3 replicas with Redis, in one run.

    python -m benchmarks team

Replicas are started by deploy/team.sh (as the tests and the README do), in multi-user mode, over
the loopback fake Revox knowing two keys of two organisations. Sessions alternate keys and spread
every HTTP request round robin over the replicas. Measured per configuration: calls per second,
p50/p95 latency of one tool call, upstream requests, and each replica's peak RSS (VmHWM). On one
2-core machine the load generator, the fake Revox, Redis and the replicas share the CPUs: read
the ratios, not the absolute figures.
"""

from __future__ import annotations

import os
import random
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import anyio
import httpx
import httpx2
from mcp import Client
from mcp.client.streamable_http import streamable_http_client
from redis_server import RedisServer, free_port  # tests/ is on the path (common)
from round_robin import RoundRobin

from .common import ROOT, FakeRevox, Row, stats

SCRIPT = ROOT / "deploy" / "team.sh"
KEYS = ("sk-bench-org-a", "sk-bench-org-b")
ASSISTANTS = 200
SESSIONS = 20
CALLS_PER_SESSION = 30
WARMUP_CALLS = 4


@dataclass(frozen=True)
class Result:
    label: str
    calls_per_second: float
    p50_ms: float
    p95_ms: float
    upstream: int
    rss_mb: list[float]
    replica_cpu_ms_per_call: float
    client_cpu_ms_per_call: float


def _peak_rss_mb(pid: int) -> float:
    """The replica's own peak RSS: bash execs python, so the pid is the server's."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


def _start(fake: FakeRevox, redis_url: str, ports: list[int]) -> list[subprocess.Popen[bytes]]:
    env = {
        "PATH": os.environ.get("PATH", ""),
        "PYTHON": sys.executable,
        "REVOX_BASE_URL": fake.base_url,
        "REVOX_MCP_REDIS_URL": redis_url,  # empty: no Redis
        "REVOX_MCP_CACHE_TTL": "3600",  # every measured call is served from the (shared) cache
    }
    processes = [
        subprocess.Popen(
            ["bash", str(SCRIPT), "replica", str(port)],  # noqa: S607
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for port in ports
    ]
    deadline = time.monotonic() + 60
    with httpx.Client(timeout=2) as probe:
        for port in ports:
            while True:
                try:
                    if probe.get(f"http://127.0.0.1:{port}/readyz").status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                if time.monotonic() > deadline:
                    raise RuntimeError(f"replica on port {port} did not start")
                time.sleep(0.05)
    return processes


async def _session(ports: list[int], key: str, ids: list[str], seed: int, latencies: list[float]) -> None:
    rng = random.Random(seed)
    async with (
        httpx2.AsyncClient(transport=RoundRobin(ports), headers={"Authorization": f"Bearer {key}"}, timeout=60) as http,
        Client(streamable_http_client(f"http://127.0.0.1:{ports[0]}/mcp", http_client=http), cache=None) as client,
    ):
        for call in range(WARMUP_CALLS + CALLS_PER_SESSION):
            if call % 3 == 0:
                name, arguments = "list_assistants", {"limit": 20}
            else:
                name, arguments = "get_assistant", {"assistant_id": rng.choice(ids)}
            started = time.perf_counter()
            result = await client.call_tool(name, arguments)
            if call >= WARMUP_CALLS:
                latencies.append(time.perf_counter() - started)
            assert not result.is_error, result.content


async def _load(ports: list[int], ids: dict[str, list[str]]) -> tuple[float, list[float]]:
    latencies: list[float] = []
    started = time.perf_counter()
    async with anyio.create_task_group() as tg:
        for seed in range(SESSIONS):
            key = KEYS[seed % 2]
            tg.start_soon(_session, ports, key, ids[key], seed, latencies)
    return time.perf_counter() - started, latencies


def _measure(label: str, fake: FakeRevox, redis_url: str, replicas: int, ids: dict[str, list[str]]) -> Result:
    fake.clear_log()
    ports = [free_port() for _ in range(replicas)]
    processes = _start(fake, redis_url, ports)
    try:
        cpu_before = sum(_cpu_seconds(process.pid) for process in processes)
        client_before = time.process_time()
        elapsed, latencies = anyio.run(_load, ports, ids)
        client_cpu = time.process_time() - client_before  # the load generator and the fake Revox
        cpu = sum(_cpu_seconds(process.pid) for process in processes) - cpu_before
        rss = [_peak_rss_mb(process.pid) for process in processes]
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=10)
    timing = stats(latencies)
    upstream = sum(1 for request in fake.requests if request.path != "/auth-status")
    calls = len(latencies)
    return Result(
        label,
        calls / elapsed,
        timing.median_ms,
        timing.p95_ms,
        upstream,
        rss,
        cpu * 1000 / calls,
        client_cpu * 1000 / calls,
    )


def measure() -> list[Result]:
    orgs = {
        key: FakeRevox.make_assistants(ASSISTANTS, prompt_chars=2_000, seed=index) for index, key in enumerate(KEYS)
    }
    ids = {key: [str(a["id"]) for a in assistants] for key, assistants in orgs.items()}
    results = []
    with FakeRevox(orgs[KEYS[0]], api_key=KEYS[0], keys={KEYS[1]: orgs[KEYS[1]]}) as fake:
        results.append(_measure("1 replica, no Redis", fake, "", 1, ids))
        for replicas in (1, 3):
            redis = RedisServer().start()
            try:
                label = f"{replicas} replica{'s' if replicas > 1 else ''} + Redis"
                results.append(_measure(label, fake, redis.url, replicas, ids))
            finally:
                redis.close()
    return results


def run() -> list[Row]:
    results = measure()
    base = results[0].calls_per_second
    rows = []
    for result in results:
        section = f"team: {result.label}"
        rows += [
            Row(section, "calls/s", f"{result.calls_per_second:.0f} ({result.calls_per_second / base:.2f}x)"),
            Row(section, "latency p50 / p95", f"{result.p50_ms:.1f} / {result.p95_ms:.1f} ms"),
            Row(
                section,
                "upstream requests (2 keys)",
                str(result.upstream),
                "2 (one listing per key)",
                result.upstream == 2,
            ),
            Row(section, "peak RSS per replica", ", ".join(f"{mb:.0f} MB" for mb in result.rss_mb)),
            Row(
                section,
                "CPU per call: replicas / load generator",
                f"{result.replica_cpu_ms_per_call:.1f} / {result.client_cpu_ms_per_call:.1f} ms",
            ),
        ]
    calls = SESSIONS * CALLS_PER_SESSION
    rows.append(
        Row(
            "team",
            "load",
            f"{SESSIONS} sessions x {CALLS_PER_SESSION} calls ({calls}), 2 keys, {ASSISTANTS} assistants each",
        )
    )
    return rows
