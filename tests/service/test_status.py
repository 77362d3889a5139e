"""revox_status over the loopback fake Revox: each kind of answer to the key check is said as what it is.

"Unreachable" only when no answer came; a 404 points at REVOX_BASE_URL, a 429 says when to retry, a
401 rejects the key. The text and the structured content say the same.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pytest
import support
from fake_revox import FakeRevox, Fault
from mcp import Client
from support import API_KEY, Sleeps, text_of

ATTEMPTS = 3  # RevoxApi's default max_retries=2, plus the first attempt


@dataclass(frozen=True)
class Case:
    faults: tuple[Fault, ...]
    accepted: bool | None
    said: tuple[str, ...]  # words the key check says, in the text and the structured content
    http_status: int | None = None
    retry_after: float | None = None


CASES: dict[str, Case] = {
    "accepted": Case((), True, ("accepted",)),
    "401": Case((Fault.status(401),), False, ("REJECTED", "HTTP 401", "REVOX_API_KEY"), 401),
    "403": Case((Fault.status(403),), False, ("REJECTED", "HTTP 403", "REVOX_API_KEY"), 403),
    "404": Case((Fault.status(404),), None, ("HTTP 404 for GET /auth-status", "is REVOX_BASE_URL the Revox API"), 404),
    "429 for an hour": Case(
        (Fault.rate_limited("3600"),), None, ("rate limiting", "HTTP 429", "retry in 1 h"), 429, 3600
    ),
    "429 for two minutes": Case((Fault.rate_limited("120"),), None, ("retry in 2 min",), 429, 120),
    "503": Case((Fault.status(503),) * ATTEMPTS, None, ("HTTP 503", "unavailable", "retry in a minute"), 503),
    "no answer": Case((Fault.reset(),) * ATTEMPTS, None, ("unreachable", "REVOX_BASE_URL")),
    "not the API": Case((Fault.invalid_json(),), None, ("not the API's", "is REVOX_BASE_URL the Revox API")),
}


async def status_over(fake: FakeRevox) -> tuple[dict[str, Any], str]:
    server = support.make_server(base_url=fake.base_url, sleep=Sleeps())
    async with Client(server) as client:
        result = await client.call_tool("revox_status", {})
    assert result.is_error is False, text_of(result)
    assert result.structured_content is not None
    return result.structured_content, text_of(result)


@pytest.mark.anyio
@pytest.mark.parametrize("name", list(CASES))
async def test_the_key_check_says_what_revox_answered_and_what_to_do(fake: FakeRevox, name: str) -> None:
    case = CASES[name]
    fake.inject(*case.faults, path="/auth-status")

    body, text = await status_over(fake)

    assert fake.pending_faults == 0
    assert body.get("key_accepted") == case.accepted
    assert body.get("http_status") == case.http_status
    assert body.get("retry_after_seconds") == case.retry_after
    verdict = text.splitlines()[-1]
    assert verdict == f"API key: {body['key_check']}"
    for words in case.said:
        assert words in body["key_check"]
    if case.accepted is None and name != "no answer":
        assert "unreachable" not in text.lower()
    for output in (text, json.dumps(body)):
        assert API_KEY not in output
        assert "Traceback" not in output


@pytest.mark.anyio
async def test_revox_not_listening_at_all_is_unreachable() -> None:
    with FakeRevox(api_key=API_KEY) as fake:
        base_url = fake.base_url  # stopped on leaving: the port now refuses connections
    server = support.make_server(base_url=base_url, sleep=Sleeps())
    async with Client(server) as client:
        result = await client.call_tool("revox_status", {})
    body = result.structured_content
    assert body is not None
    assert "key_accepted" not in body
    assert "http_status" not in body
    assert body["key_check"].startswith("unknown: Revox unreachable")
    assert body["error"]
