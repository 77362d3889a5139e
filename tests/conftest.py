"""Fixtures every test module may use: the anyio backend and the one loopback fake of Revox."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fake_revox import FakeRevox
from redis_server import RedisServer, require_redis_server
from support import API_KEY


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def fake() -> Iterator[FakeRevox]:
    """The loopback fake Revox, knowing the test key, serving the fixtures; fresh for each test."""
    with FakeRevox(api_key=API_KEY) as server:
        yield server


@pytest.fixture(scope="module")
def shared_fake() -> Iterator[FakeRevox]:
    """One loopback fake for a whole module (tests that only read, and clear its log)."""
    with FakeRevox(api_key=API_KEY) as server:
        yield server


@pytest.fixture
def redis_server() -> Iterator[RedisServer]:
    """A real redis-server on a free loopback port, no persistence; fails in CI when it is not installed."""
    require_redis_server()
    server = RedisServer().start()
    try:
        yield server
    finally:
        server.close()
