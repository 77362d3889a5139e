"""Fixtures every test module may use (the anyio backend, the one loopback fake of Revox, a real Redis),
and the generated tests' profile: full strength in CI, a tenth by hand (``strength.examples``)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import pytest
from hypothesis import settings
from strength import examples

if TYPE_CHECKING:
    from fake_revox import FakeRevox
    from redis_server import RedisServer

# The helpers below import the SDK, the package and the fake: each fixture imports them when it runs,
# so that pytest-xdist's controller, which loads this file and runs no test, does not (~2 s at start).

# What a generated test that sets no count of its own runs: hypothesis's 100 in CI, 10 by hand. No
# deadline: a per-example time limit fails on a loaded machine, and time is never what these check.
settings.register_profile("revox-mcp", max_examples=examples(100), deadline=None)
settings.load_profile("revox-mcp")


@pytest.fixture(scope="session")
def anyio_backend() -> str:
    """asyncio for the whole session, so a module-scoped async fixture (one browser, one server for a
    module) works in any module; a test still gets its own event loop unless such a fixture is open."""
    return "asyncio"


@pytest.fixture(autouse=True, scope="session")
def metaschema_checked_once_per_schema() -> Iterator[None]:
    """The official client checks a tool's output schema against the JSON Schema metaschema the first
    time a session sees the tool's result: ~25 ms a schema, ~1,100 times in a run of the suite (its
    ~700 sessions see the same few schemas), ~25 s of CPU in all. Here a schema that passed the check
    is not checked again in this worker (keyed by its content; a failing one fails every time), and
    the client still validates every result against its schema."""
    from jsonschema.validators import Draft202012Validator

    original = Draft202012Validator.check_schema
    passed: set[str] = set()

    def check_schema(schema: Any, *args: Any, **kwargs: Any) -> None:
        if args or kwargs:
            original(schema, *args, **kwargs)
            return
        key = json.dumps(schema, sort_keys=True, default=repr)
        if key not in passed:
            original(schema)
            passed.add(key)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Draft202012Validator, "check_schema", staticmethod(check_schema))
        yield


@pytest.fixture
def fake() -> Iterator[FakeRevox]:
    """The loopback fake Revox, knowing the test key, serving the fixtures; fresh for each test."""
    from fake_revox import FakeRevox
    from support import API_KEY

    with FakeRevox(api_key=API_KEY) as server:
        yield server


@pytest.fixture(scope="module")
def shared_fake() -> Iterator[FakeRevox]:
    """One loopback fake for a whole module (tests that only read, and clear its log)."""
    from fake_revox import FakeRevox
    from support import API_KEY

    with FakeRevox(api_key=API_KEY) as server:
        yield server


@pytest.fixture
def redis_server() -> Iterator[RedisServer]:
    """A real redis-server on a free loopback port, no persistence; fails in CI when it is not installed."""
    from redis_server import RedisServer, require_redis_server

    require_redis_server()
    server = RedisServer().start()
    try:
        yield server
    finally:
        server.close()
