"""What many tests share: the fixture data, server factories, fake time, and output checks.

Fixtures (pytest's) live in ``conftest.py``; this module holds plain values and functions so that
test modules can import them by name.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import anyio
import httpx
from mcp.server.mcpserver import MCPServer
from mcp.types import CallToolResult, TextContent
from strength import IN_CI, examples, require, scale  # noqa: F401  # re-exported: tests import them from here too

from revox_mcp.api.demo import DEMO_API_KEY, DEMO_BASE_URL, demo_transport
from revox_mcp.api.fake import Account, FakeApi, Organisation
from revox_mcp.api.fake.transport import fake_transport
from revox_mcp.cache.backend import CacheBackend
from revox_mcp.cache.clock import Clock, Sleep
from revox_mcp.server.app import build_server
from revox_mcp.server.state import AppState
from revox_mcp.settings import Secret, Settings

BASE_URL = "https://api.revox.test/api"
API_KEY = "sk-test-canary-key-0001"
FIXTURES: dict[str, Any] = json.loads(Path(__file__).with_name("fixtures_assistants.json").read_text(encoding="utf-8"))
ASSISTANTS: list[dict[str, Any]] = FIXTURES["assistants"]
BY_ID: dict[str, dict[str, Any]] = {a["id"]: a for a in ASSISTANTS}
LISTED: list[dict[str, Any]] = [a for a in ASSISTANTS if FIXTURES["fixture_index"][a["id"]]["appears_in_list"]]
LISTED_IDS: set[str] = {a["id"] for a in LISTED}
ALL_IDS: list[str] = [a["id"] for a in ASSISTANTS]
BASELINE_ID = "0f8e2c1a-7b3d-4e5f-9a0b-1c2d3e4f5a61"
FRENCH_ID = "1a9b8c7d-6e5f-4a3b-8c2d-1e0f9a8b7c62"
SECRETS_ID = "2b7c6d5e-4f3a-4b2c-9d1e-0f9e8d7c6b63"
MISCONFIGURED_ID = "4d5e4f3a-2b1c-4d0e-9f8a-7b6c5d4e3f65"
LONG_PROMPT_ID = "6f3a2b1c-0d9e-4f8a-9b7c-5d4e3f2a1b67"
SUB_ID = "8b1c0d9e-8f7a-4b6c-9d5e-3f2a1b0c9d69"  # a sub-assistant: hidden from the list, fetched by id

# Every answer must fit this, whatever the data (about 8k tokens).
MAX_RESPONSE_BYTES = 32_000


async def no_sleep(_seconds: float) -> None:
    """Retries and backoff still happen, but tests never wait for them."""


@dataclass
class Sleeps:
    """The delays asked for: retries happen, the test never waits for them."""

    delays: list[float] = field(default_factory=list)

    async def __call__(self, seconds: float) -> None:
        self.delays.append(seconds)


class FakeClock:
    """Time that moves only when a test moves it (or when slept on), so TTLs expire without waiting."""

    def __init__(self, start: float = 1_000.0) -> None:
        self.now = start
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


class Timers:
    """Sleeps that end when the test says: each ``sleep`` waits until ``fire()``, which first moves
    ``clock`` by the longest of them. Tasks line up on events, never on real time."""

    def __init__(self, clock: FakeClock) -> None:
        self.clock = clock
        self.pending: list[float] = []  # the sleeps under way (a cancelled one is let go)
        self._fired = anyio.Event()

    async def sleep(self, seconds: float) -> None:
        self.pending.append(seconds)
        fired = self._fired
        try:
            await fired.wait()
        finally:
            if not fired.is_set():
                self.pending.remove(seconds)

    def fire(self) -> None:
        """End every sleep under way."""
        self.clock.advance(max(self.pending, default=0.0))
        self.pending.clear()
        self._fired.set()
        self._fired = anyio.Event()


def make_settings(
    *,
    base_url: str = BASE_URL,
    key: str = API_KEY,
    cache_ttl: float = 30.0,
    timeout: float = 15.0,
    backoff: float = 0.01,
    **options: Any,
) -> Settings:
    """The settings of a test server: the test key and Revox, quick retries, and ``options`` as given."""
    settings = Settings(api_key=Secret(key), base_url=base_url, cache_ttl=cache_ttl, timeout=timeout)
    return replace(settings, retry_backoff=backoff, **options)


def make_server(
    *,
    transport: httpx.AsyncBaseTransport | None = None,
    clock: Callable[[], float] | None = None,
    sleep: Sleep = no_sleep,
    cache_sleep: Sleep = anyio.sleep,
    backend: Callable[[], CacheBackend] | None = None,
    auth_token: str | None = None,
    **settings: Any,
) -> MCPServer[AppState]:
    """The server as production builds it, over ``make_settings(**settings)`` and what tests inject:
    how Revox is reached (``transport``; by default the real httpx transport, for respx or a loopback
    fake), the cache's ``clock`` (wall and monotonic), retries that never wait (``sleep``), the
    cache's own waits (``cache_sleep``) and its ``backend``."""
    times = Clock(wall=clock or time.time, monotonic=clock or time.monotonic, sleep=cache_sleep, retry_sleep=sleep)
    return build_server(
        make_settings(**settings), auth_token=auth_token, transport=transport, clock=times, backend=backend
    )


def server_over(
    assistants: list[dict[str, Any]] | None = None,
    listed: set[str] | None = None,
    *,
    account: Account | None = None,
    **options: Any,
) -> MCPServer[AppState]:
    """The server over the fake Revox in process: ``assistants`` (default: the fixtures; ``listed``:
    the ids listed, default all) and ``account`` (default none: its endpoints answer 404), opened by
    the server's key (``key``, default the test key)."""
    if assistants is None:
        assistants, listed = ASSISTANTS, LISTED_IDS
    organisation = Organisation(assistants, listed, account)
    api = FakeApi({options.get("key", API_KEY): organisation})
    return make_server(transport=fake_transport(api), **options)


def demo_server(**options: Any) -> MCPServer[AppState]:
    """The server over the demo organisation of the fake Revox, in process, opened by the demo key."""
    return make_server(base_url=DEMO_BASE_URL, key=DEMO_API_KEY, transport=demo_transport(), **options)


def text_of(result: CallToolResult) -> str:
    return "\n".join(block.text for block in result.content if isinstance(block, TextContent))


def compact(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def wire_bytes(result: CallToolResult) -> int:
    """Size of the whole result as the SDK serialises it for the wire."""
    return len(result.model_dump_json(by_alias=True, exclude_none=True).encode())


def assert_clean(output: str, *canaries: str) -> None:
    """No traceback, fixture secret, API key or other canary in what the model sees."""
    assert "Traceback" not in output
    assert "FAKE" not in output
    assert API_KEY not in output
    for canary in canaries:
        assert canary not in output


def assert_ok(result: CallToolResult, *canaries: str) -> None:
    assert result.is_error is False, text_of(result)
    assert_clean(text_of(result), *canaries)
    assert_clean(json.dumps(result.structured_content), *canaries)
