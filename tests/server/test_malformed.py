"""Malformed upstream data never breaks the server (issue 9, "What broke").

Generated bodies for GET /assistants mix the fixtures with assistants made bad in every way the
adversarial review found and more: nesting far beyond the parser's recursion limit, integers of
thousands of digits, NaN and infinities, lone surrogates in keys, values and ids, invalid UTF-8
bytes, odd ids (spaces, newlines, bidi marks, 250 characters, not a string), wrong JSON types at
any depth, huge strings. Whatever the body: every tool and resource answers within its deadline
with data or a clear error, structured content validates against the tool's output schema, text
is valid UTF-8, and one bad assistant never hides the others.
"""

from __future__ import annotations

import functools
import json
import random
from typing import Any

import anyio
import httpx
import pytest
from fake_revox import FakeRevox, Fault
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsonschema.protocols import Validator
from jsonschema.validators import validator_for
from mcp import Client
from mcp.types import CallToolResult, TextContent
from processes import child_env
from support import API_KEY, LISTED, examples, make_server

from revox_mcp.domain.facts import FIELDS

CALL_DEADLINE = 44.0
KINDS = (
    "deep",
    "very deep",
    "huge int",
    "nan",
    "surrogate key",
    "surrogate value",
    "surrogate id",
    "invalid utf-8",
    "odd id",
    "null id",
    "wrong type",
    "huge string",
    "unknown nested",
)


def _fragment(base: dict[str, Any], kind: str, rng: random.Random) -> bytes:
    """One assistant as raw JSON bytes, made bad in the way ``kind`` says."""
    assistant = dict(base)
    field = rng.choice(sorted(FIELDS))
    if kind == "deep":
        assistant[field] = {"x": "{{DEEP}}"}
    elif kind == "very deep":
        assistant["prompt_flow"] = "{{VERYDEEP}}"
    elif kind == "huge int":
        assistant[field] = "{{HUGEINT}}"
    elif kind == "nan":
        assistant[field] = "{{NAN}}"
    elif kind == "surrogate key":
        assistant["{{SURROGATE}}"] = "value"
    elif kind == "surrogate value":
        assistant[field] = "a{{SURROGATE}}b"
    elif kind == "surrogate id":
        assistant["id"] = str(base["id"]) + "{{SURROGATE}}"
    elif kind == "odd id":
        assistant["id"] = rng.choice(
            [f" {base['id']}\t", f"{base['id']}\nfake | row", f"\u200f{base['id']}\u202e", "x" * 250 + str(base["id"])]
        )
    elif kind == "null id":
        assistant["id"] = rng.choice([None, 42, "", "   ", ["a"]])
    elif kind == "wrong type":
        assistant[field] = rng.choice([[1, {"a": None}], {"nested": [True]}, "text", 3.5, False, None, []])
    elif kind == "huge string":
        assistant[field] = "é" * 100_000
    elif kind == "unknown nested":
        assistant["future_field"] = {"a": [{"b": {"c": [None, 1e300, -0.0, "\u0000"]}}]}
    text = json.dumps(assistant, ensure_ascii=True)
    deep = "[" * 200 + "]" * 200
    very_deep = "[" * 5000 + "]" * 5000
    text = (
        text.replace('"{{DEEP}}"', deep)
        .replace('"{{VERYDEEP}}"', very_deep)
        .replace('"{{HUGEINT}}"', "-" + "7" * 6000)
        .replace('"{{NAN}}"', rng.choice(["NaN", "Infinity", "-Infinity", "1e999"]))
        .replace("{{SURROGATE}}", "\\udc00\\ud800")
    )
    raw = text.encode()
    if kind == "invalid utf-8":
        raw = raw.replace(b'"name": "', b'"name": "\xff\xfe\xc3', 1)
    return raw


@st.composite
def bodies(draw: st.DrawFn) -> tuple[bytes, list[str], list[str]]:
    """A list body, the ids of the intact fixtures in it, and the kinds of damage planted."""
    rng = random.Random(draw(st.integers(0, 2**32)))
    kinds = draw(st.lists(st.sampled_from(KINDS), min_size=1, max_size=4))
    damaged = rng.sample(range(len(LISTED)), k=min(len(kinds), len(LISTED)))
    fragments, intact = [], []
    for index, assistant in enumerate(LISTED):
        if index in damaged:
            fragments.append(_fragment(assistant, kinds[damaged.index(index)], rng))
        else:
            fragments.append(json.dumps(assistant).encode())
            intact.append(str(assistant["id"]))
    return b'{"assistants": [' + b", ".join(fragments) + b"]}", intact, kinds


def _serving(body: bytes) -> httpx.MockTransport:
    """The fake Revox in process, knowing no assistant by id, its list answered with ``body``."""
    fake = FakeRevox([], api_key=API_KEY)
    fake.fail_every(Fault.status(200, body, {"content-type": "application/json"}), path="/assistants")
    return fake.transport()


def _text(result: CallToolResult) -> str:
    return "\n".join(block.text for block in result.content if isinstance(block, TextContent))


def _check(result: CallToolResult, schema: dict[str, Any] | None) -> None:
    text = _text(result)
    text.encode()  # valid UTF-8: no lone surrogate
    assert not text.startswith("Error executing tool") or ":" in text, text  # never the bare generic error
    if result.is_error:
        return
    assert result.structured_content is not None
    json.dumps(result.structured_content, allow_nan=False).encode()
    if schema is not None:
        _validator(json.dumps(schema, sort_keys=True)).validate(result.structured_content)


@functools.lru_cache(maxsize=64)
def _validator(schema: str) -> Validator:
    """A tool's output schema, checked against its metaschema and compiled once per content (as the
    official client does per session): checking costs up to 60x validating."""
    loaded = json.loads(schema)
    cls = validator_for(loaded)
    cls.check_schema(loaded)
    return cls(loaded)


async def _exercise(body: bytes, intact: list[str]) -> None:
    async with Client(make_server(transport=_serving(body))) as client:
        schemas = {tool.name: tool.output_schema for tool in (await client.list_tools()).tools}

        async def call(tool: str, arguments: dict[str, Any]) -> CallToolResult:
            with anyio.fail_after(CALL_DEADLINE):
                result = await client.call_tool(tool, arguments)
            _check(result, schemas[tool])
            return result

        listed = await call("list_assistants", {"limit": 100})
        assert listed.is_error is False, _text(listed)
        assert listed.structured_content is not None
        shown = [row["id"] for row in listed.structured_content["assistants"]]
        assert set(intact) <= set(shown)  # one bad assistant never hides the others
        for line in _text(listed).splitlines()[1:]:
            assert line.count(" | ") == 8 or line.startswith(("More:", "No assistant")), line  # no fake rows
        damaged = [ident for ident in shown if ident not in intact]
        for ident in [*damaged, intact[0]] if intact else damaged:
            for arguments in ({}, {"detail": "full"}, {"fields": ["prompt", "name"]}):
                got = await call("get_assistant", {"assistant_id": ident, **arguments})
                assert got.is_error is False, _text(got)
            assert (await call("diagnose_assistant", {"assistant_id": ident})).is_error is False
        await call("diagnose_assistant", {})
        await call("compare_assistants", {"assistant_id_a": shown[0], "assistant_id_b": shown[-1]})
        await call("revox_status", {})
        index = await client.read_resource("revox://assistants")
        json.loads(index.contents[0].text)  # type: ignore[union-attr]
        one = await client.read_resource(f"revox://assistants/{shown[0]}")
        json.loads(one.contents[0].text)  # type: ignore[union-attr]


@settings(
    max_examples=examples(25),
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(bodies())
def test_every_tool_answers_whatever_revox_sends(case: tuple[bytes, list[str], list[str]]) -> None:
    body, intact, _kinds = case
    anyio.run(_exercise, body, intact)


@pytest.mark.parametrize("kind", KINDS)
def test_each_kind_of_damage_alone_is_survived(kind: str) -> None:
    rng = random.Random(7)
    fragments = [_fragment(LISTED[0], kind, rng), *(json.dumps(a).encode() for a in LISTED[1:])]
    body = b'{"assistants": [' + b", ".join(fragments) + b"]}"
    intact = [str(a["id"]) for a in LISTED[1:]]
    anyio.run(_exercise, body, intact)


def test_an_assistant_with_an_odd_id_is_listed_and_readable_by_the_id_shown() -> None:
    odd = dict(LISTED[0], id=f"  {LISTED[0]['id']}\nfake | row\u200f ")
    body = json.dumps({"assistants": [odd, *LISTED[1:]]}).encode()

    async def run() -> None:
        async with Client(make_server(transport=_serving(body))) as client:
            listed = await client.call_tool("list_assistants", {})
            assert listed.structured_content is not None
            first = listed.structured_content["assistants"][0]["id"]
            assert first == f"{LISTED[0]['id']} fake | row"
            got = await client.call_tool("get_assistant", {"assistant_id": first})
            assert got.is_error is False, _text(got)
            assert len(_text(listed).splitlines()) == 1 + len(LISTED)  # the newline added no row

    anyio.run(run)


def test_the_stdio_server_survives_unencodable_text_from_revox_and_from_the_caller(fake: Any) -> None:
    """A lone surrogate in a key (echoed by the "valid fields" error) or in an argument once killed stdio."""
    import sys

    from mcp import StdioServerParameters
    from support import API_KEY

    fake.set_assistants([dict(LISTED[0], **{"odd\udc00key": "v\ud800"}), *LISTED[1:]])
    params = StdioServerParameters(
        command=sys.executable,
        args=["-m", "revox_mcp"],
        env=child_env(REVOX_API_KEY=API_KEY, REVOX_BASE_URL=fake.base_url),
    )
    ident = str(LISTED[0]["id"])

    async def run() -> None:
        with anyio.fail_after(60):
            async with Client(params) as client:
                unknown = await client.call_tool("get_assistant", {"assistant_id": ident, "fields": ["nope"]})
                assert unknown.is_error is True
                assert "oddkey" in _text(unknown)  # the valid fields, cleaned
                full = await client.call_tool("get_assistant", {"assistant_id": ident, "detail": "full"})
                assert full.is_error is False
                assert full.structured_content is not None
                assert full.structured_content["config"]["oddkey"] == "v"
                assert (await client.call_tool("list_assistants", {})).is_error is False  # still alive

    anyio.run(run)


def test_unencodable_arguments_never_make_an_unencodable_answer() -> None:
    """In memory (a stdio client cannot even send them; a raw JSON-RPC peer can): every echo is encodable."""
    ident = str(LISTED[0]["id"])

    async def run() -> None:
        async with Client(make_server(transport=_serving(json.dumps({"assistants": LISTED}).encode()))) as client:
            answers = [
                await client.call_tool("get_assistant", {"assistant_id": ident, "fields": ["nope\udc00"]}),
                await client.call_tool("get_assistant", {"assistant_id": "x\udc00y"}),
                await client.call_tool("list_assistants", {"query": "\ud800"}),
                await client.call_tool("compare_assistants", {"assistant_id_a": ident, "assistant_id_b": "\udfff"}),
            ]
            for answer in answers:
                _text(answer).encode()
                json.dumps(answer.structured_content, ensure_ascii=False).encode()
            prompt = await client.get_prompt(
                "troubleshoot_assistant", {"assistant_id": "a\ud800", "symptom": "s\udc00"}
            )
            for message in prompt.messages:
                message.content.text.encode()  # type: ignore[union-attr]

    anyio.run(run)
