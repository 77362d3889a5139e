"""On-demand interop runs of agent frameworks against `revox-mcp --demo` (interop/on_demand.sh).

    python frameworks_client.py pydantic-ai|langchain stdio|http <server python> | <url>

Each framework gets what it hands the model for every tool: pydantic-ai prefers structured content,
langchain-mcp-adapters the text. Prints one JSON line like py_client.py.
"""

from __future__ import annotations

import asyncio
import json
import sys
from importlib.metadata import version
from typing import Any

from py_client import CHECKS, check, model_facing

BASELINE_ID = "0f8e2c1a-7b3d-4e5f-9a0b-1c2d3e4f5a61"
OTHER_ID = "1a9b8c7d-6e5f-4a3b-8c2d-1e0f9a8b7c62"
ARGUMENTS: dict[str, dict[str, Any]] = {
    "get_assistant": {"assistant_id": BASELINE_ID, "fields": ["prompt"]},
    "compare_assistants": {"assistant_id_a": BASELINE_ID, "assistant_id_b": OTHER_ID},
    "diagnose_assistant": {"assistant_id": BASELINE_ID},
}


def arguments(tool: str, schema: dict[str, Any]) -> dict[str, Any] | None:
    if tool in ARGUMENTS:
        return ARGUMENTS[tool]
    return None if schema.get("required") else {}


async def run_pydantic_ai(transport: str, target: str) -> None:
    from fastmcp.client.transports import StdioTransport
    from pydantic_ai.mcp import MCPToolset

    source: Any = StdioTransport(command=target, args=["-m", "revox_mcp", "--demo"]) if transport == "stdio" else target
    async with MCPToolset(source) as toolset:
        tools = await toolset.list_tools()
        check("tools/list", len(tools) >= 5, ",".join(t.name for t in tools))
        for tool in tools:
            schema = getattr(tool, "input_schema", None) or tool.inputSchema  # mcp 2.x name, then 1.x
            args = arguments(tool.name, schema)
            if args is None:
                check(f"call {tool.name}", False, "no valid arguments known for its required parameters")
                continue
            seen = await toolset.direct_call_tool(tool.name, args)  # what pydantic-ai gives the model
            check(f"call {tool.name}", bool(seen), str(seen)[:150])
            if tool.name == "get_assistant":
                model_facing(seen, json.dumps(seen, ensure_ascii=False), "what the model reads")


async def run_langchain(transport: str, target: str) -> None:
    from langchain_mcp_adapters.client import MultiServerMCPClient

    connection: dict[str, Any] = (
        {"command": target, "args": ["-m", "revox_mcp", "--demo"], "transport": "stdio"}
        if transport == "stdio"
        else {"url": target, "transport": "streamable_http"}
    )
    tools = await MultiServerMCPClient({"revox": connection}).get_tools()  # type: ignore[dict-item]
    check("tools/list", len(tools) >= 5, ",".join(t.name for t in tools))
    for tool in tools:
        schema = tool.args_schema if isinstance(tool.args_schema, dict) else {}
        args = arguments(tool.name, schema)
        if args is None:
            check(f"call {tool.name}", False, "no valid arguments known for its required parameters")
            continue
        seen = await tool.ainvoke(args)  # the tool message content the model reads
        shown = seen if isinstance(seen, str) else json.dumps(seen, ensure_ascii=False, default=str)
        check(f"call {tool.name}", "Error executing tool" not in shown and len(shown) > 0, shown[:150])
        if tool.name == "get_assistant":
            check("model-facing data (text)", "# Identity" in shown, shown[:150])


def main() -> None:
    kind, transport, target = sys.argv[1:4]
    label, package = (
        ("pydantic-ai", "pydantic-ai-slim")
        if kind == "pydantic-ai"
        else (
            "langchain-mcp-adapters",
            "langchain-mcp-adapters",
        )
    )
    runner = run_pydantic_ai if kind == "pydantic-ai" else run_langchain
    try:
        asyncio.run(asyncio.wait_for(runner(transport, target), timeout=120))
    except BaseException as exc:  # reported as a failed check: the table must show every run
        check("session", False, f"{type(exc).__name__}: {exc}")
    shown = "streamable HTTP" if transport == "http" else "stdio"
    print(json.dumps({"client": label, "version": version(package), "transport": shown, "era": "-", "checks": CHECKS}))


if __name__ == "__main__":
    main()
