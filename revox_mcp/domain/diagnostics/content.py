"""What the assistant says and extracts: the prompt, structured output (V28, V41, X17), FAQ (V45, X24), the
``{{variables}}`` calls must supply (X19, V40) and the Slack and Zoho integrations (V36, V42)."""

from __future__ import annotations

from typing import Any

from revox_mcp.domain.diagnostics.context import (
    Context,
    check_enum,
    check_enum_list,
    check_fields,
    is_filled,
    name_list,
    quote,
)
from revox_mcp.domain.diagnostics.reference import (
    BUILTIN_VARIABLES,
    FAQ_SOURCES,
    INTEGRATION_VARIABLES,
    LEGACY_OUTCOMES,
    MAX_ITEMS,
    OUTCOMES,
    TEXT_SOURCES,
)
from revox_mcp.domain.facts import OBJECT_TYPES, VARIABLE, child, entries, placeholders, quantity, text

# Rule ids of the checks shared with tool inputs: (no name, duplicate name, enum without options).
_OUTPUT_RULES = (
    "structured_output.name_empty",
    "structured_output.duplicate_name",
    "structured_output.enum_without_options",
)


def check_prompt(ctx: Context) -> None:
    prompt = ctx.get("prompt")
    if isinstance(prompt, str) and not is_filled(prompt):
        ctx.add("prompt.empty", "prompt")


def check_structured_output(ctx: Context) -> None:
    fields = ctx.objects(ctx.get("structured_output_config"), "structured_output_config")
    check_fields(ctx, fields, _OUTPUT_RULES)
    prompt = text(ctx.raw, "structured_output_prompt")
    odd = sorted(set(placeholders(prompt)) - BUILTIN_VARIABLES) if prompt else None
    if odd:
        ctx.add("structured_output.prompt_unknown_variable", "structured_output_prompt", names=name_list(odd, 5))


def check_faq(ctx: Context) -> None:
    pending: list[str] = []
    for path, item in ctx.items(ctx.get("faq_items"), "faq_items"):
        if isinstance(item, OBJECT_TYPES):
            check_enum(ctx, item.get("source"), f"{path}.source", FAQ_SOURCES)
            if item.get("needs_human_answer") is True:
                pending.append(path)
    if len(pending) == 1:
        ctx.add("faq.pending", pending[0], what=f"{pending[0]} is")
    elif pending:
        ctx.add("faq.pending", "faq_items", what=f"{len(pending)} FAQ items ({', '.join(pending[:5])}) are")
    elif (count := quantity(ctx.raw, "pending_faq_count")) is not None and count > 0:
        ctx.add("faq.pending", "pending_faq_count", what=f"pending_faq_count is {quote(count)}: FAQ items are")


def _names_of(values: list[Any]) -> set[str]:
    """The string names of a list of {name, ...} objects (its first MAX_ITEMS entries)."""
    return {
        name
        for entry in values[:MAX_ITEMS]
        if isinstance(entry, OBJECT_TYPES) and isinstance(name := entry.get("name"), str)
    }


def collect_variables(ctx: Context) -> None:
    """X19: the {{variables}} calls must supply; V40: with a precall lookup, it must return them all."""
    uses = ctx.variables
    get = ctx.get
    for key in TEXT_SOURCES:
        value = get(key)
        if isinstance(value, str) and "{{" in value:  # most texts have no variable: skip the regex
            for name in VARIABLE.findall(value):
                if name in uses:
                    uses[name].add(key)
                else:
                    uses[name] = {key}
    lookup = ctx.get("precall_lookup_url")
    has_lookup = is_filled(lookup)
    if has_lookup:
        for name in placeholders(lookup):
            if name != "phone":  # Revox fills {{phone}} with the caller's number
                uses.setdefault(name, set()).add("precall_lookup_url")
    for path, tool in ctx.items(ctx.get("custom_tools"), "custom_tools", report=False):
        if not isinstance(tool, OBJECT_TYPES):
            continue
        # A tool's own inputs are filled by the LLM when it calls the tool, not by the call.
        own = _names_of(entries(tool, "input_schema"))
        texts = [("url", tool.get("url")), ("body_template", tool.get("body_template"))]
        for part in ("headers", "query_params"):
            for entry in entries(tool, part)[:MAX_ITEMS]:
                if isinstance(entry, OBJECT_TYPES):
                    texts.append((part, entry.get("value")))
        for part, value in texts:
            if isinstance(value, str):
                for name in placeholders(value):
                    if name not in own:
                        uses.setdefault(name, set()).add(f"{path}.{part}")
    for name in BUILTIN_VARIABLES:
        uses.pop(name, None)
    if has_lookup and uses:
        names = sorted(uses)
        ctx.add("precall.must_return_variables", "precall_lookup_url", count=str(len(names)), names=name_list(names))


def check_integrations(ctx: Context) -> None:
    """Slack and Zoho: outcome enums (V36), template variables (V42), the pre-0.4 Slack shape.

    Runs after ``collect_variables``: templates may use call variables.
    """
    outputs: set[str] | None = None  # structured output names, read only when an integration is set
    for key, documented in INTEGRATION_VARIABLES.items():
        integration = child(ctx.raw, key)
        if integration is None:
            continue
        if outputs is None:
            outputs = _names_of(entries(ctx.raw, "structured_output_config"))
        outcomes = ctx.nested(integration, "outcomes", "list", key)
        check_enum_list(ctx, outcomes, f"{key}.outcomes", OUTCOMES, LEGACY_OUTCOMES)
        template = ctx.nested(integration, "template", "str", key)
        if template:
            odd = sorted(set(placeholders(template)) - documented - outputs - ctx.variables.keys())
            if odd:
                ctx.add("integration.template_unknown_variable", f"{key}.template", names=name_list(odd, 5))
        if key == "slack" and "channels" not in integration and "channel_id" in integration:
            history = "SDK 0.4.0 replaced channel_id and channel_name with channels[]"
            advice = "Re-save the Slack integration so it uses slack.channels."
            ctx.add("schema.legacy_field", "slack.channel_id", history=history, advice=advice)
