"""What every check shares: the context findings go into, how values are judged, and how they are quoted.

Messages never quote secrets; other free text goes through ``redact_text`` and is truncated.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Mapping
from typing import Any, TypeGuard

from revox_mcp.domain import facts
from revox_mcp.domain.diagnostics.reference import FIELD_TYPES, MAX_ITEMS, NO_LEGACY, QUOTE_MAX
from revox_mcp.domain.diagnostics.rules import finding_of
from revox_mcp.domain.facts import OBJECT_TYPES, is_placeholder_only
from revox_mcp.domain.redaction import redact_text

KIND_NAMES = {"str": "a string", "num": "a number", "bool": "a boolean", "list": "a list", "dict": "an object"}
# Exact Python types of each JSON kind: the fast path of the type checks (anything else, such as a
# bool where a number is expected or a non-dict Mapping, takes the slow path in matches_kind).
EXACT_TYPES: dict[str, frozenset[type]] = {
    "str": frozenset({str}),
    "num": frozenset({int, float}),
    "bool": frozenset({bool}),
    "list": frozenset({list}),
    "dict": frozenset({dict}),
}

# What a check found in one value, before it knows the value's path: (rule, message parameters) pairs.
Problems = tuple[tuple[str, dict[str, str]], ...]


def matches_kind(value: Any, kind: str) -> bool:
    if kind == "str":
        return isinstance(value, str)
    if kind == "num":  # NaN is read as no number later (facts.quantity)
        return isinstance(value, int | float) and not isinstance(value, bool)
    if kind == "bool":
        return isinstance(value, bool)
    if kind == "list":
        return isinstance(value, list)
    if kind == "dict":
        return isinstance(value, OBJECT_TYPES)
    return True


def kind_of(value: Any) -> str:
    """The JSON kind of a value, for a message: 'a string', 'null'..."""
    if value is None:
        return "null"
    for kind, name in KIND_NAMES.items():
        if kind != "num" and matches_kind(value, kind):
            return name
    return "a number" if isinstance(value, int | float) else "an unsupported value"


def is_filled(value: Any) -> TypeGuard[str]:
    """A non-blank string."""
    return isinstance(value, str) and value != "" and not value.isspace()  # strip() would copy long texts


def is_literal(value: Any) -> bool:
    """A value written into the payload rather than filled at call time: non-blank, not only ``{{placeholders}}``.

    The redaction marker counts: ingest leaves it where a literal credential was.
    """
    return is_filled(value) and not is_placeholder_only(value)


def is_credential_name(name: str) -> bool:
    """``facts.is_credential_name``, memoised: tool parameter and query names recur across assistants."""
    return _credential_name(name[:200])  # the rule reads no further; a long name is not kept whole


_credential_name = functools.lru_cache(maxsize=1024)(facts.is_credential_name)


def short(text: str, limit: int = QUOTE_MAX) -> str:
    """Truncate, flatten whitespace and redact free text before it goes into a message."""
    flat = " ".join(text[: limit + 1].split())
    return _redact_short(flat[:limit] + "…" if len(flat) > limit else flat)


# Quoted values (enum values, tool names, labels...) recur across assistants and redaction costs
# microseconds per call, so results are cached; truncating first keeps each call bounded.
_redact_short = functools.lru_cache(maxsize=4096)(redact_text)


def quote(value: Any) -> str:
    """Quote a non-secret value for a message."""
    if isinstance(value, str):
        return f"'{short(value)}'"
    if isinstance(value, bool) or value is None:
        return json.dumps(value)
    if isinstance(value, int):
        return str(value) if abs(value) < 10**15 else "a very large number"  # str() of huge ints raises
    if isinstance(value, float):
        return repr(value)
    return kind_of(value)


def name_list(names: list[str], limit: int = 10) -> str:
    """Identifiers (variable names, already-redacted keys), truncated but not redacted."""
    shown = ", ".join(name[:40] for name in names[:limit])
    return shown + (f" and {len(names) - limit} more" if len(names) > limit else "")


@functools.lru_cache(maxsize=1024)  # the same lists recur in every assistant
def _item_paths(path: str, count: int) -> tuple[str, ...]:
    return tuple(f"{path}[{index}]" for index in range(count))


class Context:
    """The assistant being checked and what the checks found so far (a plain slotted class: built per call)."""

    __slots__ = ("findings", "get", "raw", "variables")

    def __init__(self, raw: Mapping[Any, Any]) -> None:
        self.raw = raw
        self.get: Callable[[Any], Any] = raw.get  # bound once: the hottest call
        self.findings: list[dict[str, str]] = []  # Finding fields, validated once at the end
        self.variables: dict[str, set[str]] = {}

    def add(self, rule: str, path: str, **params: str) -> None:
        self.findings.append(finding_of(rule, path, tuple(params.items())))

    def add_all(self, problems: Problems, path: str) -> None:
        for rule, params in problems:
            self.findings.append(finding_of(rule, path, tuple(params.items())))

    def items(self, value: Any, path: str, report: bool = True) -> list[tuple[str, Any]]:
        """(path, item) pairs of a list, capped at MAX_ITEMS (the cap is reported by the main check)."""
        if not isinstance(value, list) or not value:
            return []
        if report and len(value) > MAX_ITEMS:
            self.add("schema.too_many_items", path, count=str(len(value)), limit=str(MAX_ITEMS))
        return list(zip(_item_paths(path, min(len(value), MAX_ITEMS)), value, strict=False))  # the first MAX_ITEMS

    def nested(self, obj: Mapping[Any, Any], key: str, kind: str, parent: str) -> Any:
        """obj[key] when it has the expected kind, else None; a wrong non-null kind is reported."""
        value = obj.get(key)
        if value is None or type(value) in EXACT_TYPES[kind] or matches_kind(value, kind):
            return value
        self.add("schema.wrong_type", f"{parent}.{key}", actual=kind_of(value), expected=KIND_NAMES[kind])
        return None

    def objects(self, value: Any, path: str) -> list[tuple[str, Mapping[Any, Any]]]:
        """(path, object) pairs of a list like ``items``; an entry that is not an object is reported and skipped."""
        pairs = []
        for item_path, item in self.items(value, path):
            if isinstance(item, OBJECT_TYPES):
                pairs.append((item_path, item))
            else:
                self.add("schema.wrong_type", item_path, actual=kind_of(item), expected="an object")
        return pairs

    def filled(self, obj: Mapping[Any, Any], key: str, parent: str, rule: str, **params: str) -> str | None:
        """obj[key] when it is a non-blank string; otherwise ``rule`` is reported at ``parent.key``."""
        value = self.nested(obj, key, "str", parent)
        if is_filled(value):
            return value
        self.add(rule, f"{parent}.{key}", **params)
        return None


# --- checks that several areas share ---------------------------------------------------------------


def check_range(ctx: Context, number: float | None, path: str, rule: str, low: float, high: float) -> None:
    """``number`` comes from ``facts.quantity``, so infinities fail the check and NaN never reaches it."""
    if number is not None and not low <= number <= high:
        ctx.add(rule, path, value=quote(number), low=f"{low:g}", high=f"{high:g}")


def check_enum(
    ctx: Context, value: Any, path: str, allowed: frozenset[str], legacy: frozenset[str] = NO_LEGACY
) -> None:
    if isinstance(value, str) and value not in allowed:
        rule = "enum.legacy_value" if value in legacy else "enum.unknown_value"
        ctx.add(rule, path, found=f"is {quote(value)}", allowed=", ".join(sorted(allowed)))


def check_enum_list(
    ctx: Context, values: Any, path: str, allowed: frozenset[str], legacy: frozenset[str] = NO_LEGACY
) -> None:
    if not isinstance(values, list) or not values:
        return
    if all(type(item) is str for item in values) and allowed.issuperset(values):
        return  # the common case (every item allowed, so the first MAX_ITEMS too), decided without copying
    items = values[:MAX_ITEMS]
    old = [item for item in items if isinstance(item, str) and item in legacy]
    odd = [item for item in items if not (isinstance(item, str) and (item in allowed or item in legacy))]
    for rule, found in (("enum.legacy_value", old), ("enum.unknown_value", odd)):
        if found:
            listed = ", ".join(quote(item) for item in found[:5])
            ctx.add(rule, path, found=f"contains {listed}", allowed=", ".join(sorted(allowed)))


def check_fields(ctx: Context, fields: list[tuple[str, Mapping[Any, Any]]], rules: tuple[str, str, str]) -> None:
    """custom_tools[].input_schema[] and structured_output_config[] share a shape (V26, V28, X17).

    ``rules`` names what to report: a field without a name, a repeated name, an enum without options.
    """
    empty_rule, duplicate_rule, enum_rule = rules
    seen: set[str] = set()
    for path, entry in fields:
        name = ctx.filled(entry, "name", path, empty_rule)
        if name in seen:
            ctx.add(duplicate_rule, f"{path}.name", value=quote(name))
        elif name is not None:
            seen.add(name)
        field_type = ctx.nested(entry, "type", "str", path)
        check_enum(ctx, field_type, f"{path}.type", FIELD_TYPES)
        options = ctx.nested(entry, "enum_options", "list", path)
        if field_type == "enum" and not options:
            ctx.add(enum_rule, path)
