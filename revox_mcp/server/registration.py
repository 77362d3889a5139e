"""How a handler becomes a tool, in one place: a tool is its signature, its docstring and one line.

A handler takes the request's ``AppState`` first, then its parameters (the contract the model
reads), and returns the service's ``Answer``::

    @TOOLS.tool("List Revox assistants", "AssistantPage")
    async def list_assistants(app: AppState, query: QueryArg = None, limit: LimitArg = 20) -> Answer:
        \"\"\"List the Revox voice assistants...\"\"\"
        return await app.services.assistants.list_assistants(app.credential(), query, limit)

Registered, it runs inside the call deadline with its failures translated once
(``errors.answered``), gets the state bound to the request (``state.current_state``), and answers
the text with the structured content whose schema is ``output``. The parameters the model sees are
the handler's, without ``app``. The output is named, not imported: its schema is read from
``output_schemas.json`` (listing the tools loads no answer model; ``output_schemas`` writes it). A
tool whose answer a view shows (``views.TOOL_VIEWS``, by name) points hosts at it in
``_meta.ui.resourceUri``, and its text gains one line for a client that renders views (asked per
request).
"""

from __future__ import annotations

import copy
import functools
import inspect
import json
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Concatenate, ParamSpec, TypeAlias

from mcp.server.mcpserver import Context
from mcp.server.mcpserver.tools import Tool
from mcp.types import CallToolResult, TextContent, ToolAnnotations

from revox_mcp.server.errors import answered
from revox_mcp.server.state import AppState, current_state
from revox_mcp.server.views import View, view_note
from revox_mcp.service.results import Answer

P = ParamSpec("P")
Handler: TypeAlias = Callable[Concatenate[AppState, P], Awaitable[Answer]]

_CONTEXT = "ctx"  # the SDK's name for the request's Context; no handler takes a parameter of that name

# Every tool only reads, from Revox (an open world), and answers the same to the same call.
READ_ONLY = ToolAnnotations(read_only_hint=True, destructive_hint=False, idempotent_hint=True, open_world_hint=True)


@dataclass(frozen=True)
class _Tool:
    handler: Handler[...]
    title: str
    output: str  # the answer model's name in service.answers


class ToolSet:
    """The tools of one area, in the order they are listed; ``register`` adds them to a server."""

    def __init__(self) -> None:
        self._tools: list[_Tool] = []

    def tool(self, title: str, output: str) -> Callable[[Handler[P]], Handler[P]]:
        """Declare a handler a tool titled ``title`` whose structured content is an ``output`` (the
        name of an answer model of ``service.answers``)."""

        def declare(handler: Handler[P]) -> Handler[P]:
            self._tools.append(_Tool(handler, title, output))
            return handler

        return declare

    def outputs(self) -> dict[str, str]:
        """Each tool's answer model: tool name -> model name."""
        return {tool.handler.__name__: tool.output for tool in self._tools}

    def tools(self, views: Mapping[str, View]) -> list[Tool]:
        """The SDK's tools for a server's ``tools=``, each pointing at its view in ``views`` (by tool
        name) if it has one. Built once per process: a tool reads its server's state from the request
        (``current_state``), so every server shares the same ones, and building a tool's input schema
        is most of what building a server costs."""
        return [_built(tool, views.get(tool.handler.__name__)) for tool in self._tools]


# Each answer model's output schema, as the SDK derives it: written by ``output_schemas``.
OUTPUT_SCHEMAS = Path(__file__).with_name("output_schemas.json")


@functools.cache
def _published() -> dict[str, dict[str, Any]]:
    schemas: dict[str, dict[str, Any]] = json.loads(OUTPUT_SCHEMAS.read_text(encoding="utf-8"))
    return schemas


def published(model: str) -> dict[str, Any]:
    """The output schema of the answer model named ``model`` (a fresh copy: the caller may keep it).

    Raises KeyError, naming the command that writes it, when the file has no such model.
    """
    try:
        return copy.deepcopy(_published()[model])
    except KeyError:
        raise KeyError(
            f"{OUTPUT_SCHEMAS.name} has no schema for {model}: run python -m revox_mcp.server.output_schemas"
        ) from None


@functools.cache
def _built(tool: _Tool, view: View | None) -> Tool:
    built = Tool.from_function(
        as_tool(tool.handler, view),
        title=tool.title,
        annotations=READ_ONLY,
        meta=view.meta if view else None,
    )
    # The SDK's way to publish a schema it did not derive ("hand-built metadata"): advertised, and
    # not validated again on each call (the service built the structured content from the model).
    built.fn_metadata.output_schema = published(tool.output)
    return built


def as_tool(handler: Handler[...], view: View | None = None) -> Callable[..., Awaitable[CallToolResult]]:
    """The function the SDK registers: the handler's parameters after ``app`` and its docstring,
    returning the answer's text (and ``view``'s line, for a client that renders views) and
    structured content."""
    signature = inspect.signature(handler, eval_str=True)
    # Last, the request's Context (the SDK passes it; the model never sees it): whether this client renders views.
    context = inspect.Parameter(_CONTEXT, inspect.Parameter.KEYWORD_ONLY, annotation=Context)
    parameters = [*list(signature.parameters.values())[1:], context]
    returns = CallToolResult

    async def tool(**arguments: Any) -> CallToolResult:
        ctx = arguments.pop(_CONTEXT)
        app = current_state()
        answer = await answered(lambda: handler(app, **arguments), deadline=app.settings.call_deadline)
        return CallToolResult(
            content=[TextContent(type="text", text=answer.text), *view_note(view, ctx)],
            structured_content=answer.structured,
        )

    tool.__name__ = tool.__qualname__ = handler.__name__
    tool.__doc__ = handler.__doc__
    tool.__module__ = handler.__module__
    tool.__signature__ = signature.replace(parameters=parameters, return_annotation=returns)  # type: ignore[attr-defined]
    tool.__annotations__ = {parameter.name: parameter.annotation for parameter in parameters} | {"return": returns}
    return tool
