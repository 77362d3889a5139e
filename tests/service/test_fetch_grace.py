"""A call never waits on a fetch it can do without for longer than the lookup grace (issue 16 item 7).

End to end, through the official MCP client in memory, over the fake Revox in process. Revox's
answers to some paths are held until the test lets them go (a list whose body drips, a slow account
endpoint); the cache's waits are timers the test fires, so nothing sleeps and nothing measures time.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import anyio
import httpx
import pytest
import support
from anyio.abc import TaskGroup
from fake_revox import FakeRevox, Fault
from mcp import Client
from mcp.types import CallToolResult, ReadResourceResult, ResourceTemplateReference, TextResourceContents
from support import API_KEY, BASELINE_ID, FRENCH_ID, MISCONFIGURED_ID, SUB_ID, FakeClock, Timers, text_of

from revox_mcp.api.fake.transport import path_under
from revox_mcp.settings import DEFAULT_LOOKUP_GRACE

pytestmark = pytest.mark.anyio

GRACE = DEFAULT_LOOKUP_GRACE
ACCOUNT = ("/phone-numbers", "/voices", "/campaigns")


class Held(httpx.AsyncBaseTransport):
    """The fake Revox in process, whose answers to ``paths`` wait, while held, until ``release()``."""

    def __init__(self, fake: FakeRevox, *paths: str, holding: bool = True) -> None:
        self.inner = fake.transport()
        self.paths = set(paths)
        self.held: list[str] = []  # the requests that waited
        self._gate: anyio.Event | None = anyio.Event() if holding else None

    def hold(self) -> None:
        self._gate = anyio.Event()

    def release(self) -> None:
        if self._gate is not None:
            self._gate.set()
        self._gate = None

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        path, gate = path_under(request), self._gate
        if gate is not None and path in self.paths:
            self.held.append(path)
            await gate.wait()
        return await self.inner.handle_async_request(request)


class Upstream:
    """The fake Revox with some paths held, and a server over it whose cache waits on ``timers``."""

    def __init__(self, *held: str, holding: bool = True) -> None:
        self.fake = FakeRevox(api_key=API_KEY)
        self.transport = Held(self.fake, *held, holding=holding)
        self.clock = FakeClock()
        self.timers = Timers(self.clock)

    def client(self) -> Client:
        server = support.make_server(transport=self.transport, clock=self.clock, cache_sleep=self.timers.sleep)
        return Client(server)

    @property
    def answered(self) -> list[str]:
        """The paths Revox answered (a held request is logged once let go)."""
        return [request.path for request in self.fake.requests]


async def started(tg: TaskGroup, work: Callable[[], Awaitable[Any]]) -> list[Any]:
    """``work`` started in ``tg``, once everything waits: its result will be the list's one item."""
    results: list[Any] = []

    async def run() -> None:
        results.append(await work())

    tg.start_soon(run)
    await anyio.wait_all_tasks_blocked()
    return results


def ok(result: CallToolResult | ReadResourceResult) -> str:
    """The answer's text, once it is known not to be an error."""
    if isinstance(result, CallToolResult):
        assert result.is_error is False, text_of(result)
        return text_of(result)
    return "\n".join(content.text for content in result.contents if isinstance(content, TextResourceContents))


# Calls that need one assistant (and what they get by id when the list is late).
ONE_ASSISTANT: dict[str, tuple[Callable[[Client], Awaitable[Any]], str]] = {
    "get_assistant": (lambda c: c.call_tool("get_assistant", {"assistant_id": BASELINE_ID}), BASELINE_ID),
    "get_assistant, a sub-assistant": (lambda c: c.call_tool("get_assistant", {"assistant_id": SUB_ID}), SUB_ID),
    "diagnose_assistant": (lambda c: c.call_tool("diagnose_assistant", {"assistant_id": FRENCH_ID}), FRENCH_ID),
    "analyze_calls": (lambda c: c.call_tool("analyze_calls", {"assistant_id": MISCONFIGURED_ID}), MISCONFIGURED_ID),
    "the configuration resource": (lambda c: c.read_resource(f"revox://assistants/{BASELINE_ID}"), BASELINE_ID),
}


@pytest.mark.parametrize("name", list(ONE_ASSISTANT))
async def test_a_call_that_needs_one_assistant_waits_for_a_late_list_only_the_grace(name: str) -> None:
    """The list is held: after the grace the assistant is asked for by id, the call answers, and the
    list, once it comes, answers later lookups (no request of their own)."""
    call, ident = ONE_ASSISTANT[name]
    upstream = Upstream("/assistants")
    async with upstream.client() as client:
        async with anyio.create_task_group() as tg:
            results = await started(tg, lambda: call(client))
            assert (results, upstream.transport.held, upstream.timers.pending) == ([], ["/assistants"], [GRACE])
            upstream.timers.fire()
        [result] = results
        text = ok(result)
        assert ident in text
        assert "configuration not read" not in text
        assert f"/assistants/{ident}" in upstream.answered
        assert "/assistants" not in upstream.answered  # still on its way
        upstream.transport.release()
        await anyio.wait_all_tasks_blocked()
        asked = len(upstream.answered)
        ok(await client.call_tool("get_assistant", {"assistant_id": FRENCH_ID}))
        ok(await client.call_tool("get_assistant", {"assistant_id": BASELINE_ID}))
        assert upstream.answered[asked:] == []  # both from the list that came late


async def test_a_refresh_of_the_list_that_is_late_costs_a_lookup_the_grace_not_the_stale_wait() -> None:
    """The list is cached, expired, and its refresh is held: after the lookup grace (not the longer
    stale grace) the assistant is asked for by id and answered fresh."""
    upstream = Upstream("/assistants", holding=False)
    async with upstream.client() as client:
        ok(await client.call_tool("get_assistant", {"assistant_id": FRENCH_ID}))
        upstream.clock.advance(31)
        upstream.transport.hold()
        async with anyio.create_task_group() as tg:
            results = await started(tg, lambda: client.call_tool("get_assistant", {"assistant_id": FRENCH_ID}))
            assert upstream.timers.pending == [GRACE]
            upstream.timers.fire()
        [result] = results
        ok(result)
        assert result.structured_content is not None
        assert "stale" not in result.structured_content
        assert upstream.answered == ["/assistants", f"/assistants/{FRENCH_ID}"]
        upstream.transport.release()


async def test_when_the_request_by_id_fails_the_lookup_waits_for_the_late_list() -> None:
    upstream = Upstream("/assistants")
    upstream.fake.fail_every(Fault.status(503), path=f"/assistants/{BASELINE_ID}")
    async with upstream.client() as client:
        async with anyio.create_task_group() as tg:
            results = await started(tg, lambda: client.call_tool("get_assistant", {"assistant_id": BASELINE_ID}))
            upstream.timers.fire()
            await anyio.wait_all_tasks_blocked()
            assert results == []  # the request by id failed: the list may still have it
            upstream.transport.release()
        [result] = results
        assert BASELINE_ID in ok(result)
        assert "/assistants" in upstream.answered


async def test_an_id_revox_does_not_know_is_not_found_without_waiting_for_the_late_list() -> None:
    upstream = Upstream("/assistants")
    async with upstream.client() as client:
        async with anyio.create_task_group() as tg:
            results = await started(tg, lambda: client.call_tool("get_assistant", {"assistant_id": "no-such-id"}))
            upstream.timers.fire()
        [result] = results
        assert result.is_error is True
        assert "No assistant with id 'no-such-id'" in text_of(result)
        assert "/assistants" not in upstream.answered
        upstream.transport.release()


async def test_completion_offers_nothing_while_the_list_is_late_then_the_ids() -> None:
    upstream = Upstream("/assistants")
    template = ResourceTemplateReference(uri="revox://assistants/{assistant_id}")
    argument = {"name": "assistant_id", "value": ""}
    async with upstream.client() as client:
        async with anyio.create_task_group() as tg:
            results = await started(tg, lambda: client.complete(template, argument))
            assert upstream.timers.pending == [GRACE]
            upstream.timers.fire()
        assert results[0].completion.values == []
        upstream.transport.release()
        await anyio.wait_all_tasks_blocked()
        assert BASELINE_ID in (await client.complete(template, argument)).completion.values


async def test_a_diagnosis_waits_for_late_account_lists_only_the_grace_and_says_what_it_did_not_check() -> None:
    upstream = Upstream(*ACCOUNT)
    async with upstream.client() as client:
        async with anyio.create_task_group() as tg:
            results = await started(tg, lambda: client.call_tool("diagnose_assistant", {"assistant_id": FRENCH_ID}))
            assert sorted(upstream.transport.held) == sorted(ACCOUNT)
            assert upstream.timers.pending == [GRACE] * 3
            upstream.timers.fire()
        [result] = results
        ok(result)
        assert result.structured_content is not None
        notes = result.structured_content["not_checked"]
        assert [note.split(" (")[0] for note in notes] == ["campaigns", "phone numbers", "voices"]
        assert all("within 2 s; still loading" in note for note in notes)
        upstream.transport.release()
        await anyio.wait_all_tasks_blocked()
        again = await client.call_tool("diagnose_assistant", {"assistant_id": FRENCH_ID})
        assert again.structured_content is not None
        assert "not_checked" not in again.structured_content  # the lists came: every check made
        assert [upstream.answered.count(path) for path in ACCOUNT] == [1, 1, 1]
