"""Custom tools whose results are often errors, with a short quote of one. Pure."""

from __future__ import annotations

import re

from revox_mcp.domain.evidence.context import MIN_COUNT, Context, Tally, finding, quote, short_json
from revox_mcp.domain.facts import items, text
from revox_mcp.domain.findings import Evidence


def check_tools(ctx: Context) -> list[Evidence]:
    configured = {str(tool.get("name")): tool for tool in items(ctx.config, "custom_tools")}
    per_tool: dict[str, tuple[Tally, Tally, str]] = {}
    for call in ctx.calls:
        for attempt in call.attempts:
            for result in attempt.tools:
                errors, uses, sample = per_tool.get(result.name, (Tally(), Tally(), ""))
                uses.add(call.id)
                if result.error:
                    errors.add(call.id)
                    sample = sample or result.output
                per_tool[result.name] = (errors, uses, sample)
    found: list[Evidence] = []
    for name, (errors, uses, sample) in per_tool.items():
        if errors.count < MIN_COUNT or errors.count / uses.count < 0.2:
            continue
        tool = configured.get(name)
        if tool is not None:
            url = text(tool, "url") or ""
            host = re.sub(r"^(\w+://[^/?#]+)?.*$", r"\1", url) or "?"
            value = short_json(f"{text(tool, 'method') or '?'} {host}")
            where = f"custom_tools[name={name}]"
        else:
            value = short_json("(not among custom_tools: a built-in tool)")
            where = "custom_tools"
        quoted = f"; e.g. {quote(sample)}" if sample else ""
        found.append(
            finding(
                "calls.tool_failing",
                errors,
                uses.count,
                f"results of tool {name} were errors{quoted}",
                where,
                value,
                f"Fix {where}: compare its url, method, body_template and input_schema with the error.",
                "error" if errors.count / uses.count >= 0.5 else "warning",
                {"tool_error": name},
            )
        )
    return found
