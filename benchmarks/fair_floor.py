"""The fair floor: revox-mcp's own server, with every tool answering a precomputed result.

    python -m benchmarks.fair_floor RESULTS.json

It builds the very server ``revox-mcp --demo`` builds (same tools, same input and output schemas,
same middleware and lifespan, same SDK validation of arguments), then
replaces each tool's function with one that returns the ``CallToolResult`` saved in RESULTS.json for
those arguments. What is left is the SDK's work on the same bytes; what is removed is ours.
RESULTS.json is a list of ``{"tool", "arguments", "result"}``, the result as the wire JSON.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from mcp.server.mcpserver import MCPServer
from mcp.types import CallToolResult


def _key(arguments: dict[str, Any]) -> str:
    return json.dumps(arguments, sort_keys=True, default=str)


def _answering(by_arguments: dict[str, CallToolResult], context: str | None) -> Callable[..., Awaitable[Any]]:
    async def precomputed(**arguments: Any) -> CallToolResult:
        arguments.pop(context or "", None)
        return by_arguments[_key(arguments)]

    return precomputed


def build(results: Path) -> MCPServer[Any]:
    from revox_mcp.server.app import build_server
    from revox_mcp.settings import load_settings

    server = build_server(load_settings({}, demo=True))
    tools = server._tool_manager  # private: there is no public way to swap a registered tool's function
    answers: dict[str, dict[str, CallToolResult]] = {}
    for saved in json.loads(results.read_text(encoding="utf-8")):
        tool = tools.get_tool(saved["tool"])
        assert tool is not None, saved["tool"]
        # Keyed by the validated arguments, defaults filled in: what the function receives.
        validated = tool.fn_metadata.validate_arguments(saved["arguments"])
        validated.pop(tool.context_kwarg or "", None)
        answers.setdefault(tool.name, {})[_key(validated)] = CallToolResult.model_validate(saved["result"])
    for name, by_arguments in answers.items():
        tool = tools.get_tool(name)
        assert tool is not None
        assert tool.is_async  # the replacement is async too
        tool.fn = _answering(by_arguments, tool.context_kwarg)
    return server


if __name__ == "__main__":
    build(Path(sys.argv[1])).run("stdio")
