"""The real process on each transport: `python -m revox_mcp --demo` over stdio, streamable HTTP and SSE.

Both client modes on each: "auto" (2026-07-28, what the in-process tests use) and the 2025-11-25
initialize handshake that third-party clients such as the Inspector still speak.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from typing import Any

import anyio
import pytest
from mcp import Client, ClientSession, StdioServerParameters, stdio_client
from mcp.client.sse import sse_client
from mcp.types import CallToolResult, TextContent

BASELINE_ID = "0f8e2c1a-7b3d-4e5f-9a0b-1c2d3e4f5a61"
FRENCH_NAME = "Relance impayés - FR (OpenRouter)"
LEGACY_PROTOCOL = "2025-11-25"
MODERN_PROTOCOL = "2026-07-28"
# The child inherits nothing but this (and what the stdio client adds: HOME, LOGNAME, PATH...).
CHILD_ENV = {"PATH": os.environ.get("PATH", ""), "REVOX_MCP_LOG_LEVEL": "WARNING"}


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def text_of(result: CallToolResult) -> str:
    return "\n".join(block.text for block in result.content if isinstance(block, TextContent))


def check_listing(result: CallToolResult) -> None:
    assert result.is_error is False, text_of(result)
    assert result.structured_content is not None
    assert result.structured_content["total"] == 8
    assert FRENCH_NAME in text_of(result)  # non-ASCII survives the real wire


def check_assistant(result: CallToolResult) -> None:
    assert result.is_error is False, text_of(result)
    assert result.structured_content is not None
    assert result.structured_content["id"] == BASELINE_ID


# --------------------------------------------------------------------------- stdio


def _stdio_params() -> StdioServerParameters:
    return StdioServerParameters(command=sys.executable, args=["-m", "revox_mcp", "--demo"], env=CHILD_ENV)


@pytest.mark.anyio
async def test_stdio_subprocess_in_auto_mode():
    with anyio.fail_after(30):
        async with Client(_stdio_params()) as client:
            assert client.protocol_version == MODERN_PROTOCOL
            assert client.server_info is not None
            assert client.server_info.name == "revox-mcp"
            names = [tool.name for tool in (await client.list_tools()).tools]
            assert names[:2] == ["list_assistants", "get_assistant"]
            check_listing(await client.call_tool("list_assistants", {}))
            check_assistant(await client.call_tool("get_assistant", {"assistant_id": BASELINE_ID}))
            index = await client.read_resource("revox://assistants")
            assert json.loads(index.contents[0].text)["total"] == 8  # type: ignore[union-attr]
            missing = await client.call_tool("get_assistant", {"assistant_id": "nope"})
            assert missing.is_error is True
            assert "list_assistants" in text_of(missing)


@pytest.mark.anyio
async def test_stdio_subprocess_with_the_legacy_initialize_handshake():
    with anyio.fail_after(30):
        async with stdio_client(_stdio_params()) as (read, write), ClientSession(read, write) as session:
            init = await session.initialize()
            assert init.protocol_version == LEGACY_PROTOCOL
            assert init.server_info.name == "revox-mcp"
            names = [tool.name for tool in (await session.list_tools()).tools]
            assert names[:2] == ["list_assistants", "get_assistant"]
            check_listing(await session.call_tool("list_assistants", {}))
            check_assistant(await session.call_tool("get_assistant", {"assistant_id": BASELINE_ID}))
            one = await session.read_resource(f"revox://assistants/{BASELINE_ID}")
            assert json.loads(one.contents[0].text)["id"] == BASELINE_ID  # type: ignore[union-attr]


def test_missing_api_key_exits_2_with_one_line_naming_the_variable():
    done = subprocess.run(
        [sys.executable, "-m", "revox_mcp"],
        env=CHILD_ENV,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert done.returncode == 2
    assert done.stdout == ""  # stdout belongs to the protocol
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert "REVOX_API_KEY" in lines[0]
    assert "--demo" in lines[0]
    assert "Traceback" not in done.stderr


# --------------------------------------------------------------------------- HTTP transports


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _serve(transport: str) -> Iterator[str]:
    """Start ``revox-mcp --demo --transport ...`` on a free port; yield its base URL; always kill it."""
    port = _free_port()
    with tempfile.TemporaryFile() as stderr:
        process = subprocess.Popen(
            [sys.executable, "-m", "revox_mcp", "--demo", "--transport", transport, "--port", str(port)],
            env=CHILD_ENV,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=stderr,
        )
        try:
            deadline = time.monotonic() + 20
            while True:
                if process.poll() is not None:
                    stderr.seek(0)
                    pytest.fail(f"server exited with {process.returncode}: {stderr.read().decode(errors='replace')}")
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                    break
                except OSError:
                    if time.monotonic() > deadline:
                        pytest.fail(f"{transport} server did not listen on port {port} within 20 s")
                    time.sleep(0.05)  # polling a child's port; there is no event to wait on
            yield f"http://127.0.0.1:{port}"
        finally:
            process.terminate()
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=5)


@pytest.fixture(scope="module")
def streamable_http_url() -> Iterator[str]:
    yield from _serve("streamable-http")


@pytest.fixture(scope="module")
def sse_url() -> Iterator[str]:
    yield from _serve("sse")


async def _exercise(client: Client) -> None:
    names = [tool.name for tool in (await client.list_tools()).tools]
    assert names[:2] == ["list_assistants", "get_assistant"]
    check_listing(await client.call_tool("list_assistants", {}))
    check_assistant(await client.call_tool("get_assistant", {"assistant_id": BASELINE_ID}))
    index = await client.read_resource("revox://assistants")
    assert json.loads(index.contents[0].text)["total"] == 8  # type: ignore[union-attr]


@pytest.mark.anyio
@pytest.mark.parametrize(("mode", "protocol"), [("auto", MODERN_PROTOCOL), ("legacy", LEGACY_PROTOCOL)])
async def test_streamable_http_subprocess(streamable_http_url: str, mode: Any, protocol: str):
    with anyio.fail_after(30):
        async with Client(f"{streamable_http_url}/mcp", mode=mode) as client:
            assert client.protocol_version == protocol
            await _exercise(client)


@pytest.mark.anyio
@pytest.mark.parametrize(("mode", "protocol"), [("auto", MODERN_PROTOCOL), ("legacy", LEGACY_PROTOCOL)])
async def test_sse_subprocess(sse_url: str, mode: Any, protocol: str):
    with anyio.fail_after(30):
        async with Client(sse_client(f"{sse_url}/sse"), mode=mode) as client:
            assert client.protocol_version == protocol
            await _exercise(client)
