"""The MCP Apps views (``io.modelcontextprotocol/ui``): which tool's answer each view shows, the
extension that serves them, and the one line a tool's text gains for a client that renders views.

Each view is a ``ui://`` resource served as exactly ``text/html;profile=mcp-app`` (the SDK's
``Apps``, passed to the server, also advertises the extension); a tool names its view in the nested
``_meta.ui.resourceUri``, which is how hosts find it, on 2025-11-25 connections too (they carry no
server extensions). No CSP is declared: the host applies the specification's default, no network,
which is all a view needs (its data arrives through the host).

Whether the client renders views is asked per request (``client_supports_apps``): on 2026-07-28
every request carries the client's capabilities, so two clients of one process may differ. Hosts
without Apps lose nothing: the text and the structured content are the same for every client, but
for one line saying that a view shows the answer.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from mcp.server.apps import Apps, client_supports_apps
from mcp.server.mcpserver import Context
from mcp.types import TextContent

from revox_mcp.views import ViewName, view_html


@dataclass(frozen=True)
class View:
    """One view: its built document's name, its title, and what the text's line says it shows."""

    name: ViewName
    title: str
    shows: str

    @property
    def uri(self) -> str:
        return f"ui://revox-mcp/{self.name}.html"

    @property
    def meta(self) -> dict[str, Any]:
        """The tool's ``_meta`` that points hosts at this view."""
        return {"ui": {"resourceUri": self.uri}}

    @property
    def line(self) -> str:
        """What the text adds for a client that renders views (the facts stay in the text)."""
        return f"The user also sees this answer in the {self.title} view: {self.shows}."


TRIAGE = View("calls-triage", "Revox calls triage", "the findings, their calls and transcripts")
DIFF = View("config-diff", "Revox configuration diff", "the changed fields side by side, prompts as a line diff")
VIEWS = (TRIAGE, DIFF)

# The tools whose answers a view shows, by tool name.
TOOL_VIEWS: Mapping[str, View] = {"analyze_calls": TRIAGE, "compare_assistants": DIFF, "assistant_history": DIFF}


def apps_extension() -> Apps:
    """The extension serving every view as a ``ui://`` resource (the documents are read here, once)."""
    apps = Apps()
    for view in VIEWS:
        # No csp: the host's default (no connect, resource or frame domains) is exactly what a view needs.
        apps.add_html_resource(
            view.uri,
            view_html(view.name),
            name=view.name,
            title=view.title,
            description=f"MCP Apps view: {view.shows}.",
            prefers_border=True,
        )
    return apps


def require_viewed_tools(registered: Iterable[str]) -> None:
    """At start-up: every tool a view is attached to by name is registered (a renamed tool would
    otherwise lose its view silently). Raises ValueError naming the missing tools."""
    missing = sorted(set(TOOL_VIEWS) - set(registered))
    if missing:
        raise ValueError(f"Views are attached to tools that are not registered: {', '.join(missing)}")


def view_note(view: View | None, ctx: Context[Any, Any]) -> list[TextContent]:
    """The text's extra line when the client of this request renders views; else nothing."""
    if view is None or not client_supports_apps(ctx):
        return []
    return [TextContent(type="text", text=view.line)]
