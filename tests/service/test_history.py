"""The history wired end to end: what the server fetches is stored before the answer returns, by
content, secret-free; assistant_history shows both sources; analyze_calls attributes to stored
versions; revox_status reports the store. Through the official MCP client, over the fake Revox."""

from __future__ import annotations

import copy
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import anyio
import pytest
from calls_support import CALLS, PERSONAL, PII_CALL, REMINDERS_ID
from mcp import Client
from support import (
    API_KEY,
    ASSISTANTS,
    BASE_URL,
    BASELINE_ID,
    LISTED_IDS,
    MAX_RESPONSE_BYTES,
    SECRETS_ID,
    demo_server,
    make_settings,
    server_over,
    text_of,
    wire_bytes,
)

from revox_mcp.api.client import RevoxApi
from revox_mcp.api.demo import DEMO_NOW
from revox_mcp.api.fake import Account, FakeApi, Organisation
from revox_mcp.api.fake.transport import fake_transport
from revox_mcp.cache.backend import MemoryBackend
from revox_mcp.cache.store import Cache
from revox_mcp.credential import Credential
from revox_mcp.history.settings import history_of
from revox_mcp.history.sqlite import FILE_NAME, SqliteStore
from revox_mcp.server.state import AppState, FixedCredential
from revox_mcp.service.bundle import Services
from revox_mcp.service.data import RevoxData
from revox_mcp.settings import Secret

TRIALS = "9d0e8f7a-6b5c-4d4e-8f3a-2b1c0d9e8f70"  # the demo's Trial Follow-up: a prompt edit, then a model switch
CRED = Credential(API_KEY)
ACCOUNT = CRED.fingerprint


async def versions_in(state_dir: Path, ident: str) -> list[Any]:
    store = SqliteStore(state_dir / FILE_NAME)
    try:
        return await store.read(ACCOUNT, ident, 50)
    finally:
        await store.aclose()


def edited(ident: str, prompt: str) -> list[dict[str, Any]]:
    assistants = copy.deepcopy(ASSISTANTS)
    for assistant in assistants:
        if assistant["id"] == ident:
            assistant["prompt"] = prompt
    return assistants


def history_server(state_dir: Path, assistants: list[dict[str, Any]] | None = None, **options: Any) -> Any:
    return server_over(
        assistants, LISTED_IDS if assistants is not None else None, state_dir=state_dir, cache_ttl=0, **options
    )


@pytest.mark.anyio
async def test_a_fetched_assistant_is_stored_before_the_answer_that_saw_it_returns(tmp_path: Path) -> None:
    async with Client(history_server(tmp_path)) as client:
        result = await client.call_tool("get_assistant", {"assistant_id": BASELINE_ID})
        assert not result.is_error
        (version,) = await versions_in(tmp_path, BASELINE_ID)  # the server is still running: nothing flushed later
        assert version.config["id"] == BASELINE_ID


@pytest.mark.anyio
async def test_unchanged_refreshes_write_nothing_and_a_change_survives_a_restart(tmp_path: Path) -> None:
    async with Client(history_server(tmp_path)) as client:
        for _ in range(3):  # cache_ttl=0: each call fetches again
            await client.call_tool("list_assistants", {})
            await client.call_tool("get_assistant", {"assistant_id": BASELINE_ID})
    assert len(await versions_in(tmp_path, BASELINE_ID)) == 1
    new_prompt = "You are the new baseline agent.\nAlways greet by name.\nNever promise discounts."
    async with Client(history_server(tmp_path, edited(BASELINE_ID, new_prompt))) as client:
        await client.call_tool("get_assistant", {"assistant_id": BASELINE_ID})
        result = await client.call_tool("assistant_history", {"assistant_id": BASELINE_ID})
    assert len(await versions_in(tmp_path, BASELINE_ID)) == 2
    history = result.structured_content
    assert history is not None
    assert history["total_versions"] == 2
    newest, oldest = history["versions"]
    assert newest["fields"] == ["prompt"]
    (change,) = newest["changes"]
    assert change["path"] == "prompt"
    assert "+Never promise discounts." in change["diff"]
    assert oldest["summary"] == "the oldest version stored"
    assert "prompt changed" in text_of(result)
    assert "+Never promise discounts." in text_of(result)


@pytest.mark.anyio
async def test_with_the_history_off_nothing_is_written_anywhere(tmp_path: Path) -> None:
    state = tmp_path / "state"
    async with Client(history_server(state, history="off")) as client:
        await client.call_tool("list_assistants", {})
        await client.call_tool("get_assistant", {"assistant_id": BASELINE_ID})
        result = await client.call_tool("assistant_history", {"assistant_id": BASELINE_ID})
        status = await client.call_tool("revox_status", {})
    assert not await anyio.Path(state).exists()
    assert result.structured_content is not None
    assert result.structured_content["versions"] == []
    assert result.structured_content["store"]["state"] == "off"
    assert status.structured_content is not None
    assert status.structured_content["history"]["state"] == "off"


@pytest.mark.anyio
async def test_secrets_never_reach_the_store(tmp_path: Path) -> None:
    async with Client(history_server(tmp_path)) as client:
        await client.call_tool("list_assistants", {})
        await client.call_tool("get_assistant", {"assistant_id": SECRETS_ID})
    assert await versions_in(tmp_path, SECRETS_ID)
    raw = b"".join([await anyio.Path(path).read_bytes() async for path in anyio.Path(tmp_path).iterdir()])
    raw = b"".join([await path.read_bytes() async for path in anyio.Path(tmp_path).iterdir()])
    assert API_KEY.encode() not in raw
    assert b"[REDACTED]" in raw  # the versions are stored as answers show them


@pytest.mark.anyio
async def test_a_broken_store_costs_no_answer_and_revox_status_says_so(tmp_path: Path) -> None:
    blocked = tmp_path / "a-file"
    blocked.write_text("not a directory")
    async with Client(history_server(blocked)) as client:
        listed = await client.call_tool("list_assistants", {})
        got = await client.call_tool("get_assistant", {"assistant_id": BASELINE_ID})
        status = await client.call_tool("revox_status", {})
    assert not listed.is_error
    assert not got.is_error
    assert status.structured_content is not None
    history = status.structured_content["history"]
    assert history["state"] == "unavailable"
    assert history["failures"] >= 1
    assert API_KEY not in json.dumps(status.structured_content)


@pytest.mark.anyio
async def test_revox_status_counts_the_versions_stored_for_the_key(tmp_path: Path) -> None:
    async with Client(history_server(tmp_path)) as client:
        await client.call_tool("list_assistants", {})
        status = await client.call_tool("revox_status", {})
    assert status.structured_content is not None
    history = status.structured_content["history"]
    assert (history["state"], history["store"]) == ("ok", "sqlite")
    assert history["versions"] == len(LISTED_IDS)
    assert history["where"] == str(tmp_path / FILE_NAME)


# --- the demo: its history seeded in memory --------------------------------------------------------


def demo() -> Any:
    return demo_server(demo=True, demo_now=DEMO_NOW)


@pytest.mark.anyio
async def test_the_demo_history_shows_stored_versions_and_changes_seen_in_calls() -> None:
    async with Client(demo()) as client:
        result = await client.call_tool("assistant_history", {"assistant_id": TRIALS})
    assert wire_bytes(result) <= MAX_RESPONSE_BYTES
    history = result.structured_content
    assert history is not None
    assert history["store"]["kind"] == "memory"
    versions = history["versions"]
    summaries = [version["summary"] for version in versions]
    assert summaries[0] == "model changed: openai/gpt-4.1 → openai/gpt-5"
    assert "prompt changed" in summaries
    prompt = next(version for version in versions if version["summary"] == "prompt changed")
    assert prompt["at"] == "2026-02-19T14:02:00Z"
    assert prompt["dated"] == "updated_at"
    assert prompt["changes"][0]["path"] == "prompt"
    kinds = {change["kind"] for change in history["call_changes"]}
    assert {"prompt", "model"} <= kinds
    assert all(change["source"] == "calls" for change in history["call_changes"])
    text = text_of(result)
    assert "V1 2026-02-24T11:47:00Z (updated_at): model changed" in text
    assert "2026-02-19T14:25:12Z prompt changed" in text  # the first call with the new prompt


@pytest.mark.anyio
async def test_the_history_pages_with_its_cursor() -> None:
    async with Client(demo()) as client:
        first = await client.call_tool("assistant_history", {"assistant_id": TRIALS, "limit": 2})
        assert first.structured_content is not None
        cursor = first.structured_content["next_cursor"]
        second = await client.call_tool("assistant_history", {"assistant_id": TRIALS, "limit": 2, "cursor": cursor})
    assert second.structured_content is not None
    seen = [v["seen_at"] for v in first.structured_content["versions"] + second.structured_content["versions"]]
    assert len(seen) == len(set(seen)) == 4
    assert "next_cursor" not in second.structured_content


@pytest.mark.anyio
async def test_analyze_calls_attributes_change_points_to_stored_versions_too() -> None:
    async with Client(demo()) as client:
        result = await client.call_tool("analyze_calls", {"assistant_id": TRIALS, "days": 14})
    analysis = result.structured_content
    assert analysis is not None
    causes = {(p["metric"], p["cause"]["source"], p["cause"]["at"]) for p in analysis["change_points"]}
    # The prompt edit at 14:02 (the assistant's updated_at), not the first call after it (14:25).
    assert ("end_reason=user_rejected", "stored", "2026-02-19T14:02:00Z") in causes
    assert ("llm_ttft_ms", "stored", "2026-02-24T11:47:00Z") in causes
    stored_prompt = next(c for c in analysis["config_changes"] if c["source"] == "stored" and c["kind"] == "prompt")
    assert stored_prompt["diff"][0]["path"] == "prompt"
    assert wire_bytes(result) <= 16_000 + 1_000


@pytest.mark.anyio
async def test_assistant_history_points_at_the_diff_view() -> None:
    async with Client(demo()) as client:
        tools = await client.list_tools()
    (tool,) = [tool for tool in tools.tools if tool.name == "assistant_history"]
    assert tool.meta == {"ui": {"resourceUri": "ui://revox-mcp/config-diff.html"}}


# --- team mode: the Redis shared by replicas --------------------------------------------------------


@asynccontextmanager
async def replica(redis_url: str) -> AsyncIterator[AppState]:
    """One team replica's state (its own cache and data access), its history in the shared Redis."""
    settings = make_settings(redis_url=Secret(redis_url), cache_ttl=0)
    transport = fake_transport(FakeApi({API_KEY: Organisation(ASSISTANTS, LISTED_IDS)}))
    history = history_of(settings)
    try:
        async with RevoxApi(base_url=BASE_URL, transport=transport) as api, Cache(MemoryBackend()) as cache:
            yield AppState(
                settings, FixedCredential(CRED), lambda: Services.over(settings, RevoxData(api, cache), history)
            )
    finally:
        await history.aclose()


@pytest.mark.anyio
async def test_in_team_mode_replicas_share_the_history_in_redis(redis_server: Any) -> None:
    async with replica(redis_server.url) as one, replica(redis_server.url) as two:
        await one.services.assistants.assistant(CRED, BASELINE_ID)
        answer = await two.services.history.assistant_history(CRED, BASELINE_ID)
        health = await two.services.history.health(CRED)
    history = answer.structured
    assert history["store"]["kind"] == "redis"
    assert history["total_versions"] == 1
    assert (health.state, health.versions) == ("ok", len(LISTED_IDS))
    dumped = redis_server.dump()
    kept = {key: ttl for key, (_value, ttl) in dumped.items() if b":history:" in key}
    assert kept
    assert all(ttl > 0 for ttl in kept.values())
    assert b"FAKE" not in b"".join(value for value, _ttl in dumped.values())


@pytest.mark.anyio
async def test_with_personal_data_masked_the_store_holds_none(tmp_path: Path) -> None:
    """Every call tool run over calls full of personal data, with the store on: none of it is in the file."""
    server = server_over(account=Account(calls=CALLS), state_dir=tmp_path, cache_ttl=0)
    async with Client(server) as client:
        for tool, arguments in (
            ("list_calls", {"limit": 50}),
            ("get_call", {"call_id": PII_CALL, "detail": "full"}),
            ("get_call", {"call_id": PII_CALL, "detail": "transcript"}),
            ("analyze_calls", {"assistant_id": REMINDERS_ID}),
            ("analyze_calls", {"assistant_id": REMINDERS_ID, "since": "2026-02-01", "until": "2026-02-28"}),
            ("assistant_history", {"assistant_id": REMINDERS_ID}),
            ("get_assistant", {"assistant_id": REMINDERS_ID, "detail": "full"}),
        ):
            result = await client.call_tool(tool, arguments)
            assert not result.is_error, (tool, text_of(result))
    assert await versions_in(tmp_path, REMINDERS_ID)  # the store was written
    raw = b"".join([await path.read_bytes() async for path in anyio.Path(tmp_path).iterdir()])
    found = [value for value in PERSONAL if value.encode() in raw]
    assert not found
