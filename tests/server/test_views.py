"""The MCP Apps views as the server wires them (revox_mcp/server/views.py), through the official MCP
client on the demo: in memory and over a real streamable-HTTP subprocess, in both protocol eras.

The server advertises the extension, serves each view as exactly ``text/html;profile=mcp-app``, and
points its tools at them with ``_meta.ui.resourceUri``; whether the text mentions the view is asked
per request, so two clients of one server get the same facts and only the one that renders views
gets the line.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from typing import Any

import anyio
import pytest
from loopback import streamable_session
from mcp import Client
from mcp.client.extension import advertise
from mcp.server.apps import APP_MIME_TYPE, EXTENSION_ID
from mcp.server.mcpserver import MCPServer
from mcp.types import CallToolResult, TextContent
from processes import demo_over_http
from support import BASELINE_ID, LONG_PROMPT_ID, MISCONFIGURED_ID, demo_server

from revox_mcp.server.views import TOOL_VIEWS, VIEWS, require_viewed_tools
from revox_mcp.views import view_html

MODES = [pytest.param("auto", id="2026-07-28"), pytest.param("legacy", id="2025-11-25")]
TRANSPORTS = ["memory", "http"]
UNKNOWN_ID = "00000000-0000-4000-8000-000000000000"
# Arguments for every tool of the demo; get_call's call id is read from list_calls on the way.
ARGUMENTS: dict[str, dict[str, Any]] = {
    "list_assistants": {},
    "get_assistant": {"assistant_id": BASELINE_ID},
    "diagnose_assistant": {"assistant_id": MISCONFIGURED_ID},
    "compare_assistants": {"assistant_id_a": BASELINE_ID, "assistant_id_b": LONG_PROMPT_ID},
    "assistant_history": {"assistant_id": BASELINE_ID},
    "revox_status": {},
    "list_calls": {"assistant_id": MISCONFIGURED_ID, "limit": 3},
    "get_call": {},
    "analyze_calls": {"assistant_id": MISCONFIGURED_ID},
}


def everywhere(test: Any) -> Any:
    """Run ``test`` in memory and over HTTP, in both protocol eras."""
    for mark in (
        pytest.mark.anyio,
        pytest.mark.parametrize("mode", MODES),
        pytest.mark.parametrize("transport", TRANSPORTS),
    ):
        test = mark(test)
    return test


@pytest.fixture(scope="module")
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="module")
def memory_server() -> MCPServer[Any]:
    """One demo server for the module; every client of it is another connection to the same server.
    In demo mode, as the HTTP subprocess (``--demo``): periods end at the demo's own present, so two
    calls a second apart answer the same period (on the clock's "now" they could straddle a tick)."""
    return demo_server(demo=True)


@pytest.fixture(scope="module")
def http_url() -> Iterator[str]:
    with demo_over_http() as url:
        yield url


def renders_views() -> Any:
    """What a host that renders views advertises."""
    return advertise(EXTENSION_ID, {"mimeTypes": [APP_MIME_TYPE]})


@asynccontextmanager
async def clients(request: pytest.FixtureRequest, transport: str, mode: Any) -> AsyncIterator[tuple[Client, Client]]:
    """Two clients of one server (in memory, or the HTTP subprocess): the first renders views."""
    with anyio.fail_after(60):
        if transport == "memory":
            server = request.getfixturevalue("memory_server")
            async with (
                Client(server, mode=mode, extensions=[renders_views()]) as with_views,
                Client(server, mode=mode) as without,
            ):
                yield with_views, without
        else:
            url = request.getfixturevalue("http_url")
            async with (
                streamable_session(url, mode=mode, extensions=[renders_views()]) as with_views,
                streamable_session(url, mode=mode) as without,
            ):
                yield with_views, without


def texts(result: CallToolResult) -> list[str]:
    return [block.text for block in result.content if isinstance(block, TextContent)]


@everywhere
async def test_the_server_advertises_apps_and_serves_every_view_its_tools_point_at(
    request: pytest.FixtureRequest, transport: str, mode: Any
) -> None:
    async with clients(request, transport, mode) as (client, _):
        # 2025-11-25 initialize results carry no server extensions: hosts there follow the tools' _meta.
        advertised = client.server_capabilities.extensions or {}
        assert (EXTENSION_ID in advertised) is (mode == "auto")
        pointed = {tool.name: tool.meta for tool in (await client.list_tools()).tools if tool.meta}
        assert pointed == {
            "analyze_calls": {"ui": {"resourceUri": "ui://revox-mcp/calls-triage.html"}},
            "compare_assistants": {"ui": {"resourceUri": "ui://revox-mcp/config-diff.html"}},
            "assistant_history": {"ui": {"resourceUri": "ui://revox-mcp/config-diff.html"}},
        }
        listed = {str(resource.uri): resource for resource in (await client.list_resources()).resources}
        assert {meta["ui"]["resourceUri"] for meta in pointed.values()} <= set(listed)
        for view in VIEWS:
            assert listed[view.uri].mime_type == APP_MIME_TYPE
            (content,) = (await client.read_resource(view.uri)).contents
            assert content.mime_type == "text/html;profile=mcp-app"
            assert getattr(content, "text", None) == view_html(view.name)
            assert content.meta == {"ui": {"prefersBorder": True}}  # no csp: the host's default, no network


@everywhere
async def test_only_the_client_that_renders_views_gets_the_line_and_both_get_the_same_facts(
    request: pytest.FixtureRequest, transport: str, mode: Any
) -> None:
    async with clients(request, transport, mode) as (with_views, without):
        for tool, view in TOOL_VIEWS.items():
            arguments = ARGUMENTS[tool]
            shown = await with_views.call_tool(tool, arguments)
            plain = await without.call_tool(tool, arguments)
            assert shown.is_error is plain.is_error is False
            assert shown.structured_content == plain.structured_content
            assert texts(shown) == [*texts(plain), view.line]
        failed = [
            await client.call_tool("analyze_calls", {"assistant_id": UNKNOWN_ID}) for client in (with_views, without)
        ]
        assert failed[0].is_error is failed[1].is_error is True
        assert texts(failed[0]) == texts(failed[1])  # an error has no view to show it


@everywhere
async def test_hosts_without_apps_get_every_tools_full_text_and_structured_content(
    request: pytest.FixtureRequest, transport: str, mode: Any
) -> None:
    async with clients(request, transport, mode) as (with_views, without):
        assert {tool.name for tool in (await without.list_tools()).tools} == set(ARGUMENTS)
        for tool, arguments in ARGUMENTS.items():
            if tool == "get_call":
                calls = (await without.call_tool("list_calls", ARGUMENTS["list_calls"])).structured_content
                arguments = {"call_id": (calls or {})["calls"][0]["id"]}
            plain = await without.call_tool(tool, arguments)
            shown = await with_views.call_tool(tool, arguments)
            assert plain.is_error is False, texts(plain)
            assert plain.structured_content, tool
            (text,) = texts(plain)  # the answer, whole
            assert text.strip(), tool
            assert len(texts(shown)) == (2 if tool in TOOL_VIEWS else 1), tool


def test_a_view_attached_to_a_tool_that_is_not_registered_stops_the_start_up() -> None:
    require_viewed_tools(["analyze_calls", "assistant_history", "compare_assistants", "list_calls"])
    with pytest.raises(ValueError, match="compare_assistants"):
        require_viewed_tools(["analyze_calls", "list_calls"])
