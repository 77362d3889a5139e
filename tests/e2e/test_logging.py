"""Logs at DEBUG, on every transport, never contain the API key, the bearer token or an assistant's secret,
nor credentials in a configured URL, whoever logs the line (httpx, uvicorn, the SDK, us).

Each test runs the real `python -m revox_mcp` against the loopback fake Revox with canary secrets,
makes real calls through the official client, and reads the server's whole stderr.
"""

from __future__ import annotations

import io
import logging
import os
import subprocess
import sys
import tempfile
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TextIO, cast

import anyio
import httpx
import pytest
from fake_revox import FakeRevox
from loopback import NO_TLS, mcp_http, streamable_session
from mcp import Client, StdioServerParameters, stdio_client
from mcp.client.sse import sse_client
from processes import child_env
from processes import http_server as serving
from support import API_KEY

from revox_mcp.logs import configure_logging
from revox_mcp.settings import Secret, Settings, shown_url

TOKEN = "tok-canary-bearer-8a4f2e61d0"
WITH_SECRETS = "2b7c6d5e-4f3a-4b2c-9d1e-0f9e8d7c6b63"  # fixture whose headers, URL and LLM key hold FAKE canaries
CANARIES = (API_KEY, TOKEN, "FAKE")


@pytest.fixture
def stderr_file() -> Iterator[TextIO]:
    with tempfile.TemporaryFile("w+", encoding="utf-8") as file:
        yield cast(TextIO, file)


def server_env(fake: FakeRevox) -> dict[str, str]:
    return {
        **child_env(),
        "HOME": os.environ.get("HOME", ""),
        "REVOX_API_KEY": API_KEY,
        "REVOX_BASE_URL": fake.base_url,
        "REVOX_MCP_LOG_LEVEL": "DEBUG",
        "REVOX_MCP_AUTH_TOKEN": TOKEN,
    }


async def exercise(client: Client) -> None:
    """The calls whose logs we inspect: a listing, and a full configuration full of (redacted) secrets."""
    listed = await client.call_tool("list_assistants", {"limit": 100})
    assert not listed.is_error
    full = await client.call_tool("get_assistant", {"assistant_id": WITH_SECRETS, "detail": "full"})
    assert not full.is_error
    assert "[REDACTED]" in "".join(getattr(block, "text", "") for block in full.content)
    read = await client.read_resource(f"revox://assistants/{WITH_SECRETS}")
    assert read.contents


def assert_clean(log: str, fake: FakeRevox) -> None:
    assert "DEBUG" in log  # the level was really DEBUG
    assert "HTTP Request: GET" in log  # and the upstream client logged its requests
    assert any(request.headers.get("authorization") == f"Bearer {API_KEY}" for request in fake.requests)
    for canary in CANARIES:
        assert canary not in log, f"{canary!r} leaked into the logs"


@asynccontextmanager
async def http_server(fake: FakeRevox, transport: str, stderr: TextIO) -> AsyncIterator[str]:
    """`python -m revox_mcp --transport <transport>` on a loopback port; yields its base URL; always stopped."""
    async with (
        serving("--transport", transport, env=server_env(fake), log=stderr) as (base, _server),
        httpx.AsyncClient(timeout=2, verify=NO_TLS) as http,
    ):
        assert (await http.post(f"{base}/mcp" if transport != "sse" else f"{base}/sse")).status_code in (401, 405)
        yield base


def read_all(file: TextIO) -> str:
    file.flush()
    file.seek(0)
    return file.read()


@pytest.mark.anyio
async def test_stdio_debug_logs_hold_no_secret(fake: FakeRevox, stderr_file: TextIO) -> None:
    params = StdioServerParameters(command=sys.executable, args=["-m", "revox_mcp"], env=server_env(fake))
    with anyio.fail_after(60):
        async with Client(stdio_client(params, errlog=stderr_file)) as client:
            await exercise(client)
    assert_clean(read_all(stderr_file), fake)


@pytest.mark.anyio
async def test_streamable_http_debug_logs_hold_no_secret(fake: FakeRevox, stderr_file: TextIO) -> None:
    with anyio.fail_after(60):
        async with (
            http_server(fake, "streamable-http", stderr_file) as base,
            streamable_session(f"{base}/mcp", headers={"Authorization": f"Bearer {TOKEN}"}) as client,
        ):
            await exercise(client)
    log = read_all(stderr_file)
    assert_clean(log, fake)
    assert "POST /mcp" in log


@pytest.mark.anyio
async def test_sse_debug_logs_hold_no_secret(fake: FakeRevox, stderr_file: TextIO) -> None:
    with anyio.fail_after(60):
        async with (
            http_server(fake, "sse", stderr_file) as base,
            Client(
                sse_client(f"{base}/sse", headers={"Authorization": f"Bearer {TOKEN}"}, httpx_client_factory=mcp_http)
            ) as client,
        ):
            await exercise(client)
    log = read_all(stderr_file)
    assert_clean(log, fake)
    assert "GET /sse" in log


def test_formatter_masks_secrets_in_messages_and_tracebacks() -> None:
    """Whatever logs them (a library's header dump, an exception), the key and the token come out masked."""
    root = logging.getLogger()
    saved_handlers, saved_level = root.handlers[:], root.level
    stream = io.StringIO()
    try:
        redis_url = "redis://:pw-redis-31@cache.internal:6379/0"
        redis = Settings(api_key=Secret(API_KEY), redis_url=Secret(redis_url))
        configure_logging("DEBUG", [*redis.secrets(), TOKEN])
        handler = root.handlers[0]
        assert isinstance(handler, logging.StreamHandler)
        handler.setStream(stream)
        logging.getLogger("httpcore2.http11").debug("headers=%r", [(b"Authorization", f"Bearer {TOKEN}".encode())])
        logging.getLogger("redis").warning("AUTH refused for password pw-redis-31 at cache.internal:6379")
        logging.getLogger("revox_mcp.cache.redis").warning("Redis at %s is unreachable", shown_url(redis_url))
        try:
            raise RuntimeError(f"upstream said {API_KEY}")
        except RuntimeError:
            logging.getLogger("revox_mcp.test").exception("failed with %s", TOKEN)
    finally:
        root.handlers[:] = saved_handlers
        root.setLevel(saved_level)
    text = stream.getvalue()
    assert "RuntimeError" in text
    assert "[REDACTED]" in text
    assert API_KEY not in text
    assert TOKEN not in text
    assert "pw-redis-31" not in text
    assert "cache.internal:6379" in text  # the Redis address is shown, only its password hidden
    assert "Redis at redis://cache.internal:6379/0 is unreachable" in text


def test_logs_go_to_stderr_only(fake: FakeRevox) -> None:
    """`call` at DEBUG prints the answer on stdout and every log line on stderr."""
    done = subprocess.run(
        [sys.executable, "-m", "revox_mcp", "call", "get_assistant", f"assistant_id={WITH_SECRETS}", "detail=full"],
        env=server_env(fake),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        cwd=Path(__file__).parent,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert " DEBUG " in done.stderr
    assert " DEBUG " not in done.stdout
    assert WITH_SECRETS in done.stdout
    for canary in CANARIES:
        assert canary not in done.stdout + done.stderr


@pytest.mark.parametrize("level", ["INFO", "DEBUG"])
def test_credentials_in_the_base_url_never_reach_the_logs(fake: FakeRevox, level: str) -> None:
    """httpx logs each request's URL: user info and credential query values of REVOX_BASE_URL are scrubbed."""
    password, gateway = "pw-canary-4471", "gw-canary-99812"
    planted = fake.base_url.replace("://", f"://user:{password}@", 1) + f"?gateway_key={gateway}"
    env = {**server_env(fake), "REVOX_BASE_URL": planted, "REVOX_MCP_LOG_LEVEL": level}
    done = subprocess.run(
        [sys.executable, "-m", "revox_mcp", "call", "list_assistants"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert fake.requests  # the server did ask Revox, through the planted URL
    log = done.stderr
    if level == "DEBUG":
        assert "HTTP Request: GET http://[REDACTED]:[REDACTED]@127.0.0.1" in log  # httpx logged the URL, scrubbed
        assert "gateway_key=[REDACTED]" in log
    for canary in (password, gateway, *CANARIES):
        assert canary not in log, f"{canary!r} leaked into the logs"
