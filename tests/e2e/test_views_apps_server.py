"""The views through a real MCP server with the Apps extension (the wiring prototype in
views_apps_server.py): advertised, served as ``text/html;profile=mcp-app``, named by the tools'
``_meta.ui.resourceUri``, decided per request, and rendered in the browser as the server served it."""

# ruff: noqa: F811 (the harness's fixtures, imported below, are named again as test parameters)
from __future__ import annotations

from typing import Any

import pytest
from e2e.views_apps_server import DIFF_URI, TRIAGE_URI, VIEW_NOTE, build_views_server
from e2e.views_host import (  # noqa: F401 (browser, demo, host, host_script: fixtures)
    MISCONFIGURED_ID,
    WAIT_MS,
    HostPage,
    browser,
    demo,
    host,
    host_script,
    wire,
)
from mcp import Client
from mcp.client.extension import advertise
from mcp.server.apps import APP_MIME_TYPE, EXTENSION_ID

from revox_mcp.views import view_html

pytestmark = pytest.mark.anyio


def renders_views() -> Any:
    return advertise(EXTENSION_ID, {"mimeTypes": [APP_MIME_TYPE]})


async def test_the_server_advertises_apps_serves_each_view_and_points_its_tools_at_them(demo: Client) -> None:
    async with Client(build_views_server(demo), extensions=[renders_views()]) as client:
        assert EXTENSION_ID in (client.server_capabilities.extensions or {})
        tools = {tool.name: tool for tool in (await client.list_tools()).tools}
        assert tools["analyze_calls"].meta == {"ui": {"resourceUri": TRIAGE_URI}}
        assert tools["compare_assistants"].meta == {"ui": {"resourceUri": DIFF_URI}}
        for uri, name in ((TRIAGE_URI, "calls-triage"), (DIFF_URI, "config-diff")):
            (content,) = (await client.read_resource(uri)).contents
            assert content.mime_type == APP_MIME_TYPE == "text/html;profile=mcp-app"
            assert content.text == view_html(name)  # type: ignore[union-attr]
            assert content.meta == {"ui": {"prefersBorder": True}}


async def test_a_2025_11_25_client_finds_the_views_through_the_tools_meta(demo: Client) -> None:
    # Legacy connections carry no server extensions; hosts there follow _meta.ui.resourceUri.
    async with Client(build_views_server(demo), mode="legacy", extensions=[renders_views()]) as client:
        tools = {tool.name: tool for tool in (await client.list_tools()).tools}
        assert tools["analyze_calls"].meta == {"ui": {"resourceUri": TRIAGE_URI}}
        (content,) = (await client.read_resource(TRIAGE_URI)).contents
        assert content.mime_type == APP_MIME_TYPE
        shown = await client.call_tool("analyze_calls", {"assistant_id": MISCONFIGURED_ID})
        assert shown.content[-1].text == VIEW_NOTE  # type: ignore[union-attr]


async def test_whether_the_text_mentions_the_view_is_decided_per_request(demo: Client) -> None:
    server = build_views_server(demo)
    arguments = {"assistant_id": MISCONFIGURED_ID}
    async with Client(server, extensions=[renders_views()]) as with_views, Client(server) as without:
        shown = await with_views.call_tool("analyze_calls", arguments)
        plain = await without.call_tool("analyze_calls", arguments)
    assert shown.structured_content == plain.structured_content
    assert [block.text for block in shown.content] == [*(block.text for block in plain.content), VIEW_NOTE]  # type: ignore[union-attr]


async def test_the_view_the_server_serves_renders_its_tools_answer_in_the_browser(host: HostPage, demo: Client) -> None:
    async with Client(build_views_server(demo), extensions=[renders_views()]) as client:
        tool = {tool.name: tool for tool in (await client.list_tools()).tools}["analyze_calls"]
        uri = (tool.meta or {})["ui"]["resourceUri"]
        (content,) = (await client.read_resource(uri)).contents
        result = wire(await client.call_tool("analyze_calls", {"assistant_id": MISCONFIGURED_ID}))
    await host.show("calls-triage", result, {"assistant_id": MISCONFIGURED_ID}, html=content.text)  # type: ignore[union-attr]
    first = result["structuredContent"]["findings"][0]
    finding = host.view.locator("li.finding").first
    await finding.wait_for(timeout=WAIT_MS)
    assert first["field"] in await finding.inner_text()
    host.assert_clean()
