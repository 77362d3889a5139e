"""Interop runs of Python MCP clients against `revox-mcp --demo`, generic over the tools it lists.

    python py_client.py mcp|agents stdio|http <server python> | <url>

Runs in interop's own venv (mcp 1.x and openai-agents), never in the project's (mcp 2.x).
Prints one JSON line: {client, version, transport, era, checks: [{name, ok, detail}]}.
"""

from __future__ import annotations

import asyncio
import json
import re
import sys
from importlib.metadata import version
from typing import Any

CHECKS: list[dict[str, Any]] = []


def check(name: str, ok: object, detail: object = "") -> None:
    CHECKS.append({"name": name, "ok": bool(ok), "detail": str(detail)[:300]})


def text_of(result: Any) -> str:
    return "\n".join(block.text for block in result.content if getattr(block, "type", "") == "text")


def arguments_for(tool: Any, ids: dict[str, list[str]]) -> dict[str, Any] | None:
    """Valid arguments from the input schema: ids from the matching list_<kind>s tool for required *_id."""
    args: dict[str, Any] = {}
    for name in tool.inputSchema.get("required", []):
        pool = ids.get(re.sub(r"_id(_[a-z])?$", "", name), [])
        if not pool:
            return None
        args[name] = pool[1] if name.endswith("_b") and len(pool) > 1 else pool[0]
    if tool.name == "get_assistant":
        args["fields"] = ["prompt"]
    return args


def model_facing(structured: Any, text: str, label: str) -> None:
    """get_assistant(fields=["prompt"]): the prompt's value must be in what the client hands the model."""
    config = structured.get("config") if isinstance(structured, dict) else None
    if isinstance(config, dict) and isinstance(config.get("prompt"), str):
        value = config["prompt"]
        # The text renders the prompt as an indented block (or, for clients that show the structured
        # content, as JSON): each of its first lines must be there.
        lines = [line.strip() for line in value[:120].split("\n")[:-1] if line.strip()]
        check(f"model-facing data ({label})", len(value) > 20 and all(line in text for line in lines), value[:60])
    else:
        check(f"model-facing data ({label})", False, json.dumps(structured)[:200])


async def list_ids(call: Any, tools: list[Any]) -> dict[str, list[str]]:
    ids: dict[str, list[str]] = {}
    for tool in tools:
        if re.fullmatch(r"list_[a-z_]+s", tool.name):
            listed = await call(tool.name, {})
            values = next((v for v in (listed.structuredContent or {}).values() if isinstance(v, list)), [])
            ids[tool.name[5:-1]] = [item["id"] for item in values if isinstance(item, dict) and "id" in item]
    return ids


async def run_mcp(transport: str, target: str) -> None:
    """The mcp 1.x ClientSession: validates structured content against each output schema itself."""
    from mcp import ClientSession, StdioServerParameters
    from mcp.client.stdio import stdio_client
    from mcp.client.streamable_http import streamablehttp_client
    from mcp.types import ResourceTemplateReference

    if transport == "stdio":
        opened = stdio_client(StdioServerParameters(command=target, args=["-m", "revox_mcp", "--demo"]))
    else:
        opened = streamablehttp_client(target)
    async with opened as streams, ClientSession(streams[0], streams[1]) as session:
        init = await session.initialize()
        check("protocol era", init.protocolVersion == "2025-11-25", init.protocolVersion)
        tools = (await session.list_tools()).tools
        check("tools/list", len(tools) >= 5, ",".join(t.name for t in tools))
        for tool in tools:
            check(f"{tool.name} schema closed", tool.inputSchema.get("additionalProperties") is False, "")
        ids = await list_ids(session.call_tool, tools)
        for tool in tools:
            args = arguments_for(tool, ids)
            if args is None:
                check(f"call {tool.name}", False, "no valid arguments known for its required parameters")
                continue
            result = await session.call_tool(tool.name, args)
            ok = not result.isError and text_of(result) and (tool.outputSchema is None or result.structuredContent)
            check(f"call {tool.name}", ok, text_of(result)[:200] if result.isError else list(result.structuredContent))
            if tool.name == "get_assistant":
                model_facing(result.structuredContent, text_of(result), "structured")
        nulls = await session.call_tool("list_assistants", {"query": None, "limit": None, "cursor": None})
        check("strict-mode nulls accepted", not nulls.isError, text_of(nulls).split("\n")[0])
        unknown = await session.call_tool("list_assistants", {"qurey": "x"})
        check("unknown argument refused", unknown.isError and "query" in text_of(unknown), text_of(unknown))
        resources = (await session.list_resources()).resources
        check("resources/list", any(str(r.uri) == "revox://assistants" for r in resources), len(resources))
        index = await session.read_resource("revox://assistants")  # type: ignore[arg-type]
        check("resources/read index", json.loads(index.contents[0].text)["total"] > 0, "")  # type: ignore[union-attr]
        templates = (await session.list_resource_templates()).resourceTemplates
        uri_template = "revox://assistants/{assistant_id}"
        check("resources/templates/list", any(t.uriTemplate == uri_template for t in templates), len(templates))
        first = ids["assistant"][0]
        one = await session.read_resource(f"revox://assistants/{first}")  # type: ignore[arg-type]
        check("resources/read template", json.loads(one.contents[0].text)["id"] == first, "")  # type: ignore[union-attr]
        done = await session.complete(
            ResourceTemplateReference(type="ref/resource", uri=uri_template),
            {"name": "assistant_id", "value": first[:4]},
        )
        check("completion/complete", first in done.completion.values, done.completion.values)
        prompts = (await session.list_prompts()).prompts
        check("prompts/list", any(p.name == "troubleshoot_assistant" for p in prompts), len(prompts))
        got = await session.get_prompt("troubleshoot_assistant", {"assistant_id": first, "symptom": "hangs up"})
        check("prompts/get", first in got.messages[0].content.text, len(got.messages))  # type: ignore[union-attr]


async def run_agents(transport: str, target: str) -> None:
    """openai-agents: strict conversion of every tool, then calls as a strict model makes them.

    use_structured_content=True: the tool output the model reads is the structured content alone.
    """
    from agents import RunContextWrapper
    from agents.mcp import MCPServerStdio, MCPServerStreamableHttp, MCPUtil

    server: Any
    if transport == "stdio":
        params = {"command": target, "args": ["-m", "revox_mcp", "--demo"]}
        server = MCPServerStdio(params=params, use_structured_content=True)  # type: ignore[arg-type]
    else:
        server = MCPServerStreamableHttp(params={"url": target}, use_structured_content=True)
    async with server:
        tools = await server.list_tools()
        check("tools/list", len(tools) >= 5, ",".join(t.name for t in tools))
        context = RunContextWrapper(context=None)

        async def call(name: str, args: dict[str, Any]) -> Any:
            return await server.call_tool(name, args)

        ids = await list_ids(call, tools)
        for tool in tools:
            function = MCPUtil.to_function_tool(tool, server, convert_schemas_to_strict=True)
            check(f"{tool.name} strict", function.strict_json_schema, json.dumps(function.params_json_schema)[:150])
            args = arguments_for(tool, ids)
            if args is None:
                check(f"call {tool.name}", False, "no valid arguments known for its required parameters")
                continue
            # A strict model sends every property: null for the ones it does not use.
            sent = {name: args.get(name) for name in function.params_json_schema["properties"]}
            output = await MCPUtil.invoke_mcp_tool(server, tool, context, json.dumps(sent))
            shown = str(output)
            check(f"call {tool.name}", shown.startswith("{") and "Error executing tool" not in shown, shown[:150])
            if tool.name == "get_assistant":
                try:
                    structured = json.loads(shown)
                except ValueError:
                    structured = None
                model_facing(structured, shown, "what the model reads")


def main() -> None:
    kind, transport, target = sys.argv[1:4]
    label, package = ("Python mcp 1.x", "mcp") if kind == "mcp" else ("openai-agents (mcp 1.x)", "openai-agents")
    runner = run_mcp if kind == "mcp" else run_agents
    try:
        asyncio.run(asyncio.wait_for(runner(transport, target), timeout=90))
    except BaseException as exc:  # reported as a failed check: the table must show every run
        check("session", False, f"{type(exc).__name__}: {exc}")
    era = "2025-11-25"
    shown = "streamable HTTP" if transport == "http" else "stdio"
    print(json.dumps({"client": label, "version": version(package), "transport": shown, "era": era, "checks": CHECKS}))


if __name__ == "__main__":
    main()
