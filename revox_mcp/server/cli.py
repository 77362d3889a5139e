"""``revox-mcp call`` / ``revox-mcp read``: drive the server in-process through the official MCP client.

``call --help`` lists the tools, ``call TOOL --help`` one tool's parameters (read from its input
schema, the same one an MCP client gets), ``read --help`` the resources.
"""

from __future__ import annotations

import argparse
import json
import sys
import textwrap
from collections.abc import Mapping
from typing import Any

import anyio
from mcp import Client
from mcp.server.mcpserver import MCPServer
from mcp.shared.exceptions import MCPError
from mcp.types import TextContent, Tool

CALL_USAGE = "usage: revox-mcp [--demo] call TOOL [name=value ...] [--json]"
READ_USAGE = "usage: revox-mcp [--demo] read URI"
_FLAGS_ANYWHERE = "Flags may come anywhere after the command."
_DEMO_OPTION = "  --demo      the built-in sample assistants, no key needed (as before the command)"


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


def _kinds(declared: Mapping[str, Any]) -> list[str]:
    """The JSON types a parameter takes, null left out, in the order declared."""
    kinds: list[str] = []
    for option in [declared, *declared.get("anyOf", [])]:
        kind = option.get("type")
        for one in kind if isinstance(kind, list) else [kind]:
            if isinstance(one, str) and one != "null" and one not in kinds:
                kinds.append(one)
    return kinds


def _plain_string(declared: dict[str, Any]) -> bool:
    """Whether a parameter takes only a string (or null): then ``name=5`` means the string "5"."""
    return _kinds(declared) == ["string"]


# --- help: the tools, one tool's parameters, the resources ------------------------------------------


def tools_help(tools: Mapping[str, Tool]) -> str:
    """``call --help``: how to call, then every tool with the first sentence of its description."""
    width = max(len(name) for name in tools)
    lines = [
        CALL_USAGE,
        "",
        "Call a tool in-process and print its answer (the text; with --json, the structured content).",
        "The name=value arguments are optional: a tool may take none. Values are JSON when they parse as",
        "JSON (limit=3, fields='[\"prompt\"]'), else text. " + _FLAGS_ANYWHERE,
        "",
        "options (anywhere after call):",
        "  --json      print the structured content instead of the text",
        _DEMO_OPTION,
        "  -h, --help  this help; after a tool name, that tool's parameters",
        "",
        "tools (revox-mcp call TOOL --help lists a tool's parameters):",
    ]
    lines += [f"  {name.ljust(width)}  {_first_sentence(tools[name].description)}" for name in sorted(tools)]
    return "\n".join(lines)


def tool_help(tool: Tool) -> str:
    """``call TOOL --help``: the tool's description and each parameter's type, accepted values, default."""
    schema = tool.input_schema
    properties: Mapping[str, Any] = schema.get("properties", {})
    required = set(schema.get("required", []))
    lines = [f"usage: revox-mcp [--demo] call {tool.name} [name=value ...] [--json]", ""]
    lines += textwrap.wrap(" ".join((tool.description or "").split()), 100) or ["(no description)"]
    lines.append("")
    if not properties:
        lines.append("parameters: none")
        return "\n".join(lines)
    lines.append("parameters (name=value; values are JSON when they parse as JSON):")
    width = max(len(name) for name in properties)
    for name, declared in properties.items():
        lines.append(f"  {name.ljust(width)}  {parameter_line(declared, name in required)}")
        description = declared.get("description")
        if isinstance(description, str) and description:
            lines += textwrap.wrap(
                description, 96, initial_indent=" " * (width + 4), subsequent_indent=" " * (width + 4)
            )
    return "\n".join(lines)


def parameter_line(declared: Mapping[str, Any], required: bool) -> str:
    """One parameter as its schema says: type or accepted values, bounds, default, required or not."""
    parts: list[str] = []
    accepted = [value for value in declared.get("enum", []) if value is not None]
    if accepted:
        parts.append("one of " + ", ".join(json.dumps(value) for value in accepted))
    else:
        parts.append(" or ".join(_kind_words(kind, declared) for kind in _kinds(declared)) or "any JSON value")
    low, high = declared.get("minimum"), declared.get("maximum")
    if low is not None and high is not None:
        parts.append(f"from {low} to {high}")
    elif low is not None:
        parts.append(f"at least {low}")
    elif high is not None:
        parts.append(f"at most {high}")
    if (longest := declared.get("maxLength")) is not None:
        parts.append(f"at most {longest} characters")
    if (most := declared.get("maxItems")) is not None:
        parts.append(f"at most {most} items")
    if "default" in declared and declared["default"] is not None:
        parts.append(f"default {json.dumps(declared['default'])}")
    parts.append("required" if required else "optional")
    return "; ".join(parts)


def _kind_words(kind: str, declared: Mapping[str, Any]) -> str:
    if kind == "array":
        items = _kinds(declared.get("items", {}))
        return f"JSON list of {items[0]}s" if len(items) == 1 else "JSON list"
    return {"object": "JSON object", "boolean": "true or false"}.get(kind, kind)


def read_help(uris: list[str]) -> str:
    """``read --help``: how to read, then the resources and templates."""
    return "\n".join(
        [
            READ_USAGE,
            "",
            "Read a resource in-process and print it. " + _FLAGS_ANYWHERE,
            "",
            "options (anywhere after read):",
            _DEMO_OPTION,
            "  -h, --help  this help",
            "",
            "resources:",
            *(f"  {uri}" for uri in uris),
        ]
    )


def _first_sentence(description: str | None) -> str:
    text = " ".join((description or "").split())
    end = text.find(". ")
    return text if end < 0 else text[: end + 1]


# --- running -------------------------------------------------------------------------------------


def _tool_list(tools: Mapping[str, Tool]) -> str:
    return f"tools: {', '.join(sorted(tools))} (revox-mcp call --help says more)"


async def _call(server: MCPServer[Any], tool: str | None, pairs: list[str], as_json: bool) -> int:
    async with Client(server) as client:
        tools = {t.name: t for t in (await client.list_tools()).tools}
        if tool is None or tool not in tools:
            what = "name a tool" if tool is None else f"unknown tool {tool!r}"
            print(f"revox-mcp: {what}; {_tool_list(tools)}", file=sys.stderr)
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


async def _read(server: MCPServer[Any], uri: str | None) -> int:
    if uri is None:
        print(
            f"revox-mcp: name a resource: {READ_USAGE.removeprefix('usage: ')} (read --help lists them)",
            file=sys.stderr,
        )
        return 2
    async with Client(server) as client:
        try:
            result = await client.read_resource(uri)
        except MCPError as exc:
            print(f"revox-mcp: {exc}", file=sys.stderr)
            return 1
    for content in result.contents:
        print(getattr(content, "text", ""))
    return 0


async def _help(server: MCPServer[Any], command: str, tool: str | None) -> int:
    async with Client(server) as client:
        if command == "read":
            resources = [r.uri for r in (await client.list_resources()).resources]
            templates = [t.uri_template for t in (await client.list_resource_templates()).resource_templates]
            print(read_help([*map(str, resources), *templates]))
            return 0
        tools = {t.name: t for t in (await client.list_tools()).tools}
    if tool is None:
        print(tools_help(tools))
        return 0
    if tool not in tools:
        print(f"revox-mcp: unknown tool {tool!r}; {_tool_list(tools)}", file=sys.stderr)
        return 2
    print(tool_help(tools[tool]))
    return 0


def run_cli(server: MCPServer[Any], args: argparse.Namespace) -> int:
    """``call`` or ``read`` as ``__main__.parse_args`` left them: ``help``; ``tool``, ``arguments``,
    ``json``; ``uri``."""
    try:
        if args.help:
            return anyio.run(_help, server, str(args.command), args.tool if args.command == "call" else None)
        if args.command == "call":
            return anyio.run(_call, server, args.tool, list(args.arguments), bool(args.json))
        return anyio.run(_read, server, args.uri)
    except BrokenPipeError:  # output piped into `head` and the like: not an error
        sys.stderr.close()
        return 0
