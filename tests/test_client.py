"""RevoxClient over respx: status mapping, retries in the call budget, id encoding, caching, coalescing.

respx stands in for Revox because the client's contract is what it does with HTTP answers; the
transport is injected, so nothing is patched. Time is a fake clock that moves only inside the fake
sleep (and inside a simulated slow answer), so retries and TTLs are exercised without waiting.
"""

from __future__ import annotations

import json
import traceback
from collections.abc import Awaitable, Callable
from datetime import datetime, timezone
from email.utils import format_datetime
from pathlib import Path
from typing import Any

import anyio
import anyio.lowlevel
import httpx
import pytest
import respx

from revox_mcp import __version__
from revox_mcp.api.client import AssistantList, RevoxClient, demo_transport, key_fingerprint
from revox_mcp.cache.memory import Cached
from revox_mcp.errors import (
    InputError,
    RevoxAuthError,
    RevoxError,
    RevoxNotFoundError,
    RevoxRateLimitError,
    RevoxResponseError,
    RevoxStatusError,
    RevoxTimeoutError,
    RevoxUnavailableError,
)

BASE = "https://revox.test/api"
API_KEY = "sk-test-key"
FIXTURES = json.loads((Path(__file__).parent / "fixtures_assistants.json").read_text(encoding="utf-8"))
ASSISTANTS: list[dict[str, Any]] = FIXTURES["assistants"]
LISTED = [a for a in ASSISTANTS if FIXTURES["fixture_index"][a["id"]]["appears_in_list"]]
UNLISTED = [a for a in ASSISTANTS if not FIXTURES["fixture_index"][a["id"]]["appears_in_list"]]
LISTED_ID = LISTED[0]["id"]
SUB_ID = UNLISTED[0]["id"]
LISTING = {"assistants": LISTED}
BODY_CANARY = "SECRET-BODY-CANARY"
KEY_CANARY = "sk-canary-key"


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


class FakeClock:
    """Monotonic time that only moves when slept on or advanced; records every sleep."""

    def __init__(self) -> None:
        self.now = 1_000.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds
        await anyio.lowlevel.checkpoint()


class Revox:
    """The named respx routes of the fake Revox API."""

    def __init__(self) -> None:
        self.router = respx.Router(assert_all_called=False)
        # get_assistant lists first; by default the list is empty, so lookups go on to GET /assistants/{id}.
        self.list = self.router.get(f"{BASE}/assistants", name="list").respond(200, json={"assistants": []})
        self.item = self.router.get(url__startswith=f"{BASE}/assistants/", name="item")
        self.auth = self.router.get(f"{BASE}/auth-status", name="auth")

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.router.async_handler)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def revox() -> Revox:
    return Revox()


def make_client(revox: Revox, clock: FakeClock, **options: Any) -> RevoxClient:
    options.setdefault("api_key", API_KEY)
    return RevoxClient(base_url=BASE, transport=revox.transport(), clock=clock, sleep=clock.sleep, **options)


async def until(condition: Callable[[], bool]) -> None:
    """Yield to the other tasks until ``condition`` holds: a barrier, not a sleep."""
    for _ in range(1_000):
        if condition():
            return
        await anyio.lowlevel.checkpoint()
    raise AssertionError("the other tasks never reached the expected point")


def within_backoff(delays: list[float], base: float = 0.5) -> bool:
    """Each delay is base * 2**n with the SDK's 0.75..1.0 jitter."""
    return all(base * 2**n * 0.75 <= delay <= base * 2**n for n, delay in enumerate(delays))


# --- status mapping ---------------------------------------------------------------------------


@pytest.mark.anyio
@pytest.mark.parametrize("status", [401, 403])
async def test_an_auth_status_raises_auth_error_without_retrying(revox: Revox, clock: FakeClock, status: int) -> None:
    revox.list.respond(status, json={"error": "unauthorized"})
    async with make_client(revox, clock) as client:
        with pytest.raises(RevoxAuthError) as caught:
            await client.list_assistants()

    assert caught.value.status == status
    assert revox.list.call_count == 1
    assert clock.slept == []


@pytest.mark.anyio
async def test_a_404_for_an_id_raises_not_found(revox: Revox, clock: FakeClock) -> None:
    revox.item.respond(404, json={"error": "Not found"})
    async with make_client(revox, clock) as client:
        with pytest.raises(RevoxNotFoundError) as caught:
            await client.get_assistant("missing-id")

    assert caught.value.assistant_id == "missing-id"
    assert revox.item.call_count == 1


@pytest.mark.anyio
@pytest.mark.parametrize("status", [400, 404, 410, 422, 301])
async def test_other_client_statuses_raise_status_error_without_retrying(
    revox: Revox, clock: FakeClock, status: int
) -> None:
    revox.list.respond(status, json={"error": "nope"})
    async with make_client(revox, clock) as client:
        with pytest.raises(RevoxStatusError) as caught:
            await client.list_assistants()

    assert type(caught.value) is RevoxStatusError
    assert caught.value.status == status
    assert revox.list.call_count == 1


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("headers", "expected_sleep"),
    [
        ({"Retry-After": "2"}, 2.0),
        ({"Retry-After": "0"}, 0.0),
        ({"Retry-After": "-5"}, 0.0),
        ({"Retry-After": "1.5"}, 1.5),
        ({"retry-after-ms": "250"}, 0.25),
        ({"retry-after-ms": "250", "Retry-After": "9"}, 0.25),
        ({"retry-after-ms": "nan", "Retry-After": "2"}, 2.0),
        ({"Retry-After": format_datetime(datetime(2001, 1, 1, tzinfo=timezone.utc), usegmt=True)}, 0.0),
    ],
    ids=["seconds", "zero", "negative", "fraction", "ms", "ms-wins", "bad-ms-falls-back", "past-date"],
)
async def test_a_429_with_a_short_retry_after_is_retried_after_that_wait(
    revox: Revox, clock: FakeClock, headers: dict[str, str], expected_sleep: float
) -> None:
    revox.list.mock(side_effect=[httpx.Response(429, headers=headers), httpx.Response(200, json=LISTING)])
    async with make_client(revox, clock) as client:
        result = await client.list_assistants()

    assert len(result.value.assistants) == len(LISTED)
    assert clock.slept == [expected_sleep]
    assert revox.list.call_count == 2


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("retry_after", "at_least"),
    [
        ("3600", 3600.0),
        ("11", 11.0),
        (format_datetime(datetime(2099, 1, 1, tzinfo=timezone.utc), usegmt=True), 3600.0),
    ],
    ids=["hour", "just-over-limit", "future-date"],
)
async def test_a_429_with_a_long_retry_after_is_reported_at_once_not_slept(
    revox: Revox, clock: FakeClock, retry_after: str, at_least: float
) -> None:
    revox.list.respond(429, headers={"Retry-After": retry_after})
    async with make_client(revox, clock) as client:
        with pytest.raises(RevoxRateLimitError) as caught:
            await client.list_assistants()

    assert caught.value.retry_after is not None
    assert caught.value.retry_after >= at_least
    assert revox.list.call_count == 1
    assert clock.slept == []


@pytest.mark.anyio
async def test_a_429_retry_after_of_an_hour_is_carried_exactly(revox: Revox, clock: FakeClock) -> None:
    revox.list.respond(429, headers={"Retry-After": "3600"})
    async with make_client(revox, clock) as client:
        with pytest.raises(RevoxRateLimitError) as caught:
            await client.list_assistants()

    assert caught.value.retry_after == 3600.0


@pytest.mark.anyio
@pytest.mark.parametrize("retry_after", ["soon", "nan", "inf", "-inf", ""])
async def test_an_unusable_retry_after_falls_back_to_backoff(revox: Revox, clock: FakeClock, retry_after: str) -> None:
    revox.list.mock(
        side_effect=[httpx.Response(429, headers={"Retry-After": retry_after}), httpx.Response(200, json=LISTING)]
    )
    async with make_client(revox, clock) as client:
        result = await client.list_assistants()

    assert result.value.assistants
    assert len(clock.slept) == 1
    assert within_backoff(clock.slept)


@pytest.mark.anyio
async def test_a_429_that_persists_raises_rate_limit_once_retries_are_spent(revox: Revox, clock: FakeClock) -> None:
    revox.list.respond(429)
    async with make_client(revox, clock, max_retries=2) as client:
        with pytest.raises(RevoxRateLimitError) as caught:
            await client.list_assistants()

    assert caught.value.retry_after is None
    assert revox.list.call_count == 3
    assert len(clock.slept) == 2
    assert within_backoff(clock.slept)


@pytest.mark.anyio
@pytest.mark.parametrize("status", [500, 502, 503, 504, 408, 409])
async def test_a_retryable_status_is_retried_then_raises_unavailable_with_the_status(
    revox: Revox, clock: FakeClock, status: int
) -> None:
    revox.list.respond(status, text="upstream trouble")
    async with make_client(revox, clock, max_retries=2) as client:
        with pytest.raises(RevoxUnavailableError) as caught:
            await client.list_assistants()
        assert client.upstream_requests == 3
        assert client.last_error == f"HTTP {status}"

    assert caught.value.status == status
    assert revox.list.call_count == 3
    assert within_backoff(clock.slept)
    assert len(clock.slept) == 2


@pytest.mark.anyio
async def test_backoff_uses_the_configured_base(revox: Revox, clock: FakeClock) -> None:
    revox.list.respond(503)
    async with make_client(revox, clock, max_retries=3, backoff=2.0) as client:
        with pytest.raises(RevoxUnavailableError):
            await client.list_assistants()

    assert len(clock.slept) == 3
    assert within_backoff(clock.slept, base=2.0)


@pytest.mark.anyio
async def test_zero_retries_means_one_request(revox: Revox, clock: FakeClock) -> None:
    revox.list.respond(503)
    async with make_client(revox, clock, max_retries=0) as client:
        with pytest.raises(RevoxUnavailableError):
            await client.list_assistants()

    assert revox.list.call_count == 1
    assert clock.slept == []


@pytest.mark.anyio
async def test_a_503_honours_its_retry_after(revox: Revox, clock: FakeClock) -> None:
    revox.list.mock(side_effect=[httpx.Response(503, headers={"Retry-After": "3"}), httpx.Response(200, json=LISTING)])
    async with make_client(revox, clock) as client:
        await client.list_assistants()

    assert clock.slept == [3.0]


@pytest.mark.anyio
async def test_a_503_then_a_200_succeeds(revox: Revox, clock: FakeClock) -> None:
    revox.list.mock(side_effect=[httpx.Response(503), httpx.Response(200, json=LISTING)])
    async with make_client(revox, clock) as client:
        result = await client.list_assistants()

    assert [a["id"] for a in result.value.assistants] == [a["id"] for a in LISTED]
    assert result.stale is False
    assert revox.list.call_count == 2


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("failure", "expected"),
    [
        (httpx.ConnectError("connection refused"), RevoxUnavailableError),
        (httpx.RemoteProtocolError("peer closed"), RevoxUnavailableError),
        (httpx.ReadTimeout("read timed out"), RevoxTimeoutError),
        (httpx.ConnectTimeout("connect timed out"), RevoxTimeoutError),
    ],
    ids=["connect", "protocol", "read-timeout", "connect-timeout"],
)
async def test_transport_failures_are_retried_then_raised_typed(
    revox: Revox, clock: FakeClock, failure: Exception, expected: type[RevoxError]
) -> None:
    revox.list.mock(side_effect=failure)
    async with make_client(revox, clock, max_retries=2) as client:
        with pytest.raises(expected) as caught:
            await client.list_assistants()

    assert type(caught.value) is expected
    assert caught.value.__cause__ is None
    assert revox.list.call_count == 3
    assert within_backoff(clock.slept)


@pytest.mark.anyio
async def test_a_connection_error_then_a_200_succeeds(revox: Revox, clock: FakeClock) -> None:
    revox.list.mock(side_effect=[httpx.ConnectError("refused"), httpx.Response(200, json=LISTING)])
    async with make_client(revox, clock) as client:
        result = await client.list_assistants()

    assert len(result.value.assistants) == len(LISTED)
    assert revox.list.call_count == 2


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("content", "content_type"),
    [
        (b"not json at all", "text/plain"),
        (b"<!doctype html><html><body>Bad gateway</body></html>", "text/html; charset=utf-8"),
        (b"", "application/json"),
        (b'{"assistants": [', "application/json"),
        (b"[" * 100_000, "application/json"),
    ],
    ids=["text", "html", "empty", "truncated", "deeply-nested"],
)
async def test_a_2xx_body_that_is_not_json_raises_response_error_without_retrying(
    revox: Revox, clock: FakeClock, content: bytes, content_type: str
) -> None:
    revox.list.respond(200, content=content, headers={"content-type": content_type})
    async with make_client(revox, clock) as client:
        with pytest.raises(RevoxResponseError):
            await client.list_assistants()

    assert revox.list.call_count == 1


@pytest.mark.anyio
@pytest.mark.parametrize(
    "payload",
    [[], {"data": 1}, {"assistants": {}}, {"assistants": "x"}, {"assistants": None}, "assistants", 3],
    ids=["list", "data", "object", "string", "null", "bare-string", "number"],
)
async def test_a_list_of_the_wrong_shape_raises_response_error(revox: Revox, clock: FakeClock, payload: Any) -> None:
    revox.list.respond(200, json=payload)
    async with make_client(revox, clock) as client:
        with pytest.raises(RevoxResponseError):
            await client.list_assistants()


@pytest.mark.anyio
@pytest.mark.parametrize(
    "payload",
    [[], {"name": "no id"}, {"id": 5}, {"id": ""}, {"assistants": []}, None],
    ids=["list", "no-id", "numeric-id", "empty-id", "listing", "null"],
)
async def test_an_assistant_of_the_wrong_shape_raises_response_error(
    revox: Revox, clock: FakeClock, payload: Any
) -> None:
    revox.item.respond(200, json=payload)
    async with make_client(revox, clock) as client:
        with pytest.raises(RevoxResponseError):
            await client.get_assistant("some-id")


@pytest.mark.anyio
async def test_an_assistant_wrapped_like_create_responses_is_unwrapped(revox: Revox, clock: FakeClock) -> None:
    revox.item.respond(200, json={"assistant": {"id": "some-id", "name": "wrapped"}})
    async with make_client(revox, clock) as client:
        result = await client.get_assistant("some-id")

    assert result.value == {"id": "some-id", "name": "wrapped"}


@pytest.mark.anyio
async def test_list_entries_without_a_usable_id_are_dropped(revox: Revox, clock: FakeClock) -> None:
    revox.list.respond(200, json={"assistants": [{"id": "a"}, {"name": "no id"}, {"id": 7}, "junk", {"id": "b"}]})
    async with make_client(revox, clock) as client:
        result = await client.list_assistants()

    assert [a["id"] for a in result.value.assistants] == ["a", "b"]


@pytest.mark.anyio
async def test_a_list_reports_its_wire_size_and_a_version_that_tracks_updates(revox: Revox, clock: FakeClock) -> None:
    first = json.dumps({"assistants": [{"id": "a", "updated_at": "1"}]}).encode()
    same = json.dumps({"assistants": [{"id": "a", "updated_at": "1", "name": "renamed"}]}).encode()
    updated = json.dumps({"assistants": [{"id": "a", "updated_at": "2"}]}).encode()
    revox.list.mock(side_effect=[httpx.Response(200, content=body) for body in (first, same, updated)])
    async with make_client(revox, clock, cache_ttl=0) as client:
        versions = []
        for body in (first, same, updated):
            result = await client.list_assistants()
            assert result.value.raw_bytes == len(body)
            versions.append(result.value.version)

    assert versions[0] == versions[1] != versions[2]


# --- the call budget --------------------------------------------------------------------------


@pytest.mark.anyio
async def test_retries_stop_when_the_next_wait_would_pass_the_budget(revox: Revox, clock: FakeClock) -> None:
    starts: list[float] = []

    def unavailable(request: httpx.Request) -> httpx.Response:
        starts.append(clock())
        return httpx.Response(503, headers={"Retry-After": "2"})

    revox.list.mock(side_effect=unavailable)
    t0 = clock()
    async with make_client(revox, clock, budget=5, max_retries=10) as client:
        with pytest.raises(RevoxUnavailableError):
            await client.list_assistants()

    # Attempts at 0, 2 and 4 s; a fourth would start at 6 s, past the 5 s deadline.
    assert [start - t0 for start in starts] == [0.0, 2.0, 4.0]
    assert clock.slept == [2.0, 2.0]


@pytest.mark.anyio
async def test_time_spent_waiting_for_answers_counts_against_the_budget(revox: Revox, clock: FakeClock) -> None:
    starts: list[float] = []

    def slow_unavailable(request: httpx.Request) -> httpx.Response:
        starts.append(clock())
        clock.advance(1)
        return httpx.Response(503, headers={"Retry-After": "2"})

    revox.list.mock(side_effect=slow_unavailable)
    t0 = clock()
    async with make_client(revox, clock, budget=5, max_retries=10) as client:
        with pytest.raises(RevoxUnavailableError):
            await client.list_assistants()

    assert [start - t0 for start in starts] == [0.0, 3.0]
    assert clock() - t0 <= 5


@pytest.mark.anyio
async def test_a_backoff_after_a_connection_error_never_sleeps_past_the_budget(revox: Revox, clock: FakeClock) -> None:
    starts: list[float] = []

    def refused(request: httpx.Request) -> httpx.Response:
        starts.append(clock())
        raise httpx.ConnectError("refused")

    revox.list.mock(side_effect=refused)
    t0 = clock()
    # Backoffs of 3-4 s then 6-8 s: the second cannot fit in what is left of 5 s.
    async with make_client(revox, clock, budget=5, backoff=4, max_retries=10) as client:
        with pytest.raises(RevoxUnavailableError) as caught:
            await client.list_assistants()

    assert type(caught.value) is RevoxUnavailableError  # the real cause, not a budget timeout
    assert len(starts) == 2
    assert len(clock.slept) == 1
    assert clock() - t0 < 5


@pytest.mark.anyio
async def test_a_retry_after_that_does_not_fit_the_budget_raises_at_once(revox: Revox, clock: FakeClock) -> None:
    revox.list.respond(429, headers={"Retry-After": "8"})
    async with make_client(revox, clock, budget=5) as client:
        with pytest.raises(RevoxRateLimitError) as caught:
            await client.list_assistants()

    assert caught.value.retry_after == 8.0
    assert revox.list.call_count == 1
    assert clock.slept == []


@pytest.mark.anyio
async def test_a_spent_budget_raises_timeout_without_a_request(revox: Revox, clock: FakeClock) -> None:
    revox.list.respond(200, json=LISTING)
    async with make_client(revox, clock, budget=0) as client:
        with pytest.raises(RevoxTimeoutError):
            await client.list_assistants()

    assert revox.list.call_count == 0


def hanging(clock: FakeClock, starts: list[tuple[float, float]]) -> Callable[[httpx.Request], httpx.Response]:
    """An upstream that never answers: each attempt uses up its whole read timeout, then times out."""

    def effect(request: httpx.Request) -> httpx.Response:
        read_timeout = request.extensions["timeout"]["read"]
        starts.append((clock(), read_timeout))
        clock.advance(read_timeout)
        raise httpx.ReadTimeout("timed out", request=request)

    return effect


def slow_503(clock: FakeClock, starts: list[tuple[float, float]]) -> Callable[[httpx.Request], httpx.Response]:
    """An upstream that answers 503 only at the very end of each attempt's read timeout."""

    def effect(request: httpx.Request) -> httpx.Response:
        read_timeout = request.extensions["timeout"]["read"]
        starts.append((clock(), read_timeout))
        clock.advance(read_timeout)
        return httpx.Response(503)

    return effect


@pytest.mark.anyio
@pytest.mark.parametrize("upstream", [hanging, slow_503], ids=["hanging", "slow-503"])
@pytest.mark.parametrize("max_retries", [2, 10])
async def test_the_worst_case_answers_within_budget_plus_timeout(
    revox: Revox,
    clock: FakeClock,
    upstream: Callable[[FakeClock, list[tuple[float, float]]], Callable[[httpx.Request], httpx.Response]],
    max_retries: int,
) -> None:
    budget, timeout = 40.0, 15.0
    starts: list[tuple[float, float]] = []
    revox.list.mock(side_effect=upstream(clock, starts))
    t0 = clock()
    async with make_client(revox, clock, budget=budget, timeout=timeout, max_retries=max_retries) as client:
        with pytest.raises(RevoxUnavailableError):
            await client.list_assistants()

    assert clock() - t0 <= budget + timeout
    assert len(starts) >= 2
    for start, read_timeout in starts:
        assert start - t0 < budget  # no attempt starts after the deadline
        assert read_timeout <= timeout
        assert start + read_timeout <= t0 + budget + 1e-9  # each attempt's timeout is cut to the budget left


# --- what errors carry ------------------------------------------------------------------------

CANARY_TEXT = f"{BODY_CANARY} {KEY_CANARY}"
LEAK_CASES: dict[str, tuple[str, Any]] = {
    "401": ("list", httpx.Response(401, text=CANARY_TEXT)),
    "403": ("list", httpx.Response(403, json={"error": CANARY_TEXT})),
    "400": ("list", httpx.Response(400, json={"error": CANARY_TEXT})),
    "422": ("list", httpx.Response(422, json={"detail": CANARY_TEXT})),
    "404-id": ("get", httpx.Response(404, json={"error": CANARY_TEXT})),
    "429-long": ("list", httpx.Response(429, headers={"Retry-After": "3600"}, text=CANARY_TEXT)),
    "429-spent": ("list", httpx.Response(429, text=CANARY_TEXT)),
    "503-spent": ("list", httpx.Response(503, text=CANARY_TEXT)),
    "invalid-json": ("list", httpx.Response(200, text=f"oops {CANARY_TEXT}")),
    "html": ("list", httpx.Response(200, html=f"<html><body>{CANARY_TEXT}</body></html>")),
    "wrong-shape": ("list", httpx.Response(200, json={"data": CANARY_TEXT})),
    "wrong-item-shape": ("get", httpx.Response(200, json={"name": CANARY_TEXT})),
    "connect-error": ("list", httpx.ConnectError(CANARY_TEXT)),
    "read-timeout": ("list", httpx.ReadTimeout(CANARY_TEXT)),
}


def rendered(exc: BaseException) -> str:
    """Everything a log line or a tool error could show of an exception."""
    return "\n".join(
        [str(exc), repr(exc), repr(exc.args), repr(vars(exc)), *traceback.format_exception_only(type(exc), exc)]
    )


@pytest.mark.anyio
@pytest.mark.parametrize("case", LEAK_CASES, ids=list(LEAK_CASES))
async def test_errors_carry_neither_the_api_key_nor_the_response_body(
    revox: Revox, clock: FakeClock, case: str
) -> None:
    call, answer = LEAK_CASES[case]
    route = revox.item if call == "get" else revox.list

    def respond(request: httpx.Request) -> httpx.Response:
        if isinstance(answer, Exception):
            raise answer
        return httpx.Response(answer.status_code, headers=answer.headers, content=answer.content)

    route.mock(side_effect=respond)
    async with make_client(revox, clock, api_key=KEY_CANARY, max_retries=1) as client:
        request = client.get_assistant("some-id") if call == "get" else client.list_assistants()
        with pytest.raises(RevoxError) as caught:
            await request
        state = repr(client.last_error) + repr(client.cache_stats())

    text = rendered(caught.value)
    assert BODY_CANARY not in text
    assert KEY_CANARY not in text
    assert BODY_CANARY not in state
    assert KEY_CANARY not in state


@pytest.mark.anyio
async def test_a_stale_reason_carries_no_body(revox: Revox, clock: FakeClock) -> None:
    revox.list.mock(side_effect=[httpx.Response(200, json=LISTING), httpx.Response(200, text=CANARY_TEXT)])
    async with make_client(revox, clock, api_key=KEY_CANARY, cache_ttl=10) as client:
        await client.list_assistants()
        clock.advance(11)
        stale = await client.list_assistants()

    assert stale.stale is True
    assert stale.stale_reason
    assert BODY_CANARY not in stale.stale_reason
    assert KEY_CANARY not in stale.stale_reason


# --- requests ---------------------------------------------------------------------------------


@pytest.mark.anyio
async def test_requests_carry_the_bearer_key_and_a_versioned_user_agent(revox: Revox, clock: FakeClock) -> None:
    revox.list.respond(200, json=LISTING)
    revox.item.respond(200, json=UNLISTED[0])
    revox.auth.respond(200, json={"authenticated": True})
    async with make_client(revox, clock) as client:
        await client.list_assistants()
        await client.get_assistant(SUB_ID)
        await client.auth_status()

    requests = [call.request for call in revox.router.calls]
    assert len(requests) == 3
    for request in requests:
        assert request.headers["Authorization"] == f"Bearer {API_KEY}"
        assert request.headers["User-Agent"] == f"revox-mcp/{__version__}"
        assert request.headers["Accept"] == "application/json"
        assert request.method == "GET"


@pytest.mark.anyio
@pytest.mark.parametrize(
    "assistant_id", ["../x", "a/b", "a?b", "a#b", "%2e%2e", "..", ".", "./..", "a b", "é/ü", "a\\b"]
)
async def test_an_id_is_sent_as_exactly_one_path_segment(revox: Revox, clock: FakeClock, assistant_id: str) -> None:
    revox.item.respond(200, json={"id": assistant_id})
    async with make_client(revox, clock) as client:
        result = await client.get_assistant(assistant_id)

    assert result.value == {"id": assistant_id}
    assert revox.item.call_count == 1
    raw_path = revox.item.calls.last.request.url.raw_path
    assert raw_path.startswith(b"/api/assistants/")
    segment = raw_path.removeprefix(b"/api/assistants/")
    assert segment
    assert b"/" not in segment
    assert b"?" not in segment
    assert b"#" not in segment
    assert segment not in (b".", b"..")
    assert revox.item.calls.last.request.url.query == b""


@pytest.mark.anyio
async def test_surrounding_whitespace_is_trimmed_from_an_id(revox: Revox, clock: FakeClock) -> None:
    revox.item.respond(200, json={"id": "abc"})
    async with make_client(revox, clock) as client:
        await client.get_assistant("  abc\n")

    assert revox.item.calls.last.request.url.raw_path == b"/api/assistants/abc"


@pytest.mark.anyio
@pytest.mark.parametrize(
    "assistant_id",
    ["a\x00b", "a\nb", "a\tb", "\x1b[2Jabc", "a\u200bb", "a\u2028b", "", "   ", "\n\t", "x" * 201],
    ids=["nul", "newline", "tab", "escape", "zero-width", "line-separator", "empty", "spaces", "blank", "too-long"],
)
async def test_an_unusable_id_raises_input_error_without_a_request(
    revox: Revox, clock: FakeClock, assistant_id: str
) -> None:
    async with make_client(revox, clock) as client:
        with pytest.raises(InputError):
            await client.get_assistant(assistant_id)

    assert revox.router.calls.call_count == 0


@pytest.mark.anyio
async def test_an_id_of_exactly_200_characters_is_accepted(revox: Revox, clock: FakeClock) -> None:
    long_id = "x" * 200
    revox.item.respond(200, json={"id": long_id})
    async with make_client(revox, clock) as client:
        assert (await client.get_assistant(long_id)).value["id"] == long_id


# --- list snapshot and TTL --------------------------------------------------------------------


@pytest.mark.anyio
async def test_a_listed_assistant_is_answered_from_a_fresh_list_without_a_request(
    revox: Revox, clock: FakeClock
) -> None:
    revox.list.respond(200, json=LISTING)
    async with make_client(revox, clock, cache_ttl=30) as client:
        await client.list_assistants()
        clock.advance(12)
        results = [await client.get_assistant(a["id"]) for a in LISTED]

    assert [r.value for r in results] == LISTED
    assert {r.age for r in results} == {12.0}
    assert revox.list.call_count == 1
    assert revox.item.call_count == 0


@pytest.mark.anyio
async def test_an_unlisted_sub_assistant_is_fetched_once_by_id_then_cached(revox: Revox, clock: FakeClock) -> None:
    revox.list.respond(200, json=LISTING)
    revox.item.respond(200, json=UNLISTED[0])
    async with make_client(revox, clock, cache_ttl=30) as client:
        await client.list_assistants()
        first = await client.get_assistant(SUB_ID)
        clock.advance(5)
        second = await client.get_assistant(SUB_ID)

    assert first.value == second.value == UNLISTED[0]
    assert second.age == 5.0
    assert revox.item.call_count == 1
    assert revox.item.calls.last.request.url.raw_path == f"/api/assistants/{SUB_ID}".encode()
    assert revox.list.call_count == 1


@pytest.mark.anyio
async def test_after_the_ttl_the_list_is_refetched_and_an_expired_snapshot_is_not_trusted(
    revox: Revox, clock: FakeClock
) -> None:
    revox.list.respond(200, json=LISTING)
    revox.item.respond(200, json=LISTED[0])
    async with make_client(revox, clock, cache_ttl=30) as client:
        await client.list_assistants()
        clock.advance(30)

        by_id = await client.get_assistant(LISTED_ID)  # the expired list is refetched, not trusted
        assert revox.list.call_count == 2
        assert by_id.age == 0.0

        await client.get_assistant(LISTED[1]["id"])
        assert revox.list.call_count == 2
    assert revox.item.call_count == 0


@pytest.mark.anyio
async def test_a_lookup_before_any_listing_costs_one_list_request_for_every_listed_id(
    revox: Revox, clock: FakeClock
) -> None:
    revox.list.respond(200, json=LISTING)
    async with make_client(revox, clock) as client:
        for assistant in LISTED:
            assert (await client.get_assistant(assistant["id"])).value == assistant
    assert revox.list.call_count == 1
    assert revox.item.call_count == 0


@pytest.mark.anyio
async def test_an_id_missing_from_a_stale_list_is_not_asked_for_while_revox_is_down(
    revox: Revox, clock: FakeClock
) -> None:
    revox.list.mock(side_effect=[httpx.Response(200, json=LISTING), *[httpx.Response(503)] * 6])
    async with make_client(revox, clock, cache_ttl=30) as client:
        await client.list_assistants()
        clock.advance(31)
        stale = await client.get_assistant(LISTED_ID)
        assert stale.stale is True
        with pytest.raises(RevoxUnavailableError, match="not in the cached list"):
            await client.get_assistant(SUB_ID)
    assert revox.item.call_count == 0


@pytest.mark.anyio
async def test_a_zero_ttl_refetches_on_every_call(revox: Revox, clock: FakeClock) -> None:
    revox.list.respond(200, json=LISTING)
    revox.item.respond(200, json=LISTED[0])
    async with make_client(revox, clock, cache_ttl=0) as client:
        for _ in range(3):
            await client.list_assistants()
            await client.get_assistant(LISTED_ID)

    assert revox.list.call_count == 6  # with no cache, each lookup lists again
    assert revox.item.call_count == 0


# --- coalescing -------------------------------------------------------------------------------


def gated(
    payload: Any, release: anyio.Event, entered: list[int]
) -> Callable[[httpx.Request], Awaitable[httpx.Response]]:
    """An upstream that holds every answer until ``release`` is set."""

    async def effect(request: httpx.Request) -> httpx.Response:
        entered.append(1)
        await release.wait()
        return httpx.Response(200, json=payload)

    return effect


@pytest.mark.anyio
@pytest.mark.parametrize("ttl", [30.0, 0.0])
async def test_concurrent_cold_list_calls_make_one_request(revox: Revox, clock: FakeClock, ttl: float) -> None:
    release, entered = anyio.Event(), []
    revox.list.mock(side_effect=gated(LISTING, release, entered))
    results: list[Cached[AssistantList]] = []

    async with make_client(revox, clock, cache_ttl=ttl) as client:

        async def caller() -> None:
            results.append(await client.list_assistants())

        async with anyio.create_task_group() as tg:
            for _ in range(20):
                tg.start_soon(caller)
            # Barrier: the leader is inside the upstream call and the other 19 wait on its flight.
            await until(lambda: len(entered) == 1 and client.cache_stats()["list"].coalesced == 19)
            release.set()

        stats = client.cache_stats()["list"]

    assert len(entered) == 1
    assert revox.list.call_count == 1
    assert len(results) == 20
    assert all(r.value is results[0].value for r in results)
    assert (stats.loads, stats.misses, stats.coalesced) == (1, 1, 19)


@pytest.mark.anyio
async def test_concurrent_cold_gets_of_one_id_make_one_request(revox: Revox, clock: FakeClock) -> None:
    release, entered = anyio.Event(), []
    revox.item.mock(side_effect=gated(UNLISTED[0], release, entered))
    results: list[Cached[dict[str, Any]]] = []

    async with make_client(revox, clock) as client:

        async def caller() -> None:
            results.append(await client.get_assistant(SUB_ID))

        async with anyio.create_task_group() as tg:
            for _ in range(20):
                tg.start_soon(caller)
            await until(lambda: len(entered) == 1 and client.cache_stats()["assistants"].coalesced == 19)
            release.set()

    assert revox.item.call_count == 1
    assert revox.list.call_count == 1  # the (empty) list is consulted once for all 20 callers
    assert [r.value for r in results] == [UNLISTED[0]] * 20


@pytest.mark.anyio
async def test_concurrent_calls_share_one_failure(revox: Revox, clock: FakeClock) -> None:
    release = anyio.Event()
    entered: list[int] = []

    async def rejected(request: httpx.Request) -> httpx.Response:
        entered.append(1)
        await release.wait()
        return httpx.Response(401)

    revox.list.mock(side_effect=rejected)
    errors: list[BaseException] = []

    async with make_client(revox, clock) as client:

        async def caller() -> None:
            try:
                await client.list_assistants()
            except RevoxAuthError as exc:
                errors.append(exc)

        async with anyio.create_task_group() as tg:
            for _ in range(5):
                tg.start_soon(caller)
            await until(lambda: len(entered) == 1 and client.cache_stats()["list"].coalesced == 4)
            release.set()

    assert revox.list.call_count == 1
    assert len(errors) == 5


# --- stale-if-error ---------------------------------------------------------------------------

STALE_FAILURES: dict[str, Any] = {
    "503": httpx.Response(503),
    "429-long": httpx.Response(429, headers={"Retry-After": "3600"}),
    "connect-error": httpx.ConnectError("refused"),
    "read-timeout": httpx.ReadTimeout("slow"),
    "not-json": httpx.Response(200, text="<html>maintenance</html>"),
    "wrong-shape": httpx.Response(200, json={"data": []}),
}


def failing_with(failure: Any) -> Callable[[httpx.Request], httpx.Response]:
    def effect(request: httpx.Request) -> httpx.Response:
        if isinstance(failure, Exception):
            raise failure
        return httpx.Response(failure.status_code, headers=failure.headers, content=failure.content)

    return effect


@pytest.mark.anyio
@pytest.mark.parametrize("failure", STALE_FAILURES, ids=list(STALE_FAILURES))
async def test_a_failed_refresh_serves_the_old_list_marked_stale(revox: Revox, clock: FakeClock, failure: str) -> None:
    revox.list.respond(200, json=LISTING)
    async with make_client(revox, clock, cache_ttl=30, max_retries=0) as client:
        fresh = await client.list_assistants()
        clock.advance(31)
        revox.list.mock(side_effect=failing_with(STALE_FAILURES[failure]))
        stale = await client.list_assistants()

    assert stale.stale is True
    assert stale.stale_reason
    assert stale.value is fresh.value
    assert stale.age == 31.0
    assert revox.list.call_count == 2


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("status", "expected"),
    [(401, RevoxAuthError), (403, RevoxAuthError), (400, RevoxStatusError), (422, RevoxStatusError)],
)
async def test_a_key_or_request_error_on_refresh_is_raised_not_served_stale(
    revox: Revox, clock: FakeClock, status: int, expected: type[RevoxError]
) -> None:
    revox.list.respond(200, json=LISTING)
    async with make_client(revox, clock, cache_ttl=30) as client:
        await client.list_assistants()
        clock.advance(31)
        revox.list.respond(status)
        with pytest.raises(expected):
            await client.list_assistants()


@pytest.mark.anyio
async def test_a_deleted_assistant_raises_not_found_instead_of_its_stale_copy(revox: Revox, clock: FakeClock) -> None:
    revox.item.respond(200, json=UNLISTED[0])
    async with make_client(revox, clock, cache_ttl=30) as client:
        await client.get_assistant(SUB_ID)
        clock.advance(31)
        revox.item.respond(404)
        with pytest.raises(RevoxNotFoundError):
            await client.get_assistant(SUB_ID)


@pytest.mark.anyio
async def test_an_assistant_fetched_by_id_is_served_stale_when_revox_is_down(revox: Revox, clock: FakeClock) -> None:
    revox.item.respond(200, json=UNLISTED[0])
    async with make_client(revox, clock, cache_ttl=30, max_retries=0) as client:
        await client.get_assistant(SUB_ID)
        clock.advance(31)
        revox.item.respond(503)
        stale = await client.get_assistant(SUB_ID)

    assert stale.stale is True
    assert stale.value == UNLISTED[0]


@pytest.mark.anyio
async def test_stale_data_is_not_served_after_a_day(revox: Revox, clock: FakeClock) -> None:
    revox.list.respond(200, json=LISTING)
    async with make_client(revox, clock, cache_ttl=30, max_retries=0) as client:
        await client.list_assistants()
        clock.advance(24 * 3600 + 1)
        revox.list.respond(503)
        with pytest.raises(RevoxUnavailableError):
            await client.list_assistants()


# --- per-key scope ----------------------------------------------------------------------------


@pytest.mark.anyio
async def test_each_key_gets_its_own_cache_and_requests(revox: Revox, clock: FakeClock) -> None:
    revox.list.respond(200, json=LISTING)
    async with (
        make_client(revox, clock, api_key="sk-key-a") as first,
        make_client(revox, clock, api_key="sk-key-b") as second,
    ):
        await first.list_assistants()
        await second.list_assistants()
        await first.list_assistants()

    assert revox.list.call_count == 2
    assert [call.request.headers["Authorization"] for call in revox.list.calls] == [
        "Bearer sk-key-a",
        "Bearer sk-key-b",
    ]


@pytest.mark.parametrize("api_key", ["sk-key-a", "sk-key-b", "sk_123", "x"])
def test_a_key_fingerprint_is_short_stable_and_never_the_key(api_key: str) -> None:
    fingerprint = key_fingerprint(api_key)

    assert fingerprint == key_fingerprint(api_key)
    assert len(fingerprint) == 12
    assert api_key not in fingerprint
    assert fingerprint not in api_key


def test_different_keys_have_different_fingerprints() -> None:
    assert key_fingerprint("sk-key-a") != key_fingerprint("sk-key-b")


# --- auth status ------------------------------------------------------------------------------


@pytest.mark.anyio
@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        ({"authenticated": True}, True),
        ({"authenticated": False}, False),
        ({"authenticated": "yes"}, False),
        ([], False),
    ],
)
async def test_auth_status_is_true_only_for_an_explicit_true(
    revox: Revox, clock: FakeClock, payload: Any, expected: bool
) -> None:
    revox.auth.respond(200, json=payload)
    async with make_client(revox, clock) as client:
        assert await client.auth_status() is expected
        assert await client.auth_status() is expected

    assert revox.auth.call_count == 2  # never cached


@pytest.mark.anyio
async def test_auth_status_raises_auth_error_for_a_rejected_key(revox: Revox, clock: FakeClock) -> None:
    revox.auth.respond(401)
    async with make_client(revox, clock) as client:
        with pytest.raises(RevoxAuthError):
            await client.auth_status()


# --- demo transport ---------------------------------------------------------------------------


@pytest.mark.anyio
async def test_the_demo_transport_serves_list_get_not_found_and_auth_status() -> None:
    transport = demo_transport(ASSISTANTS, {a["id"] for a in LISTED})
    async with RevoxClient(api_key="demo", base_url="https://demo.invalid/api", transport=transport) as client:
        listing = await client.list_assistants()
        sub = await client.get_assistant(SUB_ID)
        with pytest.raises(RevoxNotFoundError):
            await client.get_assistant("no-such-assistant")
        with pytest.raises(RevoxNotFoundError):
            await client.get_assistant("a/b")
        authenticated = await client.auth_status()

    assert [a["id"] for a in listing.value.assistants] == [a["id"] for a in LISTED]
    assert sub.value == UNLISTED[0]
    assert authenticated is True
