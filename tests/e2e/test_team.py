"""Team deployment, for real: three replicas (subprocesses started by deploy/team.sh) on one real Redis.

The loopback fake Revox knows two keys of two organisations with different assistants. Clients
rotate their requests over the replicas (no stickiness), as a load balancer without affinity would.
Bounded: the module starts one Redis and three replicas; a test makes at most 1,200 calls and has a hard limit.
"""

from __future__ import annotations

import contextlib
import json
import subprocess
import sys
import tempfile
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import anyio
import httpx
import pytest
from fake_revox import FakeRevox, Fault
from loopback import NO_TLS, mcp_http, streamable_session
from mcp import Client
from mcp.client.sse import sse_client
from mcp.types import CallToolResult
from processes import child_env, free_port, poll_until
from redis_server import TEAM_SCRIPT, RedisServer, require_redis_server
from round_robin import RoundRobin
from support import ASSISTANTS, LISTED_IDS, scale, text_of

from revox_mcp.credential import fingerprint_of

ASSISTANTS_A = [json.loads(json.dumps(a)) for a in ASSISTANTS if a["id"] in LISTED_IDS]
ASSISTANTS_B = FakeRevox.make_assistants(6, prompt_chars=600, seed=11)
IDS_A = set(LISTED_IDS)
IDS_B = {str(assistant["id"]) for assistant in ASSISTANTS_B}
KEY_PREFIX = "sk-team-"
# Longer than any test's hard limit: one upstream listing per key, however slow the machine.
TTL_SECONDS = 3600
# The load test's sessions per key: CI's full load; by hand a fifth (support.scale), still concurrent
# sessions on every replica.
SESSIONS = scale(30, 6)
REPLICAS = 3
MODERN, LEGACY = "2026-07-28", "2025-11-25"


@dataclass
class Team:
    """Redis, the two-organisation fake Revox and three replicas, for the whole module.

    Each test gets two keys of its own (so no test sees another's cache entries or verdicts) and a
    healthy team: Redis running, every replica up and ready.
    """

    redis: RedisServer
    fake: FakeRevox
    ports: list[int]
    log_dir: Path
    processes: dict[int, subprocess.Popen[bytes]] = field(default_factory=dict)
    rotations: list[RoundRobin] = field(default_factory=list)
    key_a: str = ""
    key_b: str = ""

    def url(self, port: int | None = None) -> str:
        return f"http://127.0.0.1:{port or self.ports[0]}/mcp"

    def new_keys(self) -> None:
        self.key_a, self.key_b = f"{KEY_PREFIX}a-{uuid.uuid4().hex}", f"{KEY_PREFIX}b-{uuid.uuid4().hex}"
        self.fake.add_key(self.key_a, ASSISTANTS_A)
        self.fake.add_key(self.key_b, ASSISTANTS_B)

    def start_replica(self, port: int) -> None:
        env = {
            **child_env(),
            "PYTHON": sys.executable,
            "REVOX_BASE_URL": self.fake.base_url,
            "REVOX_MCP_REDIS_URL": self.redis.url,
            "REVOX_MCP_CACHE_TTL": str(TTL_SECONDS),
            "REVOX_MCP_LOG_LEVEL": "INFO",
        }
        with (self.log_dir / f"replica-{port}.log").open("ab") as log:
            self.processes[port] = subprocess.Popen(
                ["bash", str(TEAM_SCRIPT), "replica", str(port)],  # noqa: S607  # bash from PATH, as the README
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=log,
            )

    def wait_ready(self, within: float = 30) -> None:
        """Until every replica's /readyz says 200 (it has Redis): only asking shows that."""
        with httpx.Client(timeout=2, verify=NO_TLS) as probe:
            for port, process in self.processes.items():

                def ready(port: int = port, process: subprocess.Popen[bytes] = process) -> bool:
                    assert process.poll() is None, f"replica {port} exited early:\n{self.log_text()}"
                    try:
                        return probe.get(f"http://127.0.0.1:{port}/readyz").status_code == 200
                    except httpx.TransportError:
                        return False

                poll_until(ready, within=within, what=f"replica {port} ready:\n{self.log_text()}")

    def heal(self) -> None:
        if not self.redis.running:
            self.redis.start()
        for port in self.ports:
            if port not in self.processes or self.processes[port].poll() is not None:
                self.start_replica(port)
        self.wait_ready()

    def stop_all(self) -> None:
        for process in self.processes.values():
            process.terminate()
        for process in self.processes.values():
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)

    @contextlib.asynccontextmanager
    async def client(self, key: str, *, mode: Any = "auto", ports: list[int] | None = None) -> AsyncIterator[Client]:
        """An MCP session whose every HTTP request goes to the next replica."""
        rotation = RoundRobin(ports or self.ports)
        self.rotations.append(rotation)
        async with (
            streamable_session(
                self.url(), transport=rotation, headers={"Authorization": f"Bearer {key}"}, mode=mode
            ) as client,
        ):
            yield client

    def listings(self, key: str) -> int:
        return sum(
            1
            for request in self.fake.requests
            if request.path == "/assistants" and request.headers.get("authorization") == f"Bearer {key}"
        )

    def log_text(self) -> str:
        return "\n".join(path.read_text(errors="replace") for path in sorted(self.log_dir.glob("*.log")))


@pytest.fixture(scope="module")
def cluster() -> Iterator[Team]:
    require_redis_server()
    with FakeRevox(api_key=f"{KEY_PREFIX}unused") as fake, tempfile.TemporaryDirectory(prefix="revox-team-") as logs:
        redis = RedisServer().start()
        team = Team(redis, fake, [free_port() for _ in range(REPLICAS)], Path(logs))
        try:
            team.heal()
            yield team
        finally:
            team.stop_all()
            redis.close()
            assert KEY_PREFIX not in team.log_text(), "a key reached a replica's log"


@pytest.fixture
def team(cluster: Team) -> Team:
    cluster.heal()
    cluster.new_keys()
    cluster.rotations.clear()
    return cluster


def ids_of(result: CallToolResult) -> set[str]:
    assert result.is_error is False, text_of(result)
    assert result.structured_content is not None
    return {item["id"] for item in result.structured_content["assistants"]}


async def session_calls(team: Team, key: str, seed: int, calls: int, failures: list[str]) -> int:
    """One session: listings and lookups, each checked to be of the key's own organisation."""
    own, other = (IDS_A, IDS_B) if key == team.key_a else (IDS_B, IDS_A)
    ordered = sorted(own)
    done = 0
    async with team.client(key) as client:
        for call in range(calls):
            if call % 4 == 0:
                result = await client.call_tool("list_assistants", {"limit": 100})
                seen = ids_of(result)
                if seen != own:
                    failures.append(f"{key[:12]} session {seed}: listing {sorted(seen)[:3]}")
            else:
                ident = ordered[(seed + call) % len(ordered)]
                result = await client.call_tool("get_assistant", {"assistant_id": ident})
                content = result.structured_content or {}
                if result.is_error or content.get("id") != ident:
                    failures.append(f"{key[:12]} session {seed} call {call}: {text_of(result)[:200]}")
            if any(ident in text_of(result) for ident in other):
                failures.append(f"{key[:12]} session {seed} call {call}: another organisation's id")
            done += 1
    return done


# --------------------------------------------------------------------------- no stickiness


@pytest.mark.anyio
@pytest.mark.parametrize(("mode", "protocol"), [("auto", MODERN), ("legacy", LEGACY)])
async def test_one_session_spread_over_every_replica_in_both_protocol_eras(team: Team, mode: Any, protocol: str):
    with anyio.fail_after(30):
        async with team.client(team.key_a, mode=mode) as client:
            assert client.protocol_version == protocol
            for _ in range(6):
                assert ids_of(await client.call_tool("list_assistants", {"limit": 100})) == IDS_A
            page = await client.call_tool("list_assistants", {"limit": 3})
            cursor = (page.structured_content or {})["next_cursor"]
            second = await client.call_tool("list_assistants", {"limit": 3, "cursor": cursor})
            assert second.is_error is False, text_of(second)  # a cursor from one replica works on the next
            served = team.rotations[-1].served
    assert set(served) == set(team.ports)
    assert min(served.values()) >= 3
    assert team.listings(team.key_a) == 1  # one upstream listing for all three replicas


# --------------------------------------------------------------------------- load, two organisations


@pytest.mark.anyio
async def test_two_keys_thirty_sessions_twenty_calls_one_listing_per_key(team: Team):
    failures: list[str] = []
    counts: list[int] = []

    async def run(key: str, seed: int) -> None:
        counts.append(await session_calls(team, key, seed, 20, failures))

    with anyio.fail_after(120):
        async with anyio.create_task_group() as tg:
            for seed in range(SESSIONS):
                for key in (team.key_a, team.key_b):
                    tg.start_soon(run, key, seed)
    print(f"\nteam load: {sum(counts)} calls over {2 * SESSIONS} sessions and 3 replicas")
    assert failures == []
    assert sum(counts) == 2 * SESSIONS * 20
    assert team.listings(team.key_a) == team.listings(team.key_b) == 1


# --------------------------------------------------------------------------- isolation


@pytest.mark.anyio
async def test_nothing_of_key_a_reaches_key_b(team: Team):
    with anyio.fail_after(30):
        async with team.client(team.key_a) as a, team.client(team.key_b) as b:
            page = await a.call_tool("list_assistants", {"limit": 2})
            cursor = (page.structured_content or {})["next_cursor"]
            stolen = await b.call_tool("list_assistants", {"limit": 2, "cursor": cursor})
            assert stolen.is_error is True
            assert "another API key" in text_of(stolen)

            # A's entries are cached on every replica and in Redis; B still sees only its own.
            assert ids_of(await b.call_tool("list_assistants", {"limit": 100})) == IDS_B
            missing = await b.call_tool("get_assistant", {"assistant_id": sorted(IDS_A)[0]})
            assert missing.is_error is True

            status_b = await b.call_tool("revox_status", {})
            content = status_b.structured_content or {}
            assert content["api_key_fingerprint"] == fingerprint_of(team.key_b)[:8]
            assert fingerprint_of(team.key_a)[:8] not in json.dumps(content) + text_of(status_b)
            assert content["key_accepted"] is True


# --------------------------------------------------------------------------- what Redis holds


@pytest.mark.anyio
async def test_a_full_dump_of_redis_holds_no_canary_secret_and_no_key(team: Team):
    with anyio.fail_after(30):
        for key, ids in ((team.key_a, IDS_A), (team.key_b, IDS_B)):
            async with team.client(key) as client:
                await client.call_tool("list_assistants", {})
                for ident in sorted(ids):
                    full = await client.call_tool("get_assistant", {"assistant_id": ident, "detail": "full"})
                    assert full.is_error is False, text_of(full)
                await client.call_tool("diagnose_assistant", {})
    dump = team.redis.dump()
    everything = b"\n".join(key + b"\n" + value for key, (value, _ttl) in dump.items())
    print(f"\nRedis dump: {len(dump)} keys, {len(everything):,} bytes")
    assert len(dump) >= 4  # two listings and two key verdicts at least
    assert b"FAKE" not in everything  # every fixture secret contains FAKE
    assert team.key_a.encode() not in everything
    assert team.key_b.encode() not in everything
    assert all(ttl > 0 for _value, ttl in dump.values()), "every value stored has an expiry"


# --------------------------------------------------------------------------- failures


@pytest.mark.anyio
async def test_killing_a_replica_mid_run_only_costs_a_retry_on_another(team: Team):
    failures: list[str] = []
    answered = 0
    some_answered, killed = anyio.Event(), anyio.Event()
    retried: list[str] = []

    async def session(seed: int) -> None:
        """20 calls; when its connection dies with a replica, the client reconnects and retries (any replica)."""
        nonlocal answered
        done, attempts = 0, 0
        while done < 20 and attempts < 5:
            attempts += 1
            try:
                async with team.client(team.key_a if seed % 2 else team.key_b) as client:
                    while done < 20:
                        result = await client.call_tool("list_assistants", {"limit": 5})
                        if result.is_error:
                            failures.append(text_of(result)[:200])
                        done += 1
                        answered += 1
                        if answered >= 12:  # the others' calls wait here until a replica is killed
                            some_answered.set()
                            await killed.wait()
            except Exception as exc:  # the replica died under this call: a new connection goes elsewhere
                retried.append(repr(exc)[:100])
        if done < 20:
            failures.append(f"session {seed}: {done} calls answered after {attempts} connections")

    with anyio.fail_after(60):
        async with anyio.create_task_group() as tg:
            for seed in range(6):
                tg.start_soon(session, seed)
            await some_answered.wait()
            victim = team.processes.pop(team.ports[1])
            victim.kill()
            await anyio.to_thread.run_sync(victim.wait)
            answered_at_kill = answered
            killed.set()
    assert 12 <= answered_at_kill < 6 * 20  # killed mid-run
    assert failures == []
    assert answered == 6 * 20


@pytest.mark.anyio
async def test_redis_going_away_and_back_calls_keep_answering_and_sharing_resumes(team: Team):
    logged = team.log_text()
    with anyio.fail_after(60):
        for port in team.ports:  # each replica reads the shared entry, and keeps a copy
            async with team.client(team.key_a, ports=[port]) as one:
                assert ids_of(await one.call_tool("list_assistants", {"limit": 100})) == IDS_A
        async with team.client(team.key_a) as client:
            team.redis.stop()
            async with httpx.AsyncClient(timeout=5, verify=NO_TLS) as probe:
                ready = await probe.get(f"http://127.0.0.1:{team.ports[0]}/readyz")
                assert ready.status_code == 503
                assert "Redis" in ready.json()["reason"]
                assert (await probe.get(f"http://127.0.0.1:{team.ports[0]}/healthz")).status_code == 200
            for _ in range(9):  # every replica, from its own cache (each Redis command has its bound)
                assert ids_of(await client.call_tool("list_assistants", {"limit": 100})) == IDS_A
            assert team.listings(team.key_a) == 1

            team.redis.start()  # empty: no persistence
            await anyio.to_thread.run_sync(team.wait_ready)  # each replica's /readyz finds Redis back
            for _ in range(6):
                await client.call_tool("list_assistants", {"limit": 100})
        async with team.client(team.key_b) as b:
            assert ids_of(await b.call_tool("list_assistants", {"limit": 100})) == IDS_B
        await anyio.to_thread.run_sync(team.wait_ready)
    assert any(key.startswith(b"revox-mcp:1:") and b":GET:/assistants" in key for key in team.redis.dump())
    text = team.log_text().removeprefix(logged)
    assert text.count("is unreachable") == REPLICAS  # one line per replica when Redis goes away...
    assert text.count("is back after") == REPLICAS  # ...and one when it is back
    assert text.count(f"Redis at {team.redis.url} is") == 2 * REPLICAS  # its address, as configured


@pytest.mark.anyio
async def test_a_429_for_key_a_backs_every_replica_off_and_leaves_key_b_alone(team: Team):
    with anyio.fail_after(30):
        async with team.client(team.key_a) as a, team.client(team.key_b) as b:
            team.fake.inject(Fault.rate_limited("30"), key=team.key_a)
            limited = await a.call_tool("list_assistants", {})
            assert limited.is_error is True
            assert "rate limiting" in text_of(limited)
            assert "retry in" in text_of(limited)
            before = len(team.fake.requests)
            with anyio.fail_after(20):  # at once, not after the 30 s Retry-After
                for _ in range(6):  # every replica, with the wait left
                    again = await a.call_tool("get_assistant", {"assistant_id": sorted(IDS_A)[0]})
                    assert again.is_error is True
                    assert "retry in" in text_of(again)
            assert len(team.fake.requests) == before  # nobody asked Revox for key A
            assert ids_of(await b.call_tool("list_assistants", {"limit": 100})) == IDS_B
    with team.redis.client() as client:
        assert 20_000 < int(client.pttl(f"revox-mcp:1:backoff:{fingerprint_of(team.key_a)}")) <= 30_000


# --------------------------------------------------------------------------- auth at the door


@pytest.mark.anyio
async def test_a_missing_or_rejected_key_is_401_and_a_bad_key_costs_one_check(team: Team):
    initialize = {"jsonrpc": "2.0", "id": 1, "method": "ping"}
    headers = {"accept": "application/json, text/event-stream", "content-type": "application/json"}
    wrong = f"{KEY_PREFIX}wrong-{uuid.uuid4().hex}"
    with anyio.fail_after(30):
        async with httpx.AsyncClient(timeout=10, verify=NO_TLS) as http:
            missing = await http.post(team.url(), json=initialize, headers=headers)
            assert missing.status_code == 401
            assert missing.headers["www-authenticate"].startswith("Bearer")
            for port in team.ports * 5:
                bad = await http.post(
                    team.url(port), json=initialize, headers={**headers, "authorization": f"Bearer {wrong}"}
                )
                assert bad.status_code == 401
                assert bad.headers["www-authenticate"].startswith("Bearer")
                assert wrong not in bad.text
    checks = [r for r in team.fake.requests if r.path == "/auth-status" and wrong in r.headers["authorization"]]
    assert len(checks) == 1  # the verdict is shared by the replicas for 10 s


@pytest.mark.anyio
async def test_while_revox_cannot_check_keys_a_new_key_costs_one_check_per_back_off_window(team: Team):
    """503 on /auth-status: the first request checks (with its retries), every replica then lets the
    never-seen key through at once until the back-off ends, instead of checking it on every request."""
    team.fake.inject(*[Fault.status(503)] * 60, path="/auth-status", key=team.key_a)
    with anyio.fail_after(60):
        async with team.client(team.key_a) as client:
            for _ in range(4):
                assert ids_of(await client.call_tool("list_assistants", {"limit": 100})) == IDS_A
            served = team.rotations[-1].served
    checks = [r for r in team.fake.requests if r.path == "/auth-status" and team.key_a in r.headers["authorization"]]
    assert set(served) == set(team.ports)  # every replica answered some of the requests
    requests = sum(served.values())
    # Before: three GETs per request. Now: one check (three GETs) per back-off window of 2 s, then
    # 4 s... for all the replicas; two windows at most on a slow machine.
    assert len(checks) <= 6 < 3 * requests


@pytest.fixture
def sse_port(team: Team) -> Iterator[int]:
    """One more replica, on the SSE transport, with the same Redis."""
    port = free_port()
    env = {
        **child_env(),
        "REVOX_BASE_URL": team.fake.base_url,
        "REVOX_MCP_REDIS_URL": team.redis.url,
    }
    sse = subprocess.Popen(
        [sys.executable, "-m", "revox_mcp", "--transport", "sse", "--multi-user", "--port", str(port)],
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    team.processes[port] = sse
    try:
        team.wait_ready()
        yield port
    finally:
        del team.processes[port]
        sse.terminate()
        sse.wait(timeout=10)


@pytest.mark.anyio
async def test_sse_checks_the_key_on_the_stream_and_on_every_message(team: Team, sse_port: int):
    base = f"http://127.0.0.1:{sse_port}"
    ping = {"jsonrpc": "2.0", "id": 1, "method": "ping"}
    with anyio.fail_after(30):
        async with httpx.AsyncClient(timeout=5, verify=NO_TLS) as http:
            assert (await http.get(f"{base}/sse")).status_code == 401
            wrong = await http.get(f"{base}/sse", headers={"authorization": f"Bearer {KEY_PREFIX}wrong"})
            assert wrong.status_code == 401
            async with http.stream("GET", f"{base}/sse", headers={"authorization": f"Bearer {team.key_b}"}) as stream:
                assert stream.status_code == 200
                lines = stream.aiter_lines()
                endpoint = ""
                while not endpoint.startswith("data: /messages/"):
                    endpoint = await lines.__anext__()
                messages = base + endpoint.removeprefix("data: ")
                for key, status in ((None, 401), (f"{KEY_PREFIX}wrong", 401), (team.key_a, 404), (team.key_b, 202)):
                    headers = {"authorization": f"Bearer {key}"} if key else {}
                    assert (await http.post(messages, json=ping, headers=headers)).status_code == status, key
        async with Client(
            sse_client(f"{base}/sse", headers={"Authorization": f"Bearer {team.key_b}"}, httpx_client_factory=mcp_http)
        ) as client:
            assert ids_of(await client.call_tool("list_assistants", {"limit": 100})) == IDS_B


# --------------------------------------------------------------------------- start-up


@pytest.mark.parametrize(
    ("argv", "env", "words"),
    [
        (["--transport", "streamable-http", "--auth-token", "tok"], {}, "takes no --auth-token"),
        (["--transport", "sse"], {"REVOX_MCP_AUTH_TOKEN": "tok"}, "takes no --auth-token"),
        ([], {}, "needs an HTTP transport"),
        (["call", "list_assistants"], {}, "needs an HTTP transport"),
        (["--transport", "streamable-http"], {"REVOX_MCP_REDIS_URL": "http://cache:6379"}, "REVOX_MCP_REDIS_URL"),
    ],
)
def test_multi_user_start_up_errors_are_one_clear_line(
    argv: list[str],
    env: dict[str, str],
    words: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
):
    from revox_mcp.__main__ import main

    for name in ("REVOX_API_KEY", "REVOX_MCP_AUTH_TOKEN", "REVOX_MCP_REDIS_URL"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(SystemExit) as exited:
        main(["--multi-user", *argv])
    assert exited.value.code == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1
    assert words in lines[0]


@pytest.mark.anyio
async def test_multi_user_needs_no_server_key_and_reads_each_callers():
    from revox_mcp.server.app import build_server
    from revox_mcp.settings import load_settings

    settings = load_settings({"REVOX_API_KEY": "sk-ignored-in-this-mode"}, multi_user=True)
    assert settings.api_key is None
    async with Client(build_server(settings)) as client:  # in process: no bearer token, so no key at all
        result = await client.call_tool("list_assistants", {})
    assert result.is_error is True
    assert "send it as Authorization: Bearer <key>" in text_of(result)


async def readiness(server: Any) -> tuple[int, dict[str, Any]]:
    """GET /readyz on ``server``'s HTTP app."""
    app = server.streamable_http_app()
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url="http://127.0.0.1") as http:
        ready = await http.get("/readyz")
    return ready.status_code, ready.json()


@pytest.mark.anyio
async def test_one_key_and_a_redis_url_make_replicas_of_a_single_user_server():
    from revox_mcp.server.app import build_server
    from revox_mcp.settings import load_settings

    env = {"REVOX_API_KEY": f"{KEY_PREFIX}single", "REVOX_MCP_REDIS_URL": "redis://:pw-secret@127.0.0.1:1/0"}
    settings = load_settings(env)
    assert settings.replicated is True  # stateless HTTP, and a 429 shared rather than slept through
    status, body = await readiness(build_server(settings))
    assert status == 503  # its cache is Redis's, which is not there
    assert body["reason"] == "Redis at redis://127.0.0.1:1/0 is unreachable"  # host and port, never the password
    status, body = await readiness(build_server(load_settings(env, demo=True)))
    assert (status, body["cache"]) == (200, "in-process")  # --demo ignores Redis
