"""Where the SDK's defaults miss the spec's SHOULDs: unknown names are JSON-RPC ``-32602``, and
completion answers only for the prompt and template arguments that exist.

* ``tools/call`` of a tool the server does not have: a protocol error (``-32602``), as the spec
  lists unknown tools among protocol errors. Invalid arguments to a known tool stay tool results
  with ``isError``, so the model can correct itself (``arguments.ToolContractServer``).
* ``prompts/get`` of an unknown prompt, without a required argument or with one the prompt does
  not take: ``-32602`` (the SDK answers error code 0 on legacy connections, ``-32603`` on 2026-07-28).
* ``completion/complete``: the registered handler is asked only when ``ref`` names a prompt or a
  resource template of this server that takes ``argument.name``; otherwise the answer is an empty
  completion (completion is a hint, never an error).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from typing import Any

from mcp.server.mcpserver import Context, MCPServer
from mcp.shared.exceptions import MCPError
from mcp.shared.uri_template import UriTemplate
from mcp.types import (
    INVALID_PARAMS,
    CallToolResult,
    Completion,
    CompletionArgument,
    CompletionContext,
    GetPromptResult,
    InputRequiredResult,
    PromptReference,
    ResourceTemplateReference,
)
from typing_extensions import TypeVar

from revox_mcp.server.arguments import ToolContractServer

LifespanT = TypeVar("LifespanT", default=Any)
Ref = PromptReference | ResourceTemplateReference
CompletionHandler = Callable[[Ref, CompletionArgument, CompletionContext | None], Awaitable[Completion | None]]

# A caller's name echoed in an error stays short, whatever was sent.
_SHOWN_CHARS = 80


def _shown(name: str) -> str:
    return repr(name if len(name) <= _SHOWN_CHARS else name[:_SHOWN_CHARS] + "...")


def _listed(names: Iterable[str]) -> str:
    return ", ".join(sorted(names)) or "none"


def invalid_params(message: str, **data: Any) -> MCPError:
    """A JSON-RPC ``-32602`` (Invalid params) error with ``message`` and ``data``."""
    return MCPError(code=INVALID_PARAMS, message=message, data=data or None)


class ConformingServer(ToolContractServer[LifespanT]):
    """A ``ToolContractServer`` that answers unknown tools and prompts, and completions, as the spec says
    (see the module docstring)."""

    async def call_tool(
        self, name: str, arguments: dict[str, Any], context: Context[LifespanT, Any] | None = None
    ) -> CallToolResult | InputRequiredResult:
        tools = {tool.name for tool in await MCPServer.list_tools(self)}
        if name not in tools:
            raise invalid_params(f"Unknown tool: {_shown(name)} (tools: {_listed(tools)})", tool=name[:_SHOWN_CHARS])
        return await super().call_tool(name, arguments, context)

    async def get_prompt(
        self, name: str, arguments: dict[str, Any] | None = None, context: Context[LifespanT, Any] | None = None
    ) -> GetPromptResult | InputRequiredResult:
        prompts = {prompt.name: prompt for prompt in await self.list_prompts()}
        prompt = prompts.get(name)
        if prompt is None:
            raise invalid_params(
                f"Unknown prompt: {_shown(name)} (prompts: {_listed(prompts)})", prompt=name[:_SHOWN_CHARS]
            )
        declared = prompt.arguments or []
        takes = "; ".join(f"{arg.name} (required)" if arg.required else arg.name for arg in declared) or "nothing"
        given = set(arguments or {})
        missing = sorted(arg.name for arg in declared if arg.required and arg.name not in given)
        unknown = sorted(given - {arg.name for arg in declared})
        if missing:
            raise invalid_params(
                f"Missing required arguments for prompt {name}: {', '.join(missing)} (it takes {takes})",
                prompt=name,
                missing=missing,
            )
        if unknown:
            shown = ", ".join(_shown(arg) for arg in unknown[:10])
            raise invalid_params(f"Unknown arguments for prompt {name}: {shown} (it takes {takes})", prompt=name)
        return await super().get_prompt(name, arguments, context)

    def completion(self) -> Callable[[CompletionHandler], CompletionHandler]:
        """Register a completion handler that is asked only about arguments that exist (empty answer otherwise)."""
        register = super().completion()  # type: ignore[no-untyped-call]  # untyped in mcp 2.3

        def decorator(handler: CompletionHandler) -> CompletionHandler:
            async def within_ref(
                ref: Ref, argument: CompletionArgument, context: CompletionContext | None
            ) -> Completion | None:
                if argument.name not in await self.completable(ref):
                    return None
                return await handler(ref, argument, context)

            register(within_ref)
            return handler

        return decorator

    async def completable(self, ref: Ref) -> set[str]:
        """The argument names ``ref`` takes: a prompt's arguments, a template's variables; none when unknown."""
        if isinstance(ref, PromptReference):
            for prompt in await self.list_prompts():
                if prompt.name == ref.name:
                    return {arg.name for arg in prompt.arguments or []}
            return set()
        for template in await self.list_resource_templates():
            if template.uri_template == ref.uri:
                return set(UriTemplate.parse(template.uri_template).variable_names)
        return set()
