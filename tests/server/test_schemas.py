"""Advertised input schemas convert cleanly to strict function calling, for every tool, and mean the same."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from mcp import Client
from support import demo_server

from revox_mcp.server.schemas import self_contained, strict_input_schema

pytestmark = pytest.mark.anyio


def strict_schema(schema: dict[str, Any], **options: bool) -> dict[str, Any]:
    """openai-agents' strict-mode conversion (imported here: it takes seconds, and only this module needs it)."""
    from agents.strict_schema import ensure_strict_json_schema

    converted: dict[str, Any] = ensure_strict_json_schema(schema, **options)
    return converted


async def advertised() -> dict[str, dict[str, Any]]:
    async with Client(demo_server()) as client:
        return {tool.name: tool.input_schema for tool in (await client.list_tools()).tools}


def open_objects(schema: Any, path: str = "$") -> list[str]:
    """Paths of object schemas that allow undeclared properties."""
    found: list[str] = []
    if isinstance(schema, dict):
        kind = schema.get("type")
        is_object = kind == "object" or (isinstance(kind, list) and "object" in kind) or "properties" in schema
        if is_object and schema.get("additionalProperties") is not False:
            found.append(path)
        for key, value in schema.items():
            found += open_objects(value, f"{path}.{key}")
    elif isinstance(schema, list):
        for index, value in enumerate(schema):
            found += open_objects(value, f"{path}[{index}]")
    return found


def nullable(prop: dict[str, Any]) -> bool:
    kind = prop.get("type")
    return (isinstance(kind, list) and "null" in kind) or {"type": "null"} in prop.get("anyOf", [])


async def test_every_tool_converts_to_a_strict_schema_as_openai_agents_does():
    """agents.mcp.util converts MCP tools with _reject_open_objects=True; it must not fall back to non-strict."""
    schemas = await advertised()
    assert len(schemas) >= 5
    for name, schema in schemas.items():
        strict = strict_schema(copy.deepcopy(schema), _reject_open_objects=True)
        assert strict["additionalProperties"] is False, name
        assert strict["required"] == list(schema["properties"]), name


async def test_every_advertised_schema_is_closed_nullable_when_optional_and_default_free():
    for name, schema in (await advertised()).items():
        assert open_objects(schema) == [], name
        required = set(schema.get("required", ()))
        for param, prop in schema["properties"].items():
            assert "default" not in prop, f"{name}.{param}"  # OpenAI strict mode and Azure refuse it
            assert "title" not in prop, f"{name}.{param}"
            assert nullable(prop) == (param not in required), f"{name}.{param}"


async def test_revox_status_takes_no_arguments_and_says_so():
    assert (await advertised())["revox_status"] == {"type": "object", "properties": {}, "additionalProperties": False}


def test_an_optional_enum_accepts_null_in_its_enum_too():
    schema = {
        "type": "object",
        "properties": {"detail": {"type": "string", "enum": ["summary", "full"], "default": "summary"}},
    }
    detail = strict_input_schema(schema)["properties"]["detail"]
    assert detail == {
        "type": ["string", "null"],
        "enum": ["summary", "full", None],
        "description": 'Default: "summary".',
    }


def test_a_nested_object_and_a_ref_are_inlined_closed_and_nullable():
    schema = {
        "type": "object",
        "title": "xArguments",
        "$defs": {"Window": {"type": "object", "properties": {"start": {"type": "string"}}, "title": "Window"}},
        "properties": {
            "window": {"$ref": "#/$defs/Window", "description": "When."},
            "filters": {"type": "object", "properties": {"status": {"type": "string"}}},
            "tags": {"anyOf": [{"type": "array", "items": {"type": "string"}}, {"type": "null"}], "default": None},
        },
        "required": ["filters"],
    }
    strict = strict_input_schema(schema)
    assert "title" not in strict
    assert "$defs" not in strict  # inlined: openai-agents refuses a bare $ref in an MCP schema
    assert strict["properties"]["window"] == {
        "type": ["object", "null"],
        "properties": {"start": {"type": "string"}},
        "additionalProperties": False,
        "description": "When.",
    }
    assert strict["properties"]["filters"]["additionalProperties"] is False
    assert strict["properties"]["tags"] == {"anyOf": [{"type": "array", "items": {"type": "string"}}, {"type": "null"}]}
    assert strict_schema(copy.deepcopy(strict), _reject_open_objects=True)["additionalProperties"] is False
    assert schema["title"] == "xArguments"  # the registered schema is left alone


def test_a_described_default_is_not_repeated():
    schema = {
        "type": "object",
        "properties": {"limit": {"type": "integer", "default": 20, "description": "Default 20."}},
    }
    assert strict_input_schema(schema)["properties"]["limit"]["description"] == "Default 20."


# --------------------------------------------------------------------------- output schemas


async def test_every_output_schema_is_self_contained_and_every_answer_still_validates_against_it():
    """No $ref to resolve: a client validating each result (the official SDKs do) follows none, and a
    host that does not resolve references reads the schema whole. The demo's answers validate
    against the advertised schemas (the client checks each one; an error would raise here)."""
    async with Client(demo_server()) as client:
        tools = {tool.name: tool for tool in (await client.list_tools()).tools}
        assert all(tool.output_schema for tool in tools.values())
        for tool in tools.values():
            assert "$ref" not in json.dumps(tool.output_schema), tool.name
            assert "$defs" not in (tool.output_schema or {}), tool.name
        assert tools["list_assistants"].output_schema["properties"]["assistants"]["items"]["type"] == "object"  # type: ignore[index]
        listed = await client.call_tool("list_assistants", {})
        assert listed.is_error is False
        first = listed.structured_content["assistants"][0]["id"]  # type: ignore[index]
        for name, arguments in {
            "get_assistant": {"assistant_id": first, "detail": "full"},
            "diagnose_assistant": {"assistant_id": first},
            "revox_status": {},
        }.items():
            assert (await client.call_tool(name, arguments)).is_error is False, name


def test_a_recursive_definition_keeps_its_defs_and_the_registered_schema_is_left_alone():
    tree = {"type": "object", "properties": {"children": {"type": "array", "items": {"$ref": "#/$defs/Node"}}}}
    schema = {"type": "object", "$defs": {"Node": tree}, "properties": {"root": {"$ref": "#/$defs/Node"}}}
    original = copy.deepcopy(schema)
    out = self_contained(schema)
    assert out["properties"]["root"]["properties"]["children"]["items"] == {"$ref": "#/$defs/Node"}
    assert out["$defs"] == {"Node": tree}
    assert schema == original
    flat = {"type": "object", "$defs": {"Row": {"type": "string"}}, "properties": {"row": {"$ref": "#/$defs/Row"}}}
    assert self_contained(flat) == {"type": "object", "properties": {"row": {"type": "string"}}}


async def test_a_schema_the_metaschema_rejects_fails_the_clients_check_every_time():
    """The suite checks a schema that passed once only once (conftest): one that fails still fails every time."""
    from jsonschema import SchemaError
    from jsonschema.validators import Draft202012Validator

    Draft202012Validator.check_schema({"type": "object"})
    for _ in range(2):
        with pytest.raises(SchemaError):
            Draft202012Validator.check_schema({"type": "objekt"})
