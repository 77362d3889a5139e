"""Tool arguments as models send them: strict-mode nulls taken as "omitted", unknown names refused,
validation failures told as one actionable sentence per problem; and every request's parameters
made encodable (``encodable_params``).

``ToolContractServer`` applies this (and ``schemas.strict_input_schema``) to every tool the
server registers, so a tool added later gets it without doing anything.
"""

from __future__ import annotations

import difflib
import functools
import json
import re
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from mcp.server.context import CallNext, HandlerResult, ServerRequestContext
from mcp.server.mcpserver import Context, MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from mcp.types import CallToolResult, InputRequiredResult, Tool
from pydantic import ValidationError
from pydantic_core import ErrorDetails
from typing_extensions import TypeVar

from revox_mcp.server.schemas import parameter_names, self_contained, strict_input_schema

LifespanT = TypeVar("LifespanT", default=Any)


_SURROGATES = re.compile("[\ud800-\udfff]")


def _encodable(value: Any, depth: int = 0) -> Any:
    """``value`` with lone surrogates replaced by U+FFFD: nothing a caller sends can make an answer unencodable."""
    if isinstance(value, str):
        return _SURROGATES.sub("\ufffd", value) if not value.isascii() else value
    if depth > 32:
        return value
    if isinstance(value, dict):
        return {_encodable(k, depth + 1): _encodable(v, depth + 1) for k, v in value.items()}
    if isinstance(value, list):
        return [_encodable(item, depth + 1) for item in value]
    return value


async def encodable_params(ctx: ServerRequestContext[Any, Any], call_next: CallNext) -> HandlerResult:
    """Middleware: arguments echoed in answers or errors (an unknown id, a field name) must encode as
    UTF-8 on stdout."""
    if ctx.params:
        ctx = replace(ctx, params=_encodable(dict(ctx.params)))
    return await call_next(ctx)


class ArgumentsError(ValueError):
    """Raised when a call names arguments the tool does not take; the message lists what it takes."""


def takes(tool: str, schema: Mapping[str, Any]) -> str:
    """``get_assistant takes assistant_id (required), detail, fields, offset``."""
    names, required = parameter_names(dict(schema))
    if not names:
        return f"{tool} takes no arguments"
    return f"{tool} takes " + ", ".join(f"{name} (required)" if name in required else name for name in names)


def normalize_arguments(tool: str, arguments: Mapping[str, Any], schema: Mapping[str, Any]) -> dict[str, Any]:
    """``arguments`` with unused optional parameters dropped (null, "" or []: the default applies).

    Raises ArgumentsError naming every unknown argument, a likely intended name, and the tool's parameters.
    Required parameters are passed on as sent, so their own checks explain what is wrong.
    """
    names, required = parameter_names(dict(schema))
    unknown = [name for name in arguments if name not in names]
    if unknown:
        hints = []
        for name in unknown:
            close = difflib.get_close_matches(name, names, n=1, cutoff=0.6) or [
                known for known in names if name.lower() in known or known in name.lower()
            ]
            hints.append(f"{name!r} (did you mean {close[0]!r}?)" if close else repr(name))
        plural = "s" if len(unknown) > 1 else ""
        raise ArgumentsError(f"Unknown argument{plural} {', '.join(hints)}: {takes(tool, schema)}.")
    return {name: value for name, value in arguments.items() if name in required or not _unused(value)}


def _unused(value: object) -> bool:
    """What a strict model sends for a parameter it does not use: null, "" or []."""
    return value is None or (isinstance(value, str | list) and not value)


def _shown(value: object) -> str:
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= 40 else text[:37] + "..."


def _problem(error: ErrorDetails, schema: Mapping[str, Any]) -> str:
    """One sentence for one pydantic error: what is wrong with which argument, and what would do."""
    loc = error["loc"]
    name = str(loc[0]) if loc else "arguments"
    where = name + "".join(f"[{part}]" for part in loc[1:] if isinstance(part, int))
    prop = schema.get("properties", {}).get(name, {})
    hint = str(prop.get("description", "")).strip() if isinstance(prop, dict) else ""
    kind, ctx, got = error["type"], error.get("ctx", {}), error.get("input")
    if kind == "missing" or (got is None and where == name and name in schema.get("required", ())):
        return f"{name} is required" + (f": {hint}" if hint else ".")
    if kind in ("less_than_equal", "less_than"):
        return f"{where} must be at most {ctx.get('le', ctx.get('lt'))}, not {_shown(got)}."
    if kind in ("greater_than_equal", "greater_than"):
        return f"{where} must be at least {ctx.get('ge', ctx.get('gt'))}, not {_shown(got)}."
    if kind == "string_too_long":
        return f"{where} must be at most {ctx.get('max_length')} characters long."
    if kind == "too_long":
        return f"{where} must have at most {ctx.get('max_length')} items, not {ctx.get('actual_length')}."
    if kind == "literal_error":
        return f"{where} must be one of {ctx.get('expected')}, not {_shown(got)}."
    if kind in ("int_parsing", "int_type", "int_from_float"):
        return f"{where} must be a whole number, not {_shown(got)}."
    if kind in ("string_type", "string_unicode"):
        return f"{where} must be a string, not {_shown(got)}."
    if kind == "list_type":
        return f"{where} must be a JSON list, not {_shown(got)}."
    message = str(error["msg"]).rstrip(".")
    return f"{where}: {message[:1].lower()}{message[1:]} (got {_shown(got)})."


def describe_validation_error(tool: str, error: ValidationError, schema: Mapping[str, Any]) -> str:
    """One sentence per problem, no pydantic jargon or URL."""
    problems = list(dict.fromkeys(_problem(detail, schema) for detail in error.errors(include_url=False)))
    return " ".join(problems) or f"Invalid arguments: {takes(tool, schema)}."


def _advertised(tool: Tool) -> Tool:
    """The tool as listed: its strict-mode input schema and its self-contained output schema, built
    once per tool definition (memoised by content: the same tools are listed on every session)."""
    key = json.dumps([tool.input_schema, tool.output_schema], sort_keys=True)
    input_schema, output_schema = _schemas(key)
    return tool.model_copy(update={"input_schema": input_schema, "output_schema": output_schema})


@functools.lru_cache(maxsize=64)
def _schemas(key: str) -> tuple[dict[str, Any], dict[str, Any] | None]:
    input_schema, output_schema = json.loads(key)
    return strict_input_schema(input_schema), None if output_schema is None else self_contained(output_schema)


class ToolContractServer(MCPServer[LifespanT]):
    """An ``MCPServer`` whose tools all advertise strict-mode friendly input schemas and take
    arguments as strict models send them (see the module docstring)."""

    async def list_tools(self) -> list[Tool]:
        return [_advertised(tool) for tool in await super().list_tools()]

    async def call_tool(
        self, name: str, arguments: dict[str, Any], context: Context[LifespanT, Any] | None = None
    ) -> CallToolResult | InputRequiredResult:
        declared = {tool.name: tool.input_schema for tool in await super().list_tools()}
        schema = declared.get(name)
        if schema is None:
            return await super().call_tool(name, arguments, context)  # the SDK's "Unknown tool" answer
        try:
            arguments = normalize_arguments(name, arguments, schema)
        except ArgumentsError as exc:
            raise ToolError(f"Error executing tool {name}: {exc}") from None
        try:
            return await super().call_tool(name, arguments, context)
        except ToolError as exc:
            if not isinstance(exc.__cause__, ValidationError):
                raise
            # Chained to the ValidationError, so the SDK logs the rejected field names as before.
            raise ToolError(
                f"Error executing tool {name}: {describe_validation_error(name, exc.__cause__, schema)}"
            ) from exc.__cause__
