"""Troubleshooting through the official MCP client: diagnose_assistant, compare_assistants,
revox_status and the troubleshoot_assistant prompt, in memory and once over stdio.

Upstream is the fake Revox in process over the fixtures; each kind of failed key check (401, 404,
429, 5xx, no answer) is in tests/service/test_status.py, over the loopback fake.
"""

from __future__ import annotations

import json
import sys
from typing import Any

import anyio
import pytest
from answers_support import unshown_fields
from fake_revox import FakeRevox, Fault
from mcp import Client, StdioServerParameters
from mcp.server.mcpserver import MCPServer
from mcp.types import CallToolResult, TextContent
from processes import child_env
from support import (
    API_KEY,
    ASSISTANTS,
    BASE_URL,
    BASELINE_ID,
    FRENCH_ID,
    LISTED_IDS,
    LONG_PROMPT_ID,
    MISCONFIGURED_ID,
    SUB_ID,
    server_over,
    text_of,
)
from support import make_server as support_make_server

from revox_mcp.domain.compare import MAX_DIFF_LINES
from revox_mcp.domain.diagnostics import RULES as CONFIGURATION_RULES
from revox_mcp.domain.diagnostics.account import ACCOUNT_RULES
from revox_mcp.domain.named_fields import states_value

ALL_IDS = [a["id"] for a in ASSISTANTS]
FINDING_KEYS = {"rule", "severity", "path", "message", "fix"}


def make_server() -> MCPServer:
    """The server over the fixtures."""
    return server_over()


def status_server(auth_fault: Fault | None = None) -> MCPServer:
    """The server over the fake Revox in process, ``GET /auth-status`` answered by ``auth_fault`` if given."""
    fake = FakeRevox(api_key=API_KEY)
    if auth_fault is not None:
        fake.fail_every(auth_fault, path="/auth-status")
    return support_make_server(transport=fake.transport())


def assert_clean(result: CallToolResult) -> None:
    """No fixture secret and no API key, in the text or in the structured content."""
    for output in (text_of(result), json.dumps(result.structured_content)):
        assert "FAKE" not in output
        assert API_KEY not in output
        assert "Traceback" not in output


async def call_ok(client: Client, tool: str, arguments: dict[str, Any]) -> dict[str, Any]:
    result = await client.call_tool(tool, arguments)
    assert result.is_error is False, text_of(result)
    assert_clean(result)
    assert result.structured_content is not None
    return result.structured_content


# --------------------------------------------------------------------------- diagnose_assistant


@pytest.mark.anyio
async def test_diagnosing_the_misconfigured_assistant_lists_its_errors_with_fixes():
    async with Client(make_server()) as client:
        body = await call_ok(client, "diagnose_assistant", {"assistant_id": MISCONFIGURED_ID})
    assert body["assistant_id"] == MISCONFIGURED_ID
    assert body["name"] == "Appointment Reminders (misconfigured)"
    assert body["findings"]
    assert all(FINDING_KEYS <= set(finding) <= {*FINDING_KEYS, "related"} for finding in body["findings"])
    errors = {f["rule"] for f in body["findings"] if f["severity"] == "error"}
    assert errors == {"retry.window.end_before_start", "retry.window.time_format", "first_sentence.static_empty"}
    assert "max_duration.too_short" in {f["rule"] for f in body["findings"] if f["severity"] == "warning"}


@pytest.mark.anyio
async def test_every_field_a_diagnosis_names_is_shown_with_its_value():
    """End to end, over every fixture assistant: each fix names only fields the answer shows."""
    checked = 0
    async with Client(make_server()) as client:
        for assistant in ASSISTANTS:
            result = await client.call_tool("diagnose_assistant", {"assistant_id": assistant["id"]})
            assert_clean(result)
            assert result.structured_content is not None
            lines = text_of(result)
            for finding in result.structured_content["findings"]:
                spec = {**CONFIGURATION_RULES, **ACCOUNT_RULES}[finding["rule"]]
                missing = unshown_fields(
                    finding["fix"],
                    finding["path"],
                    finding.get("related"),
                    lines,
                    assistant,
                    base_shown=states_value(spec.message),
                    names_base="{path}" in spec.fix,
                )
                assert missing == [], finding
                checked += 1
    assert checked >= 40


@pytest.mark.anyio
async def test_diagnosing_a_realtime_assistant_says_its_voice_is_unused_and_nothing_else_about_it():
    """The misconfigured fixture is realtime: its voice's speed (1.4) and volume used to be warned about."""
    async with Client(make_server()) as client:
        result = await client.call_tool("diagnose_assistant", {"assistant_id": MISCONFIGURED_ID})
    assert result.structured_content is not None
    about_voice = [f for f in result.structured_content["findings"] if f["path"].startswith("voice")]
    assert [f["rule"] for f in about_voice] == ["llm.realtime.voice_unused"]
    assert "voice.speed" not in text_of(result)
    assert "voice.volume" not in text_of(result)


@pytest.mark.anyio
async def test_the_baseline_assistant_has_no_error_or_warning():
    async with Client(make_server()) as client:
        body = await call_ok(client, "diagnose_assistant", {"assistant_id": BASELINE_ID})
    assert {f["severity"] for f in body.get("findings", [])} <= {"info"}


@pytest.mark.anyio
async def test_diagnosis_lists_the_variables_each_call_must_supply():
    async with Client(make_server()) as client:
        result = await client.call_tool("diagnose_assistant", {"assistant_id": LONG_PROMPT_ID})
    variables = {v["name"]: v["sources"] for v in result.structured_content["variables"]}
    assert {"candidate_first_name", "job_title", "candidate_id"} <= set(variables)
    assert "custom_tools[0].url" in variables["candidate_id"]
    assert "Variables each call must supply: agency_name" in text_of(result)


@pytest.mark.anyio
async def test_without_an_id_every_listed_assistant_is_ranked_worst_first():
    async with Client(make_server()) as client:
        body = await call_ok(client, "diagnose_assistant", {})
    rows = body["assistants"]
    assert body["total"] == len(rows) == 8
    assert {row["id"] for row in rows} == LISTED_IDS
    ranks = [(-row["errors"], -row["warnings"]) for row in rows]
    assert ranks == sorted(ranks)
    assert rows[0]["id"] == MISCONFIGURED_ID
    assert rows[0]["top"].startswith("error ")
    assert "next_cursor" not in body


@pytest.mark.anyio
async def test_the_ranking_pages_through_every_assistant_with_next_cursor():
    seen: list[str] = []
    async with Client(make_server()) as client:
        body = await call_ok(client, "diagnose_assistant", {"limit": 3})
        seen += [row["id"] for row in body["assistants"]]
        while "next_cursor" in body:
            body = await call_ok(client, "diagnose_assistant", {"limit": 3, "cursor": body["next_cursor"]})
            seen += [row["id"] for row in body["assistants"]]
        everything = await call_ok(client, "diagnose_assistant", {})
    assert seen == [row["id"] for row in everything["assistants"]]
    assert len(seen) == 8


@pytest.mark.anyio
@pytest.mark.parametrize("cursor", ["not-a-cursor", "list"])
async def test_a_bad_cursor_is_a_tool_error(cursor: str):
    async with Client(make_server()) as client:
        if cursor == "list":  # a list_assistants cursor does not page the ranking
            listing = await call_ok(client, "list_assistants", {"limit": 3})
            cursor = listing["next_cursor"]
        result = await client.call_tool("diagnose_assistant", {"cursor": cursor})
    assert result.is_error is True
    assert "cursor" in text_of(result)


@pytest.mark.anyio
async def test_an_unknown_id_is_a_tool_error_pointing_at_list_assistants():
    async with Client(make_server()) as client:
        result = await client.call_tool("diagnose_assistant", {"assistant_id": "no-such-assistant"})
    assert result.is_error is True
    assert "list_assistants" in text_of(result)


@pytest.mark.anyio
async def test_a_sub_assistant_missing_from_the_list_is_diagnosed_by_id():
    async with Client(make_server()) as client:
        ranking = await call_ok(client, "diagnose_assistant", {})
        body = await call_ok(client, "diagnose_assistant", {"assistant_id": SUB_ID})
    assert SUB_ID not in {row["id"] for row in ranking["assistants"]}
    assert body["assistant_id"] == SUB_ID
    assert body["name"] == "Buyer intake (step of flow)"


# --------------------------------------------------------------------------- compare_assistants


async def compare_tool(client: Client, first: str, second: str, **extra: Any) -> dict[str, Any]:
    body = await call_ok(client, "compare_assistants", {"assistant_id_a": first, "assistant_id_b": second, **extra})
    comparison: dict[str, Any] = body["comparison"]
    return comparison


@pytest.mark.anyio
async def test_compare_lists_differences_with_both_values_and_counts_identical_fields():
    async with Client(make_server()) as client:
        comparison = await compare_tool(client, BASELINE_ID, MISCONFIGURED_ID)
    changes = {c["path"]: c for c in comparison["changes"]}
    assert changes["max_call_duration_secs"] == {"path": "max_call_duration_secs", "kind": "changed", "a": 480, "b": 45}
    assert changes["voice.provider"]["a"] == "cartesia"
    assert changes["voice.provider"]["b"] == "elevenlabs"
    # A null side is shown as null, not dropped.
    assert changes["human_transfer_mode"] == {"path": "human_transfer_mode", "kind": "changed", "a": None, "b": "warm"}
    assert comparison["identical_fields"] > 0
    assert "id" in comparison["ignored"]
    assert comparison["a"] == {"id": BASELINE_ID, "name": "Lead Qualification - EN (baseline)"}


@pytest.mark.anyio
async def test_a_changed_prompt_is_a_bounded_unified_diff():
    async with Client(make_server()) as client:
        comparison = await compare_tool(client, BASELINE_ID, LONG_PROMPT_ID, fields=["prompt"])
    [change] = comparison["changes"]
    assert change["path"] == "prompt"
    assert change["a"].endswith(" chars]")
    lines = change["diff"].splitlines()
    assert lines[:2] == ["--- A", "+++ B"]
    assert len(lines) <= MAX_DIFF_LINES + 1


@pytest.mark.anyio
async def test_fields_restricts_the_comparison():
    async with Client(make_server()) as client:
        comparison = await compare_tool(client, BASELINE_ID, MISCONFIGURED_ID, fields=["voice"])
    assert comparison["changes"]
    assert all(c["path"].startswith("voice") for c in comparison["changes"])


@pytest.mark.anyio
async def test_an_unknown_field_is_a_clear_tool_error():
    async with Client(make_server()) as client:
        result = await client.call_tool(
            "compare_assistants",
            {"assistant_id_a": BASELINE_ID, "assistant_id_b": FRENCH_ID, "fields": ["voise"]},
        )
    assert result.is_error is True
    assert "Unknown field(s) 'voise'" in text_of(result)
    assert "voice" in text_of(result)


@pytest.mark.anyio
async def test_an_assistant_compared_with_itself_has_no_differences():
    async with Client(make_server()) as client:
        result = await client.call_tool(
            "compare_assistants", {"assistant_id_a": FRENCH_ID, "assistant_id_b": FRENCH_ID}
        )
    assert result.structured_content["comparison"]["changes"] == []
    assert "0 differences" in text_of(result)


# --------------------------------------------------------------------------- revox_status


@pytest.mark.anyio
async def test_status_reports_an_accepted_key_by_fingerprint_only():
    async with Client(status_server()) as client:
        result = await client.call_tool("revox_status", {})
    body = result.structured_content
    assert result.is_error is False
    assert body["key_accepted"] is True
    assert body["api_key_configured"] is True
    assert 4 <= len(body["api_key_fingerprint"]) <= 12
    assert body["base_url"] == BASE_URL
    assert body["latency_ms"] >= 0
    assert body["version"]
    assert body["demo"] is False
    assert_clean(result)


@pytest.mark.anyio
async def test_status_shows_the_cache_filling_up():
    async with Client(make_server()) as client:
        before = (await call_ok(client, "revox_status", {}))["cache"]
        await call_ok(client, "list_assistants", {})
        after_miss = (await call_ok(client, "revox_status", {}))["cache"]
        await call_ok(client, "list_assistants", {})
        after_hit = (await call_ok(client, "revox_status", {}))["cache"]
    assert after_miss["upstream_requests"] > before["upstream_requests"]
    assert after_miss["entries"] == before["entries"] + 1
    assert after_hit["hits"] == after_miss["hits"] + 1
    # The second listing came from the cache: only the status call itself went upstream.
    assert after_hit["upstream_requests"] == after_miss["upstream_requests"] + 1


# --------------------------------------------------------------------------- the prompt


@pytest.mark.anyio
async def test_the_troubleshoot_prompt_takes_an_id_and_a_symptom():
    async with Client(make_server()) as client:
        prompts = {p.name: p for p in (await client.list_prompts()).prompts}
        got = await client.get_prompt(
            "troubleshoot_assistant", {"assistant_id": FRENCH_ID, "symptom": "hangs up early"}
        )
    prompt = prompts["troubleshoot_assistant"]
    assert [(a.name, a.required) for a in prompt.arguments or []] == [("assistant_id", True), ("symptom", True)]
    [message] = got.messages
    assert message.role == "user"
    assert isinstance(message.content, TextContent)
    text = message.content.text
    assert '"hangs up early"' in text
    assert f'diagnose_assistant(assistant_id="{FRENCH_ID}")' in text
    for tool in ("get_assistant", "list_assistants", "compare_assistants", "revox_status"):
        assert tool in text


# --------------------------------------------------------------------------- canary


@pytest.mark.anyio
async def test_no_secret_or_key_reaches_any_troubleshooting_output():
    """Every fixture through every new tool: the FAKE canaries and the API key never appear."""
    async with Client(make_server()) as client:
        await call_ok(client, "diagnose_assistant", {})
        await call_ok(client, "revox_status", {})
        for assistant_id in ALL_IDS:
            await call_ok(client, "diagnose_assistant", {"assistant_id": assistant_id})
            for other_id in (BASELINE_ID, "2b7c6d5e-4f3a-4b2c-9d1e-0f9e8d7c6b63"):
                await call_ok(
                    client, "compare_assistants", {"assistant_id_a": assistant_id, "assistant_id_b": other_id}
                )
                await call_ok(
                    client, "compare_assistants", {"assistant_id_a": other_id, "assistant_id_b": assistant_id}
                )
            await call_ok(
                client,
                "compare_assistants",
                {
                    "assistant_id_a": assistant_id,
                    "assistant_id_b": BASELINE_ID,
                    "fields": ["custom_tools", "llm_model"],
                },
            )


# --------------------------------------------------------------------------- stdio


@pytest.mark.anyio
async def test_the_troubleshooting_tools_work_over_stdio():
    params = StdioServerParameters(
        command=sys.executable,
        args=["-m", "revox_mcp", "--demo"],
        env=child_env(REVOX_MCP_LOG_LEVEL="WARNING"),
    )
    with anyio.fail_after(30):
        async with Client(params) as client:
            diagnosis = await client.call_tool("diagnose_assistant", {"assistant_id": MISCONFIGURED_ID})
            comparison = await client.call_tool(
                "compare_assistants", {"assistant_id_a": BASELINE_ID, "assistant_id_b": MISCONFIGURED_ID}
            )
            status = await client.call_tool("revox_status", {})
            prompt = await client.get_prompt(
                "troubleshoot_assistant", {"assistant_id": BASELINE_ID, "symptom": "silent"}
            )
    for result in (diagnosis, comparison, status):
        assert result.is_error is False, text_of(result)
        assert_clean(result)
    assert diagnosis.structured_content["findings"]
    assert comparison.structured_content["comparison"]["changes"]
    assert status.structured_content["demo"] is True
    assert status.structured_content["key_accepted"] is True
    assert len(prompt.messages) == 1
