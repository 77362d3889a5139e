"""Custom tools (V21-V27, X17, X25): names, descriptions, URLs, headers and query parameters, body templates.

Header and query-parameter values and body templates may hold credentials: they are never quoted.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Mapping
from typing import Any

from revox_mcp.domain.diagnostics.context import (
    Context,
    Problems,
    check_enum,
    check_fields,
    is_credential_name,
    is_literal,
    name_list,
    quote,
)
from revox_mcp.domain.diagnostics.reference import CACHED_TEXT_MAX, MAX_BODY_PARSE, METHODS
from revox_mcp.domain.diagnostics.urls import check_url
from revox_mcp.domain.facts import ANY_PLACEHOLDER, name_words, placeholders
from revox_mcp.domain.text import REDACTED

_SNAKE = re.compile(r"[a-z][a-z0-9_]*")
_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
# Rule ids of the checks shared with structured outputs: (no name, duplicate name, enum without options).
_INPUT_RULES = ("custom_tool.input_name_empty", "custom_tool.duplicate_input_name", "custom_tool.enum_without_options")


def check_custom_tools(ctx: Context) -> None:
    seen: set[str] = set()
    for path, tool in ctx.objects(ctx.get("custom_tools"), "custom_tools"):
        name = ctx.filled(tool, "name", path, "custom_tool.name_empty")
        if name is not None:
            if not _SNAKE.fullmatch(name):
                suggestion = "_".join(name_words(name[:60])) or "tool"
                ctx.add("custom_tool.name_snake_case", f"{path}.name", value=quote(name), suggestion=quote(suggestion))
            if name in seen:
                ctx.add("custom_tool.duplicate_name", f"{path}.name", value=quote(name))
            seen.add(name)
        ctx.filled(tool, "description", path, "custom_tool.description_empty")
        url = ctx.nested(tool, "url", "str", path)
        if isinstance(url, str):
            check_url(ctx, url, f"{path}.url")
        method = ctx.nested(tool, "method", "str", path)
        check_enum(ctx, method, f"{path}.method", METHODS)
        _check_entries(ctx, tool, path)
        inputs = ctx.nested(tool, "input_schema", "list", path)
        check_fields(ctx, ctx.objects(inputs, f"{path}.input_schema"), _INPUT_RULES)
        body = ctx.nested(tool, "body_template", "str", path)
        if isinstance(body, str):
            problems = _body_problems(body) if len(body) <= CACHED_TEXT_MAX else _body_problems.__wrapped__(body)
            if problems:
                ctx.add_all(problems, f"{path}.body_template")


def _check_entries(ctx: Context, tool: Mapping[Any, Any], path: str) -> None:
    """headers[] and query_params[]: keys must be set; a credential's literal value in a query string is reported."""
    for part in ("headers", "query_params"):
        entries = ctx.nested(tool, part, "list", path)
        credentials: set[str] = set()
        for entry_path, entry in ctx.objects(entries, f"{path}.{part}"):
            key = ctx.filled(entry, "key", entry_path, "custom_tool.empty_key")
            if part == "query_params" and key and is_literal(entry.get("value")) and is_credential_name(key):
                credentials.add(key)
        if credentials:
            shown = ", ".join(quote(key) for key in sorted(credentials)[:3])
            what = f"a credential in the query string ({shown})"
            ctx.add("security.credential_in_url", f"{path}.query_params", what=what)


@functools.lru_cache(maxsize=1024)  # tools are often copied between assistants
def _body_problems(body: str) -> Problems:
    """V27: placeholders must sit inside JSON strings, and the filled template must be JSON."""
    if body == "" or body.isspace() or len(body) > MAX_BODY_PARSE:
        return ()
    problems: list[tuple[str, dict[str, str]]] = []
    unquoted = placeholders(_JSON_STRING.sub('""', body))
    if unquoted:  # names only: the template may hold credentials
        problems.append(("custom_tool.body_template_placeholder_unquoted", {"names": name_list(sorted(unquoted), 5)}))
    # Placeholders and the redaction marker (ingest may leave it outside a string) stand for values;
    # "0" is valid both inside and outside strings.
    filled = ANY_PLACEHOLDER.sub("0", body.replace(REDACTED, "0") if REDACTED in body else body)
    try:
        json.loads(filled)
    except (ValueError, RecursionError):
        problems.append(("custom_tool.body_template_invalid_json", {}))
    return tuple(problems)
