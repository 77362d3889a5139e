"""Token and byte budgets (issue #5), measured on the wire, deterministic: sizes, never times.

Sizes are UTF-8 bytes of compact JSON, as the SDK sends them: ``tools/list`` is the
``ListToolsResult`` dumped with ``by_alias=True, exclude_none=True``; a tool answer is the
``CallToolResult`` dumped the same way; its text is counted as the JSON string it is sent as.
Upstream is the fake Revox in process (`server_over`) over generated assistants (no sockets), so the
10,000-assistant and 1 MB-prompt cases stay fast.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from fake_revox import FakeRevox
from mcp import Client
from mcp.types import CallToolResult, TextContent
from support import scale, server_over

pytestmark = pytest.mark.anyio

# Every tool as sent (issues 17 and 18): the calls tools' periods, the views' _meta.ui.resourceUri and
# the result's own _meta included.
MAX_TOOLS_LIST_BYTES = 20_000
MAX_RESPONSE_BYTES = 32_000
MAX_SUMMARY_BYTES = 4_000
# The default list_assistants page against the raw GET /assistants JSON for the same assistants.
MAX_LIST_TEXT_RATIO = 0.05
# Structured content carries typed fields per assistant (keys included): 7.1% on the sample data.
# Not within the 5% goal (see README "Performance"); this guards against regressions.
MAX_LIST_STRUCTURED_RATIO = 0.075
# The scale cases at CI's full size; by hand a tenth (support.scale), still far past every budget.
ASSISTANTS = scale(10_000, 1_000)
PROMPT_CHARS = scale(1_000_000, 100_000)
MANY = scale(500, 50)

_DATA = json.loads(Path(__file__).parents[1].joinpath("fixtures_assistants.json").read_text(encoding="utf-8"))
SAMPLE: list[dict[str, Any]] = _DATA["assistants"]
SAMPLE_LISTED = {a["id"] for a in SAMPLE if _DATA["fixture_index"][a["id"]]["appears_in_list"]}


def compact(value: Any) -> int:
    return len(json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode())


def text_of(result: CallToolResult) -> str:
    return "".join(block.text for block in result.content if isinstance(block, TextContent))


def wire(result: CallToolResult) -> int:
    return len(result.model_dump_json(by_alias=True, exclude_none=True).encode())


def client_over(assistants: list[dict[str, Any]], listed: set[str] | None = None) -> Client:
    return Client(server_over(assistants, listed))


def pathological() -> list[dict[str, Any]]:
    """Three assistants that break naive output: 1 MB prompts, and one with everything huge."""
    first, second, third = FakeRevox.make_assistants(3, prompt_chars=PROMPT_CHARS)
    third["prompt"] = first["prompt"][::-1]  # a diff as large as it gets
    second["prompt"] = " ".join(f"{{{{var_{i}}}}}" for i in range(PROMPT_CHARS // 20))
    second["name"] = "N" * (PROMPT_CHARS // 10)
    second["custom_tools"] = [
        {
            "name": f"tool_{i}",
            "method": "POST",
            "url": f"https://hooks.example/{i}",
            "headers": [{"key": f"X-Header-{j}", "value": "v"} for j in range(20)],
            "input_schema": [{"name": f"input_{j}"} for j in range(20)],
        }
        for i in range(MANY)
    ]
    second["transfer_destinations"] = [{"label": f"desk {i}", "phone_number": "0612"} for i in range(MANY)]
    second["structured_output_config"] = [{"name": f"output_{i}"} for i in range(MANY)]
    second.update({f"new_field_{i}": i for i in range(MANY)})
    return [first, second, third]


def assert_within_budget(result: CallToolResult) -> None:
    """One answer: within 32 kB as sent, text and structured content not carrying the same payload twice."""
    text = text_of(result)
    assert result.is_error is False, text
    assert wire(result) <= MAX_RESPONSE_BYTES
    assert compact(text) + compact(result.structured_content) <= MAX_RESPONSE_BYTES
    try:
        as_json = json.loads(text)
    except ValueError:
        as_json = None
    assert as_json != result.structured_content, "the text is just the structured content again"


# --------------------------------------------------------------------------- tools/list


async def test_tools_list_is_at_most_20_kb_on_the_wire_with_the_views_meta():
    async with client_over(SAMPLE, SAMPLE_LISTED) as client:
        listed = await client.list_tools()
    assert any((tool.meta or {}).get("ui") for tool in listed.tools)  # what hosts find the views by is counted
    assert compact(listed.model_dump(by_alias=True, exclude_none=True)) <= MAX_TOOLS_LIST_BYTES


async def test_output_schemas_carry_no_titles_or_null_branches():
    """Lean schemas: what the emitted JSON can be (dump() leaves out None), nothing generated twice."""
    async with client_over(SAMPLE, SAMPLE_LISTED) as client:
        tools = (await client.list_tools()).tools
    text = json.dumps([tool.output_schema for tool in tools if tool.name != "compare_assistants"])
    assert '"title"' not in text
    assert '{"type": "null"}' not in text


# --------------------------------------------------------------------------- list_assistants


async def test_default_list_page_is_at_most_5_percent_of_the_raw_api_json_as_text():
    listed = [a for a in SAMPLE if a["id"] in SAMPLE_LISTED]
    raw = compact({"assistants": listed})
    async with client_over(SAMPLE, SAMPLE_LISTED) as client:
        page = await client.call_tool("list_assistants", {})
    assert page.structured_content is not None
    assert len(page.structured_content["assistants"]) == len(listed)  # the same assistants, all of them
    assert compact(text_of(page)) <= MAX_LIST_TEXT_RATIO * raw
    assert compact(page.structured_content) <= MAX_LIST_STRUCTURED_RATIO * raw


# --------------------------------------------------------------------------- get_assistant


@pytest.mark.parametrize("source", ["sample", "pathological"])
async def test_a_summary_is_at_most_4_kb_as_structured_content_and_as_text(source: str):
    assistants = SAMPLE if source == "sample" else pathological()
    async with client_over(assistants) as client:
        for assistant in assistants:
            result = await client.call_tool("get_assistant", {"assistant_id": assistant["id"]})
            assert_within_budget(result)
            assert compact(result.structured_content) <= MAX_SUMMARY_BYTES
            assert compact(text_of(result)) <= MAX_SUMMARY_BYTES


async def test_a_cut_summary_says_what_was_cut_and_how_to_read_it_whole():
    huge = pathological()[1]
    async with client_over([huge]) as client:
        result = await client.call_tool("get_assistant", {"assistant_id": huge["id"]})
    assert result.structured_content is not None
    assert any(path.startswith("summary.custom_tools") for path in result.structured_content["cut"])
    assert "cut to fit" in text_of(result)
    assert 'fields=["<field>"]' in text_of(result)


# --------------------------------------------------------------------------- every answer


@pytest.fixture(scope="module")
def ten_thousand() -> list[dict[str, Any]]:
    return FakeRevox.make_assistants(ASSISTANTS)


async def test_every_tool_stays_within_32_kb_with_10_000_assistants(ten_thousand: list[dict[str, Any]]):
    first, second = ten_thousand[0]["id"], ten_thousand[1]["id"]
    calls: list[tuple[str, dict[str, Any]]] = [
        ("list_assistants", {}),
        ("list_assistants", {"limit": 100}),
        ("get_assistant", {"assistant_id": first}),
        ("get_assistant", {"assistant_id": first, "detail": "full"}),
        ("diagnose_assistant", {}),
        ("diagnose_assistant", {"limit": 100}),
        ("diagnose_assistant", {"assistant_id": first}),
        ("compare_assistants", {"assistant_id_a": first, "assistant_id_b": second}),
        ("revox_status", {}),
    ]
    async with client_over(ten_thousand) as client:
        for name, arguments in calls:
            assert_within_budget(await client.call_tool(name, arguments))
        index = await client.read_resource("revox://assistants")
    assert len(index.contents[0].text.encode()) <= MAX_RESPONSE_BYTES  # type: ignore[union-attr]
    assert "page through all with the list_assistants tool" in index.contents[0].text  # type: ignore[union-attr]


@pytest.fixture
async def huge_client() -> AsyncIterator[tuple[Client, list[dict[str, Any]]]]:
    assistants = pathological()
    async with client_over(assistants) as client:
        yield client, assistants


async def test_every_tool_stays_within_32_kb_with_1_mb_prompts_and_huge_lists(
    huge_client: tuple[Client, list[dict[str, Any]]],
):
    client, (first, huge, reversed_prompt) = huge_client
    calls: list[tuple[str, dict[str, Any]]] = [
        ("list_assistants", {}),
        ("get_assistant", {"assistant_id": huge["id"], "detail": "full"}),
        ("get_assistant", {"assistant_id": first["id"], "fields": ["prompt"]}),
        ("get_assistant", {"assistant_id": first["id"], "fields": ["prompt"], "offset": PROMPT_CHARS // 2}),
        ("diagnose_assistant", {"assistant_id": huge["id"]}),
        ("compare_assistants", {"assistant_id_a": first["id"], "assistant_id_b": reversed_prompt["id"]}),
        ("compare_assistants", {"assistant_id_a": first["id"], "assistant_id_b": huge["id"]}),
    ]
    for name, arguments in calls:
        assert_within_budget(await client.call_tool(name, arguments))
    for uri in ("revox://assistants", f"revox://assistants/{huge['id']}"):
        contents = (await client.read_resource(uri)).contents[0]
        assert len(contents.text.encode()) <= MAX_RESPONSE_BYTES  # type: ignore[union-attr]


async def test_a_long_prompt_comes_in_chunks_that_say_where_to_continue(
    huge_client: tuple[Client, list[dict[str, Any]]],
):
    client, (first, _huge, _reversed) = huge_client
    result = await client.call_tool("get_assistant", {"assistant_id": first["id"], "fields": ["prompt"]})
    assert result.structured_content is not None
    assert result.structured_content["cut"] == ["prompt"]
    next_offset = result.structured_content["next_offset"]
    assert 0 < next_offset < PROMPT_CHARS
    chunk = result.structured_content["config"]["prompt"]
    assert first["prompt"].startswith(chunk)
    assert len(chunk) == next_offset
    assert f"offset={next_offset}" in text_of(result)  # the text says the same


async def test_a_cut_diagnosis_and_diff_say_what_was_cut(huge_client: tuple[Client, list[dict[str, Any]]]):
    client, (first, huge, _reversed) = huge_client
    diagnosis = await client.call_tool("diagnose_assistant", {"assistant_id": huge["id"]})
    assert "cut to fit" in text_of(diagnosis)
    arguments = {"assistant_id_a": first["id"], "assistant_id_b": huge["id"]}
    comparison = await client.call_tool("compare_assistants", arguments)
    assert "cut to fit" in text_of(comparison)
