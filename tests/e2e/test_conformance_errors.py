"""Protocol errors and completion as the spec says, through the official MCP client: in memory and over
a real streamable-HTTP subprocess (`revox-mcp --demo`), in both protocol eras (2026-07-28 and the
2025-11-25 initialize handshake).

Unknown tools and prompts, and prompt arguments missing or not taken, are JSON-RPC -32602 (the SDK's
defaults answer error code 0, -32603 or a tool result); invalid arguments to a known tool stay a tool
result with isError, so the model can correct itself; completion offers assistant ids only for the
arguments that take one.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from typing import Any

import anyio
import pytest
from loopback import streamable_session
from mcp import Client
from mcp.shared.exceptions import MCPError
from mcp.types import INVALID_PARAMS, PromptReference, ResourceTemplateReference
from processes import demo_over_http
from support import BASELINE_ID, server_over, text_of

PROMPT = "troubleshoot_assistant"
TEMPLATE_URI = "revox://assistants/{assistant_id}"
MODES = [pytest.param("auto", id="2026-07-28"), pytest.param("legacy", id="2025-11-25")]
TRANSPORTS = ["memory", "http"]
# Every test: through the official client in memory and over HTTP, in both protocol eras.
pytestmark = [
    pytest.mark.anyio,
    pytest.mark.parametrize("mode", MODES),
    pytest.mark.parametrize("transport", TRANSPORTS),
]


@pytest.fixture(scope="module")
def http_url() -> Iterator[str]:
    """One `revox-mcp --demo` over streamable HTTP for the module, on a port the system picks."""
    with demo_over_http() as url:
        yield url


@asynccontextmanager
async def connected(request: pytest.FixtureRequest, transport: str, mode: Any) -> AsyncIterator[Client]:
    """The official client on ``transport``: the server in memory, or the HTTP subprocess."""
    with anyio.fail_after(30):
        if transport == "memory":
            async with Client(server_over(), mode=mode) as client:
                yield client
        else:
            async with streamable_session(request.getfixturevalue("http_url"), mode=mode) as client:
                yield client


async def invalid_params(request: Any) -> MCPError:
    """The MCPError ``request`` (an awaitable) raises, checked to be -32602."""
    with pytest.raises(MCPError) as caught:
        await request
    assert caught.value.code == INVALID_PARAMS, caught.value
    return caught.value


async def test_an_unknown_tool_is_a_json_rpc_invalid_params_error_naming_the_tools(
    request: pytest.FixtureRequest, transport: str, mode: Any
):
    async with connected(request, transport, mode) as client:
        error = await invalid_params(client.call_tool("delete_assistant", {"assistant_id": BASELINE_ID}))
    assert "delete_assistant" in error.message
    assert "list_assistants" in error.message


@pytest.mark.parametrize(
    ("arguments", "named"),
    [({}, "assistant_id"), ({"assistant_id": BASELINE_ID, "detail": "everything"}, "detail")],
    ids=["missing", "invalid"],
)
async def test_invalid_arguments_to_a_known_tool_stay_a_tool_result_the_model_can_read(
    request: pytest.FixtureRequest, transport: str, mode: Any, arguments: dict[str, Any], named: str
):
    async with connected(request, transport, mode) as client:
        result = await client.call_tool("get_assistant", arguments)
    assert result.is_error is True
    assert named in text_of(result)


async def test_an_unknown_prompt_is_invalid_params_naming_the_prompts(
    request: pytest.FixtureRequest, transport: str, mode: Any
):
    async with connected(request, transport, mode) as client:
        error = await invalid_params(client.get_prompt("test_simple_prompt", {}))
    assert "test_simple_prompt" in error.message
    assert PROMPT in error.message


@pytest.mark.parametrize(
    ("arguments", "named"),
    [
        ({"assistant_id": BASELINE_ID}, "symptom"),
        ({}, "assistant_id"),
        ({"assistant_id": BASELINE_ID, "symptom": "hangs up", "severity": "high"}, "severity"),
    ],
    ids=["a-required-one-missing", "none-given", "one-it-does-not-take"],
)
async def test_prompt_arguments_missing_or_not_taken_are_invalid_params_naming_them(
    request: pytest.FixtureRequest, transport: str, mode: Any, arguments: dict[str, str], named: str
):
    async with connected(request, transport, mode) as client:
        error = await invalid_params(client.get_prompt(PROMPT, arguments))
    assert named in error.message


async def test_the_prompt_with_its_arguments_renders(request: pytest.FixtureRequest, transport: str, mode: Any):
    async with connected(request, transport, mode) as client:
        got = await client.get_prompt(PROMPT, {"assistant_id": BASELINE_ID, "symptom": "hangs up early"})
    text = getattr(got.messages[0].content, "text", "")
    assert BASELINE_ID in text
    assert "hangs up early" in text


@pytest.mark.parametrize(
    "ref",
    [PromptReference(name=PROMPT), ResourceTemplateReference(uri=TEMPLATE_URI)],
    ids=["prompt", "template"],
)
async def test_completion_offers_assistant_ids_for_the_assistant_id_of_the_prompt_and_the_template(
    request: pytest.FixtureRequest, transport: str, mode: Any, ref: PromptReference | ResourceTemplateReference
):
    async with connected(request, transport, mode) as client:
        completion = (await client.complete(ref, {"name": "assistant_id", "value": BASELINE_ID[:4]})).completion
    assert completion.values == [BASELINE_ID]


@pytest.mark.parametrize(
    ("ref", "argument"),
    [
        (PromptReference(name=PROMPT), "symptom"),
        (PromptReference(name="test_prompt_with_arguments"), "assistant_id"),
        (ResourceTemplateReference(uri=TEMPLATE_URI), "call_id"),
        (ResourceTemplateReference(uri="revox://calls/{assistant_id}"), "assistant_id"),
    ],
    ids=["argument-without-ids", "unknown-prompt", "argument-the-template-lacks", "unknown-template"],
)
async def test_completion_offers_nothing_for_unknown_prompts_templates_or_arguments(
    request: pytest.FixtureRequest,
    transport: str,
    mode: Any,
    ref: PromptReference | ResourceTemplateReference,
    argument: str,
):
    async with connected(request, transport, mode) as client:
        completion = (await client.complete(ref, {"name": argument, "value": ""})).completion
    assert completion.values == []
