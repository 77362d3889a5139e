"""No planted secret reaches the model through any tool, detail level, field selection, comparison,
diagnosis, resource, completion, prompt, error or log line (issue 9's guarantee, end to end).

Two assistants with generated secrets planted in generated places (``secret_strategies``), and a
hidden third one fetched by id, are served by the fake Revox in process; the server's own key
(and HTTP token) are among the planted values, recognised by value only. Every answer the official
MCP client receives, and every log line, is searched for each secret whole, URL-encoded and in
12-character pieces of its random part.
"""

from __future__ import annotations

import json
import logging
from typing import Any

import anyio
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from mcp import Client
from mcp.shared.exceptions import MCPError
from mcp.types import CallToolResult, ResourceTemplateReference, TextContent
from secret_strategies import HeaderPlant, Planted, header_documents, leaks, own_secrets, planted_documents
from support import examples, scale, server_over

IDS = ("aaaaaaaa-1111-4111-8111-aaaaaaaaaaaa", "bbbbbbbb-2222-4222-8222-bbbbbbbbbbbb")
HIDDEN = "cccccccc-3333-4333-8333-cccccccccccc"
FALLBACK_KEY = "sk-e2e-fallback-key-0000"
# Every place the 160-character cut can fall in the key in CI; by hand every fourth (support.scale).
CUT_PADDINGS = range(150, 162, scale(1, 4))


def _text(result: CallToolResult) -> str:
    return "\n".join(block.text for block in result.content if isinstance(block, TextContent))


async def _outputs(listed: list[dict[str, Any]], hidden: dict[str, Any], key: str, token: str | None) -> list[str]:
    """Everything the model could see, for the documents served."""
    listed_ids = {str(document["id"]) for document in listed}
    server = server_over([*listed, hidden], listed_ids, key=key, auth_token=token)
    out: list[str] = []
    async with Client(server) as client:

        async def call(tool: str, arguments: dict[str, Any]) -> None:
            result = await client.call_tool(tool, arguments)
            out.append(_text(result))
            out.append(json.dumps(result.structured_content, ensure_ascii=False))

        await call("list_assistants", {"limit": 100})
        await call("list_assistants", {"query": "a"})
        for ident, document in [*zip(IDS, listed, strict=True), (HIDDEN, hidden)]:
            await call("get_assistant", {"assistant_id": ident})
            await call("get_assistant", {"assistant_id": ident, "detail": "full"})
            names = [name for name in document if isinstance(name, str)][:40]
            await call("get_assistant", {"assistant_id": ident, "fields": names})
            for name in names[:6]:
                await call("get_assistant", {"assistant_id": ident, "fields": [name]})
            await call("get_assistant", {"assistant_id": ident, "fields": ["no_such_field"]})  # lists the keys
            await call("diagnose_assistant", {"assistant_id": ident})
        await call("diagnose_assistant", {})
        await call("compare_assistants", {"assistant_id_a": IDS[0], "assistant_id_b": IDS[1]})
        await call("compare_assistants", {"assistant_id_a": IDS[0], "assistant_id_b": HIDDEN})
        await call("revox_status", {})
        await call("get_assistant", {"assistant_id": "missing-" + key[-6:]})
        for uri in ("revox://assistants", *(f"revox://assistants/{i}" for i in (*IDS, HIDDEN))):
            try:
                out += [getattr(c, "text", "") for c in (await client.read_resource(uri)).contents]
            except MCPError as exc:
                out.append(str(exc))
        completion = await client.complete(
            ResourceTemplateReference(uri="revox://assistants/{assistant_id}"), {"name": "assistant_id", "value": ""}
        )
        out += completion.completion.values
        prompt = await client.get_prompt("troubleshoot_assistant", {"assistant_id": IDS[0], "symptom": "hangs up"})
        out += [getattr(message.content, "text", "") for message in prompt.messages]
    return out


class _Lines(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


@settings(
    max_examples=examples(300),
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(planted_documents(), planted_documents(), planted_documents(max_secrets=2), st.booleans())
def test_no_planted_secret_reaches_any_output_or_log(
    first: tuple[dict[str, Any], list[Planted]],
    second: tuple[dict[str, Any], list[Planted]],
    third: tuple[dict[str, Any], list[Planted]],
    with_token: bool,
) -> None:
    documents = [dict(first[0], id=IDS[0]), dict(second[0], id=IDS[1])]
    hidden = dict(third[0], id=HIDDEN, type="sub-assistant")
    planted = [*first[1], *second[1], *third[1]]
    own = own_secrets(planted)
    key = own[0] if own else FALLBACK_KEY
    token = own[1] if with_token and len(own) > 1 else None
    lines = _Lines()
    root = logging.getLogger()
    previous = root.level
    root.addHandler(lines)
    root.setLevel(logging.DEBUG)
    try:
        outputs = anyio.run(_outputs, documents, hidden, key, token)
    finally:
        root.removeHandler(lines)
        root.setLevel(previous)
    everything = "\n".join([*outputs, *lines.lines])
    # An "own" secret is one the server is given (its key, its token): it is masked by value wherever
    # it shows. One planted as own but not given (a third, or a second without the token) is a value
    # the server cannot know, and one with no name and no format (letters only) cannot be recognised.
    given = {key, *([token] if token else [])}
    planted = [secret for secret in planted if not secret.own or secret.value in given]
    leaked = leaks(everything, planted)
    where = [text[:3000] for text in [*outputs, *lines.lines] if leaks(text, leaked)][:2]
    assert leaked == [], ([secret.kind for secret in leaked], where)
    assert FALLBACK_KEY not in everything


@settings(max_examples=examples(20), deadline=None, derandomize=True, database=None)
@given(planted_documents())
def test_the_planted_secrets_are_really_served(case: tuple[dict[str, Any], list[Planted]]) -> None:
    """The check above would pass trivially if nothing were planted: the raw documents do leak."""
    document, planted = case
    assert leaks(json.dumps(document, ensure_ascii=False), planted)


@pytest.mark.parametrize("field", ["prompt", "name", "webhook_url", "x_unknown"])
def test_a_secret_cut_at_any_length_in_a_preview_is_redacted_before_the_cut(field: str) -> None:
    """A 39-character Google key placed so that a 160-character preview would cut it to 38 characters."""
    google = "AIzaSyB3xQ9v8Lm2Kp4Rt7Wz1Yc6Nd5Fh0Jg3Ua"
    for padding in CUT_PADDINGS:
        document = {"id": IDS[0], "name": "n", field: "word " * (padding // 5) + "x" * (padding % 5) + " " + google}
        outputs = anyio.run(
            _outputs, [document, dict(document, id=IDS[1])], dict(document, id=HIDDEN), FALLBACK_KEY, None
        )
        text = "\n".join(outputs)
        assert google[:20] not in text, padding


@settings(
    max_examples=examples(100),
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(header_documents(), header_documents())
def test_no_planted_header_value_reaches_any_output(
    first: tuple[dict[str, Any], list[HeaderPlant], list[str]],
    second: tuple[dict[str, Any], list[HeaderPlant], list[str]],
) -> None:
    """Issue 16 item 5: header values under names that look harmless (X-Shop, X-Flow), wherever headers live."""
    documents = [dict(first[0], id=IDS[0], name="first"), dict(second[0], id=IDS[1], name="second")]
    hidden = {"id": HIDDEN, "name": "hidden", "type": "sub-assistant"}
    everything = "\n".join(anyio.run(_outputs, documents, hidden, FALLBACK_KEY, None))
    plants = [*first[1], *second[1]]
    assert [plant for plant in plants if plant.marker in json.dumps(documents)] == plants
    assert [plant.name for plant in plants if plant.marker in everything] == []
