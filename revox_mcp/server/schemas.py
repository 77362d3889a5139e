"""Input schemas every function-calling mode accepts as they are, strict mode included.

Strict function calling (OpenAI ``strict: true``, openai-agents' ``convert_schemas_to_strict``)
makes every property required and refuses objects that allow undeclared properties or carry a
``default``. A strict model then sends every parameter, ``null`` for the ones it does not use.
So each advertised input schema is closed (``additionalProperties: false``), each optional
parameter is nullable, and a default is said in the description instead of a ``default`` keyword;
``arguments`` makes the server take ``null`` (and an empty string or list) as "omitted".
"""

from __future__ import annotations

import copy
import json
from typing import Any

NULL = "null"


def _nullable(prop: dict[str, Any]) -> None:
    """Let ``prop`` also be null, in the most compact form that keeps its constraints."""
    options = prop.get("anyOf")
    if isinstance(options, list):
        if {"type": NULL} not in options:
            options.append({"type": NULL})
        return
    kind = prop.get("type")
    if isinstance(kind, str) and kind != NULL:
        prop["type"] = [kind, NULL]
        if isinstance(prop.get("enum"), list) and None not in prop["enum"]:
            prop["enum"].append(None)
    elif isinstance(kind, list):
        if NULL not in kind:
            kind.append(NULL)
        if isinstance(prop.get("enum"), list) and None not in prop["enum"]:
            prop["enum"].append(None)
    elif kind is None:  # a $ref or an untyped schema: wrap it
        inner = {key: prop.pop(key) for key in list(prop) if key != "description"}
        prop["anyOf"] = [inner, {"type": NULL}]


def _default_in_description(prop: dict[str, Any]) -> None:
    if "default" not in prop:
        return
    default = prop.pop("default")
    if default is None:
        return
    said = f"Default: {json.dumps(default, ensure_ascii=False)}."
    description = str(prop.get("description", "")).strip()
    if "default" not in description.lower():
        prop["description"] = f"{description} {said}" if description else said


def _close(schema: dict[str, Any]) -> None:
    """Close every object schema, recursively; drop generated titles (the names say it)."""
    schema.pop("title", None)
    kind = schema.get("type")
    if kind == "object" or (isinstance(kind, list) and "object" in kind) or "properties" in schema:
        schema.setdefault("properties", {})
        schema["additionalProperties"] = False
    for prop in schema.get("properties", {}).values():
        if isinstance(prop, dict):
            _close(prop)
    if isinstance(schema.get("items"), dict):
        _close(schema["items"])
    for key in ("anyOf", "oneOf", "allOf"):
        for option in schema.get(key, ()):
            if isinstance(option, dict):
                _close(option)
    for definitions in ("$defs", "definitions"):
        for definition in schema.get(definitions, {}).values():
            if isinstance(definition, dict):
                _close(definition)


_LOCAL = "#/$defs/"


def _inline_refs(node: Any, defs: dict[str, Any], seen: tuple[str, ...] = ()) -> Any:
    """Local ``$ref``s replaced by their definitions: strict converters refuse a bare ``$ref`` whose
    target they did not check (openai-agents does, for MCP tools). A recursive one is kept."""
    if isinstance(node, list):
        return [_inline_refs(item, defs, seen) for item in node]
    if not isinstance(node, dict):
        return node
    ref = node.get("$ref")
    if isinstance(ref, str) and ref.startswith(_LOCAL) and ref[len(_LOCAL) :] in defs and ref not in seen:
        siblings = {key: value for key, value in node.items() if key != "$ref"}
        target = copy.deepcopy(defs[ref[len(_LOCAL) :]])
        return _inline_refs({**target, **siblings}, defs, (*seen, ref))
    return {key: _inline_refs(value, defs, seen) for key, value in node.items()}


def _refers(node: Any) -> bool:
    if isinstance(node, dict):
        return "$ref" in node or any(_refers(value) for value in node.values())
    return isinstance(node, list) and any(_refers(item) for item in node)


def self_contained(schema: dict[str, Any]) -> dict[str, Any]:
    """A copy of a schema with its local ``$ref``s inlined (a recursive one is kept, with its
    ``$defs``). Ours use each definition once, so the schema gets smaller; a client that validates
    every result (the official SDKs do) resolves no reference, and a host that does not resolve
    references can read it."""
    out = dict(schema)
    defs = out.pop("$defs", None)
    if not isinstance(defs, dict):
        return copy.deepcopy(schema)
    inlined: dict[str, Any] = _inline_refs(out, defs)
    if _refers(inlined):  # a recursive definition is still referred to
        inlined["$defs"] = copy.deepcopy(defs)
    return inlined


def strict_input_schema(schema: dict[str, Any]) -> dict[str, Any]:
    """A copy of a tool's input schema that converts cleanly to strict mode and means the same.

    Local ``$ref``s are inlined, objects closed, optional parameters nullable, defaults moved into
    the descriptions, generated titles dropped. ``required`` is unchanged: a non-strict model may still omit the
    optional parameters.
    """
    out = self_contained(schema)
    out["type"] = "object"
    _close(out)
    required = set(out.get("required", ()))
    if not required:
        out.pop("required", None)
    for name, prop in out["properties"].items():
        if not isinstance(prop, dict):
            continue
        if "default" in prop or name not in required:
            _default_in_description(prop)
        if name not in required:
            _nullable(prop)
    return out


def parameter_names(schema: dict[str, Any]) -> tuple[list[str], set[str]]:
    """The parameters a tool takes, in declaration order, and which of them are required."""
    properties = schema.get("properties")
    names = list(properties) if isinstance(properties, dict) else []
    return names, {name for name in schema.get("required", ()) if isinstance(name, str)}
