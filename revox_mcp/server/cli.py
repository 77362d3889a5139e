"""``revox-mcp call`` / ``revox-mcp read``: drive the server in-process through the official MCP client."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

import anyio
from mcp import Client
from mcp.server.mcpserver import MCPServer
from mcp.shared.exceptions import MCPError
from mcp.types import TextContent


def parse_arguments(pairs: list[str], schema: dict[str, Any]) -> dict[str, Any]:
    """``name=value`` pairs; values are JSON unless the tool declares the parameter a plain string."""
    properties = schema.get("properties", {})
    out: dict[str, Any] = {}
    for pair in pairs:
        name, sep, raw = pair.partition("=")
        if not sep or not name:
            raise ValueError(f"argument {pair!r} is not name=value")
        if _plain_string(properties.get(name, {})):
            out[name] = raw
            continue
        try:
            out[name] = json.loads(raw)
        except ValueError:
            out[name] = raw
    return out


def _plain_string(declared: dict[str, Any]) -> bool:
    """Whether a parameter takes only a string (or null): then ``name=5`` means the string "5"."""
    kinds: set[object] = set()
    for option in [declared, *declared.get("anyOf", [])]:
        kind = option.get("type")
        kinds.update(kind if isinstance(kind, list) else [kind])
    kinds -= {"null", None}
    return kinds == {"string"}


async def _call(server: MCPServer, tool: str, pairs: list[str], as_json: bool) -> int:
    async with Client(server) as client:
        tools = {t.name: t for t in (await client.list_tools()).tools}
        if tool not in tools:
            print(f"revox-mcp: unknown tool {tool!r}; tools: {', '.join(sorted(tools))}", file=sys.stderr)
            return 2
        try:
            arguments = parse_arguments(pairs, tools[tool].input_schema)
        except ValueError as exc:
            print(f"revox-mcp: {exc}", file=sys.stderr)
            return 2
        result = await client.call_tool(tool, arguments)
    text = "\n".join(block.text for block in result.content if isinstance(block, TextContent))
    if result.is_error:
        print(text, file=sys.stderr)
        return 1
    if as_json and result.structured_content is not None:
        print(json.dumps(result.structured_content, ensure_ascii=False, indent=2))
    else:
        print(text)
    return 0


async def _read(server: MCPServer, uri: str) -> int:
    async with Client(server) as client:
        try:
            result = await client.read_resource(uri)
        except MCPError as exc:
            print(f"revox-mcp: {exc}", file=sys.stderr)
            return 1
    for content in result.contents:
        print(getattr(content, "text", ""))
    return 0


def run_cli(server: MCPServer, args: argparse.Namespace) -> int:
    try:
        if args.command == "call":
            return anyio.run(_call, server, args.tool, list(args.arguments), bool(args.json))
        return anyio.run(_read, server, str(args.uri))
    except BrokenPipeError:  # output piped into `head` and the like: not an error
        sys.stderr.close()
        return 0
