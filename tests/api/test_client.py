"""RevoxApi: the one request path. Status mapping, retries inside the budget, the whole-exchange
deadline, the body cap, per-request keys, id encoding, parsing.

respx stands in for Revox where the contract is what the client does with HTTP answers (the
transport is injected by httpx's own mocking, nothing is patched by hand); an ``httpx.MockTransport``
with a streaming body where the test needs a body that drips, never ends, or inflates. Time is a
fake clock moved by the fake sleep, so retries are exercised without waiting; the whole-exchange
deadline is real time, kept at a fraction of a second.
"""

from __future__ import annotations

import gzip
import json
import time
from collections.abc import AsyncIterator, Callable
from typing import Any

import anyio
import httpx
import pytest
import respx
from support import FakeClock

from revox_mcp import __version__
from revox_mcp.api.client import RevoxApi, retry_after_seconds, segment
from revox_mcp.api.search import CallQuery
from revox_mcp.credential import fingerprint_of
from revox_mcp.errors import (
    RevoxAuthError,
    RevoxError,
    RevoxNotFoundError,
    RevoxRateLimitError,
    RevoxResponseError,
    RevoxStatusError,
    RevoxTimeoutError,
    RevoxUnavailableError,
)

pytestmark = pytest.mark.anyio

BASE = "https://revox.test/api"
KEY = "sk-test-client-key-1"
OTHER_KEY = "sk-test-client-key-2"
BODY_CANARY = "SECRET-BODY-CANARY"


def api(clock: FakeClock, **options: Any) -> RevoxApi:
    return RevoxApi(base_url=BASE, clock=clock, sleep=clock.sleep, backoff=0.5, **options)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def revox() -> Any:
    with respx.mock(base_url=BASE, assert_all_called=False) as router:
        yield router


# --- status mapping ---------------------------------------------------------------------------------


@pytest.mark.parametrize("status", [401, 403])
async def test_a_rejected_key_raises_auth_error_at_once(revox: Any, clock: FakeClock, status: int) -> None:
    route = revox.get("/assistants").respond(status, json={"error": BODY_CANARY})
    with pytest.raises(RevoxAuthError) as caught:
        await api(clock).assistants(KEY)
    assert caught.value.status == status
    assert route.call_count == 1
    assert clock.sleeps == []


async def test_a_404_for_one_object_names_its_kind(revox: Any, clock: FakeClock) -> None:
    revox.get("/assistants/abc").respond(404)
    revox.get("/call/xyz").respond(404)
    with pytest.raises(RevoxNotFoundError) as assistant:
        await api(clock).assistant(KEY, "abc")
    with pytest.raises(RevoxNotFoundError) as call:
        await api(clock).call(KEY, "xyz")
    assert (assistant.value.kind, assistant.value.ident) == ("assistant", "abc")
    assert (call.value.kind, call.value.ident) == ("call", "xyz")
    assert "list_calls" in call.value.how_to_find


@pytest.mark.parametrize("status", [400, 404, 405, 410, 422])
async def test_other_client_errors_raise_status_error_without_retrying(
    revox: Any, clock: FakeClock, status: int
) -> None:
    route = revox.get("/assistants").respond(status)
    with pytest.raises(RevoxStatusError) as caught:
        await api(clock).assistants(KEY)
    assert caught.value.status == status
    assert route.call_count == 1


@pytest.mark.parametrize("status", [500, 502, 503, 504, 408])
async def test_a_retryable_status_is_retried_then_raises_unavailable(revox: Any, clock: FakeClock, status: int) -> None:
    route = revox.get("/assistants").respond(status)
    with pytest.raises(RevoxUnavailableError) as caught:
        await api(clock).assistants(KEY)
    assert caught.value.status == status
    assert route.call_count == 3
    assert len(clock.sleeps) == 2
    assert 0.375 <= clock.sleeps[0] <= 0.5  # 0.5 s with jitter, then doubled
    assert 0.75 <= clock.sleeps[1] <= 1.0


async def test_a_503_then_a_200_succeeds(revox: Any, clock: FakeClock) -> None:
    revox.get("/assistants").mock(side_effect=[httpx.Response(503), httpx.Response(200, json={"assistants": []})])
    reply = await api(clock).assistants(KEY)
    assert list(reply.value["assistants"]) == []


async def test_zero_retries_means_one_request(revox: Any, clock: FakeClock) -> None:
    route = revox.get("/assistants").respond(500)
    with pytest.raises(RevoxUnavailableError):
        await api(clock, max_retries=0).assistants(KEY)
    assert route.call_count == 1


# --- 429 and Retry-After ------------------------------------------------------------------------------


async def test_a_429_with_a_short_retry_after_is_retried_after_that_wait(revox: Any, clock: FakeClock) -> None:
    revox.get("/assistants").mock(
        side_effect=[httpx.Response(429, headers={"Retry-After": "2"}), httpx.Response(200, json={"assistants": []})]
    )
    await api(clock).assistants(KEY)
    assert clock.sleeps == [2.0]


@pytest.mark.parametrize(("header", "seconds"), [("3600", 3600.0), ("1e308", 86_400.0), ("99999999", 86_400.0)])
async def test_a_long_retry_after_is_reported_at_once_capped_at_a_day(
    revox: Any, clock: FakeClock, header: str, seconds: float
) -> None:
    route = revox.get("/assistants").respond(429, headers={"Retry-After": header})
    with pytest.raises(RevoxRateLimitError) as caught:
        await api(clock).assistants(KEY)
    assert caught.value.retry_after == seconds
    assert route.call_count == 1
    assert clock.sleeps == []


@pytest.mark.parametrize("header", ["soon", "nan", "inf", "-inf", ""])
async def test_an_unusable_retry_after_falls_back_to_backoff(revox: Any, clock: FakeClock, header: str) -> None:
    revox.get("/assistants").mock(
        side_effect=[httpx.Response(429, headers={"Retry-After": header}), httpx.Response(200, json={"assistants": []})]
    )
    await api(clock).assistants(KEY)
    assert len(clock.sleeps) == 1
    assert 0.375 <= clock.sleeps[0] <= 0.5


def test_retry_after_reads_milliseconds_seconds_and_dates() -> None:
    assert retry_after_seconds({"retry-after-ms": "1500"}) == 1.5
    assert retry_after_seconds({"retry-after": "7"}) == 7.0
    assert retry_after_seconds({"retry-after": "-3"}) == 0.0
    assert retry_after_seconds({}) is None
    in_a_minute = time.strftime("%a, %d %b %Y %H:%M:%S GMT", time.gmtime(time.time() + 60))
    assert 55 <= (retry_after_seconds({"retry-after": in_a_minute}) or 0) <= 61


# --- the budget ------------------------------------------------------------------------------------------


async def test_retries_stop_when_the_next_wait_would_pass_the_budget(revox: Any, clock: FakeClock) -> None:
    route = revox.get("/assistants").respond(429, headers={"Retry-After": "8"})
    with pytest.raises(RevoxRateLimitError):
        await api(clock, budget=10.0).assistants(KEY)
    assert route.call_count == 2  # 8 s fits once in 10 s, not twice
    assert clock.sleeps == [8.0]


async def test_a_spent_budget_raises_timeout_without_a_request(revox: Any, clock: FakeClock) -> None:
    route = revox.get("/assistants").respond(200, json={"assistants": []})
    with pytest.raises(RevoxTimeoutError):
        await api(clock, budget=0.0).assistants(KEY)
    assert route.call_count == 0


def _streaming(chunks: Callable[[], AsyncIterator[bytes]], status: int = 200, **headers: str) -> httpx.MockTransport:
    async def handler(_request: httpx.Request) -> httpx.Response:
        return httpx.Response(status, headers=headers, content=chunks())

    return httpx.MockTransport(handler)


async def test_a_body_that_drips_forever_is_cut_by_the_call_budget() -> None:
    """Each chunk arrives well within the read timeout; the whole body never does. Without the budget
    nothing would end the exchange: the test's own deadline would, with a TimeoutError, and fail it."""

    async def drip() -> AsyncIterator[bytes]:
        yield b'{"assistants": ['
        while True:
            await anyio.sleep(0.05)  # the upstream's pace, a chunk at a time
            yield b" "

    client = RevoxApi(base_url=BASE, transport=_streaming(drip), timeout=5.0, budget=0.6, max_retries=0)
    with anyio.fail_after(30), pytest.raises(RevoxTimeoutError):
        await client.assistants(KEY)


async def test_an_error_body_is_never_read() -> None:
    """A 500 whose body never ends answers at once: error bodies are neither shown nor read."""

    async def endless() -> AsyncIterator[bytes]:
        while True:
            await anyio.sleep(0.01)  # the upstream's pace
            yield BODY_CANARY.encode()

    client = RevoxApi(base_url=BASE, transport=_streaming(endless, 500), budget=5.0, max_retries=0)
    with anyio.fail_after(2), pytest.raises(RevoxUnavailableError) as caught:
        await client.assistants(KEY)
    assert BODY_CANARY not in str(caught.value)


# --- the body cap ----------------------------------------------------------------------------------------


async def test_a_body_over_the_cap_is_refused() -> None:
    async def big() -> AsyncIterator[bytes]:
        for _ in range(100):
            yield b" " * 1024

    client = RevoxApi(base_url=BASE, transport=_streaming(big), max_body_bytes=10_000, max_retries=0)
    with pytest.raises(RevoxResponseError, match="more than"):
        await client.assistants(KEY)


async def test_a_declared_length_over_the_cap_is_refused_before_reading(revox: Any, clock: FakeClock) -> None:
    revox.get("/assistants").respond(200, content=b" " * 2000, headers={"content-length": "2000"})
    with pytest.raises(RevoxResponseError, match="more than"):
        await api(clock, max_body_bytes=1000).assistants(KEY)


async def test_a_gzip_bomb_is_refused_once_it_inflates_past_the_cap() -> None:
    bomb = gzip.compress(b"[" + b" " * 5_000_000 + b"]")
    assert len(bomb) < 10_000

    async def once() -> AsyncIterator[bytes]:
        yield bomb

    transport = _streaming(once, **{"content-encoding": "gzip"})
    client = RevoxApi(base_url=BASE, transport=transport, max_body_bytes=1_000_000, max_retries=0)
    with pytest.raises(RevoxResponseError, match="more than"):
        await client.assistants(KEY)


# --- parsing -------------------------------------------------------------------------------------------


async def test_a_2xx_body_that_is_not_json_raises_response_error_without_retrying(revox: Any, clock: FakeClock) -> None:
    route = revox.get("/assistants").respond(
        200, text=f"<html>{BODY_CANARY}</html>", headers={"content-type": "text/html"}
    )
    with pytest.raises(RevoxResponseError) as caught:
        await api(clock).assistants(KEY)
    assert route.call_count == 1
    assert "text/html" in str(caught.value)
    assert BODY_CANARY not in str(caught.value)


async def test_an_odd_content_type_is_not_echoed(revox: Any, clock: FakeClock) -> None:
    revox.get("/assistants").respond(200, text="nope", headers={"content-type": f"x/{BODY_CANARY}; token={KEY}"})
    with pytest.raises(RevoxResponseError) as caught:
        await api(clock).assistants(KEY)
    assert BODY_CANARY not in str(caught.value)
    assert KEY not in str(caught.value)


async def test_invalid_utf8_huge_numbers_and_nan_do_not_fail_the_body(revox: Any, clock: FakeClock) -> None:
    body = b'{"assistants": [{"id": "a", "name": "caf\xff", "n": ' + b"9" * 5000 + b', "x": NaN}]}'
    revox.get("/assistants").respond(200, content=body)
    reply = await api(clock).assistants(KEY)
    [assistant] = reply.value["assistants"]
    assert assistant["name"] == "caf\ufffd"
    assert assistant["n"] == "[number of 5000 digits]"
    assert reply.size == len(body)


async def test_one_assistant_nested_too_deep_is_dropped_not_the_list(revox: Any, clock: FakeClock) -> None:
    deep = "[" * 5000 + "]" * 5000
    body = '{"assistants": [{"id": "a"}, {"id": "b", "x": ' + deep + '}, {"id": "c"}]}'
    revox.get("/assistants").respond(200, content=body.encode())
    reply = await api(clock).assistants(KEY)
    entries = reply.value["assistants"]
    assert [a["id"] for a in entries] == ["a", "c"]
    assert entries.dropped == 1  # counted as the entries are read


# --- requests ------------------------------------------------------------------------------------------


async def test_each_request_carries_its_own_key_over_one_client(revox: Any, clock: FakeClock) -> None:
    route = revox.get("/assistants").respond(200, json={"assistants": []})
    client = api(clock)
    await client.assistants(KEY)
    await client.assistants(OTHER_KEY)
    first, second = (call.request for call in route.calls)
    assert first.headers["authorization"] == f"Bearer {KEY}"
    assert second.headers["authorization"] == f"Bearer {OTHER_KEY}"
    assert first.headers["user-agent"] == f"revox-mcp/{__version__}"
    assert first.headers["accept-encoding"] == "gzip, deflate"
    assert client.stats(fingerprint_of(KEY)).requests == 1
    assert client.stats(fingerprint_of(OTHER_KEY)).requests == 1
    assert client.stats("never-seen").requests == 0


@pytest.mark.parametrize(
    ("ident", "path"),
    [("a/b", "a%2Fb"), ("..", "%2E%2E"), (".", "%2E"), ("a?b#c", "a%3Fb%23c"), ("50%", "50%25"), ("é", "%C3%A9")],
)
def test_an_id_is_always_exactly_one_path_segment(ident: str, path: str) -> None:
    assert segment(ident) == path


async def test_a_call_search_posts_every_required_array_its_filters_and_the_newest_first_order(
    revox: Any, clock: FakeClock
) -> None:
    route = revox.post("/call/search").respond(200, json={"calls": [{"id": "c1"}], "total_count": 1})
    query = CallQuery({"assistant_ids": ["a"], "statuses": ["completed"]}, "Dupont", 0, 20)
    page = await api(clock).search_calls(KEY, query)
    body = json.loads(route.calls.last.request.content)
    assert body == {
        "assignee_ids": [],
        "assistant_ids": ["a"],
        "campaign_ids": [],
        "directions": [],
        "from_phone_numbers": [],
        "outcomes": [],
        "results": [],
        "statuses": ["completed"],
        "page": 0,
        "page_size": 20,
        "query": "Dupont",
        "sort_by": "created_at",
        "sort_direction": "desc",
    }
    assert (page.calls, page.total, page.received, page.sorted, page.cap) == ([{"id": "c1"}], 1, 1, True, None)


async def test_one_call_and_one_assistant_come_out_of_their_envelopes(revox: Any, clock: FakeClock) -> None:
    revox.get("/call/c1").respond(200, json={"call": {"id": "c1"}})
    revox.get("/assistants/a1").respond(200, json={"assistant": {"id": "a1"}})
    revox.get("/assistants/a2").respond(200, json={"id": "a2", "name": "bare"})
    client = api(clock)
    assert (await client.call(KEY, "c1")).value == {"id": "c1"}
    assert (await client.assistant(KEY, "a1")).value == {"id": "a1"}
    assert (await client.assistant(KEY, "a2")).value == {"id": "a2", "name": "bare"}


async def test_a_search_answer_without_a_calls_list_is_a_response_error(revox: Any, clock: FakeClock) -> None:
    revox.post("/call/search").respond(200, json={"items": [], "total_count": 0})
    with pytest.raises(RevoxResponseError):
        await api(clock).search_calls(KEY, CallQuery())


@pytest.mark.parametrize("total", ["null", "-1", '"12"', "true", "1e400", "NaN"])
async def test_an_unusable_total_count_is_unknown_not_a_failure(revox: Any, clock: FakeClock, total: str) -> None:
    body = f'{{"calls": [], "total_count": {total}}}'
    revox.post("/call/search").respond(200, content=body.encode(), headers={"content-type": "application/json"})
    assert (await api(clock).search_calls(KEY, CallQuery())).total is None


async def test_errors_carry_neither_the_key_nor_the_body(revox: Any, clock: FakeClock) -> None:
    failures: list[RevoxError] = []
    for status in (400, 401, 404, 429, 500):
        revox.get("/assistants").respond(status, json={"error": f"{BODY_CANARY} {KEY}"})
        try:
            await api(clock).assistants(KEY)
        except RevoxError as exc:
            failures.append(exc)
    assert len(failures) == 5
    for exc in failures:
        assert BODY_CANARY not in repr(exc.__dict__) + str(exc)
        assert KEY not in repr(exc.__dict__) + str(exc)


@pytest.mark.parametrize(
    ("answer", "accepted"),
    [({"authenticated": True}, True), ({"authenticated": "yes"}, False), ({}, False), ([True], False)],
)
async def test_auth_status_is_true_only_for_an_explicit_true(
    revox: Any, clock: FakeClock, answer: Any, accepted: bool
) -> None:
    revox.get("/auth-status").respond(200, json=answer)
    assert await api(clock).auth_status(KEY) is accepted


async def test_the_client_is_built_lazily_and_closes(clock: FakeClock) -> None:
    client = api(clock)
    assert client._http is None  # no TLS context at start-up
    async with client:
        pass
    assert client._http is None


@pytest.mark.parametrize(
    ("failure", "expected"),
    [
        (httpx.ConnectError("refused"), RevoxUnavailableError),
        (httpx.ReadError("reset"), RevoxUnavailableError),
        (httpx.ReadTimeout("slow"), RevoxTimeoutError),
        (httpx.ConnectTimeout("slow"), RevoxTimeoutError),
        (httpx.RemoteProtocolError("garbled"), RevoxUnavailableError),
    ],
)
async def test_transport_failures_are_retried_then_raised_typed(
    revox: Any, clock: FakeClock, failure: Exception, expected: type[RevoxError]
) -> None:
    route = revox.get("/assistants").mock(side_effect=failure)
    with pytest.raises(expected) as caught:
        await api(clock).assistants(KEY)
    assert route.call_count == 3
    assert "Traceback" not in str(caught.value)


async def test_a_connection_error_then_a_200_succeeds(revox: Any, clock: FakeClock) -> None:
    revox.get("/assistants").mock(side_effect=[httpx.ConnectError("x"), httpx.Response(200, json={"assistants": []})])
    assert list((await api(clock).assistants(KEY)).value["assistants"]) == []
    assert len(clock.sleeps) == 1
