"""Tool arguments as models send them: strict-mode nulls, unknown names, validation failures as sentences."""

from __future__ import annotations

from typing import Any

import pytest
from mcp import Client
from mcp.server.mcpserver import MCPServer
from mcp.types import CallToolResult, TextContent
from support import demo_server

from revox_mcp.server.arguments import ArgumentsError, normalize_arguments, takes

pytestmark = pytest.mark.anyio

BASELINE_ID = "0f8e2c1a-7b3d-4e5f-9a0b-1c2d3e4f5a61"
OTHER_ID = "1a9b8c7d-6e5f-4a3b-8c2d-1e0f9a8b7c62"
GET_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {"assistant_id": {}, "detail": {}, "fields": {}, "offset": {}},
    "required": ["assistant_id"],
}


@pytest.fixture
def server() -> MCPServer:
    return demo_server()


def text_of(result: CallToolResult) -> str:
    return "\n".join(block.text for block in result.content if isinstance(block, TextContent))


# --------------------------------------------------------------------------- pure


def test_null_empty_string_and_empty_list_mean_omitted_for_optional_parameters():
    sent = {"assistant_id": BASELINE_ID, "detail": None, "fields": [], "offset": None}
    assert normalize_arguments("get_assistant", sent, GET_SCHEMA) == {"assistant_id": BASELINE_ID}
    assert normalize_arguments("get_assistant", {"assistant_id": "x", "detail": ""}, GET_SCHEMA) == {
        "assistant_id": "x"
    }


def test_zero_and_false_are_values_not_omissions():
    sent = {"assistant_id": "x", "offset": 0, "detail": False}
    assert normalize_arguments("get_assistant", sent, GET_SCHEMA) == sent


def test_a_required_parameter_is_passed_on_as_sent_so_its_own_check_explains():
    assert normalize_arguments("get_assistant", {"assistant_id": ""}, GET_SCHEMA) == {"assistant_id": ""}
    assert normalize_arguments("get_assistant", {"assistant_id": None}, GET_SCHEMA) == {"assistant_id": None}


def test_unknown_names_are_refused_with_a_guess_and_the_parameters_the_tool_takes():
    with pytest.raises(ArgumentsError) as caught:
        normalize_arguments("get_assistant", {"assistant_id": "x", "feilds": ["prompt"], "id": "y"}, GET_SCHEMA)
    message = str(caught.value)
    assert "'feilds' (did you mean 'fields'?)" in message
    assert "'id' (did you mean 'assistant_id'?)" in message
    assert message.endswith("get_assistant takes assistant_id (required), detail, fields, offset.")


def test_a_tool_without_parameters_says_it_takes_none():
    assert takes("revox_status", {"type": "object", "properties": {}}) == "revox_status takes no arguments"


# --------------------------------------------------------------------------- through the server


async def test_a_strict_model_call_with_every_property_works(server: MCPServer):
    """After strict conversion a model sends every property: null, "" or [] for the unused ones."""
    async with Client(server) as client:
        listing = await client.call_tool("list_assistants", {"query": None, "limit": None, "cursor": None})
        summary = await client.call_tool(
            "get_assistant", {"assistant_id": BASELINE_ID, "detail": None, "fields": [], "offset": None}
        )
        plain = await client.call_tool("get_assistant", {"assistant_id": BASELINE_ID})
        ranked = await client.call_tool("diagnose_assistant", {"assistant_id": "", "limit": None, "cursor": ""})
        compared = await client.call_tool(
            "compare_assistants", {"assistant_id_a": BASELINE_ID, "assistant_id_b": OTHER_ID, "fields": None}
        )
    for result in (listing, summary, ranked, compared):
        assert result.is_error is False, text_of(result)
    assert listing.structured_content is not None
    assert listing.structured_content["total"] == 9
    assert summary.structured_content == plain.structured_content
    assert text_of(ranked).startswith("9 of 9 assistants, worst first")


async def test_an_empty_required_id_keeps_its_clear_error(server: MCPServer):
    async with Client(server) as client:
        result = await client.call_tool("get_assistant", {"assistant_id": "", "fields": None})
    assert result.is_error is True
    assert "list_assistants" in text_of(result)


@pytest.mark.parametrize(
    ("tool", "arguments", "expected"),
    [
        ("list_assistants", {"qurey": "lead"}, "Unknown argument 'qurey' (did you mean 'query'?)"),
        ("revox_status", {"verbose": True}, "revox_status takes no arguments"),
        ("get_assistant", {"assistant_id": BASELINE_ID, "field": ["prompt"]}, "takes assistant_id (required), detail"),
    ],
)
async def test_unknown_arguments_are_refused_naming_the_parameters(
    server: MCPServer, tool: str, arguments: dict[str, Any], expected: str
):
    async with Client(server) as client:
        result = await client.call_tool(tool, arguments)
    assert result.is_error is True
    assert expected in text_of(result)


@pytest.mark.parametrize(
    ("tool", "arguments", "sentences"),
    [
        ("list_assistants", {"limit": 500}, ["limit must be at most 100, not 500."]),
        ("list_assistants", {"limit": "many"}, ['limit must be a whole number, not "many".']),
        ("get_assistant", {}, ["assistant_id is required: Id from list_assistants."]),
        ("get_assistant", {"assistant_id": None}, ["assistant_id is required: Id from list_assistants."]),
        (
            "get_assistant",
            {"assistant_id": BASELINE_ID, "detail": "everything", "offset": -3},
            ["detail must be one of 'summary' or 'full', not \"everything\".", "offset must be at least 0, not -3."],
        ),
        ("get_assistant", {"assistant_id": BASELINE_ID, "fields": 7}, ["fields must be a JSON list, not 7."]),
        ("get_assistant", {"assistant_id": BASELINE_ID, "fields": [1]}, ["fields[0] must be a string, not 1."]),
        ("list_assistants", {"query": "q" * 300}, ["query must be at most 200 characters long."]),
        ("compare_assistants", {"assistant_id_a": BASELINE_ID}, ["assistant_id_b is required"]),
    ],
)
async def test_validation_errors_reach_the_model_as_one_sentence_per_problem(
    server: MCPServer, tool: str, arguments: dict[str, Any], sentences: list[str]
):
    async with Client(server) as client:
        result = await client.call_tool(tool, arguments)
    message = text_of(result)
    assert result.is_error is True
    assert message.startswith(f"Error executing tool {tool}: ")
    for sentence in sentences:
        assert sentence in message
    for jargon in ("pydantic", "validation error", "Input should", "type=", "\n"):
        assert jargon not in message
