"""The payload's shape (X23): missing, unknown and legacy keys, wrong types, and top-level enum values."""

from __future__ import annotations

import functools
import itertools
from collections.abc import Collection
from typing import Any

from revox_mcp.domain.diagnostics.context import (
    EXACT_TYPES,
    KIND_NAMES,
    Context,
    check_enum,
    check_enum_list,
    kind_of,
    matches_kind,
    name_list,
    short,
)
from revox_mcp.domain.diagnostics.reference import LEGACY_OUTCOMES, OUTCOME_LISTS, OUTCOMES, TOP_ENUMS
from revox_mcp.domain.diagnostics.rules import finding
from revox_mcp.domain.facts import FIELDS, KNOWN_FIELDS, LEGACY_FIELDS, REQUIRED_FIELDS

# key -> (accepted exact types, including NoneType when nullable; kind). Untyped keys are left out.
_TYPES_BY_KEY: dict[Any, tuple[frozenset[type], str]] = {
    key: (EXACT_TYPES[spec.kind] | ({type(None)} if spec.nullable else set()), spec.kind)
    for key, spec in FIELDS.items()
    if spec.kind != "any"
}


def _add_key_findings(found: list[dict[str, str]], keys: Collection[Any]) -> None:
    """Append what the keys alone say: missing, unknown and legacy keys."""
    missing = sorted(REQUIRED_FIELDS.difference(keys))
    if missing:
        found.append(finding("schema.missing_keys", "", count=str(len(missing)), names=", ".join(missing)))
    extra = set(keys).difference(KNOWN_FIELDS)
    if extra:
        unknown = sorted(short(str(key), 40) for key in itertools.islice(extra, 1000))
        for key in unknown[:10]:
            found.append(finding("schema.unknown_keys", key, what=f"The key '{key}' is"))
        if len(extra) > 10:
            what = f"{len(extra) - 10} more keys ({name_list(unknown[10:])}) are"
            found.append(finding("schema.unknown_keys", "", what=what))
    for key, legacy in LEGACY_FIELDS.items():
        if key in keys:
            found.append(finding("schema.legacy_field", key, history=legacy.history, advice=legacy.advice))


def _odd_keys(keys: tuple[Any, ...], types: tuple[type, ...]) -> tuple[Any, ...]:
    """The typed keys whose value is not of an exact JSON type the API sends for them (usually none)."""
    typed = _TYPES_BY_KEY
    return tuple(key for key, cls in zip(keys, types, strict=True) if key in typed and cls not in typed[key][0])


@functools.lru_cache(maxsize=1024)
def _schema_shape(keys: tuple[Any, ...], types: tuple[type, ...]) -> tuple[tuple[dict[str, str], ...], tuple[Any, ...]]:
    """Payloads from one API share a handful of shapes (keys and value types): judge each shape once.

    The finding dicts are shared between calls; nothing mutates them (they are validated into new models).
    """
    found: list[dict[str, str]] = []
    _add_key_findings(found, keys)
    return tuple(found), _odd_keys(keys, types)


def check_schema(ctx: Context) -> None:
    raw = ctx.raw
    if type(raw) is dict:
        found, odd = _schema_shape(tuple(raw), tuple(map(type, raw.values())))
        ctx.findings.extend(found)
    else:  # any other Mapping: uncached, and the key findings stand even if reading a value fails
        _add_key_findings(ctx.findings, raw)
        keys = tuple(raw)
        odd = _odd_keys(keys, tuple(type(raw[key]) for key in keys))
    for key in odd:
        value, kind = raw[key], _TYPES_BY_KEY[key][1]
        if value is None:
            ctx.add("schema.null_value", key, expected=KIND_NAMES[kind])
        elif not matches_kind(value, kind):
            ctx.add("schema.wrong_type", key, actual=kind_of(value), expected=KIND_NAMES[kind])


def check_enums(ctx: Context) -> None:
    """Top-level enum values and outcome lists (V1, V3, V13, V35-V37, V43, V44)."""
    get = ctx.get
    for key, allowed in TOP_ENUMS.items():
        value = get(key)
        if type(value) is str and value not in allowed:
            check_enum(ctx, value, key, allowed)
    for key in OUTCOME_LISTS:
        check_enum_list(ctx, get(key), key, OUTCOMES, LEGACY_OUTCOMES)
