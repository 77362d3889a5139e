"""Hostile tool and resource arguments, through the MCP server, against the real loopback fake Revox.

Every argument gets a clear answer: an is_error result (or a protocol error for a resource) that
says what to fix, or data when the input is valid after all. And whatever the input, the request
log proves that no request ever left ``/assistants`` or ``/assistants/<one segment>``.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import AsyncIterator, Iterator
from typing import Any

import anyio
import pytest
import support
from fake_revox import FakeRevox
from mcp import Client
from mcp.server.mcpserver import MCPServer
from mcp.shared.exceptions import MCPError
from mcp.types import CallToolResult
from support import API_KEY, BASELINE_ID, FRENCH_ID, text_of

# diagnose_assistant also reads the account's phone numbers, voices and campaigns (cross-checks).
ALLOWED_PATH = re.compile(r"^/(?:assistants(/[^/?#]+)?|phone-numbers|voices|campaigns)$")
CALL_BUDGET = 45.0


@pytest.fixture
def upstream(shared_fake: FakeRevox) -> Iterator[FakeRevox]:
    """The module's fake, with an empty log; after the test, every request it saw must be in bounds."""
    shared_fake.clear_log()
    yield shared_fake
    for request in shared_fake.requests:
        assert ALLOWED_PATH.match(request.path), request.path
        assert request.query == "", request
        assert request.method == "GET"


def make_server(fake: FakeRevox) -> MCPServer:
    return support.make_server(base_url=fake.base_url, timeout=5.0)


@pytest.fixture(scope="module")
async def client(shared_fake: FakeRevox) -> AsyncIterator[Client]:
    """One session for the module's argument cases, as a host holds one: each case is independent of
    the others, and the session must keep serving through every hostile argument before it."""
    async with Client(make_server(shared_fake)) as session:
        yield session


def assert_clear_error(result: CallToolResult, *hints: str) -> str:
    """An is_error answer, short, without traceback or secret, naming what to fix."""
    assert result.is_error is True, text_of(result)
    message = text_of(result)
    assert "Traceback" not in message
    assert API_KEY not in message
    assert "FAKE" not in message
    assert "\x00" not in message
    assert len(message) < 3_000, len(message)
    assert any(hint in message for hint in hints), message
    return message


def assert_ok(result: CallToolResult) -> None:
    assert result.is_error is False, text_of(result)
    assert "FAKE" not in text_of(result)


# --------------------------------------------------------------------------- ids

# Strings that must never reach Revox as anything but one (encoded) path segment, if at all.
HOSTILE_IDS: dict[str, str] = {
    "dot dot slash": "../",
    "traversal": "../../auth-status",
    "traversal to the list": f"{BASELINE_ID}/..",
    "dot dot": "..",
    "dot": ".",
    "slash inside": "a/b",
    "leading slash": "/assistants",
    "protocol relative": "//evil.example/x",
    "absolute url": "http://evil.example/assistants",
    "backslashes": "..\\..\\auth-status",
    "encoded slash": "a%2Fb",
    "encoded dot dot": "%2e%2e",
    "encoded traversal": "%2e%2e%2f%2e%2e%2fauth-status",
    "double encoded": "%252e%252e%252f",
    "encoded NUL": "%00",
    "query": "?x=1",
    "query after id": f"{BASELINE_ID}?token=1",
    "fragment": "#frag",
    "fragment after id": f"{BASELINE_ID}#x",
    "NUL": "\x00",
    "NUL inside": f"{BASELINE_ID}\x00../",
    "escape sequence": "\x1b[31mred",
    "newline inside": "a\nb",
    "carriage return header injection": "a\r\nX-Injected: 1",
    "tab inside": "a\tb",
    "DEL": "a\x7fb",
    "bidi override": "abc\u202edef",
    "zero width space": "\u200b",
    "byte order mark": "\ufeffabc",
    "line separator": "a\u2028b",
    "ten thousand characters": "a" * 10_000,
    "201 characters": "b" * 201,
    "empty": "",
    "whitespace": "   ",
    "tabs and newlines": "\t\n\r ",
    "unicode": "ünïcødé-助手-🤖",
    "sql": "' OR 1=1 --",
    "template": "{{assistant_id}}",
    "percent": "%",
}
# JSON values of the wrong type for a string argument.
WRONG_TYPES: dict[str, Any] = {
    "int": 42,
    "float": 1.5,
    "bool": True,
    "list": [BASELINE_ID],
    "object": {"id": BASELINE_ID},
    "null": None,
}
ID_HINTS = ("assistant_id", "list_assistants")


def _id_calls(value: Any) -> list[tuple[str, dict[str, Any]]]:
    return [
        ("get_assistant", {"assistant_id": value}),
        ("get_assistant", {"assistant_id": value, "fields": ["prompt"]}),
        ("diagnose_assistant", {"assistant_id": value}),
        ("compare_assistants", {"assistant_id_a": value, "assistant_id_b": BASELINE_ID}),
        ("compare_assistants", {"assistant_id_a": BASELINE_ID, "assistant_id_b": value}),
    ]


@pytest.mark.anyio
@pytest.mark.parametrize("kind", list(HOSTILE_IDS))
async def test_hostile_id_is_a_clear_error_and_stays_one_path_segment(upstream: FakeRevox, client: Client, kind: str):
    """Every tool taking an id (both ids of compare_assistants), then the resource template."""
    value = HOSTILE_IDS[kind]
    with anyio.fail_after(CALL_BUDGET):
        for tool, args in _id_calls(value):
            if tool == "diagnose_assistant" and value == "":
                assert_ok(await client.call_tool(tool, args))  # optional there: "" is omitted, ranks all
                continue
            message = assert_clear_error(await client.call_tool(tool, args), *ID_HINTS)
            assert "\u202e" not in message
            assert "\u200b" not in message

        with pytest.raises((MCPError, ValueError)) as caught:
            await client.read_resource(f"revox://assistants/{value}")
        message = str(caught.value)
        assert "Traceback" not in message
        assert len(message) < 3_000
        assert any(hint in message for hint in (*ID_HINTS, "Unknown resource")), message

        # The session keeps serving.
        assert_ok(await client.call_tool("get_assistant", {"assistant_id": BASELINE_ID}))
        resource = await client.read_resource(f"revox://assistants/{BASELINE_ID}")
    assert json.loads(resource.contents[0].text)["id"] == BASELINE_ID  # type: ignore[union-attr]


@pytest.mark.anyio
@pytest.mark.parametrize("kind", list(WRONG_TYPES))
async def test_id_of_the_wrong_json_type_is_a_clear_error(upstream: FakeRevox, client: Client, kind: str):
    for tool, args in _id_calls(WRONG_TYPES[kind]):
        if tool == "diagnose_assistant" and WRONG_TYPES[kind] is None:
            assert_ok(await client.call_tool(tool, args))  # optional there: null ranks every assistant
            continue
        assert_clear_error(await client.call_tool(tool, args), "assistant_id")
    assert all(request.path == "/assistants" for request in upstream.requests)


@pytest.mark.anyio
async def test_an_id_with_surrounding_whitespace_still_works(upstream: FakeRevox, client: Client):
    for tool, args in _id_calls(f" \t{FRENCH_ID}\n"):
        assert_ok(await client.call_tool(tool, args))


# --------------------------------------------------------------------------- other arguments

FIELD_CASES: dict[str, tuple[Any, list[str] | None]] = {
    # name -> (fields argument, the fields answered; None: a clear error)
    "list": (["prompt"], ["prompt"]),
    "JSON string": ('["prompt"]', ["prompt"]),
    "JSON string with spaces": (' [ "prompt" , "voice" ] ', ["prompt", "voice"]),
    "duplicates": (["prompt", "prompt"], ["prompt"]),
    "unknown field": (["nope"], None),
    "unknown and known": (["prompt", "../etc"], None),
    "path-like field": (["custom_tools.0.headers"], None),
    "empty JSON list": ("[]", None),
    "malformed JSON string": ('["prompt"', None),
    "JSON object string": ('{"prompt": 1}', None),
    "list of ints": ([1, 2], None),
    "list of lists": ([["prompt"]], None),
    "object": ({"prompt": True}, None),
    "int": (7, None),
    "sixty-one fields": (["prompt"] * 61, None),
    "NUL field": (["prompt\x00"], None),
    "long field": (["x" * 10_000], None),
}


@pytest.mark.anyio
@pytest.mark.parametrize("kind", list(FIELD_CASES))
async def test_fields_argument_works_or_is_a_clear_error(upstream: FakeRevox, client: Client, kind: str):
    value, expected = FIELD_CASES[kind]
    got = await client.call_tool("get_assistant", {"assistant_id": BASELINE_ID, "fields": value})
    compared = await client.call_tool(
        "compare_assistants", {"assistant_id_a": BASELINE_ID, "assistant_id_b": FRENCH_ID, "fields": value}
    )
    if expected is None:
        message = assert_clear_error(got, "fields", "field")
        assert "x" * 100 not in message  # a huge argument is not echoed back whole
        assert_clear_error(compared, "fields", "field")
    else:
        assert_ok(got)
        assert got.structured_content is not None
        assert list(got.structured_content["config"]) == expected
        assert text_of(got).startswith(f"{expected[0]}: ")
        assert_ok(compared)


LIST_CASES: dict[str, tuple[dict[str, Any], bool]] = {
    # name -> (arguments, works)
    "limit 0": ({"limit": 0}, False),
    "limit 101": ({"limit": 101}, False),
    "limit -1": ({"limit": -1}, False),
    "limit abc": ({"limit": "abc"}, False),
    "limit 1.5": ({"limit": 1.5}, False),
    "limit huge": ({"limit": 10**30}, False),
    "limit null": ({"limit": None}, True),  # what a strict model sends for "default"
    "limit list": ({"limit": [5]}, False),
    "limit 1": ({"limit": 1}, True),
    "limit 100": ({"limit": 100}, True),
    "cursor garbage": ({"cursor": "not-a-cursor"}, False),
    "cursor empty": ({"cursor": ""}, True),
    "cursor NUL": ({"cursor": "\x00"}, False),
    "cursor too long": ({"cursor": "A" * 501}, False),
    "cursor int": ({"cursor": 5}, False),
    "cursor forged offset": ({"cursor": "FORGED:-5"}, False),
    "cursor forged past the end": ({"cursor": "FORGED:999999"}, False),
    "cursor stale": ({"cursor": "STALE"}, False),
    "cursor from another query": ({"cursor": "OTHER_QUERY", "query": "relance"}, False),
    "query ten thousand chars": ({"query": "q" * 10_000}, False),
    "query traversal": ({"query": "../../auth-status"}, True),
    "query NUL": ({"query": "\x00"}, True),
    "query list": ({"query": ["a"]}, False),
    "unknown argument": ({"path": "/auth-status"}, False),
}


def _cursor(raw: str) -> str:
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


async def _resolve(client: Client, args: dict[str, Any], tool: str) -> dict[str, Any]:
    """Turn the FORGED/STALE/OTHER_QUERY markers into cursors built from a real one."""
    cursor = args.get("cursor")
    if cursor not in ("STALE", "OTHER_QUERY") and not (isinstance(cursor, str) and cursor.startswith("FORGED:")):
        return args
    assert isinstance(cursor, str)
    first = await client.call_tool(tool, {"limit": 1})
    assert first.structured_content is not None
    real = first.structured_content["next_cursor"]
    decoded = base64.urlsafe_b64decode(real + "=" * (-len(real) % 4)).decode()
    prefix, owner, scope, version, _position, tag = decoded.split(":")
    if cursor == "STALE":
        return {**args, "cursor": _cursor(f"{prefix}:{owner}:{scope}:0000000000000000:1:{tag}")}
    if cursor == "OTHER_QUERY":
        return {**args, "cursor": real}
    return {**args, "cursor": _cursor(f"{prefix}:{owner}:{scope}:{version}:{cursor.split(':', 1)[1]}:{tag}")}


PAGING_CALLS = [
    *(("list_assistants", kind) for kind in LIST_CASES),
    *(("diagnose_assistant", kind) for kind, (args, _) in LIST_CASES.items() if "query" not in args),
]


@pytest.mark.anyio
@pytest.mark.parametrize(("tool", "kind"), PAGING_CALLS)
async def test_paging_arguments_work_or_are_a_clear_error(upstream: FakeRevox, client: Client, tool: str, kind: str):
    args, works = LIST_CASES[kind]
    result = await client.call_tool(tool, await _resolve(client, args, tool))
    if works:
        assert_ok(result)
    else:
        assert_clear_error(result, "limit", "cursor", "query", "Input should")
    assert_ok(await client.call_tool(tool, {}))  # the session keeps serving


OTHER_GET_CASES: dict[str, dict[str, Any]] = {
    "detail FULL": {"detail": "FULL"},
    "detail raw": {"detail": "raw"},
    "detail int": {"detail": 1},
    "offset -1": {"fields": ["prompt"], "offset": -1},
    "offset abc": {"fields": ["prompt"], "offset": "abc"},
    "offset past the end": {"fields": ["prompt"], "offset": 10**9},
    "offset without a field": {"offset": 5},
    "offset with two fields": {"fields": ["prompt", "name"], "offset": 5},
}


@pytest.mark.anyio
@pytest.mark.parametrize("kind", list(OTHER_GET_CASES))
async def test_other_get_assistant_arguments_are_clear_errors(upstream: FakeRevox, client: Client, kind: str):
    result = await client.call_tool("get_assistant", {"assistant_id": BASELINE_ID, **OTHER_GET_CASES[kind]})
    assert_clear_error(result, "detail", "offset")


# --------------------------------------------------------------------------- prompt text is data

# Lone surrogates are covered by test_properties: the fake cannot encode them in a body.
INVISIBLE = "Hello\u202eevil\u200b \ufeff\u00adsoft\u2066iso\u2069 tag\U000e0041"


@pytest.mark.anyio
async def test_invisible_and_bidi_characters_never_reach_the_model():
    assistant, other = FakeRevox.make_assistants(2, seed=3)
    assistant.update(name=f"Agent {INVISIBLE}", prompt=f"{INVISIBLE}\nBe nice.", x_custom={INVISIBLE: INVISIBLE})
    with FakeRevox([assistant, other], api_key=API_KEY) as fake:
        args = {"assistant_id": assistant["id"]}
        async with Client(make_server(fake)) as client:
            results = [
                await client.call_tool("get_assistant", {**args, "fields": ["prompt"]}),
                await client.call_tool("get_assistant", {**args, "detail": "full"}),
                await client.call_tool("get_assistant", args),
                await client.call_tool("list_assistants", {}),
                await client.call_tool("diagnose_assistant", args),
                await client.call_tool(
                    "compare_assistants", {"assistant_id_a": assistant["id"], "assistant_id_b": other["id"]}
                ),
            ]
            resource = await client.read_resource(f"revox://assistants/{assistant['id']}")
    outputs = [text_of(r) + json.dumps(r.structured_content, ensure_ascii=False) for r in results]
    outputs.append(resource.contents[0].text)  # type: ignore[union-attr]
    for result in results:
        assert_ok(result)
    for output in outputs:
        output.encode()  # well-formed UTF-8: no lone surrogate
        for char in ("\u202e", "\u200b", "\ufeff", "\u00ad", "\u2066", "\u2069", "\U000e0041", "\ud800"):
            assert char not in output, (repr(char), output[:300])
    assert results[0].structured_content is not None
    assert results[0].structured_content["config"]["prompt"].startswith("Helloevil softiso tag\nBe nice.")
    assert results[2].structured_content is not None
    assert results[2].structured_content["summary"]["prompt"]["preview"].startswith("Helloevil")
    assert results[2].structured_content["name"].startswith("Agent Helloevil")
    assert results[3].structured_content is not None
    assert results[3].structured_content["assistants"][0]["name"].startswith("Agent Helloevil")
