"""The README's tables of tools, resources and prompts say what tools/list, resources/list,
resources/templates/list and prompts/list say: names, and each tool's parameters."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from mcp import Client
from support import server_over

pytestmark = pytest.mark.anyio

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
ROW = re.compile(r"^\| `([^`]+)` \| (tool|resource|resource template|prompt) \|", re.MULTILINE)


def documented() -> dict[str, dict[str, set[str]]]:
    """kind -> name -> documented parameter names (the signature in the first column)."""
    out: dict[str, dict[str, set[str]]] = {}
    for signature, kind in ROW.findall(README):
        name, _, params = signature.partition("(")
        names = {part.split("=")[0].strip().rstrip("?") for part in params.rstrip(")").split(",") if part.strip()}
        out.setdefault(kind, {}).setdefault(name, set()).update(names)
    return out


async def test_every_tool_in_tools_list_is_documented_with_its_parameters() -> None:
    async with Client(server_over()) as client:
        tools = {tool.name: set(tool.input_schema.get("properties", {})) for tool in (await client.list_tools()).tools}
        prompts = {
            prompt.name: {a.name for a in prompt.arguments or []} for prompt in (await client.list_prompts()).prompts
        }
        resources = {str(resource.uri) for resource in (await client.list_resources()).resources}
        templates = {t.uri_template for t in (await client.list_resource_templates()).resource_templates}
    table = documented()
    assert set(table["tool"]) == set(tools)
    for name, params in tools.items():
        assert table["tool"][name] == params, name  # every signature row of a tool, together
    assert table["prompt"] == prompts
    assert set(table["resource"]) == resources
    assert set(table["resource template"]) == templates
