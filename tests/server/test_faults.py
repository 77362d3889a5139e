"""Upstream faults, end to end: MCP client -> server -> RevoxApi -> the fake Revox, in process (the
same faults: a reset is httpx.ReadError, a long wait a read timeout at once); the faults only a real
socket shows (a reset, a body cut short, a slow answer) also over the loopback fake.

Each fault is injected for the next request(s) only. Whatever Revox does, a tool call answers within
the call budget with data or with an error that names the cause and the remedy, never with a
traceback or a raw upstream body; the same session keeps serving and recovers once Revox is healthy.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import anyio
import pytest
import support
from fake_revox import FakeRevox, Fault
from mcp import Client
from mcp.server.mcpserver import MCPServer
from mcp.shared.exceptions import MCPError
from mcp.types import CallToolResult
from support import API_KEY, BASELINE_ID, FRENCH_ID, SUB_ID, FakeClock, Sleeps, text_of

from revox_mcp.domain import budget

CANARY = "UPSTREAM-BODY-CANARY-7f3a"
CANARY_BODY = {"error": f"{CANARY} internal detail", "stack": f"Traceback (most recent call last): {CANARY}"}
# The MCP edge promises an answer well within what clients wait (about 60 s).
CALL_BUDGET = 45.0
# Small, so that "slower than the timeout" costs the test a quarter of a second per attempt.
TIMEOUT = 0.25
ATTEMPTS = 3  # RevoxApi's default max_retries=2, plus the first attempt


def make_server(
    fake: FakeRevox,
    sleeps: Sleeps | None = None,
    *,
    cache_ttl: float = 30.0,
    clock: Callable[[], float] | None = None,
    loopback: bool = False,
) -> MCPServer:
    return support.make_server(
        base_url=fake.base_url,
        transport=None if loopback else fake.transport(),
        timeout=TIMEOUT,
        sleep=sleeps if sleeps is not None else Sleeps(),
        cache_ttl=cache_ttl,
        clock=clock,
        # The list's retries are what these cases count: a call never gives up on the list here (the
        # grace after which it does is tests/service/test_fetch_grace.py's), however loaded the machine.
        lookup_grace=CALL_BUDGET,
    )


def assert_clean(output: str) -> None:
    """Nothing the model must not see: traceback, upstream body, key, fixture secrets, raw markup."""
    assert "Traceback" not in output
    assert CANARY not in output
    assert API_KEY not in output
    assert "FAKE" not in output
    for raw in ("<html", "nginx", "not json{", '{"assistants":['):
        assert raw not in output


def assert_ok(result: CallToolResult) -> None:
    assert result.is_error is False, text_of(result)
    assert_clean(text_of(result))
    assert_clean(json.dumps(result.structured_content, ensure_ascii=False))


# Each tool runs in a session of its own, so its first call meets Revox with a cold cache (a lookup
# by id lists first: the list carries every assistant).
TOOL_ARGS: dict[str, dict[str, Any]] = {
    "get_assistant": {"assistant_id": BASELINE_ID},
    "diagnose_assistant": {"assistant_id": FRENCH_ID},
    "list_assistants": {},
}


@dataclass(frozen=True)
class Case:
    faults: tuple[Fault, ...]
    words: tuple[str, ...] = ()  # cause and remedy, lower case; empty: the call succeeds
    sleeps: tuple[float, ...] | None = None  # exact retry delays asked for, when they matter
    words_by_tool: dict[str, tuple[str, ...]] = field(default_factory=dict)


def _times(fault: Fault, count: int = ATTEMPTS) -> tuple[Fault, ...]:
    return (fault,) * count


AUTH = ("rejected the api key", "revox_api_key", "restart")
DOWN = ("unavailable", "retry in a minute")
GARBLED = ("unexpected answer", "retry", "revox_base_url")

CASES: dict[str, Case] = {
    "401": Case((Fault.status(401, CANARY_BODY),), (*AUTH, "http 401")),
    "403": Case((Fault.status(403, CANARY_BODY),), (*AUTH, "http 403")),
    "404": Case(
        (Fault.status(404, CANARY_BODY),),
        words_by_tool={
            "list_assistants": ("http 404", "revox_base_url"),
            # A lookup lists first, and a 404 on the list means a wrong base URL.
            "get_assistant": ("http 404", "revox_base_url"),
            "diagnose_assistant": ("http 404", "revox_base_url"),
        },
    ),
    "429 without Retry-After, every attempt": Case(
        _times(Fault.status(429, CANARY_BODY)), ("rate limiting", "429", "retry in a minute")
    ),
    "429 without Retry-After, once": Case((Fault.rate_limited(),)),
    "429 Retry-After 1, once": Case((Fault.rate_limited("1"),), sleeps=(1.0,)),
    # Waits said as people say them: 3600 s is "1 h" (it read "61 min"), 120 s "2 min" (it read "3 min").
    "429 Retry-After 3600": Case((Fault.rate_limited("3600"),), ("rate limiting", "429", "retry in 1 h."), ()),
    "429 Retry-After 120": Case((Fault.rate_limited("120"),), ("rate limiting", "429", "retry in 2 min."), ()),
    "429 Retry-After 90": Case((Fault.rate_limited("90"),), ("rate limiting", "429", "retry in 1 min 30 s."), ()),
    "500": Case(_times(Fault.status(500, CANARY_BODY)), (*DOWN, "http 500")),
    "502": Case(_times(Fault.status(502, CANARY)), (*DOWN, "http 502")),
    "503": Case(_times(Fault.status(503, CANARY_BODY)), (*DOWN, "http 503")),
    "503 once": Case((Fault.status(503, CANARY_BODY),)),
    "HTML error page": Case(_times(Fault.html_error(502)), (*DOWN, "http 502")),
    "slower than the timeout": Case(_times(Fault.slow(TIMEOUT * 4)), ("did not answer in time", "retry")),
    "slower than the timeout, once": Case((Fault.slow(TIMEOUT * 4),)),
    "connection reset": Case(_times(Fault.reset()), ("could not reach revox", "revox_base_url", "retry")),
    "truncated JSON": Case((Fault.truncated_json(),), (*GARBLED, "not valid json")),
    "invalid JSON": Case((Fault.invalid_json(),), (*GARBLED, "not valid json")),
    "wrong shape": Case((Fault.wrong_shape({"data": [{"name": CANARY}], "token": CANARY}),), (*GARBLED, "expected")),
    "wrong shape, a list": Case((Fault.wrong_shape(),), GARBLED),
}


# The faults a socket shows otherwise than the in-process transport: also run over the loopback fake.
OVER_A_SOCKET = ("connection reset", "truncated JSON", "slower than the timeout, once")


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("name", "loopback"), [(name, False) for name in CASES] + [(name, True) for name in OVER_A_SOCKET]
)
async def test_fault_gets_a_clear_answer_in_time_and_the_session_recovers(fake: FakeRevox, name: str, loopback: bool):
    """Every tool, each in a fresh session whose cache is cold."""
    case = CASES[name]
    for tool, args in TOOL_ARGS.items():
        clock = FakeClock()
        async with Client(make_server(fake, sleeps := Sleeps(), clock=clock, loopback=loopback)) as client:
            fake.inject(*case.faults)
            sleeps.delays.clear()
            before = len(fake.requests)
            with anyio.fail_after(CALL_BUDGET):
                result = await client.call_tool(tool, args)
            assert fake.pending_faults == 0, tool  # every injected fault was met: the retries happened
            words = case.words_by_tool.get(tool, case.words)
            if words:
                assert result.is_error is True, text_of(result)
                message = text_of(result)
                assert_clean(message)
                for word in words:
                    assert word in message.lower(), message
            else:
                assert_ok(result)
                # diagnose_assistant's account cross-checks (phone numbers, voices, campaigns) aside
                upstream = [r for r in fake.requests[before:] if r.path.startswith("/assistants")]
                assert len(upstream) == len(case.faults) + 1
            if case.sleeps is not None:
                assert sleeps.delays == list(case.sleeps)

            # Revox is healthy again: once the back-off a failure sets is over (an hour after a 429
            # asking for one), the same session answers, with data.
            clock.advance(4_000)
            with anyio.fail_after(CALL_BUDGET):
                again = await client.call_tool(tool, args)
            assert_ok(again)
            status = await client.call_tool("revox_status", {})
        assert_ok(status)
        assert status.structured_content is not None
        assert status.structured_content["key_accepted"] is True


@pytest.mark.anyio
@pytest.mark.parametrize("name", [n for n in CASES if n != "404"])
async def test_fault_on_a_lookup_by_id_gets_a_clear_answer_and_the_session_recovers(fake: FakeRevox, name: str):
    """An assistant the list hides costs a GET /assistants/{id} of its own: faults there too."""
    case = CASES[name]
    clock = FakeClock()
    async with Client(make_server(fake, Sleeps(), clock=clock, cache_ttl=86_400)) as client:
        assert_ok(await client.call_tool("list_assistants", {}))
        fake.inject(*case.faults, path=f"/assistants/{SUB_ID}")
        with anyio.fail_after(CALL_BUDGET):
            result = await client.call_tool("get_assistant", {"assistant_id": SUB_ID})
        assert fake.pending_faults == 0
        if case.words:
            assert result.is_error is True, text_of(result)
            for word in case.words:
                assert word in text_of(result).lower(), text_of(result)
        assert_clean(text_of(result))
        clock.advance(4_000)  # past the back-off the failure set
        with anyio.fail_after(CALL_BUDGET):
            assert_ok(await client.call_tool("get_assistant", {"assistant_id": SUB_ID}))


@pytest.mark.anyio
@pytest.mark.parametrize("name", ["401", "500", "connection reset", "invalid JSON", "HTML error page"])
async def test_fault_on_a_resource_read_is_a_clean_protocol_error_then_it_recovers(fake: FakeRevox, name: str):
    for uri in (f"revox://assistants/{BASELINE_ID}", "revox://assistants"):
        clock = FakeClock()
        async with Client(make_server(fake, clock=clock)) as client:
            fake.inject(*CASES[name].faults)
            with anyio.fail_after(CALL_BUDGET), pytest.raises(MCPError) as caught:
                await client.read_resource(uri)
            message = str(caught.value)
            assert_clean(message)
            assert any(word in message.lower() for word in CASES[name].words), message
            clock.advance(4_000)  # past the back-off the failure set
            with anyio.fail_after(CALL_BUDGET):
                contents = (await client.read_resource(uri)).contents[0]
            assert_clean(contents.text)  # type: ignore[union-attr]


# --------------------------------------------------------------------------- stale-if-error


STALE_CASES = ["500", "503", "slower than the timeout", "connection reset", "invalid JSON", "wrong shape"]


@pytest.mark.anyio
@pytest.mark.parametrize("name", [*STALE_CASES, "429 Retry-After 3600"])
async def test_expired_data_is_served_marked_stale_when_revox_fails(fake: FakeRevox, name: str):
    """Both caches: one assistant (GET /assistants/{id}) and the list, fetched, expired, then faulted."""
    clock = FakeClock()
    calls = [("get_assistant", TOOL_ARGS["get_assistant"]), ("list_assistants", {})]
    async with Client(make_server(fake, cache_ttl=5.0, clock=clock)) as client:
        fresh = [await client.call_tool(tool, args) for tool, args in calls]
        for result in fresh:
            assert_ok(result)
            assert result.structured_content is not None
            assert "stale" not in result.structured_content

        clock.now += 65  # past the TTL: the next call must ask Revox again
        fake.inject(*CASES[name].faults)
        for index, ((tool, args), before) in enumerate(zip(calls, fresh, strict=True)):
            requests = len(fake.requests)
            with anyio.fail_after(CALL_BUDGET):
                stale = await client.call_tool(tool, args)
            if index == 0:
                assert len(fake.requests) > requests, tool  # Revox was asked, and failed
            else:  # the same list, inside the back-off the failure set: answered at once, no request
                assert len(fake.requests) == requests, tool
            assert fake.pending_faults == 0
            assert_ok(stale)
            assert stale.structured_content is not None
            assert stale.structured_content["stale"] is True
            assert stale.structured_content["age_seconds"] == 65
            assert "NOTE: Revox could not be reached" in text_of(stale)
            # The old data itself, not a placeholder.
            assert stale.structured_content["stale_reason"]
            marks = ("stale", "age_seconds", "stale_reason")
            unmarked = {k: v for k, v in stale.structured_content.items() if k not in marks}
            assert unmarked == before.structured_content
            assert text_of(stale).startswith(text_of(before))

        clock.advance(4_000)  # the faults are spent and the back-off over: fresh again
        for tool, args in calls:
            healthy = await client.call_tool(tool, args)
            assert_ok(healthy)
            assert healthy.structured_content is not None
            assert "stale" not in healthy.structured_content


@pytest.mark.anyio
@pytest.mark.parametrize("status", [401, 403])
async def test_a_rejected_key_is_reported_not_hidden_behind_stale_data(fake: FakeRevox, status: int):
    clock = FakeClock()
    async with Client(make_server(fake, cache_ttl=5.0, clock=clock)) as client:
        assert_ok(await client.call_tool("list_assistants", {}))
        clock.now += 60
        fake.inject(Fault.status(status, CANARY_BODY))
        result = await client.call_tool("list_assistants", {})
    assert result.is_error is True
    assert_clean(text_of(result))
    assert "revox_api_key" in text_of(result).lower()


# --------------------------------------------------------------------------- large data


@cache
def _many() -> tuple[dict[str, Any], ...]:
    return tuple(FakeRevox.make_assistants(support.scale(10_000, 2_000), prompt_chars=200))


@pytest.mark.anyio
async def test_ten_thousand_assistants_page_within_budget(fake: FakeRevox):
    many = list(_many())
    fake.set_assistants(many)
    async with Client(make_server(fake)) as client:
        with anyio.fail_after(CALL_BUDGET):
            first = await client.call_tool("list_assistants", {"limit": 100})
            second = await client.call_tool("list_assistants", {"limit": 100, "cursor": "x"})
            page = first.structured_content
            assert page is not None
            nxt = await client.call_tool("list_assistants", {"limit": 100, "cursor": page["next_cursor"]})
            one = await client.call_tool("get_assistant", {"assistant_id": many[-1]["id"]})
            index = await client.read_resource("revox://assistants")
    for result in (first, nxt, one):
        assert_ok(result)
        assert len(result.model_dump_json(by_alias=True).encode()) <= budget.MAX_RESPONSE_BYTES + 2_000
    assert page["total"] == len(many)
    assert nxt.structured_content is not None
    assert {a["id"] for a in page["assistants"]}.isdisjoint(a["id"] for a in nxt.structured_content["assistants"])
    assert second.is_error is True
    assert "cursor" in text_of(second)
    assert one.structured_content is not None
    assert one.structured_content["id"] == many[-1]["id"]
    body = json.loads(index.contents[0].text)  # type: ignore[union-attr]
    assert body["total"] == len(many)
    assert "list_assistants" in body["truncated"]
    assert len(index.contents[0].text.encode()) <= budget.MAX_RESPONSE_BYTES  # type: ignore[union-attr]
    assert [r.path for r in fake.requests] == ["/assistants"]  # one fetch served every call


@pytest.mark.anyio
async def test_a_one_megabyte_prompt_is_summarised_and_read_in_chunks(fake: FakeRevox):
    [big] = FakeRevox.make_assistants(1, prompt_chars=1_000_000, seed=7)
    fake.set_assistants([big])
    args = {"assistant_id": big["id"]}
    async with Client(make_server(fake)) as client:
        with anyio.fail_after(CALL_BUDGET):
            summary = await client.call_tool("get_assistant", args)
            full = await client.call_tool("get_assistant", {**args, "detail": "full"})
            chunk = await client.call_tool("get_assistant", {**args, "fields": ["prompt"]})
            assert chunk.structured_content is not None
            offset = chunk.structured_content["next_offset"]
            following = await client.call_tool("get_assistant", {**args, "fields": ["prompt"], "offset": offset})
            diagnosis = await client.call_tool("diagnose_assistant", args)
    for result in (summary, full, chunk, following, diagnosis):
        assert_ok(result)
        assert len(result.model_dump_json(by_alias=True).encode()) <= budget.MAX_RESPONSE_BYTES + 2_000
    assert summary.structured_content is not None
    assert summary.structured_content["summary"]["prompt"]["chars"] == 1_000_000
    assert following.structured_content is not None
    first_part = chunk.structured_content["config"]["prompt"]
    second_part = following.structured_content["config"]["prompt"]
    assert big["prompt"].startswith(first_part + second_part)
    assert 0 < offset == len(first_part) < 1_000_000
