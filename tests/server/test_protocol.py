"""Protocol niceties: cache hints on list and read results, a deterministic listing order, the server icon."""

from __future__ import annotations

import pytest
from mcp import Client
from mcp.server.mcpserver import MCPServer
from support import demo_server

pytestmark = pytest.mark.anyio

BASELINE_ID = "0f8e2c1a-7b3d-4e5f-9a0b-1c2d3e4f5a61"


async def test_list_and_read_results_carry_our_ttl_as_a_private_cache_hint():
    async with Client(demo_server(cache_ttl=30), cache=None) as client:
        results = [
            await client.list_tools(),
            await client.list_prompts(),
            await client.list_resources(),
            await client.list_resource_templates(),
            await client.read_resource("revox://assistants"),
            await client.read_resource(f"revox://assistants/{BASELINE_ID}"),
        ]
    for result in results:
        assert (result.ttl_ms, result.cache_scope) == (30_000, "private"), type(result).__name__


async def test_a_zero_ttl_says_results_are_stale_at_once():
    async with Client(demo_server(cache_ttl=0), cache=None) as client:
        listed = await client.list_tools()
    assert listed.ttl_ms == 0


async def test_listings_come_in_the_same_order_in_every_session_and_server():
    """Registration order, entry points first: stable across sessions, so clients' caches and prompts are too."""

    async def names(server: MCPServer) -> tuple[list[str], ...]:
        async with Client(server, cache=None) as client:
            return (
                [tool.name for tool in (await client.list_tools()).tools],
                [prompt.name for prompt in (await client.list_prompts()).prompts],
                [str(resource.uri) for resource in (await client.list_resources()).resources],
                [template.uri_template for template in (await client.list_resource_templates()).resource_templates],
            )

    first = await names(demo_server())
    assert first[0][:2] == ["list_assistants", "get_assistant"]
    assert await names(demo_server()) == first
    assert await names(demo_server(demo=True, cache_ttl=5)) == first


async def test_the_server_has_a_small_inline_icon():
    async with Client(demo_server()) as client:
        assert client.server_info is not None
        [icon] = client.server_info.icons or []
    assert icon.src.startswith("data:image/svg+xml,")
    assert icon.mime_type == "image/svg+xml"
    assert len(icon.src) < 400  # stamped into every 2026-07-28 result's _meta
