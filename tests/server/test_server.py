"""The MCP edge, in-process through the official client: `async with Client(build_server(...))`.

Upstream is the fake Revox in process (`FakeRevox.transport()`): tests relist it, break it with a
fault and count its requests; `server_over` serves the large generated data the same way.
"""

from __future__ import annotations

import copy
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import support
from fake_revox import FakeRevox, Fault
from mcp import Client
from mcp.server.mcpserver import MCPServer
from mcp.shared.exceptions import MCPError
from mcp.types import CallToolResult, ResourceTemplateReference
from support import (
    API_KEY,
    ASSISTANTS,
    BASELINE_ID,
    BY_ID,
    FRENCH_ID,
    LISTED,
    LISTED_IDS,
    MAX_RESPONSE_BYTES,
    SECRETS_ID,
    SUB_ID,
    FakeClock,
    assert_clean,
    compact,
    server_over,
    text_of,
    wire_bytes,
)

BODY_CANARY = "UPSTREAM-BODY-CANARY"
SNAPSHOT = Path(__file__).parents[1] / "snapshots" / "tools_list.json"
LISTED_ORDER = [a["id"] for a in LISTED]
TEMPLATE = ResourceTemplateReference(uri="revox://assistants/{assistant_id}")
# tools/list is paid at every session start (about 4k tokens at most).
MAX_TOOLS_LIST_BYTES = 20_000  # issue 17: every tool, as sent


def assert_ok(result: CallToolResult) -> None:
    support.assert_ok(result, BODY_CANARY)


# Every server of this module reads this fake Revox, in process (it is never started): the `api`
# fixture resets it for each test.
UPSTREAM = FakeRevox(api_key=API_KEY)


def make_server(**options: Any) -> MCPServer:
    return support.make_server(**{"transport": UPSTREAM.transport(), **options})


@pytest.fixture
def api() -> Iterator[FakeRevox]:
    """The module's fake Revox as the fixtures, with no fault and an empty request log."""
    UPSTREAM.set_assistants(ASSISTANTS, LISTED_IDS)
    UPSTREAM.fail_every(None)
    UPSTREAM.clear_log()
    yield UPSTREAM
    UPSTREAM.fail_every(None)


def requests_to(fake: FakeRevox, prefix: str) -> int:
    """How many requests went to ``prefix`` (``/assistants``: the list; ``/assistants/``: one by id)."""
    return sum(1 for r in fake.requests if r.path == prefix or (prefix.endswith("/") and r.path.startswith(prefix)))


@pytest.fixture(scope="module")
def server() -> MCPServer:
    """One server for the module: each `Client(server)` session still gets its own RevoxApi and cache."""
    return make_server()


def generated_assistants(count: int) -> list[dict[str, Any]]:
    """``count`` copies of the fixtures, each with a new id and a numbered name."""
    out = []
    for index in range(count):
        clone = copy.deepcopy(ASSISTANTS[index % len(ASSISTANTS)])
        clone["id"] = f"{index:08x}-0000-4000-8000-{index:012x}"
        clone["name"] = f"{clone.get('name') or 'Assistant'} #{index}"
        out.append(clone)
    return out


# --------------------------------------------------------------------------- tools/list


async def _tools_wire(server: MCPServer) -> list[dict[str, Any]]:
    async with Client(server) as client:
        return [tool.model_dump(by_alias=True, exclude_none=True) for tool in (await client.list_tools()).tools]


@pytest.mark.anyio
async def test_tools_list_matches_the_snapshot(server: MCPServer):
    """Any change to names, descriptions or schemas shows up here; UPDATE_SNAPSHOTS=1 rewrites the file."""
    wire = await _tools_wire(server)
    if os.environ.get("UPDATE_SNAPSHOTS") == "1":
        SNAPSHOT.parent.mkdir(exist_ok=True)
        SNAPSHOT.write_text(json.dumps(wire, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    assert SNAPSHOT.exists(), "no snapshot yet: run pytest with UPDATE_SNAPSHOTS=1"
    assert json.loads(SNAPSHOT.read_text(encoding="utf-8")) == wire, "tools/list changed: UPDATE_SNAPSHOTS=1 to accept"


@pytest.mark.anyio
async def test_tools_are_read_only_titled_and_schema_constrained(server: MCPServer):
    tools = {tool["name"]: tool for tool in await _tools_wire(server)}
    assert list(tools)[:2] == ["list_assistants", "get_assistant"]  # the entry points come first
    assert tools["list_assistants"]["title"] == "List Revox assistants"
    assert tools["get_assistant"]["title"] == "Get a Revox assistant"
    for tool in tools.values():
        assert tool["annotations"] == {
            "readOnlyHint": True,
            "destructiveHint": False,
            "idempotentHint": True,
            "openWorldHint": True,
        }
        assert tool["description"]
        assert tool["outputSchema"]["type"] == "object"
        for name, prop in tool["inputSchema"]["properties"].items():
            assert prop.get("description"), f"{tool['name']}.{name} has no description"
        assert "ctx" not in tool["inputSchema"]["properties"]

    listing = tools["list_assistants"]["inputSchema"]
    assert set(listing["properties"]) == {"query", "limit", "cursor"}
    assert "required" not in listing
    limit = listing["properties"]["limit"]
    # Strict-mode friendly (revox_mcp.server.schemas): optional means nullable, the default is in the text.
    assert (limit["type"], limit["minimum"], limit["maximum"]) == (["integer", "null"], 1, 100)
    assert "Default: 20" in limit["description"]
    assert tools["list_assistants"]["outputSchema"]["required"] == ["assistants", "total"]

    getter = tools["get_assistant"]["inputSchema"]
    assert set(getter["properties"]) == {"assistant_id", "detail", "fields", "offset"}
    assert getter["required"] == ["assistant_id"]
    assert getter["properties"]["detail"]["enum"] == ["summary", "full", None]
    assert 'Default: "summary"' in getter["properties"]["detail"]["description"]
    assert getter["properties"]["offset"]["minimum"] == 0
    assert tools["get_assistant"]["outputSchema"]["required"] == ["id"]


@pytest.mark.anyio
async def test_tools_list_stays_small(server: MCPServer):
    """What every session pays up front, as compact UTF-8 JSON of {"tools": [...]}."""
    size = len(compact({"tools": await _tools_wire(server)}).encode())
    assert size <= MAX_TOOLS_LIST_BYTES, size


# --------------------------------------------------------------------------- list_assistants


@pytest.mark.anyio
@pytest.mark.parametrize("mode", ["auto", "legacy"])
async def test_list_assistants_default_page_has_every_listed_assistant(api: FakeRevox, server: MCPServer, mode: str):
    async with Client(server, mode=mode) as client:
        result = await client.call_tool("list_assistants", {})
    assert_ok(result)
    page = result.structured_content
    assert page is not None
    assert [a["id"] for a in page["assistants"]] == LISTED_ORDER
    assert page["total"] == 8
    assert page.get("next_cursor") is None
    assert SUB_ID not in text_of(result)
    text = text_of(result)
    assert text.startswith("8 of 8 assistants")
    for assistant_id in LISTED_ORDER:
        assert assistant_id in text


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("relance", [FRENCH_ID]),
        ("RELANCE IMPAYÉS", [FRENCH_ID]),
        ("0F8E2C1A", [BASELINE_ID]),
        ("4e5f-9a0b", [BASELINE_ID]),
        ("real", ["3c6d5e4f-3a2b-4c1d-8e0f-9a8b7c6d5e64", "5e4f3a2b-1c0d-4e9f-8a7b-6c5d4e3f2a66"]),
        ("buyer intake", []),  # the sub-assistant is not in the list, so the query cannot find it
        ("no such thing", []),
    ],
)
async def test_list_assistants_query_matches_name_or_id_case_insensitively(
    api: FakeRevox, server: MCPServer, query: str, expected: list[str]
):
    async with Client(server) as client:
        result = await client.call_tool("list_assistants", {"query": query})
    assert_ok(result)
    assert result.structured_content is not None
    assert [a["id"] for a in result.structured_content["assistants"]] == expected
    assert result.structured_content["total"] == len(expected)
    if not expected:
        assert "without query" in text_of(result)


@pytest.mark.anyio
@pytest.mark.parametrize("mode", ["auto", "legacy"])
async def test_pagination_with_limit_3_visits_every_assistant_once(api: FakeRevox, server: MCPServer, mode: str):
    seen: list[str] = []
    sizes: list[int] = []
    cursor: str | None = None
    async with Client(server, mode=mode) as client:
        for _ in range(10):
            args: dict[str, Any] = {"limit": 3} | ({"cursor": cursor} if cursor else {})
            result = await client.call_tool("list_assistants", args)
            assert_ok(result)
            page = result.structured_content
            assert page is not None
            assert page["total"] == 8
            sizes.append(len(page["assistants"]))
            seen += [a["id"] for a in page["assistants"]]
            cursor = page.get("next_cursor")
            if cursor is None:
                break
            assert cursor in text_of(result)  # the text tells the model how to go on
    assert sizes == [3, 3, 2]
    assert seen == LISTED_ORDER
    assert requests_to(api, "/assistants") == 1  # later pages come from the cached list


# --------------------------------------------------------------------------- get_assistant


@pytest.mark.anyio
@pytest.mark.parametrize("mode", ["auto", "legacy"])
async def test_get_assistant_summary_by_default(api: FakeRevox, server: MCPServer, mode: str):
    async with Client(server, mode=mode) as client:
        result = await client.call_tool("get_assistant", {"assistant_id": SECRETS_ID})
    assert_ok(result)
    view = result.structured_content
    assert view is not None
    assert view["id"] == SECRETS_ID
    assert view["name"] == "Inbound Support - BYO LLM + CRM tools"
    assert "fields" not in view
    summary = view["summary"]
    assert summary["llm"]["type"] == "custom"
    assert summary["llm"]["api_key_set"] is True
    assert [tool["name"] for tool in summary["custom_tools"]] == ["lookup_order", "create_ticket"]
    assert summary["custom_tools"][1]["headers"] == ["X-Api-Key", "Content-Type"]  # names only
    assert 'detail="full"' in text_of(result)


@pytest.mark.anyio
@pytest.mark.parametrize("mode", ["auto", "legacy"])
async def test_get_assistant_full_is_the_whole_redacted_configuration(api: FakeRevox, server: MCPServer, mode: str):
    async with Client(server, mode=mode) as client:
        result = await client.call_tool("get_assistant", {"assistant_id": SECRETS_ID, "detail": "full"})
    assert_ok(result)
    assert result.structured_content is not None
    config = result.structured_content["config"]  # the data is in the structured content...
    assert list(config) == list(BY_ID[SECRETS_ID])
    text = text_of(result)
    assert text.startswith("id: ")  # ...and the text renders it, not as JSON
    assert not text.lstrip().startswith("{")
    assert f"name: {BY_ID[SECRETS_ID]['name']}" in text
    assert config["llm_model"]["api_key"] == "[REDACTED]"
    assert config["custom_tools"][0]["headers"][0]["key"] == "Authorization"
    assert config["custom_tools"][0]["headers"][0]["value"] == "[REDACTED]"
    assert config["name"] == BY_ID[SECRETS_ID]["name"]


@pytest.mark.anyio
async def test_get_assistant_fields_returns_only_those_fields(api: FakeRevox, server: MCPServer):
    async with Client(server) as client:
        prompt = await client.call_tool("get_assistant", {"assistant_id": BASELINE_ID, "fields": ["prompt"]})
        as_json_string = await client.call_tool("get_assistant", {"assistant_id": BASELINE_ID, "fields": '["prompt"]'})
        tools_and_voice = await client.call_tool(
            "get_assistant", {"assistant_id": SECRETS_ID, "fields": ["custom_tools", "voice"]}
        )
    for result in (prompt, as_json_string, tools_and_voice):
        assert_ok(result)
    assert prompt.structured_content is not None
    assert prompt.structured_content["config"] == {"prompt": BY_ID[BASELINE_ID]["prompt"]}
    assert text_of(prompt).startswith("prompt: |\n  # Identity")
    assert "next_offset" not in prompt.structured_content
    assert "summary" not in prompt.structured_content
    assert text_of(as_json_string) == text_of(prompt)
    assert as_json_string.structured_content == prompt.structured_content

    assert tools_and_voice.structured_content is not None
    picked = tools_and_voice.structured_content["config"]
    assert list(picked) == ["custom_tools", "voice"]
    assert picked["voice"] == BY_ID[SECRETS_ID]["voice"]
    assert [tool["name"] for tool in picked["custom_tools"]] == ["lookup_order", "create_ticket"]
    assert "lookup_order" in text_of(tools_and_voice)


@pytest.mark.anyio
async def test_sub_assistant_missing_from_the_list_is_reachable_by_id(api: FakeRevox, server: MCPServer):
    async with Client(server) as client:
        listed = await client.call_tool("list_assistants", {})
        result = await client.call_tool("get_assistant", {"assistant_id": SUB_ID})
        resource = await client.read_resource(f"revox://assistants/{SUB_ID}")
    assert listed.structured_content is not None
    assert SUB_ID not in [a["id"] for a in listed.structured_content["assistants"]]
    assert_ok(result)
    assert result.structured_content is not None
    assert result.structured_content["id"] == SUB_ID
    assert result.structured_content["name"] == "Buyer intake (step of flow)"
    assert json.loads(resource.contents[0].text)["id"] == SUB_ID  # type: ignore[union-attr]
    assert requests_to(api, "/assistants/") == 1  # fetched once, then cached


@pytest.mark.anyio
async def test_get_assistant_trims_surrounding_whitespace_of_a_pasted_id(api: FakeRevox, server: MCPServer):
    async with Client(server) as client:
        result = await client.call_tool("get_assistant", {"assistant_id": f"  {BASELINE_ID}\n"})
    assert_ok(result)
    assert result.structured_content is not None
    assert result.structured_content["id"] == BASELINE_ID


# --------------------------------------------------------------------------- resources and completion


@pytest.mark.anyio
@pytest.mark.parametrize("mode", ["auto", "legacy"])
async def test_resources_index_and_one_assistant(api: FakeRevox, server: MCPServer, mode: str):
    async with Client(server, mode=mode) as client:
        resources = (await client.list_resources()).resources
        templates = (await client.list_resource_templates()).resource_templates
        index = await client.read_resource("revox://assistants")
        one = await client.read_resource(f"revox://assistants/{SECRETS_ID}")
    assert [(r.uri, r.name, r.mime_type) for r in resources] == [
        ("ui://revox-mcp/calls-triage.html", "calls-triage", "text/html;profile=mcp-app"),  # the views (test_views)
        ("ui://revox-mcp/config-diff.html", "config-diff", "text/html;profile=mcp-app"),
        ("revox://assistants", "assistants", "application/json"),
    ]
    assert [(t.uri_template, t.name, t.mime_type) for t in templates] == [
        ("revox://assistants/{assistant_id}", "assistant", "application/json")
    ]
    assert index.contents[0].mime_type == "application/json"
    body = json.loads(index.contents[0].text)  # type: ignore[union-attr]
    assert body["total"] == 8
    assert [a["id"] for a in body["assistants"]] == LISTED_ORDER
    assert "stale" not in body
    assert "truncated" not in body
    config = json.loads(one.contents[0].text)  # type: ignore[union-attr]
    assert config["id"] == SECRETS_ID
    assert config["llm_model"]["api_key"] == "[REDACTED]"
    for contents in (index.contents[0], one.contents[0]):
        assert_clean(contents.text)  # type: ignore[union-attr]


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("prefix", "expected"),
    [
        ("0f8", [BASELINE_ID]),
        ("0F8E", [BASELINE_ID]),
        ("relance", [FRENCH_ID]),
        ("RELANCE imp", [FRENCH_ID]),
        ("Real", ["3c6d5e4f-3a2b-4c1d-8e0f-9a8b7c6d5e64", "5e4f3a2b-1c0d-4e9f-8a7b-6c5d4e3f2a66"]),
        ("", LISTED_ORDER),
        ("zzz", []),
    ],
)
async def test_completion_of_assistant_id_by_id_or_name_prefix(
    api: FakeRevox, server: MCPServer, prefix: str, expected: list[str]
):
    async with Client(server) as client:
        completion = (await client.complete(TEMPLATE, {"name": "assistant_id", "value": prefix})).completion
    assert completion.values == expected
    assert completion.total == len(expected)
    assert completion.has_more is False


@pytest.mark.anyio
async def test_completion_is_empty_rather_than_an_error_when_revox_fails(api: FakeRevox):
    api.fail_every(Fault.status(500, BODY_CANARY))
    # A server of its own: the back-off this failure sets is shared by every session of a server, and
    # would answer the module server's next sessions (the next tests) with this 500.
    async with Client(make_server()) as client:
        completion = (await client.complete(TEMPLATE, {"name": "assistant_id", "value": "0f"})).completion
    assert completion.values == []


# --------------------------------------------------------------------------- upstream failures


_ERROR_BODY = {"error": f"{BODY_CANARY} leaked key {API_KEY} FAKE-secret"}

# name -> (fault, upstream attempts per call, words the message must contain: cause and remedy)
UPSTREAM_FAILURES: dict[str, tuple[Fault, int, list[str]]] = {
    "401": (Fault.status(401, _ERROR_BODY), 1, ["rejected the api key", "http 401", "revox_api_key"]),
    "403": (Fault.status(403, _ERROR_BODY), 1, ["rejected the api key", "http 403", "revox_api_key"]),
    "429 long Retry-After": (
        Fault.status(429, _ERROR_BODY, headers={"Retry-After": "3600"}),
        1,  # too long to wait inside a tool call: reported, not slept
        ["rate limiting", "429", "retry in 1 h"],
    ),
    "500 after retries": (Fault.status(500, _ERROR_BODY), 3, ["unavailable", "http 500", "retry in a minute"]),
    "503 html": (
        Fault.status(503, f"<html>{BODY_CANARY}</html>", headers={"content-type": "text/html"}),
        3,
        ["unavailable", "http 503", "retry"],
    ),
    "timeout": (Fault.slow(3600), 3, ["did not answer in time", "retry"]),
    "connection dropped": (Fault.reset(), 3, ["could not reach revox", "revox_base_url"]),
    "invalid json": (
        Fault.status(200, f"<html>{BODY_CANARY} {API_KEY}</html>", headers={"content-type": "text/html"}),
        1,
        ["not valid json", "retry", "revox_base_url"],
    ),
    "wrong shape": (
        Fault.wrong_shape({"data": [{"name": BODY_CANARY}], "token": "FAKE"}),
        1,
        ["unexpected answer", "expected", "retry"],
    ),
}


@pytest.mark.anyio
@pytest.mark.parametrize("mode", ["auto", "legacy"])
@pytest.mark.parametrize("failure", list(UPSTREAM_FAILURES))
@pytest.mark.parametrize("tool", ["list_assistants", "get_assistant"])
async def test_upstream_failure_is_a_tool_error_then_the_session_recovers(
    api: FakeRevox, server: MCPServer, failure: str, tool: str, mode: str
):
    fault, attempts, words = UPSTREAM_FAILURES[failure]
    args = {"assistant_id": BASELINE_ID} if tool == "get_assistant" else {}
    clock = FakeClock()
    async with Client(make_server(clock=clock), mode=mode) as client:
        api.fail_every(fault)
        result = await client.call_tool(tool, args)
        assert result.is_error is True
        message = text_of(result)
        assert_clean(message)
        for word in words:
            assert word in message.lower(), message
        assert len(api.requests) == attempts

        api.fail_every(None)
        clock.advance(4_000)  # past the back-off a failed load sets (an hour for the 429)
        assert_ok(await client.call_tool(tool, args))


@pytest.mark.anyio
@pytest.mark.parametrize("failure", list(UPSTREAM_FAILURES))
@pytest.mark.parametrize("uri", ["revox://assistants", f"revox://assistants/{BASELINE_ID}"])
async def test_upstream_failure_is_a_resource_error_then_the_session_recovers(
    api: FakeRevox, server: MCPServer, failure: str, uri: str
):
    fault, _attempts, words = UPSTREAM_FAILURES[failure]
    clock = FakeClock()
    async with Client(make_server(clock=clock)) as client:
        api.fail_every(fault)
        with pytest.raises(MCPError) as caught:
            await client.read_resource(uri)
        assert caught.value.code == -32603  # ResourceError: an internal error, with our message
        message = str(caught.value)
        assert_clean(message + json.dumps(caught.value.data))
        for word in words:
            assert word in message.lower(), message

        api.fail_every(None)
        clock.advance(4_000)  # past the back-off a failed load sets (an hour for the 429)
        ok = await client.read_resource(uri)
        assert json.loads(ok.contents[0].text)  # type: ignore[union-attr]


@pytest.mark.anyio
@pytest.mark.parametrize("mode", ["auto", "legacy"])
async def test_unknown_id_points_to_list_assistants(api: FakeRevox, server: MCPServer, mode: str):
    missing = {"error": f"{BODY_CANARY} no assistant {API_KEY}"}  # never echoed
    api.fail_every(Fault.status(404, missing), path="/assistants/asst_does_not_exist")
    async with Client(server, mode=mode) as client:
        result = await client.call_tool("get_assistant", {"assistant_id": "asst_does_not_exist"})
        assert result.is_error is True
        message = text_of(result)
        assert_clean(message)
        assert "asst_does_not_exist" in message
        assert "list_assistants" in message

        with pytest.raises(MCPError) as caught:
            await client.read_resource("revox://assistants/asst_does_not_exist")
        assert caught.value.code == -32602
        assert "list_assistants" in str(caught.value)
        assert_clean(str(caught.value))

        assert_ok(await client.call_tool("get_assistant", {"assistant_id": BASELINE_ID}))


@pytest.mark.anyio
async def test_listing_404_points_at_the_base_url(api: FakeRevox, server: MCPServer):
    api.fail_every(Fault.status(404, _ERROR_BODY))
    async with Client(server) as client:
        result = await client.call_tool("list_assistants", {})
    assert result.is_error is True
    assert_clean(text_of(result))
    assert "REVOX_BASE_URL" in text_of(result)


# --------------------------------------------------------------------------- bad inputs

# (tool, arguments, words the message must contain)
BAD_INPUTS: dict[str, tuple[str, dict[str, Any], list[str]]] = {
    "empty id": ("get_assistant", {"assistant_id": ""}, ["assistant_id is empty", "list_assistants"]),
    "whitespace id": ("get_assistant", {"assistant_id": " \t "}, ["assistant_id is empty", "list_assistants"]),
    "id with NUL": ("get_assistant", {"assistant_id": "0f8e\x00../x"}, ["control", "list_assistants"]),
    "id with newline inside": ("get_assistant", {"assistant_id": "0f8e\n2c1a"}, ["control", "list_assistants"]),
    "id with zero-width space": ("get_assistant", {"assistant_id": "0f8e\u200b2c1a"}, ["invisible", "list_assistants"]),
    "300-char id": ("get_assistant", {"assistant_id": "a" * 300}, ["at most 200", "list_assistants"]),
    "detail not in enum": ("get_assistant", {"assistant_id": BASELINE_ID, "detail": "all"}, ["'summary' or 'full'"]),
    "unknown field": (
        "get_assistant",
        {"assistant_id": BASELINE_ID, "fields": ["nope"]},
        ["unknown field", "'nope'", "valid fields", "prompt", "custom_tools", "voice"],
    ),
    "fields not a list": (
        "get_assistant",
        {"assistant_id": BASELINE_ID, "fields": "[broken"},
        ["fields", "list"],
    ),
    "offset without fields": (
        "get_assistant",
        {"assistant_id": BASELINE_ID, "offset": 10},
        ["offset", 'fields=["prompt"]'],
    ),
    "offset with two fields": (
        "get_assistant",
        {"assistant_id": BASELINE_ID, "fields": ["prompt", "name"], "offset": 10},
        ["exactly one field"],
    ),
    "offset past the end": (
        "get_assistant",
        {"assistant_id": BASELINE_ID, "fields": ["prompt"], "offset": 10**6},
        ["past the end", "prompt"],
    ),
    "negative offset": ("get_assistant", {"assistant_id": BASELINE_ID, "offset": -1}, ["offset", "0"]),
    "limit 0": ("list_assistants", {"limit": 0}, ["limit", "at least 1"]),
    "limit 101": ("list_assistants", {"limit": 101}, ["limit", "at most 100"]),
    "malformed cursor": ("list_assistants", {"cursor": "%%%not-base64"}, ["cursor", "without a cursor"]),
    "forged cursor": ("list_assistants", {"cursor": "YzI6YWJjOjA6ZGVhZGJlZWY"}, ["cursor", "without a cursor"]),
}


@pytest.mark.anyio
@pytest.mark.parametrize("case", list(BAD_INPUTS))
async def test_bad_input_is_a_tool_error_naming_the_fix(api: FakeRevox, server: MCPServer, case: str):
    tool, args, words = BAD_INPUTS[case]
    async with Client(server) as client:
        result = await client.call_tool(tool, args)
        assert result.is_error is True
        message = text_of(result)
        assert_clean(message)
        for word in words:
            assert word.lower() in message.lower(), message
        if case.endswith("id") or case.startswith("id "):
            assert api.requests == []  # a bad id never reaches Revox
        assert_ok(await client.call_tool(tool, {"assistant_id": BASELINE_ID} if tool == "get_assistant" else {}))


@pytest.mark.anyio
async def test_stale_cursor_after_the_list_changed_says_to_restart(api: FakeRevox):
    async with Client(make_server(cache_ttl=0)) as client:  # TTL 0: every page refetches the list
        first = await client.call_tool("list_assistants", {"limit": 3})
        assert first.structured_content is not None
        cursor = first.structured_content["next_cursor"]
        changed = dict(LISTED[4], updated_at="2026-03-01T00:00:00Z")
        api.set_assistants([*LISTED[:4], changed, *LISTED[5:]])

        result = await client.call_tool("list_assistants", {"limit": 3, "cursor": cursor})
        assert result.is_error is True
        assert "stale" in text_of(result)
        assert "without a cursor" in text_of(result)
        assert_clean(text_of(result))

        restart = await client.call_tool("list_assistants", {"limit": 3})
        assert_ok(restart)
        assert restart.structured_content is not None
        assert restart.structured_content["next_cursor"] != cursor


@pytest.mark.anyio
async def test_cursor_from_another_query_is_refused(api: FakeRevox, server: MCPServer):
    async with Client(server) as client:
        first = await client.call_tool("list_assistants", {"query": "e", "limit": 1})
        assert first.structured_content is not None
        cursor = first.structured_content["next_cursor"]
        assert cursor
        result = await client.call_tool("list_assistants", {"query": "a", "limit": 1, "cursor": cursor})
        assert result.is_error is True
        assert "different query" in text_of(result)
        same = await client.call_tool("list_assistants", {"query": "E", "limit": 1, "cursor": cursor})
        assert_ok(same)  # the query is compared case-insensitively, like the match


# --------------------------------------------------------------------------- stale-if-error


@pytest.mark.anyio
async def test_expired_list_is_served_stale_with_a_note_when_revox_fails(api: FakeRevox):
    clock = FakeClock()
    async with Client(make_server(cache_ttl=10, clock=clock)) as client:
        assert_ok(await client.call_tool("list_assistants", {}))
        clock.now += 60
        api.fail_every(Fault.status(503, BODY_CANARY))

        result = await client.call_tool("list_assistants", {})
        assert_ok(result)
        page = result.structured_content
        assert page is not None
        assert page["stale"] is True
        assert page["age_seconds"] == 60
        assert [a["id"] for a in page["assistants"]] == LISTED_ORDER
        assert "NOTE" in text_of(result)
        assert "60 s old" in text_of(result)

        index = json.loads((await client.read_resource("revox://assistants")).contents[0].text)  # type: ignore[union-attr]
        assert index["stale"] is True
        assert index["total"] == 8
    # One good fetch, then one failed refresh with its retries; the resource read, inside the back-off
    # that failure set, answers from the stale list at once instead of waiting on Revox again.
    assert requests_to(api, "/assistants") == 1 + 3


@pytest.mark.anyio
async def test_expired_list_is_not_served_when_the_key_is_rejected(api: FakeRevox):
    clock = FakeClock()
    async with Client(make_server(cache_ttl=10, clock=clock)) as client:
        assert_ok(await client.call_tool("list_assistants", {}))
        clock.now += 60
        api.fail_every(Fault.status(401, _ERROR_BODY))
        result = await client.call_tool("list_assistants", {})
    assert result.is_error is True
    assert "REVOX_API_KEY" in text_of(result)


@pytest.mark.anyio
async def test_a_field_read_after_the_cache_expired_shows_the_new_value(api: FakeRevox):
    """Answers may be memoised per cached object, never past the cache's own TTL."""
    clock = FakeClock()
    args = {"assistant_id": BASELINE_ID, "fields": ["prompt"]}
    async with Client(make_server(cache_ttl=10, clock=clock)) as client:
        await client.call_tool("list_assistants", {})
        before = await client.call_tool("get_assistant", args)
        assert before.structured_content is not None
        assert before.structured_content["config"] == {"prompt": BY_ID[BASELINE_ID]["prompt"]}
        rewritten = dict(BY_ID[BASELINE_ID], prompt="Rewritten prompt.")
        api.set_assistants([rewritten if a["id"] == BASELINE_ID else a for a in ASSISTANTS], LISTED_IDS)
        assert text_of(await client.call_tool("get_assistant", args)) == text_of(before)  # still fresh
        clock.now += 60
        after = await client.call_tool("get_assistant", args)
    assert after.structured_content is not None
    assert after.structured_content["config"] == {"prompt": "Rewritten prompt."}
    assert text_of(after) == "prompt: Rewritten prompt."


# --------------------------------------------------------------------------- secrets never leave


@pytest.mark.anyio
async def test_no_fixture_secret_or_api_key_in_any_answer(api: FakeRevox, server: MCPServer):
    """Every fixture secret contains FAKE: no tool variant or resource may show one."""
    assert "FAKE" in json.dumps(ASSISTANTS)  # the canary is really there to leak
    outputs: list[str] = []
    async with Client(server) as client:
        listed = await client.call_tool("list_assistants", {"limit": 100})
        outputs += [text_of(listed), json.dumps(listed.structured_content)]
        outputs.append((await client.read_resource("revox://assistants")).contents[0].text)  # type: ignore[union-attr]
        for assistant_id, assistant in BY_ID.items():
            variants: list[dict[str, Any]] = [{}, {"detail": "full"}, {"fields": list(assistant)}]
            variants += [{"fields": [name]} for name in assistant]
            for extra in variants:
                result = await client.call_tool("get_assistant", {"assistant_id": assistant_id, **extra})
                assert result.is_error is False, (assistant_id, extra, text_of(result))
                outputs += [text_of(result), json.dumps(result.structured_content)]
            resource = await client.read_resource(f"revox://assistants/{assistant_id}")
            outputs.append(resource.contents[0].text)  # type: ignore[union-attr]
    assert len(outputs) > 500
    for output in outputs:
        assert "FAKE" not in output
        assert API_KEY not in output


# --------------------------------------------------------------------------- compactness and budgets


@pytest.mark.anyio
async def test_default_page_is_a_small_fraction_of_the_raw_api_json(api: FakeRevox, server: MCPServer):
    raw = len(compact({"assistants": LISTED}).encode())
    async with Client(server) as client:
        result = await client.call_tool("list_assistants", {})
    text = len(text_of(result).encode())
    structured = len(compact(result.structured_content).encode())
    # When written: raw 34,154 B, text 1,724 B (5.0%), structured 2,429 B (7.1%).
    assert structured <= raw * 0.10, (structured, raw)
    assert text <= raw * 0.10, (text, raw)


@pytest.mark.anyio
async def test_non_ascii_names_are_sent_as_themselves(api: FakeRevox, server: MCPServer):
    async with Client(server) as client:
        listed = await client.call_tool("list_assistants", {"query": "relance"})
        full = await client.call_tool("get_assistant", {"assistant_id": FRENCH_ID, "detail": "full"})
        summary = await client.call_tool("get_assistant", {"assistant_id": FRENCH_ID})
        index = (await client.read_resource("revox://assistants")).contents[0].text  # type: ignore[union-attr]
        one = (await client.read_resource(f"revox://assistants/{FRENCH_ID}")).contents[0].text  # type: ignore[union-attr]
    outputs = [text_of(listed), text_of(full), text_of(summary), index, one]
    outputs += [result.model_dump_json(by_alias=True) for result in (listed, full, summary)]
    for output in outputs:
        assert "Relance impayés" in output
        assert "\\u00e9" not in output


@pytest.mark.anyio
async def test_no_answer_passes_the_budget_with_3000_assistants():
    count = support.scale(3_000, 600)  # by hand a fifth: still six pages and more, each filled to the budget
    many = generated_assistants(count)
    server = server_over(many)
    seen: list[str] = []
    async with Client(server) as client:
        cursor: str | None = None
        for _ in range(count):
            args: dict[str, Any] = {"limit": 100} | ({"cursor": cursor} if cursor else {})
            result = await client.call_tool("list_assistants", args)
            assert result.is_error is False, text_of(result)
            assert wire_bytes(result) <= MAX_RESPONSE_BYTES
            page = result.structured_content
            assert page is not None
            assert page["total"] == count
            assert page["assistants"]  # always progress, even when the budget shortens the page
            seen += [a["id"] for a in page["assistants"]]
            cursor = page.get("next_cursor")
            if cursor is None:
                break

        narrowed = await client.call_tool("list_assistants", {"query": "#29", "limit": 100})
        assert narrowed.structured_content is not None
        assert narrowed.structured_content["total"] == sum(str(index).startswith("29") for index in range(count))
        assert wire_bytes(narrowed) <= MAX_RESPONSE_BYTES

        index = (await client.read_resource("revox://assistants")).contents[0].text  # type: ignore[union-attr]
        body = json.loads(index)
        assert body["total"] == count
        assert "cursor" in body["truncated"]
        assert len(index.encode()) <= MAX_RESPONSE_BYTES

        for assistant in many[:9]:
            for extra in ({}, {"detail": "full"}):
                result = await client.call_tool("get_assistant", {"assistant_id": assistant["id"], **extra})
                assert result.is_error is False
                assert wire_bytes(result) <= MAX_RESPONSE_BYTES
    assert sorted(seen) == sorted(a["id"] for a in many)
    assert len(seen) == len(set(seen))


def _megabyte_prompt() -> str:
    # Multi-byte characters, an astral emoji and JSON escapes, so cuts are tested at awkward places.
    line = 'Ligne {i}: «impayés» — ¿cómo está? 👋 "quoted" \\ back\\slash\ttab\n'
    parts: list[str] = []
    size = 0
    index = 0
    while size < 1_000_000:
        parts.append(line.format(i=index))
        size += len(parts[-1])
        index += 1
    return "".join(parts)


@pytest.mark.anyio
async def test_a_1mb_prompt_is_read_in_chunks_that_reassemble_exactly():
    prompt = _megabyte_prompt()
    big = dict(BY_ID[BASELINE_ID], prompt=prompt)
    server = server_over([big])
    chunks: list[str] = []
    async with Client(server) as client:
        offset: int | None = 0
        calls = 0
        while offset is not None:
            calls += 1
            assert calls < 200
            args: dict[str, Any] = {"assistant_id": BASELINE_ID, "fields": ["prompt"], "offset": offset}
            result = await client.call_tool("get_assistant", args)
            assert result.is_error is False, text_of(result)
            assert wire_bytes(result) <= MAX_RESPONSE_BYTES
            assert result.structured_content is not None
            assert result.structured_content["cut"] == ["prompt"]
            chunks.append(result.structured_content["config"]["prompt"])
            offset = result.structured_content.get("next_offset")
            if offset is not None:
                assert offset == sum(len(c) for c in chunks)
        assert "".join(chunks) == prompt

        listed = await client.call_tool("list_assistants", {})
        summary = await client.call_tool("get_assistant", {"assistant_id": BASELINE_ID})
        full = await client.call_tool("get_assistant", {"assistant_id": BASELINE_ID, "detail": "full"})
        resource = (await client.read_resource(f"revox://assistants/{BASELINE_ID}")).contents[0].text  # type: ignore[union-attr]
    for result in (listed, summary, full):
        assert result.is_error is False
        assert wire_bytes(result) <= MAX_RESPONSE_BYTES
    assert full.structured_content is not None
    assert full.structured_content["cut"] == ["prompt"]
    assert "offset" in full.structured_content["config"]["prompt"][-200:]  # the cut marker says how to read on
    assert "offset" in text_of(full)[-400:]
    assert len(resource.encode()) <= MAX_RESPONSE_BYTES
