"""A test-only MCP server wired with the views the way revox-mcp's own server will be (the wiring
plan of issue 18): the SDK's ``Apps`` extension, each view a ``ui://`` resource served as
``text/html;profile=mcp-app``, each tool pointing at its view with ``_meta.ui.resourceUri``, and the
answer's text deciding per request whether the client renders views. Its tools forward to a real
revox-mcp, so what it proves is the wiring, not the tools.
"""

from __future__ import annotations

from typing import Annotated, Any

from mcp import Client
from mcp.server.apps import Apps, client_supports_apps
from mcp.server.mcpserver import Context, MCPServer
from mcp.types import CallToolResult, TextContent
from pydantic import Field

from revox_mcp.views import ViewName, view_html

TRIAGE_URI = "ui://revox-mcp/calls-triage.html"
DIFF_URI = "ui://revox-mcp/config-diff.html"
VIEWS: dict[str, ViewName] = {TRIAGE_URI: "calls-triage", DIFF_URI: "config-diff"}
VIEW_NOTE = "(A view shows these facts; they are all in this text too.)"


def _with_note(result: CallToolResult, ctx: Context[Any, Any]) -> CallToolResult:
    """The text says a view shows the details only to a client that renders views, asked per request."""
    if result.is_error or not client_supports_apps(ctx):
        return result
    return result.model_copy(update={"content": [*result.content, TextContent(type="text", text=VIEW_NOTE)]})


def build_views_server(upstream: Client) -> MCPServer[Any]:
    apps = Apps()
    for uri, name in VIEWS.items():
        # No csp: the host applies the specification's default (no network), which is all a view needs.
        apps.add_html_resource(uri, view_html(name), name=name, title=name.replace("-", " "), prefers_border=True)

    @apps.tool(resource_uri=TRIAGE_URI, name="analyze_calls", title="Analyze Revox calls")
    async def analyze_calls(
        ctx: Context[Any, Any],
        assistant_id: Annotated[str, Field(description="assistant id")],
        last: int = 50,
    ) -> CallToolResult:
        """What an assistant's recent calls show, and the fields to change."""
        result = await upstream.call_tool("analyze_calls", {"assistant_id": assistant_id, "last": last})
        return _with_note(result, ctx)

    @apps.tool(resource_uri=DIFF_URI, name="compare_assistants", title="Compare two Revox assistants")
    async def compare_assistants(ctx: Context[Any, Any], assistant_id_a: str, assistant_id_b: str) -> CallToolResult:
        """Field-level differences between two assistants."""
        args = {"assistant_id_a": assistant_id_a, "assistant_id_b": assistant_id_b}
        return _with_note(await upstream.call_tool("compare_assistants", args), ctx)

    return MCPServer("revox-mcp-views-prototype", extensions=[apps], log_level="WARNING")
